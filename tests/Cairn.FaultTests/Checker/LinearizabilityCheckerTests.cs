using AwesomeAssertions;
using Cairn.FaultTests.History;
using CsCheck;

namespace Cairn.FaultTests.Checker;

/// <summary>The checker on hand-made histories with a known answer, and on random histories generated from a
/// sequential run (linearizable by construction) and then corrupted.</summary>
public sealed class LinearizabilityCheckerTests
{
    private static Operation Put(int id, string key, string value, long from, long to, Outcome outcome = Outcome.Ok) =>
        new(id, id, OperationKind.Put, key, value, outcome, from, to);

    private static Operation Get(int id, string key, string? value, long from, long to, Outcome outcome = Outcome.Ok) =>
        new(id, id, OperationKind.Get, key, value, outcome, from, to);

    [Fact]
    public void A_read_of_a_value_overwritten_before_the_read_began_is_a_violation_witnessed_by_those_three()
    {
        var history = new[] { Put(0, "a", "1", 0, 10), Put(1, "a", "2", 20, 30), Get(2, "a", "1", 40, 50) };

        var verdict = LinearizabilityChecker.Check(history);

        verdict.Linearizable.Should().BeFalse();
        verdict.Violations.Should().ContainSingle().Which.Witness.Select(o => o.Id).Should().BeEquivalentTo([0, 1, 2]);
    }

    [Fact]
    public void A_read_concurrent_with_a_put_may_return_the_old_or_the_new_value()
    {
        LinearizabilityChecker
            .Check([Put(0, "a", "1", 0, 10), Put(1, "a", "2", 20, 60), Get(2, "a", "1", 30, 40)])
            .Linearizable.Should()
            .BeTrue();
        LinearizabilityChecker
            .Check([Put(0, "a", "1", 0, 10), Put(1, "a", "2", 20, 60), Get(2, "a", "2", 30, 40)])
            .Linearizable.Should()
            .BeTrue();
        LinearizabilityChecker
            .Check([Get(0, "a", null, 0, 10), Put(1, "a", "1", 5, 60)])
            .Linearizable.Should()
            .BeTrue();
    }

    [Fact]
    public void Reads_that_see_the_new_value_and_then_the_old_one_are_a_violation()
    {
        var history = new[]
        {
            Put(0, "a", "1", 0, 10),
            Put(1, "a", "2", 20, 100),
            Get(2, "a", "2", 30, 40),
            Get(3, "a", "1", 50, 60),
        };

        LinearizabilityChecker.Check(history).Linearizable.Should().BeFalse();
    }

    [Fact]
    public void A_put_with_an_unknown_outcome_may_take_effect_long_after_it_was_given_up_but_not_be_undone()
    {
        var late = new[]
        {
            Put(0, "a", "1", 0, 10),
            Put(1, "a", "2", 20, 25, Outcome.Unknown),
            Get(2, "a", "1", 30, 40),
            Get(3, "a", "2", 200, 210),
        };
        var undone = new[]
        {
            Put(0, "a", "1", 0, 10),
            Put(1, "a", "2", 20, 25, Outcome.Unknown),
            Get(2, "a", "2", 30, 40),
            Get(3, "a", "1", 200, 210),
        };
        var never = new[]
        {
            Put(0, "a", "1", 0, 10),
            Put(1, "a", "2", 20, 25, Outcome.Unknown),
            Get(2, "a", "1", 300, 310),
        };

        LinearizabilityChecker.Check(late).Linearizable.Should().BeTrue();
        LinearizabilityChecker.Check(undone).Linearizable.Should().BeFalse();
        LinearizabilityChecker.Check(never).Linearizable.Should().BeTrue();
    }

    [Fact]
    public void A_refused_put_must_never_be_observed_and_a_value_nobody_wrote_is_a_violation()
    {
        LinearizabilityChecker
            .Check([Put(0, "a", "1", 0, 10, Outcome.Fail), Get(1, "a", "1", 20, 30)])
            .Linearizable.Should()
            .BeFalse();
        LinearizabilityChecker
            .Check([Put(0, "a", "1", 0, 10), Get(1, "a", "9", 20, 30)])
            .Linearizable.Should()
            .BeFalse();
    }

