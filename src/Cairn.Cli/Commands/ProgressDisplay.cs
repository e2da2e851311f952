using Cairn.Backup;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>Progress bars for long copies and archives (bytes, never with --json) and for work that counts its steps,
/// shown only on an interactive terminal.</summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, showing the progress it reports under <paramref name="description"/>
    /// when the terminal is interactive.</summary>
    public static T Run<T>(
        IAnsiConsole console,
        bool json,
        string description,
        Func<IProgress<TransferProgress>?, T> work
    ) => RunAsync(console, json, description, progress => Task.FromResult(work(progress))).GetAwaiter().GetResult();

    /// <summary>As <see cref="Run{T}"/>, for work that awaits (the bar stays up until it completes).</summary>
    public static Task<T> RunAsync<T>(
        IAnsiConsole console,
        bool json,
        string description,
        Func<IProgress<TransferProgress>?, Task<T>> work
    )
    {
        if (json || !console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return work(null);
        }

        return console
            .Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn()
            )
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: 1);
                var result = await work(new Progress(task));
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar and the elapsed time under
    /// <paramref name="description"/> on an interactive terminal; <paramref name="work"/> reports (done, total) through
    /// the callback it is given, which does nothing when there is no terminal.</summary>
    public static async Task<T> CountAsync<T>(
        IAnsiConsole console,
        string description,
        Func<Action<double, double>, Task<T>> work
    )
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await work((_, _) => { });
        }

        T result = default!;
        await console
            .Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn()
            )
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: 1);
                result = await work(
                    (done, total) =>
                    {
                        task.MaxValue = Math.Max(total, 1);
                        task.Value = Math.Min(done, task.MaxValue);
                    }
                );
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class Progress(ProgressTask task) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            if (value.Total > 0)
            {
                task.MaxValue = value.Total;
                task.Value = value.Done;
            }
        }
    }
}
