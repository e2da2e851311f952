using System.Globalization;
using Cairn.Consensus;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Ledger;

namespace Cairn.Node.Execution;

/// <summary>
/// Keeps what the consensus replica promised (its <see cref="PersistentRecord"/>s) in the ledger's metadata, so a
/// restarted replica never contradicts what it signed before. Records are written synced, in one batch per flush.
/// </summary>
public sealed class ConsensusStateStore(ILedgerStore ledger)
{
    private const string Prefix = "consensus.";
    private const string SlotPrefix = Prefix + "slot/";

    /// <summary>
    /// Makes <paramref name="records"/> durable and forgets the slot records at or below <paramref
    /// name="pruneSlotsThrough"/>
    /// in one atomic write. Pruning is only safe together with (or after) the stable-checkpoint record that supersedes
    /// those slots: pruned alone, a crash would leave a replica with neither the slots' prepared proofs nor the
    /// certificate, and its VIEW-CHANGEs could then let a new primary fill an executed seq with a no-op.
    /// </summary>
    public void Persist(IReadOnlyList<PersistentRecord> records, SeqNum? pruneSlotsThrough = null)
    {
        var writes = records.Select(r => new MetadataWrite(Prefix + r.Key, r.Encode())).ToList();
        if (pruneSlotsThrough is { } stable)
        {
            var written = records.Select(r => Prefix + r.Key).ToHashSet(StringComparer.Ordinal);
            writes.AddRange(
                ledger
                    .ReadMetadata(SlotPrefix)
                    .Select(kv => kv.Key)
                    .Concat(written.Where(k => k.StartsWith(SlotPrefix, StringComparison.Ordinal)))
                    .Distinct(StringComparer.Ordinal)
                    .Where(k =>
                        ulong.TryParse(
                            k.AsSpan(SlotPrefix.Length),
                            NumberStyles.None,
                            CultureInfo.InvariantCulture,
                            out var seq
                        )
                        && seq <= stable.Value
                    )
                    .Select(k => new MetadataWrite(k, null))
            );
        }

        if (writes.Count > 0)
        {
            ledger.WriteMetadata(writes);
        }
    }

    /// <summary>The records persisted so far, latest per key.</summary>
    /// <exception cref="LedgerCorruptException">When a stored record does not decode.</exception>
    public IReadOnlyList<PersistentRecord> Load() =>
        [
            .. ledger
                .ReadMetadata(Prefix)
                .Select(kv =>
                {
                    try
                    {
                        return PersistentRecord.Decode(kv.Value);
                    }
                    catch (CanonicalEncodingException e)
                    {
                        throw new LedgerCorruptException(
                            ledger.Location,
                            $"consensus record '{kv.Key}' does not decode ({e.Message})"
                        );
                    }
                }),
        ];
}
