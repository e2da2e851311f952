using AwesomeAssertions;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>The consensus thread's queues: each source bounded on its own, taken in turn, and work queued without
/// waking the thread taken with the next group something else wakes it for.</summary>
public sealed class InputQueuesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void A_full_source_refuses_more_while_the_others_still_take_work()
    {
        var queues = new InputQueues([2, 2]);

        queues.TryAdd(0, () => { }).Should().BeTrue();
        queues.TryAdd(0, () => { }).Should().BeTrue();
        queues.TryAdd(0, () => { }).Should().BeFalse("source 0 holds its bound of 2");
        queues.TryAdd(1, () => { }).Should().BeTrue();

        queues.Count(0).Should().Be(2);
        queues.Count(1).Should().Be(1);
    }

    [Fact]
    public void Sources_are_drained_in_turn()
    {
        var queues = new InputQueues([4, 4]);
        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var n = i;
            queues.TryAdd(0, () => order.Add($"a{n}"));
        }

        queues.TryAdd(1, () => order.Add("b0"));
        var group = new List<Action>();

        queues.Drain(group, max: 10).Should().Be(4);
        group.ForEach(work => work());

        order.Should().Equal("a0", "b0", "a1", "a2");
    }

    [Fact]
    public async Task Work_queued_without_waking_waits_for_the_next_wake_and_goes_with_its_group()
    {
        var queues = new InputQueues([4, 4]);
        var done = new List<string>();

        queues.TryAdd(1, () => done.Add("client request"), wake: false).Should().BeTrue();
        var waiting = queues.WaitAsync(Ct).AsTask();
        await Task.Yield();
        waiting.IsCompleted.Should().BeFalse("nothing that wakes the thread was queued");

        queues.TryAdd(0, () => done.Add("peer message"));
        await waiting.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        var group = new List<Action>();
        queues.Drain(group, max: 10).Should().Be(2);
        group.ForEach(work => work());

        done.Should().BeEquivalentTo("peer message", "client request");
    }
}
