namespace Cairn.Cli.Commands;

/// <summary>Hands each report to <paramref name="report"/> on the reporting thread: <see cref="Progress{T}"/> posts
/// every report to the thread pool, one work item per finished request of a load.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
