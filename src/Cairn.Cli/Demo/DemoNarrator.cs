using System.Diagnostics;
using Spectre.Console;

namespace Cairn.Cli.Demo;

/// <summary>Tells the demo's story: numbered steps, each with what it showed and how long it took.</summary>
internal sealed class DemoNarrator(IAnsiConsole console)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private int _step;

    public IAnsiConsole Console => console;

    public TimeSpan Elapsed => _total.Elapsed;

    public void Act(string title) =>
        console.MarkupLineInterpolated(
            $"\n[bold underline]{title}[/] [grey](at {_total.Elapsed.TotalSeconds:N1} s)[/]"
        );

    public T Step<T>(string title, Func<T> action, Func<T, string> describe)
    {
        var watch = Stopwatch.StartNew();
        var result = action();
        Done(title, watch.Elapsed, describe(result));
        return result;
    }

    public async Task<T> StepAsync<T>(string title, Func<Task<T>> action, Func<T, string> describe)
    {
        var watch = Stopwatch.StartNew();
        var result = await action();
        Done(title, watch.Elapsed, describe(result));
        return result;
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar on an interactive terminal; <paramref name="work"/>
    /// reports
    /// (done, total) through the callback it is given, which does nothing when there is no terminal.</summary>
    public async Task<T> ProgressAsync<T>(string description, Func<Action<double, double>, Task<T>> work)
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

    private void Done(string title, TimeSpan elapsed, string description)
    {
        _step++;
        console.MarkupLineInterpolated($"[green]✓[/] {_step,2}. {title} [grey]({elapsed.TotalMilliseconds:N0} ms)[/]");
        if (description.Length > 0)
        {
            console.MarkupLineInterpolated($"       {description}");
        }
    }
}
