using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

public sealed class NormalFlowTests
{
    [Fact]
    public void A_request_is_executed_once_at_seq_1_by_every_replica_and_the_client_accepts_f_plus_1_replies()
    {
        var h = new Harness();
        var request = Harness.Request(1, 1, "put a 1");

        h.Submit(request);
        h.Flush();

        for (var i = 0; i < h.N; i++)
        {
            h.Executed[i].Should().ContainSingle();
            h.Executed[i][0].Seq.Should().Be(new SeqNum(1));
            h.Executed[i][0].Requests.Should().ContainSingle().Which.Digest.Should().Be(request.Digest);
        }

        var collector = new ReplyCollector(h.F, h.N, 1, 1);
        var replies = Enumerable.Range(0, h.N).Select(i => h.OutputsOf<ReplyToClient>(i).Single().Reply).ToList();
        collector.Add(0, replies[0]).Should().BeFalse();
        collector.Add(1, replies[1]).Should().BeTrue();
        collector.Accepted!.Result.ToArray().Should().Equal("put a 1"u8.ToArray());
    }

    [Fact]
    public void Every_replica_executes_the_same_batches_in_sequence_order()
    {
        var h = new Harness(clients: 6);
        for (ulong client = 1; client <= 6; client++)
        {
            h.Submit(Harness.Request(client, 1));
        }

        h.Flush();
        h.Advance(TimeSpan.FromMilliseconds(200));

        h.Executed[0].Select(e => e.Seq.Value).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        h.Executed[0]
            .Select(e => e.Seq.Value)
            .Should()
            .Equal(Enumerable.Range(1, h.Executed[0].Count).Select(i => (ulong)i));
        h.Executed[0].Sum(e => e.Requests.Count).Should().Be(6);
        for (var i = 1; i < h.N; i++)
        {
            h.Digests[i].Should().Be(h.Digests[0]);
        }
    }

    [Fact]
    public void The_primary_batches_up_to_the_size_bound_while_a_batch_is_in_flight()
    {
        var h = new Harness(configure: o => o with { MaxBatchSize = 2 });

        // Requests reach replicas without the network being flushed, so proposals pile up at the primary.
        for (ulong client = 1; client <= 3; client++)
        {
            h.Submit(Harness.Request(client, 1));
        }

        var batches = h.OutputsOf<Broadcast>(0)
            .Select(b => b.Message)
            .OfType<PrePrepare>()
            .Select(p => p.Batch!.Requests.Count)
            .ToList();
        batches.Should().Equal(1, 2); // the first goes alone (idle pipeline), the next two fill a batch of 2

        h.Flush();
        h.Executed[0].Sum(e => e.Requests.Count).Should().Be(3);
    }

    [Fact]
    public void A_partial_batch_is_proposed_when_the_batch_timeout_passes()
    {
        var h = new Harness(configure: o => o with { MaxBatchSize = 10 });
        h.Submit(Harness.Request(1, 1));
        h.Submit(Harness.Request(2, 1)); // waits: the first batch is still in flight
        h.OutputsOf<Broadcast>(0).Select(b => b.Message).OfType<PrePrepare>().Should().HaveCount(1);

        h.Deliver(0, new Tick(h.Now + TimeSpan.FromMilliseconds(10)));

        h.OutputsOf<Broadcast>(0).Select(b => b.Message).OfType<PrePrepare>().Should().HaveCount(2);
    }

    [Fact]
    public void At_the_concurrency_level_requests_wait_past_the_batch_timeout_and_go_out_when_a_batch_executes()
    {
        var h = new Harness(configure: o => o with { MaxBatchSize = 10, ConcurrencyLevel = 1 }, clients: 4);
        h.Submit(Harness.Request(1, 1));
        h.Submit(Harness.Request(2, 1));
        h.Submit(Harness.Request(3, 1));
        h.Deliver(0, new Tick(h.Now + TimeSpan.FromMilliseconds(10)));
        PrePrepares().Should().Equal(1); // one batch in flight: the timeout alone does not send another

        h.Flush(); // the first batch executes everywhere; the two waiting requests go out as one batch

        PrePrepares().Should().Equal(1, 2);
        h.Executed[3].Sum(e => e.Requests.Count).Should().Be(3);

        List<int> PrePrepares() =>
            h.OutputsOf<Broadcast>(0)
                .Select(b => b.Message)
                .OfType<PrePrepare>()
                .Select(p => p.Batch!.Requests.Count)
                .ToList();
    }

    [Fact]
    public void A_retransmitted_request_is_answered_from_the_reply_cache_and_never_executed_twice()
    {
        var h = new Harness();
        var request = Harness.Request(1, 1);
        h.Submit(request);
        h.Flush();
        var repliesBefore = h.OutputsOf<ReplyToClient>(2).Count();

        h.Submit(request);
        h.Flush();
        h.Advance(TimeSpan.FromSeconds(3));

        h.Executed[2].Should().ContainSingle();
        h.OutputsOf<ReplyToClient>(2).Should().HaveCount(repliesBefore + 1);
        h.Replicas[2].Drops[DropReason.DuplicateRequest].Should().Be(1);
        h.Replicas[2].View.Should().Be(new ViewNum(0), "a cached answer is not pending work that could time out");
    }

