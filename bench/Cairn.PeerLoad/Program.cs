// Drives a peer key-value store with the same load `cairn load` puts on a Cairn cluster, and prints the same JSON
// report,
// so bench/cluster.sh compares like with like. Peer: etcd v3 through its JSON gateway (POST /v3/kv/put).
// Usage: Cairn.PeerLoad etcd <endpoint,endpoint,...> <requests> <clients> <value-size>
using System.Globalization;
using System.Text.Json;
using Cairn.Benchmarks.PeerLoad;
using Cairn.Client;

if (args.Length != 5 || args[0] != "etcd")
{
    Console.Error.WriteLine("usage: Cairn.PeerLoad etcd <endpoint,endpoint,...> <requests> <clients> <value-size>");
    return 2;
}

var options = new LoadOptions(
    int.Parse(args[2], CultureInfo.InvariantCulture),
    int.Parse(args[3], CultureInfo.InvariantCulture),
    int.Parse(args[4], CultureInfo.InvariantCulture)
);
var report = await EtcdLoad.RunAsync(args[1].Split(','), options);
Console.WriteLine(
    JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true })
);
return report.Failed == 0 ? 0 : 1;
