using AwesomeAssertions;
using Cairn.Core;
using Cairn.Core.Encoding;
using CsCheck;

namespace Cairn.Ledger.Tests;

/// <summary>The multiset hash of the state: incremental updates agree with hashing from scratch, whatever the
/// order.</summary>
public sealed class StateHashTests
{
    private static readonly Gen<StateWrite> Writes = Gen.Select(
        Gen.Byte[0, 7],
        Gen.Byte[0, 3],
        Gen.Bool,
        (key, value, delete) => new StateWrite([key], delete ? null : [value, key])
    );

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void Applying_writes_block_by_block_equals_hashing_the_resulting_state_from_scratch(StateHashScheme scheme)
    {
        Gen.Select(Writes.Array[0, 12], Writes.Array[0, 12])
            .Sample(
                (first, second) =>
                {
                    var state = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
                    var hash = StateHash.Empty(scheme);
                    foreach (var block in new[] { first, second })
                    {
                        hash = hash.Apply(block, key => state.GetValueOrDefault(key));
                        Apply(state, block);
                    }

                    return hash.Equals(StateHash.Of(scheme, state))
                        && hash.Digest == StateHash.Of(scheme, state).Digest;
                }
            );
    }

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void Kept_rewritten_pairs_give_the_hash_of_the_state_whatever_is_evicted_or_discarded(StateHashScheme scheme)
    {
        const long budget = 3 * StateHash.SizeBytes; // two or three pairs of the eight keys
        Gen.Select(Writes.Array[0, 12], Gen.Bool)
            .Array[1, 10]
            .Sample(blocks =>
            {
                var state = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
                var hash = StateHash.Empty(scheme);
                var rewritten = new RewrittenPairs(budget);
                foreach (var (block, fails) in blocks)
                {
                    var next = hash.Apply(block, key => state.GetValueOrDefault(key), rewritten);
                    if (fails)
                    {
                        rewritten.Discard(); // the block's write failed: the state is as before
                        continue;
                    }

                    rewritten.Commit();
                    Apply(state, block);
                    hash = next;
                    if (rewritten.Bytes > budget)
                    {
                        return false;
                    }
                }

                return hash.Equals(StateHash.Of(scheme, state));
            });
    }

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void A_key_written_again_is_neither_read_nor_expanded_again_once_kept(StateHashScheme scheme)
    {
        var key = Blocks.Bytes("reply/7");
        var rewritten = new RewrittenPairs();
        var state = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
        var hash = StateHash.Empty(scheme);
        var reads = new List<string>();
        foreach (var value in new[] { "a", "b", "c", "d" })
        {
            hash = hash.Apply(
                [new StateWrite(key, Blocks.Bytes(value))],
                k =>
                {
                    reads.Add(System.Text.Encoding.UTF8.GetString(k));
                    return state.GetValueOrDefault(k);
                },
                rewritten
            );
            rewritten.Commit();
            state[key] = Blocks.Bytes(value);
        }

        reads.Should().Equal(["reply/7", "reply/7"], "kept once the second write replaced a value");
        hash.Should().Be(StateHash.Of(scheme, state));
        rewritten.TryGet(key, out var kept, out _).Should().BeTrue();
        kept.Should().Equal(Blocks.Bytes("d"));
    }

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void The_hash_of_a_state_does_not_depend_on_the_order_of_its_pairs(StateHashScheme scheme)
    {
        var pairs = Enumerable
            .Range(0, 20)
            .Select(i => KeyValuePair.Create(Blocks.Bytes($"k{i}"), Blocks.Bytes($"v{i}")))
            .ToList();
        var shuffled = pairs.OrderBy(p => p.Value[^1]).ThenByDescending(p => p.Key.Length).Reverse().ToList();

        StateHash.Of(scheme, shuffled).Should().Be(StateHash.Of(scheme, pairs));
        StateHash
            .Empty(scheme)
            .Apply([.. shuffled.Select(p => StateWrite.Put(p.Key, p.Value))], _ => null)
            .Should()
            .Be(StateHash.Of(scheme, pairs));
    }

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void Several_writes_to_one_key_in_one_block_count_in_order(StateHashScheme scheme)
    {
        var key = Blocks.Bytes("k");
        var before = StateHash.Of(scheme, [KeyValuePair.Create(key, Blocks.Bytes("0"))]);
        var hash = before.Apply(
            [StateWrite.Put(key, Blocks.Bytes("1")), StateWrite.Delete(key), StateWrite.Put(key, Blocks.Bytes("3"))],
            _ => Blocks.Bytes("0")
        );

        hash.Should().Be(StateHash.Of(scheme, [KeyValuePair.Create(key, Blocks.Bytes("3"))]));
        StateHash
            .Empty(scheme)
            .Apply([StateWrite.Put(key, Blocks.Bytes("1")), StateWrite.Delete(key)], _ => null)
            .Should()
            .Be(StateHash.Empty(scheme));
    }

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void Distinct_pairs_hash_apart_even_when_their_bytes_concatenate_alike(StateHashScheme scheme)
    {
        var ab = StateHash.Of(scheme, [KeyValuePair.Create(Blocks.Bytes("ab"), Blocks.Bytes("c"))]);
        var a = StateHash.Of(scheme, [KeyValuePair.Create(Blocks.Bytes("a"), Blocks.Bytes("bc"))]);

        ab.Should().NotBe(a);
        ab.Digest.Should().NotBe(a.Digest);
        ab.Digest.Should().NotBe(StateHash.EmptyDigest);
    }

