using System.Buffers.Binary;

namespace Cairn.Benchmarks;

/// <summary>Inputs shared by the ledger benchmarks: 8-byte big-endian keys and incompressible 1 KiB values.</summary>
internal static class BenchmarkData
{
    public const int ValueSize = 1024;

    public const string ChainId = "cairn-bench";

    /// <summary>The timestamp of every benchmark block (the ledger does not order timestamps; a constant keeps the
    /// inputs identical from run to run).</summary>
    public static readonly DateTimeOffset Timestamp = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Key(ulong n)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, n);
        return key;
    }

    /// <summary>Random bytes, so neither RocksDB's block compression nor the file system can shrink them.</summary>
    public static byte[] RandomValue(Random random)
    {
        var value = new byte[ValueSize];
        random.NextBytes(value);
        return value;
    }

    /// <summary>A fresh directory under the system temp directory (on /tmp here) for one benchmark process.</summary>
    public static string CreateScratchDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static long DirectorySize(string path) =>
        new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
