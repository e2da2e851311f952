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
    public void A_replica_alone_in_a_view_change_waits_instead_of_climbing_views()
    {
        var h = new Harness();
        h.Filter = (_, _, _) => false; // replica 1 is cut off from everyone
        h.Deliver(1, new ClientRequestReceived(Harness.Request(1, 1)));

        for (var step = 1; step <= 300; step++)
        {
            h.Deliver(1, new Tick(h.Now + TimeSpan.FromMilliseconds(100 * step)));
        }

        h.Replicas[1].View.Should().Be(new ViewNum(1));
        h.Replicas[1].IsViewActive.Should().BeFalse();
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
}
