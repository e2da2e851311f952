using AwesomeAssertions;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>State transfer in bounded memory: a replica far behind installs the certified chain segment by segment,
/// never more than a segment at a time, and nothing before the whole chain was checked against the certified
/// digest.</summary>
public sealed class BlockTransferTests : IDisposable
{
    private const long SegmentBytes = 8 * 1024;
    private static readonly ReplicaId Honest = new(1);
    private static readonly ReplicaId Other = new(2);

    private readonly InMemoryLedger _truth = LedgerBlockSource.Chain(200);
    private readonly InMemoryLedger _fork = LedgerBlockSource.Chain(200, fork: 100);
    private readonly InMemoryLedger _lagging = new("chain");

    public void Dispose()
    {
        _truth.Dispose();
        _fork.Dispose();
        _lagging.Dispose();
    }

    [Fact]
    public async Task A_replica_far_behind_installs_the_chain_segment_by_segment()
    {
        var installs = new List<(long Bytes, bool Last)>();
        var source = new LedgerBlockSource((_, _) => _truth);

        var done = await Transfer(source, [Honest], installs);

        done.Should().BeTrue();
        _lagging.Head.Should().Be(_truth.Head, "every block up to the certified one is installed, in order");
        var total = _truth.ReadBlocks(new BlockId(1)).Sum(b => (long)b.Encoded.Length);
        total.Should().BeGreaterThan(20 * SegmentBytes, "the distance is many segments long");
        installs.Should().HaveCountGreaterThan(20);
        installs.Should().OnlyContain(i => i.Bytes < SegmentBytes + 2048, "no install holds more than one segment");
        installs.Select(i => i.Last).Should().Equal([.. Enumerable.Repeat(false, installs.Count - 1), true]);
    }

    [Fact]
    public async Task A_replica_close_behind_fetches_once()
    {
        using var near = LedgerBlockSource.Chain(5);
        var installs = new List<(long Bytes, bool Last)>();
        var source = new LedgerBlockSource((_, _) => near);

        var done = await Transfer(source, [Honest], installs, near.Head);

        done.Should().BeTrue();
        _lagging.Head.Should().Be(near.Head);
        installs.Should().ContainSingle().Which.Last.Should().BeTrue();
        source.Reads(Honest).Should().Be(1, "the whole distance fits in one segment: no second pass");
    }

    [Fact]
    public async Task A_chain_that_does_not_end_at_the_certified_digest_installs_nothing()
    {
        var installs = new List<(long Bytes, bool Last)>();
        var source = new LedgerBlockSource((_, _) => _fork);

        var done = await Transfer(source, [Honest], installs);

        done.Should().BeFalse();
        installs
            .Should()
            .BeEmpty("segments let go in the first pass are trusted only once the chain reached the digest");
        _lagging.Head.LastBlockId.Should().Be(new BlockId(0));
    }

    [Fact]
    public async Task A_peer_that_serves_another_segment_in_the_second_pass_costs_a_retry_with_another_peer()
    {
        var installs = new List<(long Bytes, bool Last)>();
        // The first peer tells the truth for the whole chain, then serves its fork's blocks for every segment.
        var source = new LedgerBlockSource((peer, read) => peer == Honest && read > 1 ? _fork : _truth);

        var done = await Transfer(source, [Honest, Other], installs);

        done.Should().BeTrue();
        _lagging.Head.Should().Be(_truth.Head);
        source.Reads(Honest).Should().BeGreaterThan(1, "it was asked first for each segment");
        source.Reads(Other).Should().Be(installs.Count - 1, "the other peer served every segment the first one forged");
    }

    [Fact]
    public async Task A_refused_segment_stops_the_transfer_and_keeps_what_was_installed()
    {
        var installs = new List<(long Bytes, bool Last)>();
        var source = new LedgerBlockSource((_, _) => _truth);
        var transfer = new BlockTransfer(source, SegmentBytes, TimeSpan.FromSeconds(30));

        var done = await transfer.RunAsync(
            _lagging.Head,
            _truth.Head.LastSeqNum,
            _truth.Head.LastDigest,
            [Honest],
            (blocks, last) =>
            {
                if (installs.Count == 3)
                {
                    return Task.FromResult(false);
                }

                Install(blocks, last, installs);
                return Task.FromResult(true);
            },
            TestContext.Current.CancellationToken
        );

        done.Should().BeFalse();
        installs.Should().HaveCount(3, "nothing is fetched or installed after the refusal");
        _lagging.Head.LastBlockId.Value.Should().BeGreaterThan(0UL, "the segments installed before it stay");
    }

    private Task<bool> Transfer(
        LedgerBlockSource source,
        IReadOnlyList<ReplicaId> peers,
        List<(long Bytes, bool Last)> installs,
        LedgerHead? target = null
    )
    {
        var head = target ?? _truth.Head;
        return new BlockTransfer(source, SegmentBytes, TimeSpan.FromSeconds(30)).RunAsync(
            _lagging.Head,
            head.LastSeqNum,
            head.LastDigest,
            peers,
            (blocks, last) =>
            {
                Install(blocks, last, installs);
                return Task.FromResult(true);
            },
            TestContext.Current.CancellationToken
        );
    }

    /// <summary>Installs as the replica does, re-deriving each block from the lagging ledger's own state.</summary>
    private void Install(IReadOnlyList<Block> blocks, bool last, List<(long Bytes, bool Last)> installs)
    {
        installs.Add((blocks.Sum(b => (long)b.Encoded.Length), last));
        foreach (var block in blocks)
        {
            _lagging.Install(block);
        }
    }
}
