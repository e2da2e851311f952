using AwesomeAssertions;
using Cairn.Core;
using CsCheck;

namespace Cairn.Backup.Tests;

public sealed class PolicyTests
{
    private static readonly DateTimeOffset Base = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_checkpoint_is_due_iff_both_enough_time_and_enough_sequence_numbers_passed()
    {
        Gen.Select(
                Gen.Long[1, 100_000],
                Gen.Long[1, 100_000],
                Gen.ULong[0, 1_000_000],
                Gen.ULong[0, 300_000],
                Gen.Long[-1_000, 300_000]
            )
            .Sample(
                (duration, window, lastSeq, seqsSince, secondsSince) =>
                {
                    var settings = new DbCheckpointSettings { DurationSeconds = duration, Window = window };
                    var last = new CheckpointMark(new SeqNum(lastSeq), Base);

                    var due = CheckpointPolicy.IsDue(
                        settings,
                        last,
                        new SeqNum(lastSeq + seqsSince),
                        Base.AddSeconds(secondsSince)
                    );

                    return due == (seqsSince >= (ulong)window && secondsSince > duration);
                }
            );
    }

    [Fact]
    public void Without_a_previous_checkpoint_only_the_window_counts_from_seq_zero()
    {
        Gen.Select(Gen.Long[1, 100_000], Gen.Long[1, 100_000], Gen.ULong[1, 1_000_000])
            .Sample(
                (duration, window, seq) =>
                    CheckpointPolicy.IsDue(
                        new DbCheckpointSettings { DurationSeconds = duration, Window = window },
                        CheckpointMark.None,
                        new SeqNum(seq),
                        Base
                    ) == (seq >= (ulong)window)
            );
    }

    [Theory]
    [InlineData(600, 20, 20, 601, true)]
    [InlineData(600, 20, 20, 600, false)] // "more than" duration
    [InlineData(600, 20, 19, 10_000, false)] // "at least" window
    [InlineData(600, 20, 0, 10_000, false)] // the same boundary again
    public void Edges(long duration, long window, ulong seqsSince, long secondsSince, bool due)
    {
        var settings = new DbCheckpointSettings { DurationSeconds = duration, Window = window };

        CheckpointPolicy
            .IsDue(
                settings,
                new CheckpointMark(new SeqNum(100), Base),
                new SeqNum(100 + seqsSince),
                Base.AddSeconds(secondsSince)
            )
            .Should()
            .Be(due);
    }

    [Fact]
    public void A_boundary_below_the_last_checkpoint_is_never_due()
    {
        var settings = new DbCheckpointSettings { DurationSeconds = 1, Window = 1 };

        CheckpointPolicy
            .IsDue(settings, new CheckpointMark(new SeqNum(100), Base), new SeqNum(50), Base.AddDays(1))
            .Should()
            .BeFalse();
    }

    [Fact]
    public void Every_accepted_duration_and_window_decides_without_throwing_at_any_consensus_time()
    {
        var duration = DbCheckpointKeys.DurationSeconds;
        var window = DbCheckpointKeys.Window;
        var ticks = Gen.Long[1, DateTimeOffset.MaxValue.UtcTicks];
        Gen.Select(
                Gen.OneOf<long>(
                    Gen.Long[duration.Min, duration.Max],
                    Gen.OneOf(duration.Min, duration.Max, TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond)
                ),
                Gen.OneOf<long>(Gen.Long[window.Min, window.Max], Gen.OneOf(window.Min, window.Max)),
                Gen.ULong[0, ulong.MaxValue / 2],
                Gen.ULong[1, ulong.MaxValue / 2],
                ticks,
                ticks
            )
            .Sample(
                (seconds, seqs, lastSeq, seqsSince, lastTicks, nowTicks) =>
                {
                    var settings = new DbCheckpointSettings { DurationSeconds = seconds, Window = seqs };
                    var last = new CheckpointMark(new SeqNum(lastSeq), new DateTimeOffset(lastTicks, TimeSpan.Zero));
                    var now = new DateTimeOffset(nowTicks, TimeSpan.Zero);

                    var due = CheckpointPolicy.IsDue(settings, last, new SeqNum(lastSeq + seqsSince), now);

                    return due
                        == (
                            seqsSince >= (ulong)seqs
                            && (Int128)(nowTicks - lastTicks) > (Int128)seconds * TimeSpan.TicksPerSecond
                        );
                }
            );
    }

    [Fact]
    public void Defaults_are_concords()
    {
        var defaults = new DbCheckpointSettings();

        defaults
            .Should()
            .BeEquivalentTo(
                new
                {
                    Enabled = true,
                    DurationSeconds = 21600L,
                    MaxCheckpoints = 2,
                    Window = 30000L,
                    DiskSpaceThreshold = 0.5,
                    Path = "rocksdbdata/checkpoints",
                }
            );
    }
}
