using System.Globalization;

namespace Cairn.Node.LocalCluster;

/// <summary>Where one replica of a multi-host cluster listens, as <c>cairn cluster init</c> is given it (an entry of
/// <c>--hosts</c> or of the descriptor's <c>replicas</c>).</summary>
/// <param name="Host">An IP address or host name; the replica binds it, its peers and clients dial it.</param>
/// <param name="Port">Its gRPC port, or null for <c>--base-port</c> + its id.</param>
public sealed record ReplicaAddress(string Host, int? Port)
{
    /// <summary>Parses <c>host</c>, <c>host:port</c> or <c>[ipv6]:port</c>.</summary>
    /// <param name="text">The entry.</param>
    /// <param name="where">What to name in the message (<c>--hosts entry 2</c>).</param>
    /// <exception cref="ClusterInitException">When the host is not a valid name or address, or the port not a
    /// number.</exception>
    public static ReplicaAddress Parse(string text, string where)
    {
        var trimmed = text.Trim();
        string host;
        string? port = null;
        if (trimmed.StartsWith('['))
        {
            var close = trimmed.IndexOf(']', StringComparison.Ordinal);
            host = close < 0 ? trimmed : trimmed[1..close];
            var rest = close < 0 ? "" : trimmed[(close + 1)..];
            port =
                rest.StartsWith(':') ? rest[1..]
                : rest.Length == 0 ? null
                : rest;
        }
        else if (trimmed.Count(c => c == ':') == 1)
        {
            host = trimmed[..trimmed.IndexOf(':', StringComparison.Ordinal)];
            port = trimmed[(trimmed.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }
        else
        {
            host = trimmed;
        }

        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new ClusterInitException(
                $"{where} '{text}': not a host name or IP address (accepted: host, host:port or [ipv6]:port)"
            );
        }

        if (port is null)
        {
            return new ReplicaAddress(host, null);
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? new ReplicaAddress(host, value)
            : throw new ClusterInitException(
                $"{where} '{text}': port '{port}' is not a number (accepted: host, host:port or [ipv6]:port)"
            );
    }

    /// <summary>Parses a comma-separated <c>--hosts</c> list, one entry per replica in id order.</summary>
    /// <exception cref="ClusterInitException">When an entry is not valid.</exception>
    public static IReadOnlyList<ReplicaAddress> ParseList(string list) =>
        [
            .. list.Split(',')
                .Select((entry, i) => Parse(entry, string.Create(CultureInfo.InvariantCulture, $"--hosts entry {i}"))),
        ];
}
