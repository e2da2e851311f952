using AwesomeAssertions;
using Cairn.Core;
using CsCheck;

namespace Cairn.Backup.Tests;

/// <summary>The promises of DB checkpoint retention, as properties of <see cref="RetentionPlanner"/>.</summary>
public sealed class RetentionPlannerTests
{
    // Complete checkpoints oldest first (ids ascending), then retiring ones, as the manager lists them.
    private static readonly Gen<List<RetentionCandidate>> Checkpoints = Gen.Select(
            Gen.Bool,
            Gen.Bool,
            Gen.Long[0, 1_000]
        )
        .List[0, 12]
        .Select(items =>
        {
            var candidates = items.Select(
                (c, i) => new RetentionCandidate(new BlockId((ulong)(i + 1) * 150), c.Item2, c.Item1, c.Item3)
            );
            return candidates.Where(c => !c.Retiring).Concat(candidates.Where(c => c.Retiring)).ToList();
        });

    [Fact]
    public void The_count_plan_keeps_the_newest_n_listed_and_never_deletes_a_pinned_one()
    {
        Gen.Select(Checkpoints, Gen.Int[1, 10])
            .Sample(
                (checkpoints, max) =>
                {
                    var plan = RetentionPlanner.ForCount(checkpoints, max);
                    var complete = checkpoints.Where(c => !c.Retiring).ToList();
                    var leaving = plan.Delete.Concat(plan.Retire).ToHashSet();
                    var listed = complete.Where(c => !leaving.Contains(c.Id)).ToList();

                    listed.Should().HaveCount(Math.Min(complete.Count, max));
                    listed.Should().Equal(complete.TakeLast(Math.Min(complete.Count, max)), "the oldest leave first");
                    checkpoints.Where(c => c.Pinned).Select(c => c.Id).Should().NotIntersectWith(plan.Delete);
                    plan.Retire.Should().OnlyContain(id => complete.Single(c => c.Id == id).Pinned);
                    plan.Delete.Where(id => checkpoints.Single(c => c.Id == id).Retiring)
                        .Should()
                        .Equal(checkpoints.Where(c => c.Retiring && !c.Pinned).Select(c => c.Id), "released ones go");
                }
            );
    }

    [Fact]
    public void The_disk_plan_frees_oldest_first_up_to_the_floor_never_the_newest_and_never_a_pinned_one()
    {
        Gen.Select(Checkpoints, Gen.Long[0, 5_000], Gen.Long[0, 5_000])
            .Sample(
                (checkpoints, free, floor) =>
                {
                    var plan = RetentionPlanner.ForDiskSpace(checkpoints, free, floor);
                    var complete = checkpoints.Where(c => !c.Retiring).ToList();
                    var released = checkpoints.Where(c => c.Retiring && !c.Pinned).ToList();
                    var eligible = complete.Take(complete.Count - 1).Where(c => !c.Pinned).ToList();
                    var victims = plan.Delete.Skip(released.Count).ToList();

                    plan.Retire.Should().BeEmpty();
                    plan.Delete.Take(released.Count)
                        .Should()
                        .Equal(released.Select(c => c.Id), "released ones go first");
                    victims
                        .Should()
                        .Equal(eligible.Take(victims.Count).Select(c => c.Id), "the oldest unpinned, never the newest");
                    var before =
                        free
                        + released.Sum(c => c.Bytes)
                        + eligible.Take(Math.Max(0, victims.Count - 1)).Sum(c => c.Bytes);
                    if (victims.Count > 0)
                    {
                        before.Should().BeLessThan(floor, "a checkpoint is deleted only while space is still short");
                    }

                    var after = free + released.Sum(c => c.Bytes) + eligible.Take(victims.Count).Sum(c => c.Bytes);
                    (after >= floor || victims.Count == eligible.Count)
                        .Should()
                        .BeTrue("it stops at the floor or when nothing more may go");
                }
            );
    }

    [Fact]
    public void With_enough_space_only_released_checkpoints_are_deleted()
    {
        var checkpoints = new List<RetentionCandidate>
        {
            new(new BlockId(150), Retiring: false, Pinned: false, 100),
            new(new BlockId(300), Retiring: false, Pinned: false, 100),
            new(new BlockId(450), Retiring: true, Pinned: false, 100),
            new(new BlockId(600), Retiring: true, Pinned: true, 100),
        };

        RetentionPlanner
            .ForDiskSpace(checkpoints, freeBytes: 1_000, floorBytes: 1_000)
            .Delete.Should()
            .Equal(new BlockId(450));
        RetentionPlanner
            .ForDiskSpace(checkpoints, freeBytes: 850, floorBytes: 1_000)
            .Delete.Should()
            .Equal(new BlockId(450), new BlockId(150));
    }
}
