using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

public sealed class ViewChangeTests
{
    [Fact]
    public void When_the_primary_is_down_the_backups_move_to_view_1_and_execute_the_request()
    {
        var h = new Harness();
        h.Down.Add(0);
        h.Submit(Harness.Request(1, 1));

        h.Advance(TimeSpan.FromSeconds(3));

        for (var i = 1; i < h.N; i++)
        {
            h.Replicas[i].View.Should().Be(new ViewNum(1));
            h.Replicas[i].IsViewActive.Should().BeTrue();
            h.Executed[i].Should().ContainSingle().Which.Requests.Should().ContainSingle();
            h.OutputsOf<ViewEntered>(i).Should().ContainSingle().Which.Primary.Should().Be(new ReplicaId(1));
        }

        h.Replicas[1].IsPrimary.Should().BeTrue();
    }

    [Fact]
    public void A_batch_prepared_in_the_old_view_is_re_proposed_at_the_same_seq_in_the_new_view()
    {
        var h = new Harness();
        h.Filter = (_, _, m) => m is not Commit; // everyone prepares seq 1, nobody commits in view 0
        var request = Harness.Request(1, 1);
        h.Submit(request);
        h.Flush();
        var preparedDigest = h.Outputs[1].OfType<Broadcast>().Select(b => b.Message).OfType<Prepare>().Single().Digest;
        h.Executed[1].Should().BeEmpty();

        // And never will in view 0: only a view change can finish it.
        h.Filter = (_, _, m) => m is not Commit { View.Value: 0 };
        h.Down.Add(0);
        h.Advance(TimeSpan.FromSeconds(3));

        for (var i = 1; i < h.N; i++)
        {
            h.Replicas[i].View.Should().Be(new ViewNum(1));
            var executed = h.Executed[i].Should().ContainSingle().Subject;
            executed.Seq.Should().Be(new SeqNum(1));
            executed.Requests.Single().Digest.Should().Be(request.Digest);
        }

        var newView = h.OutputsOf<Broadcast>(1).Select(b => b.Message).OfType<NewView>().Single();
        newView.PrePrepares.Should().ContainSingle().Which.Digest.Should().Be(preparedDigest);
    }

    [Fact]
    public void The_new_primary_persists_the_view_and_its_re_proposals_before_the_new_view_leaves()
    {
        var h = new Harness();
        h.Filter = (_, _, m) => m is not Commit { View.Value: 0 }; // seq 1 prepares in view 0 and must be re-proposed
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Down.Add(0);

        h.Advance(TimeSpan.FromSeconds(3));

        var outputs = h.Outputs[1];
        var newViewAt = outputs.FindIndex(o => o is Broadcast { Message: NewView });
        newViewAt.Should().BePositive();
        var activeViewAt = outputs.FindIndex(o => o is Persist { Record: ViewRecord { Active: true } });
        var reProposalAt = outputs.FindIndex(o => o is Persist { Record: SlotRecord { Accepted.View.Value: 1 } });
        activeViewAt.Should().BeInRange(0, newViewAt - 1, "the active view is durable before the NEW-VIEW leaves");
        reProposalAt.Should().BeInRange(0, newViewAt - 1, "the re-proposed seq is durable before the NEW-VIEW leaves");
    }

