using AwesomeAssertions;
using Cairn.Core.Encoding;
using CsCheck;

namespace Cairn.Core.Tests;

public sealed class CanonicalEncodingTests
{
    [Fact]
    public void Every_field_kind_round_trips() =>
        Gen.Select(Gen.ULong, Gen.Int, Gen.Byte.Array[0, 300], Gen.String, Gen.Bool)
            .Sample(
                (u, i, bytes, text, flag) =>
                {
                    var digest = Digest.Compute(bytes);
                    var writer = new CanonicalWriter(4);
                    writer
                        .WriteUInt64(u)
                        .WriteInt32(i)
                        .WriteBytes(bytes)
                        .WriteString(text)
                        .WriteBool(flag)
                        .WriteDigest(digest);

                    var reader = new CanonicalReader(writer.WrittenSpan);
                    reader.ReadUInt64().Should().Be(u);
                    reader.ReadInt32().Should().Be(i);
                    reader.ReadBytes().ToArray().Should().Equal(bytes);
                    reader.ReadString().Should().Be(text);
                    reader.ReadBool().Should().Be(flag);
                    reader.ReadDigest().Should().Be(digest);
                    reader.EnsureEnd();
                }
            );

    [Fact]
    public void Integers_are_big_endian_with_fixed_width()
    {
        var writer = new CanonicalWriter().WriteUInt32(1).WriteUInt64(0x0102030405060708);
        writer.ToArray().Should().Equal(0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8);
    }

    [Fact]
    public void Every_truncation_is_reported_not_read_past()
    {
        var bytes = new CanonicalWriter()
            .WriteUInt64(7)
            .WriteBytes("payload"u8)
            .WriteDigest(Digest.Compute("x"u8))
            .ToArray();
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            FluentActions
                .Invoking(() =>
                {
                    var reader = new CanonicalReader(prefix);
                    reader.ReadUInt64();
                    reader.ReadBytes();
                    reader.ReadDigest();
                })
                .Should()
                .Throw<CanonicalEncodingException>($"a {length}-byte prefix is truncated");
        }
    }

    [Fact]
    public void A_length_prefix_larger_than_the_input_is_rejected()
    {
        var bytes = new CanonicalWriter().WriteUInt32(uint.MaxValue).WriteFixed("abc"u8).ToArray();
        FluentActions
            .Invoking(() => new CanonicalReader(bytes).ReadBytes())
            .Should()
            .Throw<CanonicalEncodingException>()
            .WithMessage("*claims*");
    }

    [Fact]
    public void Trailing_bytes_and_non_canonical_booleans_are_rejected()
    {
        var bytes = new CanonicalWriter().WriteByte(2).ToArray();
        FluentActions
            .Invoking(() => new CanonicalReader(bytes).ReadBool())
            .Should()
            .Throw<CanonicalEncodingException>();
        FluentActions
            .Invoking(() => new CanonicalReader(bytes).EnsureEnd())
            .Should()
            .Throw<CanonicalEncodingException>();
    }

    [Fact]
    public void An_array_handed_out_whole_never_changes_afterwards()
    {
        var writer = new CanonicalWriter(12).WriteUInt32(1).WriteUInt64(2);
        var exact = writer.ToArray();
        exact.Should().Equal(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2);

        // Writing on after it, and clearing and writing again, work on another array.
        writer.WriteByte(9);
        writer.WrittenSpan.ToArray().Should().Equal(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 9);
        writer.ToArray().Should().NotBeSameAs(exact);
        writer.Clear();
        writer.WriteUInt32(0xFFFFFFFF).WriteUInt64(ulong.MaxValue);
        writer.ToArray().Should().Equal(Enumerable.Repeat((byte)0xFF, 12));
        exact.Should().Equal(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2);
    }

    [Fact]
    public void A_writer_sized_to_what_it_writes_hands_out_its_own_array_and_others_a_copy()
    {
        var exact = new CanonicalWriter(4).WriteUInt32(7);
        exact.ToArray().Should().BeSameAs(exact.ToArray());

        var roomy = new CanonicalWriter(8).WriteUInt32(7);
        roomy.ToArray().Should().NotBeSameAs(roomy.ToArray()).And.Equal(0, 0, 0, 7);
    }
}
