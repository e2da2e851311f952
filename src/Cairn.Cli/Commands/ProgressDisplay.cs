using Cairn.Backup;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>A byte progress bar for long copies and archives, shown only on an interactive terminal and never with
/// --json.</summary>
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
