using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Hosting;

namespace Cairn.Simulation;

/// <summary>What peers serve a replica for state transfer in the simulator: <paramref name="serve"/> gives a peer's
/// blocks at once, so a transfer runs to its end within one simulated instant.</summary>
public sealed class SimBlockSource(Func<ReplicaId, BlockId, SeqNum, IEnumerable<Block>> serve) : IBlockSource
{
    public IAsyncEnumerable<Block> ReadAsync(
        ReplicaId peer,
        BlockId from,
        SeqNum toSeq,
        TimeSpan stallTimeout,
        CancellationToken cancellationToken
    ) => serve(peer, from, toSeq).ToAsyncEnumerable();
}