    [Fact]
    public void View_change_timeouts_double_while_no_new_view_arrives()
    {
        var h = new Harness();
        h.Filter = (_, _, m) => m is not NewView and not Commit; // nothing commits, view changes never complete
        h.Submit(Harness.Request(1, 1));
        var entered = new List<(ulong View, TimeSpan At)>();
        for (var step = 0; step < 200; step++)
        {
            var before = h.Replicas[0].View.Value;
            h.Advance(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
            if (h.Replicas[0].View.Value != before)
            {
                entered.Add((h.Replicas[0].View.Value, h.Now - Harness.Start));
            }
        }

        entered.Select(e => e.View).Should().StartWith([1UL, 2UL, 3UL, 4UL]);
        var gaps = entered.Zip(entered.Skip(1), (a, b) => (b.At - a.At).TotalSeconds).Take(3).ToList();
        gaps.Should().Equal(2, 4, 8); // base 1 s, doubled by each failed view change
    }

    [Fact]
    public void A_replica_whose_timer_expires_alone_complains_once_and_stays_in_its_view()
    {
        var h = new Harness();
        h.Filter = (_, _, _) => false; // replica 1 is cut off from everyone
        h.Deliver(1, new ClientRequestReceived(Harness.Request(1, 1)));

        for (var step = 1; step <= 300; step++)
        {
            h.Deliver(1, new Tick(h.Now + TimeSpan.FromMilliseconds(100 * step)));
        }

        h.Replicas[1].View.Should().Be(new ViewNum(0));
        h.Replicas[1].IsViewActive.Should().BeTrue();
        h.Replicas[1].ComplaintCount.Should().Be(1);
        h.OutputsOf<Broadcast>(1)
            .Select(b => b.Message)
            .OfType<ViewComplaint>()
            .Should()
            .ContainSingle()
            .Which.View.Should()
            .Be(new ViewNum(0));
        h.OutputsOf<Broadcast>(1).Select(b => b.Message).OfType<ViewChange>().Should().BeEmpty();
        h.OutputsOf<ViewComplained>(1)
            .Should()
            .Equal(
                new ViewComplained(
                    new ViewNum(0),
                    new ReplicaId(0),
                    ComplaintReason.NoProgress,
                    h.Options[1].ViewChangeTimeout
                )
            );
    }

    [Fact]
    public void A_backup_whose_request_the_primary_leaves_out_while_ordering_others_complains_of_it()
    {
        var h = new Harness();
        h.Deliver(1, new ClientRequestReceived(Harness.Request(2, 1))); // only replica 1 holds it: never proposed
        for (var id = 1; id <= 8; id++)
        {
            h.Submit(Harness.Request(1, (ulong)id));
            h.Advance(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100));
        }

        h.Executed[1].Should().HaveCount(8, "the view makes progress all along");
        h.OutputsOf<ViewComplained>(1)
            .Should()
            .ContainSingle()
            .Which.Reason.Should()
            .Be(ComplaintReason.RequestUnordered);
    }

    [Fact]
    public void A_replica_alone_in_a_view_change_waits_instead_of_climbing_views()
    {
        var h = new Harness();
        h.Filter = (_, _, _) => false; // replica 1 is cut off from everyone
        h.Deliver(1, new ClientRequestReceived(Harness.Request(1, 1)));
        h.Deliver(1, new Tick(h.Now + TimeSpan.FromSeconds(2)));
        h.Deliver(1, new MessageReceived(new ReplicaId(2), Complaint(h, 2, 0))); // f+1 complaints: it leaves view 0

        for (var step = 1; step <= 300; step++)
        {
            h.Deliver(1, new Tick(h.Now + TimeSpan.FromMilliseconds(100 * step)));
        }

        h.Replicas[1].View.Should().Be(new ViewNum(1));
        h.Replicas[1].IsViewActive.Should().BeFalse();
    }

    [Fact]
    public void One_complaint_moves_no_one_and_f_plus_1_start_the_view_change()
    {
        var h = new Harness();

        h.Deliver(0, new MessageReceived(new ReplicaId(2), Complaint(h, 2, 0)));
        h.Deliver(0, new MessageReceived(new ReplicaId(2), Complaint(h, 2, 0)));
        h.Replicas[0].View.Should().Be(new ViewNum(0), "one complaint may come from a liar");
        h.Replicas[0].IsViewActive.Should().BeTrue();
        h.Replicas[0].Drops[DropReason.Duplicate].Should().Be(1);
        var forged = Complaint(h, 2, 0) with { Sender = new ReplicaId(3) };
        h.Deliver(0, new MessageReceived(new ReplicaId(3), forged));
        h.Replicas[0].Drops[DropReason.BadSignature].Should().Be(1);
        h.Deliver(0, new MessageReceived(new ReplicaId(3), Complaint(h, 3, 1)));
        h.Replicas[0].Drops[DropReason.FutureView].Should().Be(1);
        h.Replicas[0].View.Should().Be(new ViewNum(0));

        h.Deliver(0, new MessageReceived(new ReplicaId(3), Complaint(h, 3, 0)));

        h.Replicas[0].View.Should().Be(new ViewNum(1));
        h.Replicas[0].IsViewActive.Should().BeFalse();
        h.OutputsOf<Broadcast>(0).Select(b => b.Message).OfType<ViewChange>().Should().ContainSingle();
        h.Replicas[0].ComplaintCount.Should().Be(0, "complaints about view 0 do not count in view 1");
    }

