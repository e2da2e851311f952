using System.Diagnostics;

namespace Cairn.IntegrationTests;

/// <summary>Waits for something a test can observe (a file, a directory, an answer) to become true, polling it until
/// <see cref="TestCluster.Patience"/> has passed: the deadline is generous because a busy machine slows everything,
/// and a wait on observable state costs time only when something is really wrong.</summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws naming <paramref name="what"/> when it never
    /// does.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what) =>
        await TrueAsync(() => Task.FromResult(condition()), what);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws naming <paramref name="what"/> when it never
    /// does.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TestCluster.Patience)
            {
                throw new TimeoutException($"{what} did not happen within {TestCluster.Patience.TotalSeconds} s");
            }

            await Task.Delay(PollInterval, TestContext.Current.CancellationToken);
        }
    }
}
