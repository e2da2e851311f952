using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

public sealed class StateTransferTests
{
    /// <summary>Replica 3 misses everything while the others pass a checkpoint at seq 4, then comes back.</summary>
    private static Harness LaggingReplica()
    {
        var h = new Harness();
        h.Down.Add(3);
        for (ulong id = 1; id <= 4; id++)
        {
            h.Submit(Harness.Request(1, id));
            h.Flush();
        }

        h.Replicas[0].LastStable.Should().Be(new SeqNum(4));
        h.Down.Remove(3);
        h.Advance(TimeSpan.FromMilliseconds(500)); // STATUS exchange hands replica 3 the stable certificate
        return h;
    }

    [Fact]
    public void A_replica_behind_the_stable_checkpoint_fetches_certified_state_from_its_signers()
    {
        var h = LaggingReplica();

        var fetch = h.OutputsOf<FetchState>(3).Should().ContainSingle().Subject;
        fetch.TargetSeq.Should().Be(new SeqNum(4));
        fetch.CertifiedDigest.Should().Be(h.Digests[0]);
        fetch.Peers.Should().NotContain(new ReplicaId(3)).And.NotBeEmpty();
        h.Replicas[3].IsTransferringState.Should().BeTrue();
        h.Executed[3].Should().BeEmpty();
    }

    [Fact]
    public void Each_retry_of_a_state_transfer_starts_with_another_signer()
    {
        var h = LaggingReplica();
        h.Advance(TimeSpan.FromSeconds(3)); // no StateTransferCompleted: the replica re-issues FetchState every second

        var fetches = h.OutputsOf<FetchState>(3).ToList();
        fetches.Count.Should().BeGreaterThanOrEqualTo(3);
        var signers = fetches[0].Peers.Count;
        fetches
            .Take(signers)
            .Select(f => f.Peers[0])
            .Should()
            .OnlyHaveUniqueItems("one stalling signer must not be asked first every time");
        fetches.Should().OnlyContain(f => f.Peers.ToHashSet().SetEquals(fetches[0].Peers));
    }

    [Fact]
    public void State_that_does_not_match_the_certified_digest_is_refused_and_matching_state_is_installed()
    {
        var h = LaggingReplica();

        h.Deliver(3, new StateTransferCompleted(new SeqNum(4), Digest.Compute("forged"u8)));
        h.Replicas[3].Drops[DropReason.StateTransferMismatch].Should().Be(1);
        h.Replicas[3].IsTransferringState.Should().BeTrue();

        h.Digests[3] = h.Digests[0];
        h.Deliver(3, new StateTransferCompleted(new SeqNum(4), h.Digests[0], [ClientReply.Create(1, 4, "op"u8)]));

        h.Replicas[3].IsTransferringState.Should().BeFalse();
        h.Replicas[3].LastExecuted.Should().Be(new SeqNum(4));
        h.OutputsOf<StableCheckpoint>(3).Should().ContainSingle().Which.Seq.Should().Be(new SeqNum(4));

        // It takes part in what follows, and its restored reply cache stops a replay of request 4.
        h.Flush();
        h.Submit(Harness.Request(1, 5));
        h.Deliver(3, new ClientRequestReceived(Harness.Request(1, 4)));
        h.Flush();
        h.Executed[3].Should().ContainSingle().Which.Seq.Should().Be(new SeqNum(5));
        h.Digests[3].Should().Be(h.Digests[0]);
        h.OutputsOf<ReplyToClient>(3).Should().Contain(r => r.Reply.RequestId == 4);
    }
}
