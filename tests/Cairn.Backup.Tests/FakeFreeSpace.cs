namespace Cairn.Backup.Tests;

/// <summary>Free space as the test says: a fixed number, or one computed from what is on disk.</summary>
internal sealed class FakeFreeSpace : IFreeSpace
{
    public Func<string, long> Available { get; set; } = _ => long.MaxValue / 4;

    public long AvailableBytes(string path) => Available(path);
}