    [Fact]
    public void Consensus_time_is_the_primary_timestamp_at_every_replica()
    {
        var h = new Harness();
        h.Advance(TimeSpan.FromMilliseconds(500));
        h.Submit(Harness.Request(1, 1));
        h.Flush();

        var times = Enumerable.Range(0, h.N).Select(i => h.Executed[i].Single().ConsensusTime).Distinct().ToList();
        times.Should().ContainSingle().Which.Should().Be(h.Now);
    }

    [Fact]
    public void A_backup_persists_its_promise_before_sending_prepare_and_commit()
    {
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();

        var outputs = h.Outputs[1];
        var prepareAt = outputs.FindIndex(o => o is Broadcast { Message: Prepare });
        var commitAt = outputs.FindIndex(o => o is Broadcast { Message: Commit });
        prepareAt.Should().BeGreaterThan(0);
        outputs[prepareAt - 1]
            .Should()
            .BeOfType<Persist>()
            .Which.Record.Should()
            .BeOfType<SlotRecord>()
            .Which.Accepted.Should()
            .NotBeNull();
        outputs[commitAt - 1]
            .Should()
            .BeOfType<Persist>()
            .Which.Record.Should()
            .BeOfType<SlotRecord>()
            .Which.Proof.Should()
            .NotBeNull();
        h.Outputs[0]
            .Should()
            .NotContain(
                o => o is Broadcast && ((Broadcast)o).Message is Prepare,
                "the primary's PRE-PREPARE is its prepare"
            );
    }

    [Fact]
    public void Every_replica_writes_a_batch_once_and_its_slot_records_name_it_by_header()
    {
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();

        for (var i = 0; i < h.N; i++)
        {
            h.Executed[i].Should().ContainSingle();
            var proposal = h.Persisted[i].OfType<ProposalRecord>().Should().ContainSingle().Which.Proposal;
            proposal.Batch!.Requests.Should().ContainSingle();
            var slots = h.Persisted[i].OfType<SlotRecord>().ToList();
            slots
                .Should()
                .HaveCountGreaterThan(1, "a slot record is written at each promise: accepted, prepared, committed");
            slots.Should().OnlyContain(r => r.Accepted == null || r.Accepted.Batch == null);
            slots.Should().OnlyContain(r => r.Committed == null || r.Committed.Batch == null);
            slots.Last().Committed!.Digest.Should().Be(proposal.Digest);
        }
    }

    /// <summary>One request ordered with replica 1 denied the COMMITs of replicas 2 and 3, which are
    /// returned.</summary>
    private static (Harness H, List<Commit> Held) OneRequestWithReplicaOneShortOfCommits()
    {
        var h = new Harness();
        var held = new List<Commit>();
        h.Filter = (_, to, m) =>
        {
            if (to == 1 && m is Commit { Sender.Value: 2 or 3 } commit)
            {
                held.Add(commit);
                return false;
            }

            return true;
        };
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        return (h, held);
    }

    [Fact]
    public void Two_f_matching_commits_do_not_commit_a_slot_and_the_next_one_does()
    {
        var (h, held) = OneRequestWithReplicaOneShortOfCommits();

        h.Executed[1].Should().BeEmpty("replica 1 holds only its own COMMIT and the primary's: 2f");
        h.Executed[0].Should().ContainSingle();

        h.Deliver(1, new MessageReceived(new ReplicaId(2), held.First(c => c.Sender.Value == 2)));
        h.Executed[1].Should().ContainSingle();
    }

    [Fact]
    public void An_unsigned_commit_counts_only_on_its_senders_link_and_in_the_replicas_generation()
    {
        var (h, held) = OneRequestWithReplicaOneShortOfCommits();
        var fromTwo = held.First(c => c.Sender.Value == 2);
        fromTwo.Encode().Length.Should().Be(1 + 4 + 8 + 8 + 32 + 32, "a COMMIT carries no signature");

        h.Deliver(1, new MessageReceived(new ReplicaId(0), fromTwo));
        h.Deliver(1, new RawMessageReceived(new ReplicaId(0), fromTwo.Encode()));
        h.Replicas[1]
            .Drops[DropReason.NotFromSender]
            .Should()
            .Be(2, "the primary's link cannot carry replica 2's vote");
        var otherGeneration = fromTwo with { GenerationDomain = Digest.Compute("another generation"u8) };
        h.Deliver(1, new MessageReceived(new ReplicaId(2), otherGeneration));
        h.Replicas[1].Drops[DropReason.OtherGeneration].Should().Be(1);
        h.Executed[1].Should().BeEmpty("neither is a third COMMIT");

        h.Deliver(1, new MessageReceived(new ReplicaId(2), fromTwo));
        h.Executed[1].Should().ContainSingle();
    }

    [Fact]
    public void A_slot_prepares_only_with_2f_prepares_from_backups()
    {
        var h = new Harness();
        var held = new List<Prepare>();
        h.Filter = (_, to, m) =>
        {
            if (to == 1 && m is Prepare prepare)
            {
                held.Add(prepare);
                return false;
            }

            return true;
        };
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Outputs[1]
            .Should()
            .NotContain(o => o is Broadcast && ((Broadcast)o).Message is Commit, "its own PREPARE alone is not 2f");

        h.Deliver(1, new MessageReceived(new ReplicaId(2), held.First(p => p.Sender.Value == 2)));

        h.Outputs[1].Should().Contain(o => o is Broadcast && ((Broadcast)o).Message is Commit);
    }
}
