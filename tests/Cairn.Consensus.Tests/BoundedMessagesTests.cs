using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

/// <summary>Batches cut by bytes as well as count, and view changes whose size does not grow with the
/// batches.</summary>
public sealed class BoundedMessagesTests
{
    private const int Budget = 64 * 1024;
    private static readonly string LargeValue = new('v', 40_000);

    private static Harness LargeBatches() =>
        new(configure: o => o with { MaxBatchSize = 10, MaxBatchBytes = Budget }, clients: 4);

    [Fact]
    public void The_primary_cuts_a_batch_at_the_byte_budget_before_the_count()
    {
        var h = LargeBatches();
        for (ulong client = 1; client <= 3; client++)
        {
            h.Submit(Harness.Request(client, 1, LargeValue));
        }

        h.Advance(TimeSpan.FromMilliseconds(200));

        var batches = h.OutputsOf<Broadcast>(0).Select(b => b.Message).OfType<PrePrepare>().Select(p => p.Batch!);
        batches.Select(b => b.Requests.Count).Should().Equal(1, 1, 1); // two 40 KB requests do not fit 64 KiB
        batches.Should().OnlyContain(b => b.EncodedLength <= Budget);
        h.Executed[1].Sum(e => e.Requests.Count).Should().Be(3);
    }

    [Fact]
    public void A_backup_refuses_a_batch_over_the_byte_budget()
    {
        var h = LargeBatches();
        var tooBig = h.Sign(
            0,
            new PrePrepare(
                new ViewNum(0),
                new SeqNum(1),
                h.Now.ToUnixTimeMilliseconds(),
                new Batch([Harness.Request(1, 1, LargeValue), Harness.Request(2, 1, LargeValue)]),
                new ReplicaId(0)
            )
        );

        h.Deliver(1, new MessageReceived(tooBig.Sender, tooBig)).OfType<Broadcast>().Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.BadBatch].Should().Be(1);
    }

    [Fact]
    public void A_request_too_big_for_any_batch_is_dropped_on_arrival()
    {
        var h = LargeBatches();

        h.Submit(Harness.Request(1, 1, new string('v', Budget)));

        h.Replicas[0].Drops[DropReason.OversizedRequest].Should().Be(1);
        h.Replicas[0].PendingRequestCount.Should().Be(0);
    }

    [Fact]
    public void View_changes_carry_proposal_headers_and_a_replica_fetches_the_batch_it_lacks()
    {
        var h = LargeBatches();
        // Seq 1 prepares at replicas 0-2 in view 0; replica 3 never sees its PRE-PREPARE; nobody commits in view 0.
        h.Filter = (from, to, m) => m is not Commit { View.Value: 0 } && !(m is PrePrepare && to == 3);
        var request = Harness.Request(1, 1, LargeValue);
        h.Submit(request);
        h.Flush();
        h.Down.Add(0);

        h.Advance(TimeSpan.FromSeconds(3));

        var viewChanges = h.OutputsOf<Broadcast>(1).Select(b => b.Message).OfType<ViewChange>().ToList();
        var proof = viewChanges.Should().NotBeEmpty().And.Subject.First().Proofs.Should().ContainSingle().Subject;
        proof.PrePrepare.Batch.Should().BeNull();
        viewChanges[0].Encode().Length.Should().BeLessThan(LargeValue.Length, "the 40 KB batch is named by its digest");
        var newView = h.OutputsOf<Broadcast>(1).Select(b => b.Message).OfType<NewView>().Single();
        newView.PrePrepares.Should().ContainSingle().Which.Batch.Should().BeNull();
        newView.Encode().Length.Should().BeLessThan(LargeValue.Length);

        h.OutputsOf<Broadcast>(3).Select(b => b.Message).OfType<FetchBatch>().Should().NotBeEmpty();
        for (var i = 1; i < h.N; i++)
        {
            h.Executed[i].Should().ContainSingle().Which.Requests.Single().Digest.Should().Be(request.Digest);
        }
    }

    [Fact]
    public void A_batch_that_does_not_hash_to_the_digest_asked_for_is_refused()
    {
        var h = LargeBatches();
        h.Filter = (from, to, m) => m is not Commit { View.Value: 0 } && !(m is PrePrepare && to == 3);
        h.Submit(Harness.Request(1, 1, LargeValue));
        h.Flush();
        h.Down.Add(0);
        h.Filter = (from, to, m) =>
            m is not Commit { View.Value: 0 } && !(m is PrePrepare && to == 3) && m is not BatchBody;
        h.Advance(TimeSpan.FromSeconds(3));
        var asked = h.OutputsOf<Broadcast>(3).Select(b => b.Message).OfType<FetchBatch>().First();

        var forged = h.Sign(
            2,
            new BatchBody(
                asked.Seq,
                h.Now.ToUnixTimeMilliseconds(),
                new Batch([Harness.Request(2, 1)]),
                new ReplicaId(2)
            )
        );
        h.Deliver(3, new MessageReceived(forged.Sender, forged));

        h.Replicas[3].Drops[DropReason.UnwantedBatch].Should().Be(1);
        h.Executed[3].Should().BeEmpty();
    }

    [Fact]
    public void The_largest_message_bound_covers_a_whole_batch_and_a_new_view_of_a_full_window()
    {
        var bound = MessageBounds.MaxMessageBytes(f: 1, checkpointWindowSize: 150, maxBatchBytes: Budget);

        bound.Should().BeGreaterThan(Budget);
        MessageBounds
            .MaxMessageBytes(f: 1, checkpointWindowSize: 300, maxBatchBytes: Budget)
            .Should()
            .BeGreaterThan(bound, "twice the window, twice the proofs");
        MessageBounds
            .MaxMessageBytes(f: 1, checkpointWindowSize: 1, maxBatchBytes: 16 * 1024 * 1024)
            .Should()
            .BeGreaterThan(16 * 1024 * 1024);
    }
}
