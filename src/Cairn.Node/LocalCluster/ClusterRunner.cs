using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cairn.Node.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>
/// Starts, stops and inspects the replica processes of a local cluster: each runs detached in its own session
/// (<c>setsid</c>), logs to <c>replica-N/replica.log</c>, and is tracked by <c>replica-N/replica.pid</c>.
/// A pid file is trusted only if that process is still a replica of this cluster (pids get reused).
/// </summary>
/// <param name="layout">The cluster directory.</param>
/// <param name="replicaCommand">The command that runs the <c>cairn</c> CLI (e.g. its path, or <c>dotnet cairn.dll</c>);
/// <c>replica --config FILE</c> is appended.</param>
public sealed class ClusterRunner(ClusterLayout layout, IReadOnlyList<string> replicaCommand)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>The cluster directory.</summary>
    public ClusterLayout Layout => layout;

    /// <summary>Starts every replica that is not running and waits until all answer their health check.</summary>
    /// <returns>The replicas, all healthy.</returns>
    /// <exception cref="ClusterRunException">When a replica exits or is not healthy within <paramref
    /// name="timeout"/>, or a cluster restore did not finish.</exception>
    public async Task<IReadOnlyList<ReplicaProcessInfo>> UpAsync(
        TimeSpan timeout,
        CancellationToken cancellationToken = default
    )
    {
        if (File.Exists(layout.RestorePendingFile))
        {
            // Restored replicas run in a new consensus generation, the others in the old one: they cannot agree.
            throw new ClusterRunException(
                $"a cluster restore did not finish ({layout.RestorePendingFile}); run 'cairn cluster restore --dir "
                    + $"{layout.Directory} --from {File.ReadAllText(layout.RestorePendingFile).Trim()}' again"
            );
        }

        var pids = RequireReplicas().ToDictionary(id => id, id => RunningPid(id) ?? Start(id));

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.All(s => s.Healthy))
            {
                return status;
            }

            // Judged by the pid we started, not the pid file check: a process in the middle of exec shows no command
            // line.
            var dead = status.FirstOrDefault(s => !IsAlive(pids[s.Id]));
            if (dead is not null)
            {
                throw new ClusterRunException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"replica {dead.Id} exited during start; last log line: {LastLogLine(dead.Id)} (log: "
                            + $"{layout.ReplicaLogFile(dead.Id)})"
                    )
                );
            }

            if (deadline.Elapsed > timeout)
            {
                var unhealthy = status.First(s => !s.Healthy);
                throw new ClusterRunException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"replica {unhealthy.Id} is not healthy after {timeout.TotalSeconds:0} s (log: "
                            + $"{layout.ReplicaLogFile(unhealthy.Id)})"
                    )
                );
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every running replica with SIGTERM, then SIGKILL for any still running after <paramref
    /// name="grace"/>.</summary>
    /// <returns>The ids of the replicas that were running.</returns>
    public async Task<IReadOnlyList<int>> DownAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var stopped = new List<int>();
        var running = RequireReplicas()
            .Select(id => (Id: id, Pid: RunningPid(id)))
            .Where(r => r.Pid is not null)
            .ToList();
        foreach (var (_, pid) in running)
        {
            UnixSignals.Terminate(pid!.Value);
        }

        foreach (var (id, pid) in running)
        {
            await StopAsync(id, pid!.Value, grace, cancellationToken).ConfigureAwait(false);
            stopped.Add(id);
        }

        return stopped;
    }

    /// <summary>Stops one replica: SIGTERM (or SIGKILL at once when <paramref name="kill"/>), then waits for it to
    /// exit.</summary>
    /// <returns>False when it was not running.</returns>
    public async Task<bool> StopReplicaAsync(
        int id,
        bool kill,
        TimeSpan grace,
        CancellationToken cancellationToken = default
    )
    {
        if (RunningPid(id) is not { } pid)
        {
            return false;
        }

        if (kill)
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        else
        {
            UnixSignals.Terminate(pid);
        }

        await StopAsync(id, pid, grace, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>True when replica <paramref name="id"/>'s process is running (its pid file names a live replica of this
    /// cluster).</summary>
    public bool IsRunning(int id) => RunningPid(id) is not null;

    /// <summary>Starts one replica if it is not running; returns its pid.</summary>
    public int StartReplica(int id) => RunningPid(id) ?? Start(id);

    /// <summary>Each replica's process and health, without changing anything.</summary>
    public async Task<IReadOnlyList<ReplicaProcessInfo>> StatusAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<ReplicaProcessInfo>();
        foreach (var id in RequireReplicas())
        {
            var config = DeploymentConfigLoader.Load(layout.ReplicaConfig(id));
            var pid = RunningPid(id);
            var healthy =
                pid is not null && await IsHealthyAsync(config, pid.Value, cancellationToken).ConfigureAwait(false);
            result.Add(new ReplicaProcessInfo(id, pid, config.Self.Port, config.MetricsPort, healthy));
        }

        return result;
    }

    private IReadOnlyList<int> RequireReplicas()
    {
        var ids = layout.ReplicaIds();
        return ids.Count > 0
            ? ids
            : throw new ClusterRunException(
                $"{layout.Directory} is not a cluster directory (no replica-N folders; run 'cairn cluster init --dir "
                    + $"{layout.Directory}')"
            );
    }

    private int Start(int id)
    {
        var config = layout.ReplicaConfig(id);
        DeploymentConfigLoader.Load(config);
        // sh puts the replica in the background in a session of its own, so it outlives this command and a terminal's
        // SIGHUP; setsid execs in place, so $! is the replica's own pid.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in ReplicaEnvironment.Variables)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log=$1; shift; setsid \"$@\" >>\"$log\" 2>&1 </dev/null & echo $!");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(layout.ReplicaLogFile(id));
        foreach (var part in replicaCommand)
        {
            start.ArgumentList.Add(part);
        }

        start.ArgumentList.Add("replica");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        using var shell = Process.Start(start) ?? throw new ClusterRunException("cannot run /bin/sh");
        var output = shell.StandardOutput.ReadToEnd();
        shell.WaitForExit();
        if (!int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw new ClusterRunException($"replica {id} did not start (shell said '{output.Trim()}')");
        }

        var pidFile = layout.ReplicaPidFile(id);
        File.WriteAllText(pidFile + ".tmp", pid.ToString(CultureInfo.InvariantCulture));
        File.Move(pidFile + ".tmp", pidFile, overwrite: true);
        return pid;
    }

    /// <summary>The pid in the pid file, if that process is alive and is this replica (its command line names its
    /// config).</summary>
    private int? RunningPid(int id)
    {
        var pidFile = layout.ReplicaPidFile(id);
        if (
            !File.Exists(pidFile)
            || !int.TryParse(
                File.ReadAllText(pidFile).Trim(),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var pid
            )
        )
        {
            return null;
        }

        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            return commandLine.Contains(layout.ReplicaConfig(id), StringComparison.Ordinal) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while the process exists and has not exited (a zombie has).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task StopAsync(int id, int pid, TimeSpan grace, CancellationToken cancellationToken)
    {
        // Until the process is gone (or a zombie): an exiting process loses its command line before it closes its
        // sockets, so a port could still be bound when the pid file check already says "stopped".
        var waited = Stopwatch.StartNew();
        while (IsAlive(pid))
        {
            if (waited.Elapsed > grace)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (ArgumentException)
                {
                    // It exited between the check and the kill.
                }
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        File.Delete(layout.ReplicaPidFile(id));
    }

    /// <summary>Whether the replica's <c>/health</c> answers, and from process <paramref name="pid"/>: the port may
    /// be another process's (another cluster's replica on the same ports, while this one exits for want of
    /// them).</summary>
    private static async Task<bool> IsHealthyAsync(
        DeploymentConfig config,
        int pid,
        CancellationToken cancellationToken
    )
    {
        try
        {
            using var response = await Http.GetAsync(
                    new Uri($"http://{config.Self.Host}:{config.MetricsPort}/health"),
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var answer = JsonDocument.Parse(
                await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)
            );
            return answer.RootElement.ValueKind == JsonValueKind.Object
                && answer.RootElement.TryGetProperty("pid", out var answered)
                && answered.TryGetInt32(out var answeredPid)
                && answeredPid == pid;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }

    private string LastLogLine(int id)
    {
        var log = layout.ReplicaLogFile(id);
        return File.Exists(log) ? File.ReadLines(log).LastOrDefault(l => l.Length > 0) ?? "(empty)" : "(no log)";
    }
}