    [Fact]
    public void A_view_change_from_a_replica_that_left_counts_as_its_complaint()
    {
        // Found by the simulator (seed 1570, f = 1): replica 1 left view 0 on complaints that replica 2 never saw; its
        // own complaint was lost, and it re-sends only its VIEW-CHANGE, so replica 2 waited in view 0 for ever.
        var h = new Harness();
        h.Filter = (_, _, _) => false;
        h.Deliver(2, new ClientRequestReceived(Harness.Request(1, 1)));
        h.Deliver(2, new Tick(h.Now + TimeSpan.FromSeconds(2)));
        h.Replicas[2].ComplaintCount.Should().Be(1);

        h.Deliver(
            2,
            new MessageReceived(new ReplicaId(1), h.Sign(1, new ViewChange(new ViewNum(1), null, [], new ReplicaId(1))))
        );

        h.Replicas[2].View.Should().Be(new ViewNum(1));
        h.Replicas[2].IsViewActive.Should().BeFalse();
    }

    [Fact]
    public void A_lagging_replica_that_times_out_catches_up_in_the_view_the_others_serve()
    {
        // Found in CI: a replica restored behind its peers timed out before it caught up, moved alone to view 1, and
        // never came back, since the others had no reason to leave view 0.
        var h = new Harness();
        h.Filter = (_, to, _) => to != 3; // replica 3 misses everything of seq 1
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        h.Executed[0].Should().ContainSingle();
        h.Executed[3].Should().BeEmpty();

        h.Deliver(3, new Tick(h.Now + TimeSpan.FromSeconds(2))); // it holds the request, unordered for it
        h.OutputsOf<Broadcast>(3).Select(b => b.Message).OfType<ViewComplaint>().Should().ContainSingle();

        h.Filter = (_, _, _) => true;
        h.Advance(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(100));

        h.Executed[3].Should().ContainSingle().Which.Seq.Should().Be(new SeqNum(1));
        for (var i = 0; i < h.N; i++)
        {
            h.Replicas[i].View.Should().Be(new ViewNum(0));
            h.Replicas[i].IsViewActive.Should().BeTrue();
        }
    }

    [Fact]
    public void A_replica_joins_a_view_change_once_f_plus_1_others_ask_for_a_higher_view()
    {
        var h = new Harness();
        var vc2 = h.Sign(2, new ViewChange(new ViewNum(1), null, [], new ReplicaId(2)));
        var vc3 = h.Sign(3, new ViewChange(new ViewNum(1), null, [], new ReplicaId(3)));

        h.Deliver(0, new MessageReceived(new ReplicaId(2), vc2));
        h.Replicas[0].View.Should().Be(new ViewNum(0), "one VIEW-CHANGE may come from a liar");
        h.Deliver(0, new MessageReceived(new ReplicaId(3), vc3));

        h.Replicas[0].View.Should().Be(new ViewNum(1));
        h.Replicas[0].IsViewActive.Should().BeFalse();
        h.Persisted[0].OfType<ViewRecord>().Last().Should().Be(new ViewRecord(new ViewNum(1), false));
    }

    [Fact]
    public void A_new_view_whose_pre_prepares_do_not_follow_from_its_view_changes_is_rejected()
    {
        var h = new Harness();
        var viewChanges = Enumerable
            .Range(1, 3)
            .Select(i => h.Sign(i, new ViewChange(new ViewNum(1), null, [], new ReplicaId(i))))
            .ToList();
        var invented = h.Sign(
            1,
            new PrePrepare(new ViewNum(1), new SeqNum(1), 0, new Batch([Harness.Request(1, 1)]), new ReplicaId(1))
        );
        var newView = h.Sign(1, new NewView(new ViewNum(1), 0, viewChanges, [invented], new ReplicaId(1)));

        h.Deliver(2, new MessageReceived(new ReplicaId(1), newView));

        h.Replicas[2].Drops[DropReason.BadNewView].Should().Be(1);
        h.Replicas[2].View.Should().Be(new ViewNum(0));
    }

    private static ViewComplaint Complaint(Harness h, int from, ulong view) =>
        h.Sign(from, new ViewComplaint(new ViewNum(view), new ReplicaId(from)));
}
