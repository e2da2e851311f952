using AwesomeAssertions;
using Cairn.Core;
using CsCheck;

namespace Cairn.ClientProtocol.Tests;

public sealed class QuorumTests
{
    [Fact]
    public void Two_quorums_always_share_a_correct_replica_and_f_plus_1_replies_include_one()
    {
        Gen.Int[0, 1000]
            .Sample(f =>
            {
                var n = Quorums.ReplicaCount(f);
                Quorums.MaxFaulty(n).Should().Be(f);
                var overlap = (2 * Quorums.Quorum(f)) - n;
                overlap
                    .Should()
                    .BeGreaterThanOrEqualTo(f + 1, "the overlap of two quorums must hold a correct replica");
                Quorums
                    .Quorum(f)
                    .Should()
                    .BeLessThanOrEqualTo(n - f, "a quorum must be reachable with f replicas down");
                Quorums.ReplyQuorum(f).Should().Be(f + 1);
                Quorums.PrepareQuorum(f).Should().Be(Quorums.Quorum(f) - 1);
            });
    }

    [Fact]
    public void The_primary_rotates_round_robin_through_every_replica()
    {
        Gen.Select(Gen.Int[1, 20], Gen.ULong[0, 1_000_000])
            .Sample(
                (f, view) =>
                {
                    var n = Quorums.ReplicaCount(f);
                    Quorums.PrimaryOf(new ViewNum(view), n).Value.Should().Be((int)(view % (ulong)n));
                    Quorums.PrimaryOf(new ViewNum(view + 1), n).Value.Should().Be((int)((view + 1) % (ulong)n));
                }
            );
    }
}
