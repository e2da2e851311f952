using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// A generation of a chain's consensus: the chain at genesis is generation zero (<see cref="Genesis"/>); a disaster
/// recovery that restores every replica from one certified checkpoint starts a new one, whose first stable point is
/// that checkpoint (<see cref="BaseSeq"/>, <see cref="BaseDigest"/>) and whose <see cref="Nonce"/> is fresh. Every
/// consensus signature binds the generation's <see cref="Domain"/>, so no message signed in another generation
/// verifies in this one: the restored replicas cannot contradict votes they signed before the loss and no longer
/// remember (docs/consensus.md, "Restoring every replica").
/// </summary>
/// <param name="Nonce">Random, chosen once by the restore for every replica: fresh without anyone remembering which
/// generations came before.</param>
/// <param name="BaseSeq">The restored checkpoint's sequence number: the generation's first stable point.</param>
/// <param name="BaseDigest">The digest its certificate certifies at <paramref name="BaseSeq"/>.</param>
public readonly record struct ConsensusGeneration(Digest Nonce, SeqNum BaseSeq, Digest BaseDigest)
{
    /// <summary>Generation zero: the chain as <c>cluster init</c> made it; its signatures bind no domain.</summary>
    public static ConsensusGeneration Genesis => default;

    /// <summary>True for generation zero.</summary>
    public bool IsGenesis => Nonce.IsZero;

    /// <summary>What every signature of this generation binds: a hash of the nonce and the base.</summary>
    public Digest Domain
    {
        get
        {
            var writer = new CanonicalWriter();
            WriteTo(writer);
            return Digest.Compute(writer.ToArray());
        }
    }

    internal void WriteTo(CanonicalWriter writer)
    {
        writer.WriteDigest(Nonce);
        writer.WriteUInt64(BaseSeq.Value);
        writer.WriteDigest(BaseDigest);
    }

    internal static ConsensusGeneration ReadFrom(ref CanonicalReader reader) =>
        new(reader.ReadDigest(), new SeqNum(reader.ReadUInt64()), reader.ReadDigest());

    /// <inheritdoc />
    public override string ToString() =>
        IsGenesis ? "genesis" : $"{Nonce.ToHex()[..16]} (from seq {BaseSeq}, digest {BaseDigest.ToHex()[..16]})";
}
