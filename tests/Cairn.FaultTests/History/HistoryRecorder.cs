using System.Diagnostics;

namespace Cairn.FaultTests.History;

/// <summary>Collects the operations of many concurrent clients against one monotonic clock
/// (<see cref="Stopwatch.GetTimestamp"/>), so real-time order between operations is known.</summary>
public sealed class HistoryRecorder
{
    private readonly List<Operation> _operations = [];

    /// <summary>Ticks per millisecond of the clock the times are in.</summary>
    public static long TicksPerMillisecond => Stopwatch.Frequency / 1000;

    /// <summary>When the history began.</summary>
    public long Origin { get; } = Stopwatch.GetTimestamp();

    /// <summary>The clock every time in the history is read from.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>Adds a finished (or abandoned) operation; returns it with its id.</summary>
    public Operation Add(
        int client,
        OperationKind kind,
        string key,
        string? value,
        Outcome outcome,
        long invokedAt,
        long completedAt
    )
    {
        lock (_operations)
        {
            var operation = new Operation(_operations.Count, client, kind, key, value, outcome, invokedAt, completedAt);
            _operations.Add(operation);
            return operation;
        }
    }

    /// <summary>A copy of the operations recorded so far.</summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_operations)
        {
            return [.. _operations];
        }
    }
}
