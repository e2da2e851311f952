using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// Proof that a slot prepared in some view: the primary's PRE-PREPARE and 2f matching PREPAREs from distinct backups.
/// Carried in VIEW-CHANGE so that what may have committed survives into the next view. It holds the PRE-PREPARE's
/// header only (the signature covers the digest): a proof's size does not depend on the batch.
/// </summary>
public sealed record PreparedProof(PrePrepare PrePrepare, IReadOnlyList<Prepare> Prepares)
{
    /// <summary>The proposal's header (without its batch).</summary>
    public PrePrepare PrePrepare { get; } = PrePrepare?.WithoutBatch()!;

    /// <summary>
    /// True when the PRE-PREPARE is signed by its view's primary and at least 2f distinct other replicas signed
    /// PREPAREs with the same view, seq and digest, all signed in <paramref name="generation"/>.
    /// </summary>
    public bool Verify(IReadOnlyList<VerificationKey> replicaKeys, int f, ConsensusGeneration generation = default)
    {
        ArgumentNullException.ThrowIfNull(replicaKeys);
        var n = replicaKeys.Count;
        var pp = PrePrepare;
        if (
            pp is null
            || Prepares is null
            || pp.Sender != Quorums.PrimaryOf(pp.View, n)
            || !pp.VerifySignature(replicaKeys[pp.Sender.Value], generation)
        )
        {
            return false;
        }

        var digest = pp.Digest;
        var seen = new HashSet<int>();
        foreach (var prepare in Prepares)
        {
            if (
                prepare is null
                || prepare.View != pp.View
                || prepare.Seq != pp.Seq
                || prepare.Digest != digest
                || prepare.Sender == pp.Sender
                || (uint)prepare.Sender.Value >= (uint)n
                || !seen.Add(prepare.Sender.Value)
                || !prepare.VerifySignature(replicaKeys[prepare.Sender.Value], generation)
            )
            {
                return false;
            }
        }

        return seen.Count >= Quorums.PrepareQuorum(f);
    }

    internal void WriteTo(CanonicalWriter writer)
    {
        writer.WriteBytes(PrePrepare.Encode());
        writer.WriteUInt32((uint)Prepares.Count);
        foreach (var prepare in Prepares)
        {
            writer.WriteBytes(prepare.Encode());
        }
    }

    internal static PreparedProof ReadFrom(ref CanonicalReader reader)
    {
        var pp = ConsensusMessage.DecodeNested<PrePrepare>(reader.ReadBytes());
        var count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 4)
        {
            throw new CanonicalEncodingException($"a prepared proof claims {count} prepares");
        }

        var prepares = new List<Prepare>((int)count);
        for (var i = 0; i < count; i++)
        {
            prepares.Add(ConsensusMessage.DecodeNested<Prepare>(reader.ReadBytes()));
        }

        return new PreparedProof(pp, prepares);
    }
}
