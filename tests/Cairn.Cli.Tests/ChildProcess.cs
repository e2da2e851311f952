using System.Diagnostics;
using System.Text;

namespace Cairn.Cli.Tests;

/// <summary>Runs a program to completion under a timeout (killed if it overruns) and captures what it
/// printed.</summary>
internal sealed record ChildProcess(int ExitCode, string Output, string Error)
{
    public static async Task<ChildProcess> RunAsync(
        string program,
        IEnumerable<string> args,
        TimeSpan timeout,
        string? workingDirectory = null
    )
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A nested dotnet build must not inherit the test host's MSBuild settings.
        foreach (
            var key in start
                .Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
                .ToList()
        )
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (error)
            {
                error.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{program} {string.Join(' ', args)} did not finish within {timeout}: {output}{error}"
            );
        }

        process.WaitForExit();
        return new ChildProcess(process.ExitCode, output.ToString(), error.ToString());
    }
}
