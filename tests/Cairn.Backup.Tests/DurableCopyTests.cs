using AwesomeAssertions;

namespace Cairn.Backup.Tests;

/// <summary><see cref="PosixFiles.CopyDurably"/>, which an intermittent backup and a restore copy their files
/// with.</summary>
public sealed class DurableCopyTests
{
    [Fact]
    public void A_copy_holds_every_byte_and_reports_each_chunk_it_wrote()
    {
        using var dir = new TempDirectory();
        var bytes = new byte[(3 << 16) + 123]; // more than one buffer and one stream block
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(dir.Sub("source"), bytes);
        var reported = new List<long>();

        PosixFiles.CopyDurably(dir.Sub("source"), dir.Sub("copy"), new byte[1 << 16], new CountingProgress(reported));

        File.ReadAllBytes(dir.Sub("copy")).Should().Equal(bytes);
        reported.Sum().Should().Be(bytes.Length);
        reported.Should().HaveCountGreaterThan(1);
    }

    [Fact]
    public void A_copy_never_overwrites_a_file_that_is_there()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Sub("source"), [1, 2, 3]);
        File.WriteAllBytes(dir.Sub("copy"), [9]);

        var copy = () =>
            PosixFiles.CopyDurably(dir.Sub("source"), dir.Sub("copy"), new byte[16], new CountingProgress([]));

        copy.Should().Throw<IOException>();
        File.ReadAllBytes(dir.Sub("copy")).Should().Equal([(byte)9]);
    }

    private sealed class CountingProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
