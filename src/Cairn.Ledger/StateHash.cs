using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Ledger;

/// <summary>
/// A homomorphic multiset hash of the latest state, so the state digest follows each block in time proportional to its
/// writes, never to the size of the state: LtHash (Bellare and Micciancio, "A New Paradigm for Collision-free Hashing:
/// Incrementality at Reduced Cost", EUROCRYPT 1997) with the LtHash16 parameters of Lewi, Kim, Maykov and Weis,
/// "Securing Update Propagation with Homomorphic Hashing" (IACR ePrint 2019/227): each (key, value) pair is expanded
/// to 1024 lanes of 16 bits by the ledger's <see cref="StateHashScheme"/>, and the state's hash is the lane-wise sum
/// modulo 2^16 of its pairs' expansions. Adding a pair adds its expansion, removing it subtracts it, so the result
/// depends only on the set of pairs, not on the order or history that produced it. A hash belongs to one scheme: the
/// hashes it is compared with or applied to are of the same. See docs/architecture.md ("What the checkpoint
/// certificate covers").
/// </summary>
public sealed class StateHash : IEquatable<StateHash>
{
    /// <summary>16-bit lanes per hash.</summary>
    public const int Lanes = 1024;

    /// <summary>Bytes of the stored form (<see cref="ToBytes"/>): the lanes, little-endian.</summary>
    public const int SizeBytes = Lanes * sizeof(ushort);

    /// <summary>Separates this use of SHAKE256 (and this element encoding) from any other.</summary>
    private const string ShakeElementDomain = "cairn-state-element/1";

    /// <summary>Separates this use of SHA-256 and AES (and this element encoding) from any other.</summary>
    private const string AesElementDomain = "cairn-state-element/2";

    private readonly ushort[] _lanes;

    private StateHash(StateHashScheme scheme, ushort[] lanes)
    {
        Scheme = scheme;
        _lanes = lanes;
    }

    /// <summary>How this hash expands a pair.</summary>
    public StateHashScheme Scheme { get; }

    /// <summary>The digest of the empty state, the same in every scheme (every lane zero).</summary>
    public static Digest EmptyDigest { get; } = Empty(StateHashScheme.Sha256Aes256Ctr).Digest;

    /// <summary>The hash of the empty state in <paramref name="scheme"/> (every lane zero).</summary>
    public static StateHash Empty(StateHashScheme scheme) => new(Checked(scheme), new ushort[Lanes]);

    /// <summary>The 32-byte digest a block records: SHA-256 of <see cref="ToBytes"/>, hashed from the lanes in place
    /// where they are stored little-endian already.</summary>
    public Digest Digest =>
        BitConverter.IsLittleEndian
            ? Digest.Compute(MemoryMarshal.AsBytes(_lanes.AsSpan()))
            : Digest.Compute(ToBytes());

    /// <summary>Hashes a whole state from scratch (O(state)): what an auditor re-derives to check the maintained
    /// one.</summary>
    public static StateHash Of(StateHashScheme scheme, IEnumerable<KeyValuePair<byte[], byte[]>> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var hash = Empty(scheme);
        var expansion = new ushort[Lanes];
        foreach (var (key, value) in state)
        {
            Expand(scheme, key, value, expansion);
            AddLanes(hash._lanes, expansion);
        }

        return hash;
    }

