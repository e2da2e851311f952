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

    /// <summary>Makes <paramref name="records"/> durable in one atomic write.</summary>
    public void Persist(IReadOnlyList<PersistentRecord> records) =>
        ledger.WriteMetadata([.. records.Select(r => new MetadataWrite(Prefix + r.Key, r.Encode()))]);

    /// <summary>The records persisted so far, latest per key.</summary>
    /// <exception cref="LedgerCorruptException">When a stored record does not decode.</exception>
    public IReadOnlyList<PersistentRecord> Load() =>
        [.. ledger.ReadMetadata(Prefix).Select(kv =>
        {
            try
            {
                return PersistentRecord.Decode(kv.Value);
            }
            catch (CanonicalEncodingException e)
            {
                throw new LedgerCorruptException(ledger.Location, $"consensus record '{kv.Key}' does not decode ({e.Message})");
            }
        })];

    /// <summary>Forgets slot records at or below a stable sequence number: the certificate supersedes them.</summary>
    public void PruneSlotsThrough(SeqNum stable)
    {
        var obsolete = ledger.ReadMetadata(SlotPrefix)
            .Where(kv => ulong.TryParse(kv.Key.AsSpan(SlotPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq <= stable.Value)
            .Select(kv => new MetadataWrite(kv.Key, null))
            .ToList();
        if (obsolete.Count > 0)
        {
            ledger.WriteMetadata(obsolete);
        }
    }
}
