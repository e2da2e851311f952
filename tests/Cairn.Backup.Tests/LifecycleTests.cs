using AwesomeAssertions;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

/// <summary>A DB checkpoint's life: the moves <see cref="DbCheckpointLifecycle"/> allows, and every other one
/// refused.</summary>
public sealed class LifecycleTests
{
    private static readonly BlockId Id = new(150);

    // Written out, not derived from the code under test: the life docs/architecture.md describes.
    private static readonly (DbCheckpointState From, DbCheckpointState To)[] Legal =
    [
        (DbCheckpointState.Taken, DbCheckpointState.Finalising),
        (DbCheckpointState.Taken, DbCheckpointState.Deleted),
        (DbCheckpointState.Finalising, DbCheckpointState.Complete),
        (DbCheckpointState.Finalising, DbCheckpointState.Deleted),
        (DbCheckpointState.Complete, DbCheckpointState.Retiring),
        (DbCheckpointState.Retiring, DbCheckpointState.Deleted),
    ];

    public static TheoryData<DbCheckpointState, DbCheckpointState> LegalMoves() =>
        [.. Legal.Select(m => (m.From, m.To))];

    public static TheoryData<DbCheckpointState, DbCheckpointState> RefusedMoves() =>
        [
            .. from f in Enum.GetValues<DbCheckpointState>()
            from t in Enum.GetValues<DbCheckpointState>()
            where !Legal.Contains((f, t))
            select (f, t),
        ];

    [Theory]
    [MemberData(nameof(LegalMoves))]
    public void A_legal_move_lands_in_the_new_state(DbCheckpointState from, DbCheckpointState to)
    {
        DbCheckpointLifecycle.IsLegal(from, to).Should().BeTrue();
        DbCheckpointLifecycle.Transition(Id, from, to).Should().Be(to);
    }

    [Theory]
    [MemberData(nameof(RefusedMoves))]
    public void Every_other_move_is_refused_naming_the_checkpoint_and_both_states(
        DbCheckpointState from,
        DbCheckpointState to
    )
    {
        DbCheckpointLifecycle.IsLegal(from, to).Should().BeFalse();
        var refusal = FluentActions
            .Invoking(() => DbCheckpointLifecycle.Transition(Id, from, to))
            .Should()
            .Throw<DbCheckpointTransitionException>()
            .Which;
        refusal.Message.Should().StartWith($"DB checkpoint 150 cannot go from {from} to {to}");
        (refusal.Id, refusal.From, refusal.To).Should().Be((Id, from, to));
    }

    [Fact]
    public void Every_state_but_deleted_has_a_way_on_and_deleted_has_none()
    {
        // 5 states × 5 = 25 moves: 6 legal, 19 refused (self-moves included: a checkpoint never "re-enters" a state).
        RefusedMoves().Should().HaveCount(19);
        foreach (var state in Enum.GetValues<DbCheckpointState>())
        {
            Enum.GetValues<DbCheckpointState>()
                .Any(to => DbCheckpointLifecycle.IsLegal(state, to))
                .Should()
                .Be(state != DbCheckpointState.Deleted, $"{state}");
        }
    }

    [Fact]
    public void A_taken_checkpoint_cannot_skip_finalisation_and_a_refused_move_leaves_its_state_alone()
    {
        var head = new LedgerHead(Id, Digest.Compute("block 150"u8), new SeqNum(150));
        var tracked = TrackedDbCheckpoint.Taken(
            new SeqNum(150),
            head,
            DateTimeOffset.UnixEpoch,
            epoch: 0,
            "/checkpoints/150.tmp",
            "/checkpoints/150"
        );

        tracked.State.Should().Be(DbCheckpointState.Taken);
        FluentActions
            .Invoking(() => tracked.MoveTo(DbCheckpointState.Complete))
            .Should()
            .Throw<DbCheckpointTransitionException>();
        tracked.State.Should().Be(DbCheckpointState.Taken);
        tracked.MoveTo(DbCheckpointState.Finalising);
        tracked.MoveTo(DbCheckpointState.Deleted);
        tracked.State.Should().Be(DbCheckpointState.Deleted);
    }
}
