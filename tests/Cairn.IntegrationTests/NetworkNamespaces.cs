using System.Diagnostics;
using System.Globalization;

namespace Cairn.IntegrationTests;

/// <summary>Separate network stacks on this machine: one network namespace per host, each with one interface on a
/// bridge and an address from the documentation range 198.51.100.0/24. Every name carries a random run id, so a run
/// never meets another's leftovers; disposing deletes the namespaces (which kills what still runs in them and removes
/// their veths) and the bridge.</summary>
internal sealed class NetworkNamespaces : IDisposable
{
    private readonly string _run = Convert.ToHexStringLower(
        System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)
    );
    private readonly List<string> _namespaces = [];

    private NetworkNamespaces() { }

    private string Bridge => $"cb{_run}";

    /// <summary>The namespaces, host 0 first.</summary>
    public IReadOnlyList<string> Names => _namespaces;

    /// <summary>Host <paramref name="host"/>'s address.</summary>
    public static string Address(int host) => string.Create(CultureInfo.InvariantCulture, $"198.51.100.{11 + host}");

    /// <summary>Why namespaces cannot be made here, or null when they can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces exist on Linux only";
        }

        if (Environment.UserName != "root")
        {
            return "creating network namespaces needs root";
        }

        var probe = $"cairn-probe-{Environment.ProcessId}";
        try
        {
            if (Run("ip", "netns", "add", probe) is { } failure)
            {
                return $"'ip netns' is not available: {failure}";
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"the 'ip' command (iproute2) is not installed: {e.Message}";
        }

        Run("ip", "netns", "delete", probe);
        return null;
    }

    /// <summary>Makes <paramref name="hosts"/> namespaces on one bridge, torn down again if any step fails.</summary>
    public static NetworkNamespaces Create(int hosts)
    {
        var network = new NetworkNamespaces();
        try
        {
            // Bridged frames skip the host's iptables: its firewall must not decide whether these hosts meet.
            Must(
                "ip",
                "link",
                "add",
                network.Bridge,
                "type",
                "bridge",
                "nf_call_iptables",
                "0",
                "nf_call_ip6tables",
                "0"
            );
            Must("ip", "link", "set", network.Bridge, "up");
            for (var host = 0; host < hosts; host++)
            {
                var name = $"cairn-{network._run}-{host}";
                Must("ip", "netns", "add", name);
                network._namespaces.Add(name);
                var outside = $"cv{network._run}{host}";
                var inside = $"ci{network._run}{host}";
                Must("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
                Must("ip", "link", "set", inside, "netns", name);
                Must("ip", "link", "set", outside, "master", network.Bridge, "up");
                Must("ip", "-n", name, "addr", "add", Address(host) + "/24", "dev", inside);
                Must("ip", "-n", name, "link", "set", inside, "up");
                Must("ip", "-n", name, "link", "set", "lo", "up");
            }

            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The command prefix that runs a program inside host <paramref name="host"/>'s namespace.</summary>
    public string[] On(int host) => ["ip", "netns", "exec", _namespaces[host]];

    public void Dispose()
    {
        foreach (var name in _namespaces)
        {
            // Whatever a failed test left running in the namespace is this run's own.
            foreach (var pid in Output("ip", "netns", "pids", name).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Run("kill", "-KILL", pid.Trim());
            }

            Run("ip", "netns", "delete", name);
        }

        Run("ip", "link", "delete", Bridge);
    }

    private static void Must(params string[] command)
    {
        if (Run(command) is { } failure)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed: {failure}");
        }
    }

    /// <summary>Runs a command; null on success, else what it printed on stderr.</summary>
    private static string? Run(params string[] command)
    {
        using var process = Start(command);
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : error.Trim();
    }

    private static string Output(params string[] command)
    {
        using var process = Start(command);
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static Process Start(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
