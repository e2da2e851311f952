using System.Text;
using Cairn.Core;

namespace Cairn.Ledger.Tests;

/// <summary>Block proposals for tests.</summary>
internal static class Blocks
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public static BlockProposal Put(ulong seq, params (string Key, string Value)[] writes) =>
        new(
            new SeqNum(seq),
            DateTimeOffset.UnixEpoch.AddSeconds(seq),
            [.. writes.Select(w => StateWrite.Put(Bytes(w.Key), Bytes(w.Value)))]
        );

    /// <summary>Appends <paramref name="count"/> blocks, block i setting "key-i" and "last".</summary>
    public static void AppendMany(ILedgerStore ledger, int count)
    {
        var first = ledger.Head.LastSeqNum.Value + 1;
        for (var seq = first; seq < first + (ulong)count; seq++)
        {
            ledger.Append(
                Put(
                    seq,
                    ($"key-{seq}", $"value-{seq}"),
                    ("last", seq.ToString(System.Globalization.CultureInfo.InvariantCulture))
                )
            );
        }
    }
}
