using System.Runtime.CompilerServices;
using Cairn.Backup;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Execution;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>Serves each peer's blocks from the ledger it is given for the read at hand (a peer can change its story
/// between reads, or answer by how far it is asked to read), and counts the reads.</summary>
internal sealed class LedgerBlockSource(Func<ReplicaId, int, SeqNum, ILedgerStore?> ledgerFor) : IBlockSource
{
    public LedgerBlockSource(Func<ReplicaId, int, ILedgerStore?> ledgerFor)
        : this((peer, read, _) => ledgerFor(peer, read)) { }

    private readonly Dictionary<ReplicaId, int> _reads = [];

    /// <summary>How many reads <paramref name="peer"/> was asked for.</summary>
    public int Reads(ReplicaId peer) => _reads.GetValueOrDefault(peer);

    public async IAsyncEnumerable<Block> ReadAsync(
        ReplicaId peer,
        BlockId from,
        SeqNum toSeq,
        TimeSpan stallTimeout,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        await Task.Yield();
        var read = _reads[peer] = Reads(peer) + 1;
        if (ledgerFor(peer, read, toSeq) is not { } ledger)
        {
            yield break; // this peer serves nothing
        }

        foreach (var block in ledger.ReadBlocks(from).TakeWhile(b => b.SeqNum <= toSeq))
        {
            yield return block;
        }
    }

    /// <summary>A ledger of <paramref name="blocks"/> blocks of one 1 KiB value each; <paramref name="fork"/> changes
    /// every value, so its chain shares no block with another's. The blocks at <paramref name="checkpointsAt"/> also
    /// record a DB checkpoint decided there, as the executor does.</summary>
    public static InMemoryLedger Chain(int blocks, byte fork = 0, ulong[]? checkpointsAt = null)
    {
        var ledger = new InMemoryLedger("chain");
        for (var i = 1; i <= blocks; i++)
        {
            var seq = new SeqNum((ulong)i);
            var time = DateTimeOffset.UnixEpoch.AddSeconds(i);
            var value = Enumerable.Repeat((byte)(i + fork), 1024).ToArray();
            List<StateWrite> writes = [StateWrite.Put([(byte)(i % 7)], value)];
            if (checkpointsAt?.Contains(seq.Value) == true)
            {
                writes.Add(
                    StateWrite.Put(
                        ReplicatedKeys.LastCheckpoint,
                        ReplicatedKeys.EncodeMark(new CheckpointMark(seq, time))
                    )
                );
            }

            ledger.Append(new BlockProposal(seq, time, writes));
        }

        return ledger;
    }
}