    [Fact]
    public void Keys_are_checked_independently_and_the_witness_leaves_out_what_the_violation_does_not_need()
    {
        var history = new List<Operation>();
        for (var i = 0; i < 60; i++)
        {
            history.Add(Put(history.Count, "a", $"a{i}", i * 100, (i * 100) + 50));
            history.Add(Get(history.Count, "a", $"a{i}", (i * 100) + 60, (i * 100) + 90));
            history.Add(Put(history.Count, "b", $"b{i}", i * 100, (i * 100) + 50));
        }

        // One stale read of b in the middle of the run.
        history.Add(Get(history.Count, "b", "b10", 3060, 3070));

        var verdict = LinearizabilityChecker.Check(history);

        verdict.Violations.Should().ContainSingle().Which.Key.Should().Be("b");
        var witness = verdict.Violations[0].Witness;
        witness.Count.Should().BeLessThanOrEqualTo(3, verdict.Describe(0));
        witness.Should().Contain(history[^1]);
        RegisterSearch.IsLinearizable(witness).Should().BeFalse();
    }

    /// <summary>One operation of a sequential run: which key, put or get, how far its call and return lie from its
    /// linearization point, and its fate (0: a put that took effect without an answer, 1: refused, 2: a put given up
    /// that never took effect, otherwise ok).</summary>
    private static readonly Gen<(int Key, bool IsPut, int Before, int After, int Fate)[]> GenRun = Gen.Select(
        Gen.Int[0, 2],
        Gen.Bool,
        Gen.Int[0, 40],
        Gen.Int[0, 40],
        Gen.Int[0, 9]
    ).Array[1, 50];

    /// <summary>Replays the run against a dictionary: each operation takes effect at time 100·i, and its call and
    /// return are spread around that point (so operations overlap) or close to it (so they do not, and every
    /// operation succeeds: the run is then the only linearization).</summary>
    private static List<Operation> History((int Key, bool IsPut, int Before, int After, int Fate)[] run, bool overlap)
    {
        var state = new Dictionary<string, string>();
        var history = new List<Operation>();
        for (var i = 0; i < run.Length; i++)
        {
            var (keyIndex, isPut, before, after, fate) = run[i];
            fate = overlap ? fate : 9;
            var key = $"k{keyIndex}";
            long point = i * 100;
            var (from, to) = overlap ? (point - before, point + after) : (point - 10, point + 10);
            if (isPut)
            {
                var value = $"v{i}";
                var outcome = fate switch
                {
                    0 or 2 => Outcome.Unknown,
                    1 => Outcome.Fail,
                    _ => Outcome.Ok,
                };
                if (fate is not (1 or 2))
                {
                    state[key] = value;
                }

                history.Add(Put(i, key, value, from, to, outcome));
            }
            else
            {
                history.Add(
                    fate == 0
                        ? Get(i, key, null, from, to, Outcome.Unknown)
                        : Get(i, key, state.GetValueOrDefault(key), from, to)
                );
            }
        }

        return history;
    }

    [Fact]
    public void Every_history_generated_from_a_sequential_run_is_linearizable()
    {
        GenRun.Sample(run =>
        {
            var verdict = LinearizabilityChecker.Check(History(run, overlap: true));
            return verdict.Linearizable;
        });
    }

    [Fact]
    public void Corrupting_one_read_of_a_history_without_overlaps_is_caught_and_the_witness_holds_that_read()
    {
        Gen.Select(GenRun, Gen.Int[0, 1000])
            .Sample(
                (run, pick) =>
                {
                    var history = History(run, overlap: false);
                    var reads = history.Where(o => o.Kind == OperationKind.Get && o.Outcome == Outcome.Ok).ToList();
                    if (reads.Count == 0)
                    {
                        return true;
                    }

                    var read = reads[pick % reads.Count];
                    var corrupted = read with { Value = read.Value is null ? "never-written" : null };
                    history[read.Id] = corrupted;

                    var verdict = LinearizabilityChecker.Check(history);
                    return !verdict.Linearizable
                        && verdict.Violations.Single().Witness.Contains(corrupted)
                        && RegisterSearch.IsLinearizable(verdict.Violations.Single().Witness) == false;
                }
            );
    }
}