    [Theory]
    [InlineData(StateHashScheme.Shake256)]
    [InlineData(StateHashScheme.Sha256Aes256Ctr)]
    public void The_stored_form_round_trips_and_a_wrong_length_is_refused(StateHashScheme scheme)
    {
        var hash = StateHash.Of(scheme, [KeyValuePair.Create(Blocks.Bytes("k"), Blocks.Bytes("v"))]);

        StateHash.FromBytes(scheme, hash.ToBytes()).Should().Be(hash);
        hash.ToBytes().Should().HaveCount(StateHash.SizeBytes);
        var act = () => StateHash.FromBytes(scheme, new byte[StateHash.SizeBytes - 1]);
        act.Should().Throw<CanonicalEncodingException>().WithMessage("*2048 bytes, got 2047*");
    }

    [Fact]
    public void Each_scheme_gives_the_digests_an_independent_implementation_gives()
    {
        // Python's hashlib (SHAKE256, SHA-256) and the cryptography package (AES-256-ECB over the counter blocks) on
        // the same three pairs: these digests are what every ledger of the scheme holds, so they must never change.
        KeyValuePair<byte[], byte[]>[] state =
        [
            KeyValuePair.Create(Blocks.Bytes("k1"), Blocks.Bytes("v1")),
            KeyValuePair.Create(Blocks.Bytes("alpha"), Blocks.Bytes(string.Concat(Enumerable.Repeat("beta", 100)))),
            KeyValuePair.Create(Array.Empty<byte>(), Array.Empty<byte>()),
        ];

        StateHash
            .Of(StateHashScheme.Shake256, state)
            .Digest.ToHex()
            .Should()
            .Be("037f5e27547e19b02143d9c721b52d561786f47232aab477d516bf80a10ca325");
        StateHash
            .Of(StateHashScheme.Sha256Aes256Ctr, state)
            .Digest.ToHex()
            .Should()
            .Be("2d2f343633a062671593d53b0efcd1c304696cb6abf156b87a4e3b1737af1ecd");
    }

    [Fact]
    public void The_aes_instructions_give_the_key_stream_the_crypto_library_gives()
    {
        Gen.Byte.Array[32]
            .Sample(key =>
            {
                var fast = new byte[StateHash.SizeBytes];
                var portable = new byte[StateHash.SizeBytes];
                Aes256CounterStream.Fill(key, fast);
                Aes256CounterStream.FillWithCipher(key, portable);
                return fast.AsSpan().SequenceEqual(portable);
            });
    }

    [Fact]
    public void Hashes_of_different_schemes_are_never_equal_and_empty_states_share_one_digest()
    {
        var state = new[] { KeyValuePair.Create(Blocks.Bytes("k"), Blocks.Bytes("v")) };

        StateHash
            .Of(StateHashScheme.Shake256, state)
            .Digest.Should()
            .NotBe(StateHash.Of(StateHashScheme.Sha256Aes256Ctr, state).Digest);
        StateHash.Empty(StateHashScheme.Shake256).Should().NotBe(StateHash.Empty(StateHashScheme.Sha256Aes256Ctr));
        StateHash.Empty(StateHashScheme.Shake256).Digest.Should().Be(StateHash.EmptyDigest);
        StateHash.Empty(StateHashScheme.Sha256Aes256Ctr).Digest.Should().Be(StateHash.EmptyDigest);
    }

    [Fact]
    public void A_block_digest_covers_its_state_digest()
    {
        var proposal = Blocks.Put(1, ("k", "v"));
        var genesis = LedgerDigests.Genesis("c");
        var one = Block.Create(new BlockId(1), genesis, proposal, Digest.Compute("one"u8));
        var other = Block.Create(new BlockId(1), genesis, proposal, Digest.Compute("other"u8));

        one.Digest.Should().NotBe(other.Digest);
        Block.Decode(one.Encoded.ToArray()).StateDigest.Should().Be(Digest.Compute("one"u8));
        Block.Decode(one.Encoded.ToArray()).Digest.Should().Be(one.Digest);
    }

    private static void Apply(SortedDictionary<byte[], byte[]> state, IEnumerable<StateWrite> writes)
    {
        foreach (var write in writes)
        {
            if (write.Value is { } value)
            {
                state[write.Key] = value;
            }
            else
            {
                state.Remove(write.Key);
            }
        }
    }
}