    /// <summary>Reads the stored form.</summary>
    /// <exception cref="CanonicalEncodingException">When <paramref name="bytes"/> is not <see cref="SizeBytes"/>
    /// long.</exception>
    public static StateHash FromBytes(StateHashScheme scheme, ReadOnlySpan<byte> bytes)
    {
        Checked(scheme);
        if (bytes.Length != SizeBytes)
        {
            throw new CanonicalEncodingException($"a state hash is {SizeBytes} bytes, got {bytes.Length}");
        }

        var lanes = new ushort[Lanes];
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(lanes.AsSpan()));
        }
        else
        {
            for (var i = 0; i < Lanes; i++)
            {
                lanes[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
            }
        }

        return new StateHash(scheme, lanes);
    }

    /// <summary>The stored form: the lanes, little-endian (on a little-endian machine, their memory as is).</summary>
    public byte[] ToBytes()
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(_lanes.AsSpan()).ToArray();
        }

        var bytes = new byte[SizeBytes];
        for (var i = 0; i < Lanes; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), _lanes[i]);
        }

        return bytes;
    }

    /// <summary>
    /// The hash after applying <paramref name="writes"/> in order to the state this hash stands for; this one is left
    /// unchanged. Each write removes the key's current pair, if any, and adds the new one; a key written twice in
    /// <paramref name="writes"/> sees its own earlier write, not <paramref name="currentValue"/>.
    /// </summary>
    /// <param name="writes">The writes of one block.</param>
    /// <param name="currentValue">The key's value in the state before <paramref name="writes"/>, or null.</param>
    public StateHash Apply(IReadOnlyList<StateWrite> writes, Func<byte[], byte[]?> currentValue) =>
        Apply(writes, currentValue, rewritten: null);

    /// <summary>As <see cref="Apply(IReadOnlyList{StateWrite}, Func{byte[], byte[]})"/>, taking the current pair of
    /// a key <paramref name="rewritten"/> keeps from there (neither <paramref name="currentValue"/> nor an expansion
    /// then), and staging there the new pairs it keeps.</summary>
    internal StateHash Apply(
        IReadOnlyList<StateWrite> writes,
        Func<byte[], byte[]?> currentValue,
        RewrittenPairs? rewritten
    )
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(currentValue);
        var lanes = (ushort[])_lanes.Clone();
        var expansion = new ushort[Lanes];
        var written = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        foreach (var write in writes)
        {
            byte[]? old;
            if (written.TryGetValue(write.Key, out var pending))
            {
                old = pending;
                SubtractPair(Scheme, lanes, write.Key, old, expansion);
            }
            else if (rewritten is not null && rewritten.TryGet(write.Key, out var kept, out var keptExpansion))
            {
                old = kept;
                SubtractLanes(lanes, keptExpansion);
            }
            else
            {
                old = currentValue(write.Key);
                SubtractPair(Scheme, lanes, write.Key, old, expansion);
            }

            if (write.Value is { } value)
            {
                var keep = rewritten?.Keeps(write.Key, value, replaces: old is not null) == true;
                var added = keep ? new ushort[Lanes] : expansion;
                Expand(Scheme, write.Key, value, added);
                AddLanes(lanes, added);
                if (keep)
                {
                    rewritten!.Stage(write.Key, value, added);
                }
                else
                {
                    rewritten?.StageGone(write.Key);
                }
            }
            else
            {
                rewritten?.StageGone(write.Key);
            }

            written[write.Key] = write.Value;
        }

        return new StateHash(Scheme, lanes);
    }

    public bool Equals(StateHash? other) =>
        other is not null && Scheme == other.Scheme && _lanes.AsSpan().SequenceEqual(other._lanes);

    public override bool Equals(object? obj) => Equals(obj as StateHash);

    public override int GetHashCode() => HashCode.Combine(_lanes[0], _lanes[1], _lanes[2], _lanes[3]);

    public override string ToString() => Digest.ToHex();

    /// <summary>The pair's expansion in <paramref name="scheme"/>, read as 1024 little-endian 16-bit lanes: SHAKE256
    /// of (domain ‖ key ‖ value), each length-prefixed, or the AES-256 counter-mode stream keyed by SHA-256 of the same
    /// with the other scheme's domain.</summary>
    private static void Expand(StateHashScheme scheme, byte[] key, byte[] value, ushort[] lanes)
    {
        var shake = scheme == StateHashScheme.Shake256;
        if (shake && !Shake256.IsSupported)
        {
            throw new PlatformNotSupportedException(
                "the ledger's state hash needs SHAKE256, which this platform's crypto library lacks (OpenSSL 1.1.1+)"
            );
        }

        var element = new CanonicalWriter(key.Length + value.Length + 40)
            .WriteString(shake ? ShakeElementDomain : AesElementDomain)
            .WriteBytes(key)
            .WriteBytes(value);
        var bytes = MemoryMarshal.AsBytes(lanes.AsSpan());
        if (shake)
        {
            Shake256.HashData(element.WrittenSpan, bytes);
        }
        else
        {
            Span<byte> streamKey = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(element.WrittenSpan, streamKey);
            Aes256CounterStream.Fill(streamKey, bytes);
        }

        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < lanes.Length; i++)
            {
                lanes[i] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(lanes[i]);
            }
        }
    }

    private static StateHashScheme Checked(StateHashScheme scheme) =>
        Enum.IsDefined(scheme)
            ? scheme
            : throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "not a state hash scheme");

    private static void SubtractPair(
        StateHashScheme scheme,
        ushort[] lanes,
        byte[] key,
        byte[]? value,
        ushort[] expansion
    )
    {
        if (value is not null)
        {
            Expand(scheme, key, value, expansion);
            SubtractLanes(lanes, expansion);
        }
    }

    private static void AddLanes(ushort[] sum, ushort[] element)
    {
        var width = Vector<ushort>.Count;
        for (var i = 0; i < Lanes; i += width)
        {
            (new Vector<ushort>(sum, i) + new Vector<ushort>(element, i)).CopyTo(sum, i);
        }
    }

    private static void SubtractLanes(ushort[] sum, ushort[] element)
    {
        var width = Vector<ushort>.Count;
        for (var i = 0; i < Lanes; i += width)
        {
            (new Vector<ushort>(sum, i) - new Vector<ushort>(element, i)).CopyTo(sum, i);
        }
    }
}
