using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;

namespace Cairn.Ledger;

/// <summary>
/// The AES-256 key stream of a 32-byte key in counter mode: block i (from 0) is the encryption of a 16-byte block
/// holding i as a little-endian 64-bit number, then eight zero bytes. With the processor's AES instructions, the
/// key schedule and four blocks at a time are computed here (no cipher object, no call into the crypto library:
/// a 2,048-byte stream is then about a microsecond); elsewhere, by .NET's AES in ECB mode over the same counter blocks,
/// which gives the same bytes.
/// </summary>
internal static class Aes256CounterStream
{
    private const int BlockBytes = 16;
    private const int Rounds = 14;

    /// <summary>Fills <paramref name="output"/> (a whole number of 16-byte blocks) with the key stream of
    /// <paramref name="key"/>.</summary>
    public static void Fill(ReadOnlySpan<byte> key, Span<byte> output)
    {
        if (X86.Aes.IsSupported && output.Length % (4 * BlockBytes) == 0)
        {
            FillWithAesInstructions(key, output);
        }
        else
        {
            FillWithCipher(key, output);
        }
    }

    /// <summary>The same stream through .NET's AES (the crypto library), whatever the processor: the path of a machine
    /// without AES instructions, and what the instructions' path is checked against.</summary>
    internal static void FillWithCipher(ReadOnlySpan<byte> key, Span<byte> output)
    {
        CheckSizes(key, output);
        for (var i = 0; i < output.Length / BlockBytes; i++)
        {
            var block = output.Slice(i * BlockBytes, BlockBytes);
            BinaryPrimitives.WriteUInt64LittleEndian(block, (ulong)i);
            block[8..].Clear();
        }

        using var aes = System.Security.Cryptography.Aes.Create();
        aes.Key = key.ToArray();
        aes.EncryptEcb(output, output, System.Security.Cryptography.PaddingMode.None);
    }

    /// <summary>The stream with the AES instructions (x86, which is little-endian: a block's counter is its first
    /// eight bytes as they sit in the register).</summary>
    private static void FillWithAesInstructions(ReadOnlySpan<byte> key, Span<byte> output)
    {
        CheckSizes(key, output);
        Span<Vector128<byte>> schedule = stackalloc Vector128<byte>[Rounds + 1];
        ExpandKey(key, schedule);
        var blocks = MemoryMarshal.Cast<byte, Vector128<byte>>(output);
        for (var i = 0; i < blocks.Length; i += 4)
        {
            var b0 = Vector128.Create((ulong)i, 0UL).AsByte() ^ schedule[0];
            var b1 = Vector128.Create((ulong)i + 1, 0UL).AsByte() ^ schedule[0];
            var b2 = Vector128.Create((ulong)i + 2, 0UL).AsByte() ^ schedule[0];
            var b3 = Vector128.Create((ulong)i + 3, 0UL).AsByte() ^ schedule[0];
            for (var round = 1; round < Rounds; round++)
            {
                b0 = X86.Aes.Encrypt(b0, schedule[round]);
                b1 = X86.Aes.Encrypt(b1, schedule[round]);
                b2 = X86.Aes.Encrypt(b2, schedule[round]);
                b3 = X86.Aes.Encrypt(b3, schedule[round]);
            }

            blocks[i] = X86.Aes.EncryptLast(b0, schedule[Rounds]);
            blocks[i + 1] = X86.Aes.EncryptLast(b1, schedule[Rounds]);
            blocks[i + 2] = X86.Aes.EncryptLast(b2, schedule[Rounds]);
            blocks[i + 3] = X86.Aes.EncryptLast(b3, schedule[Rounds]);
        }
    }

    /// <summary>The AES-256 key schedule (FIPS 197, §5.2): fifteen round keys, the first two the key itself, then
    /// pairs derived with the round constants 1, 2, 4, … 64 (the instruction takes each as a constant).</summary>
    private static void ExpandKey(ReadOnlySpan<byte> key, Span<Vector128<byte>> schedule)
    {
        var even = Vector128.Create(key[..BlockBytes]);
        var odd = Vector128.Create(key[BlockBytes..]);
        schedule[0] = even;
        schedule[1] = odd;
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x01), schedule, 2);
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x02), schedule, 4);
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x04), schedule, 6);
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x08), schedule, 8);
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x10), schedule, 10);
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x20), schedule, 12);
        NextRoundKeys(ref even, ref odd, X86.Aes.KeygenAssist(odd, 0x40), schedule, 14);
    }

    /// <summary>Round keys <paramref name="index"/> and the one after (none after the last): the even one is the
    /// previous even one with its words chained, XOR RotWord(SubWord(last word of the odd one)) ^ Rcon, which
    /// <paramref name="assist"/> holds; the odd one chains the same way with SubWord of the new even one's last
    /// word.</summary>
    private static void NextRoundKeys(
        ref Vector128<byte> even,
        ref Vector128<byte> odd,
        Vector128<byte> assist,
        Span<Vector128<byte>> schedule,
        int index
    )
    {
        even = ChainWords(even) ^ X86.Sse2.Shuffle(assist.AsInt32(), 0xFF).AsByte();
        schedule[index] = even;
        if (index < Rounds)
        {
            odd = ChainWords(odd) ^ X86.Sse2.Shuffle(X86.Aes.KeygenAssist(even, 0x00).AsInt32(), 0xAA).AsByte();
            schedule[index + 1] = odd;
        }
    }

    /// <summary>Word j becomes the XOR of words 0 to j.</summary>
    private static Vector128<byte> ChainWords(Vector128<byte> words)
    {
        var shifted = X86.Sse2.ShiftLeftLogical128BitLane(words, 4);
        words ^= shifted;
        shifted = X86.Sse2.ShiftLeftLogical128BitLane(shifted, 4);
        words ^= shifted;
        shifted = X86.Sse2.ShiftLeftLogical128BitLane(shifted, 4);
        return words ^ shifted;
    }

    private static void CheckSizes(ReadOnlySpan<byte> key, Span<byte> output)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException($"an AES-256 key is 32 bytes, got {key.Length}", nameof(key));
        }

        if (output.Length % BlockBytes != 0)
        {
            throw new ArgumentException(
                $"a key stream is whole 16-byte blocks, got {output.Length} bytes",
                nameof(output)
            );
        }
    }
}
