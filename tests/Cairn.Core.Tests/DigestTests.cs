using AwesomeAssertions;
using CsCheck;

namespace Cairn.Core.Tests;

public sealed class DigestTests
{
    [Fact]
    public void Compute_matches_the_published_sha256_of_abc() =>
        Digest.Compute("abc"u8).ToHex().Should().Be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    [Fact]
    public void Hex_and_bytes_round_trip() =>
        Gen
            .Byte.Array[Digest.Size]
            .Sample(bytes =>
            {
                var digest = Digest.FromBytes(bytes);
                Digest.Parse(digest.ToHex()).Should().Be(digest);
                digest.ToArray().Should().Equal(bytes);
            });

    [Fact]
    public void Equal_bytes_give_equal_digests_and_one_bit_changes_them()
    {
        var a = Digest.Compute("block"u8);
        a.Should().Be(Digest.Compute("block"u8));
        a.GetHashCode().Should().Be(Digest.Compute("block"u8).GetHashCode());
        a.Should().NotBe(Digest.Compute("blocl"u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("xa7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Parse_rejects_what_is_not_64_hex_digits(string text)
    {
        Digest.TryParse(text, out _).Should().BeFalse();
        FluentActions.Invoking(() => Digest.Parse(text)).Should().Throw<FormatException>();
    }

    [Fact]
    public void Zero_is_zero_and_computed_digests_are_not()
    {
        Digest.Zero.IsZero.Should().BeTrue();
        Digest.Compute([]).IsZero.Should().BeFalse();
    }
}
