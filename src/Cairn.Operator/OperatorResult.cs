using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Operator;

/// <summary>A replica's answer to an ordered operator command, identical on every correct replica so f+1 replies match:
/// accepted or refused, the sequence number it takes effect at (0 when none), and a one-line message.</summary>
public sealed record OperatorResult(bool Accepted, SeqNum EffectiveAt, string Message)
{
    private const byte DomainTag = 0x61;

    public static OperatorResult Refused(string reason) => new(false, SeqNum.Zero, reason);

    public byte[] Encode() =>
        new CanonicalWriter(64 + Message.Length)
            .WriteByte(DomainTag)
            .WriteBool(Accepted)
            .WriteUInt64(EffectiveAt.Value)
            .WriteString(Message)
            .ToArray();

    /// <exception cref="CanonicalEncodingException">When the bytes are not an operator result.</exception>
    public static OperatorResult Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadByte() != DomainTag)
        {
            throw new CanonicalEncodingException("not an operator result");
        }

        var result = new OperatorResult(reader.ReadBool(), new SeqNum(reader.ReadUInt64()), reader.ReadString());
        reader.EnsureEnd();
        return result;
    }
}
