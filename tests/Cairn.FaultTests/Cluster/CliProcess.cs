using System.Diagnostics;

namespace Cairn.FaultTests.Cluster;

/// <summary>A running <c>cairn</c> CLI command (export, restore, ...) that a scenario may kill -9 at any
/// instant.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private CliProcess(Process process)
    {
        _process = process;
        _output = _process.StandardOutput.ReadToEndAsync();
        _error = _process.StandardError.ReadToEndAsync();
    }

    public static CliProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo(FaultCluster.CairnCommand[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var part in FaultCluster.CairnCommand.Skip(1).Concat(args))
        {
            start.ArgumentList.Add(part);
        }

        return new CliProcess(
            Process.Start(start) ?? throw new InvalidOperationException($"cannot start cairn {string.Join(' ', args)}")
        );
    }

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9 now; true when it was still running (so it died mid-work).</summary>
    public async Task<bool> KillAsync()
    {
        var running = !_process.HasExited;
        if (running)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        return running;
    }

    /// <summary>Waits for it to finish; returns its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output, string Error)> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            throw new TimeoutException(
                $"cairn {string.Join(' ', _process.StartInfo.ArgumentList.Skip(1))} did not finish within "
                    + $"{timeout.TotalSeconds:0} s"
            );
        }

        return (_process.ExitCode, await _output, await _error);
    }

    public void Dispose() => _process.Dispose();
}
