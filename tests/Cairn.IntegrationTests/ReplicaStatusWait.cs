using System.Diagnostics;
using System.Globalization;
using Cairn.Protocol.Grpc;

namespace Cairn.IntegrationTests;

/// <summary>Polls replica statuses until a condition holds; on timeout the exception says what every replica was at.
/// Shared by the integration tests and the fault campaign.</summary>
internal static class ReplicaStatusWait
{
    /// <summary>Waits until <paramref name="condition"/> holds for the statuses, failing with the last ones
    /// seen.</summary>
    public static async Task<ReplicaStatus?[]> UntilAsync(
        Func<Task<ReplicaStatus?[]>> statuses,
        Func<ReplicaStatus?[], bool> condition,
        TimeSpan timeout,
        string what
    )
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var seen = await statuses();
            if (condition(seen))
            {
                return seen;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s ({Describe(seen)})");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>One line per replica: view, executed sequence number, last block and its digest.</summary>
    public static string Describe(ReplicaStatus?[] statuses) =>
        string.Join(
            "; ",
            statuses.Select(
                (s, i) =>
                    s is null
                        ? $"replica {i}: down"
                        : string.Create(
                            CultureInfo.InvariantCulture,
                            $"replica {i}: view {s.View}, executed {s.LastExecutedSeq}, block {s.LastBlockId}, digest "
                                + $"{s.LastBlockDigest[..Math.Min(12, s.LastBlockDigest.Length)]}"
                        )
            )
        );
}
