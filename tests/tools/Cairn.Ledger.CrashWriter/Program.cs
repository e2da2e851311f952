// Appends blocks to a ledger until it is killed, for the crash-atomicity tests.
// Usage: Cairn.Ledger.CrashWriter <ledger dir> <synced|unsynced>
// Block n sets "counter" = n, writes a 1 KiB value at "k<n>", deletes "k<n-5>" and records metadata "writer.last" = n:
// after a kill, all of these must agree with the head or the append was not atomic.
using System.Globalization;
using Cairn.Core;
using Cairn.Ledger;

var durability = args[1] == "synced" ? Durability.Synced : Durability.Unsynced;
using var ledger = RocksDbLedger.Open(args[0], new LedgerOptions("crash-test", durability));
var payload = new byte[1024];
for (var n = ledger.Head.LastBlockId.Value + 1; ; n++)
{
    var number = System.Text.Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture));
    var writes = new List<StateWrite>
    {
        StateWrite.Put("counter"u8.ToArray(), number),
        StateWrite.Put(System.Text.Encoding.ASCII.GetBytes($"k{n}"), payload),
    };
    if (n > 5)
    {
        writes.Add(StateWrite.Delete(System.Text.Encoding.ASCII.GetBytes($"k{n - 5}")));
    }

    ledger.Append(
        new BlockProposal(new SeqNum(n), DateTimeOffset.UnixEpoch.AddSeconds(n), writes),
        [new MetadataWrite("writer.last", number)]
    );
    if (n % 100 == 0)
    {
        Console.WriteLine(n);
    }
}
