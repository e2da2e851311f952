using System.Diagnostics;
using Cairn.Cli.Commands;
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

    /// <inheritdoc cref="ProgressDisplay.CountAsync{T}"/>
    public Task<T> ProgressAsync<T>(string description, Func<Action<double, double>, Task<T>> work) =>
        ProgressDisplay.CountAsync(console, description, work);

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
