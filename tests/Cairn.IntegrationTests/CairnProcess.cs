using System.Diagnostics;

namespace Cairn.IntegrationTests;

/// <summary>Runs the real <c>cairn</c> CLI (or the operator tool) as a process, as an operator would, and captures
/// what it prints.</summary>
internal sealed record CairnProcess(int ExitCode, string Output, string Error)
{
    public static Task<CairnProcess> RunAsync(params string[] args) => RunWithPrefixAsync([], args);

    /// <summary>Runs the operator tool, <c>cairn-op</c>.</summary>
    public static Task<CairnProcess> RunOperatorToolAsync(params string[] args) =>
        RunCommandAsync(TestCluster.OperatorToolCommand, args);

    /// <summary>Runs the CLI under <paramref name="prefix"/> (e.g. <c>ip netns exec NAME</c>).</summary>
    public static Task<CairnProcess> RunWithPrefixAsync(IReadOnlyList<string> prefix, params string[] args) =>
        RunCommandAsync([.. prefix, .. TestCluster.CairnCommand], args);

    private static async Task<CairnProcess> RunCommandAsync(IReadOnlyList<string> command, string[] args)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var part in command.Skip(1).Concat(args))
        {
            start.ArgumentList.Add(part);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', [.. command, .. args])} did not finish within 3 minutes");
        }

        return new CairnProcess(process.ExitCode, await output, await error);
    }
}
