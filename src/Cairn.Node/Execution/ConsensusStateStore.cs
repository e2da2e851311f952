using System.Globalization;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
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

    // Records that belong to one seq and go once a stable checkpoint covers it: "slot/{seq}", "body/{seq}/{digest}".
    private static readonly string[] PerSeqPrefixes = [Prefix + "slot/", Prefix + "body/"];

    // The per-seq keys on disk, by seq: read once, then kept here, so pruning reads no batch bodies back.
    private SortedDictionary<ulong, HashSet<string>>? _perSeqKeys;

    /// <summary>
    /// Makes <paramref name="records"/> durable and forgets the per-seq records (slots and their batches) at or below
    /// <paramref name="pruneSlotsThrough"/> in one atomic write. Pruning is only safe together with (or after) the
    /// stable-checkpoint record that supersedes those slots: pruned alone, a crash would leave a replica with neither
    /// the slots' prepared proofs nor the certificate, and its VIEW-CHANGEs could then let a new primary fill an
    /// executed seq with a no-op. When <paramref name="sync"/>, every earlier write to the ledger becomes durable with
    /// it, in the same fsync (<see cref="ILedgerStore.WriteMetadata"/>).
    /// </summary>
    public void Persist(IReadOnlyList<PersistentRecord> records, SeqNum? pruneSlotsThrough = null, bool sync = false)
    {
        var keys = PerSeqKeys();
        var writes = new List<MetadataWrite>(records.Count);
        foreach (var record in records)
        {
            var key = Prefix + record.Key;
            writes.Add(new MetadataWrite(key, record.Encode()));
            Track(keys, key);
        }

        var pruned = new List<ulong>();
        if (pruneSlotsThrough is { } stable)
        {
            foreach (var (seq, atSeq) in keys)
            {
                if (seq > stable.Value)
                {
                    break;
                }

                pruned.Add(seq);
                writes.AddRange(atSeq.Select(k => new MetadataWrite(k, null)));
            }
        }

        if (writes.Count > 0)
        {
            ledger.WriteMetadata(writes, sync);
        }
        else if (sync)
        {
            ledger.Sync();
        }

        foreach (var seq in pruned)
        {
            keys.Remove(seq);
        }
    }

    /// <summary>The whole proposal persisted for (<paramref name="seq"/>, <paramref name="digest"/>), or
    /// null.</summary>
    /// <exception cref="LedgerCorruptException">When the stored record does not decode.</exception>
    public PrePrepare? LoadProposal(SeqNum seq, Digest digest)
    {
        var key = Prefix + ProposalRecord.KeyOf(seq, digest);
        if (ledger.GetMetadata(key) is not { } bytes)
        {
            return null;
        }

        try
        {
            return PersistentRecord.Decode(bytes) is ProposalRecord record ? record.Proposal : null;
        }
        catch (CanonicalEncodingException e)
        {
            throw new LedgerCorruptException(
                ledger.Location,
                $"consensus record '{key}' does not decode ({e.Message})"
            );
        }
    }

    /// <summary>The records persisted so far, latest per key.</summary>
    /// <exception cref="LedgerCorruptException">When a stored record does not decode.</exception>
    public IReadOnlyList<PersistentRecord> Load()
    {
        var records = new List<PersistentRecord>();
        var keys = new SortedDictionary<ulong, HashSet<string>>();
        foreach (var (key, value) in ledger.ReadMetadata(Prefix))
        {
            try
            {
                records.Add(PersistentRecord.Decode(value));
            }
            catch (CanonicalEncodingException e)
            {
                throw new LedgerCorruptException(
                    ledger.Location,
                    $"consensus record '{key}' does not decode ({e.Message})"
                );
            }

            Track(keys, key);
        }

        _perSeqKeys = keys;
        return records;
    }

    private PersistentRecord Decode(string key, byte[] value)
    {
        try
        {
            return PersistentRecord.Decode(value);
        }
        catch (CanonicalEncodingException e)
        {
            throw new LedgerCorruptException(
                ledger.Location,
                $"consensus record '{key}' does not decode ({e.Message})"
            );
        }
    }

    private SortedDictionary<ulong, HashSet<string>> PerSeqKeys()
    {
        if (_perSeqKeys is null)
        {
            _perSeqKeys = [];
            foreach (var key in PerSeqPrefixes.SelectMany(p => ledger.ReadMetadata(p)).Select(kv => kv.Key))
            {
                Track(_perSeqKeys, key);
            }
        }

        return _perSeqKeys;
    }

    private static void Track(SortedDictionary<ulong, HashSet<string>> keys, string key)
    {
        if (SeqOf(key) is not { } seq)
        {
            return;
        }

        if (!keys.TryGetValue(seq, out var atSeq))
        {
            keys[seq] = atSeq = new HashSet<string>(StringComparer.Ordinal);
        }

        atSeq.Add(key);
    }

    // The seq of a per-seq key ("consensus.slot/12", "consensus.body/12/ab…"), or null for any other record.
    private static ulong? SeqOf(string key)
    {
        var prefix = PerSeqPrefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.Ordinal));
        if (prefix is null)
        {
            return null;
        }

        var rest = key.AsSpan(prefix.Length);
        var end = rest.IndexOf('/');
        return ulong.TryParse(
            end < 0 ? rest : rest[..end],
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out var seq
        )
            ? seq
            : null;
    }
}
