namespace Cairn.FaultTests.Network;

/// <summary>
/// The proxies of a cluster of <c>n</c> replicas: one per directed replica link (replica i reaches replica j at
/// <see cref="LinkPort"/>) and one per client link (the test's clients reach replica j at <see cref="ClientPort"/>).
/// Scripted faults set the links: isolate a replica, split the cluster in two, slow or lossy links, heal.
/// </summary>
public sealed class FaultNetwork : IAsyncDisposable
{
    private readonly int _basePort;
    private readonly FaultProxy?[,] _links;
    private readonly FaultProxy[] _clientLinks;

    /// <param name="basePort">Replica i listens on basePort + i; client proxies take basePort + 10 + j, replica link
    /// proxies basePort + 20 + i·n + j.</param>
    public FaultNetwork(int replicas, int basePort, int seed)
    {
        Replicas = replicas;
        _basePort = basePort;
        _links = new FaultProxy?[replicas, replicas];
        _clientLinks = new FaultProxy[replicas];
        for (var to = 0; to < replicas; to++)
        {
            _clientLinks[to] = new FaultProxy($"client -> replica {to}", ClientPort(to), basePort + to, seed + to);
            for (var from = 0; from < replicas; from++)
            {
                if (from != to)
                {
                    _links[from, to] = new FaultProxy(
                        $"replica {from} -> replica {to}",
                        LinkPort(from, to),
                        basePort + to,
                        seed + 100 + (from * replicas) + to
                    );
                }
            }
        }
    }

    public int Replicas { get; }

    /// <summary>The port replica <paramref name="from"/> dials to reach replica <paramref name="to"/>.</summary>
    public int LinkPort(int from, int to) => _basePort + 20 + (from * Replicas) + to;

    /// <summary>The port clients dial to reach replica <paramref name="to"/>.</summary>
    public int ClientPort(int to) => _basePort + 10 + to;

    /// <summary>Sets the directed link from one replica to another.</summary>
    public void SetLink(int from, int to, LinkFault fault) => _links[from, to]!.Fault = fault;

    /// <summary>Sets the link from the clients to a replica.</summary>
    public void SetClientLink(int to, LinkFault fault) => _clientLinks[to].Fault = fault;

    /// <summary>Cuts the replica off from every peer and from the clients, both ways.</summary>
    public void Isolate(int replica)
    {
        for (var other = 0; other < Replicas; other++)
        {
            if (other != replica)
            {
                SetLink(replica, other, LinkFault.Down);
                SetLink(other, replica, LinkFault.Down);
            }
        }

        SetClientLink(replica, LinkFault.Down);
    }

    /// <summary>Cuts every link between the two sides (clients still reach everyone).</summary>
    public void Split(IReadOnlyCollection<int> side, IReadOnlyCollection<int> otherSide)
    {
        foreach (var a in side)
        {
            foreach (var b in otherSide)
            {
                SetLink(a, b, LinkFault.Down);
                SetLink(b, a, LinkFault.Down);
            }
        }
    }

    /// <summary>Applies one fault to every replica link (not the client links).</summary>
    public void SetAllReplicaLinks(LinkFault fault)
    {
        foreach (var link in _links)
        {
            if (link is not null)
            {
                link.Fault = fault;
            }
        }
    }

    /// <summary>Every link back to normal.</summary>
    public void Heal()
    {
        SetAllReplicaLinks(LinkFault.None);
        foreach (var link in _clientLinks)
        {
            link.Fault = LinkFault.None;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links)
        {
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
        }

        foreach (var link in _clientLinks)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }
}
