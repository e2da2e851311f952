using Cairn.Operator;

namespace Cairn.Client;

/// <summary>When an ordered DB checkpoint counts as taken, from the replicas' <c>dbCheckpoint status</c>
/// answers.</summary>
public static class DbCheckpointQuorum
{
    /// <summary>How many replicas list a finalised checkpoint at <paramref name="seq"/>.</summary>
    public static int Reporting(IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>> answers, ulong seq)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return answers.Count(a => Lists(a, seq));
    }

    /// <summary>The replica answered and lists a finalised checkpoint at <paramref name="seq"/>.</summary>
    public static bool Lists(QueryAnswer<DbCheckpointStatusAnswer> answer, ulong seq)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Status?.Checkpoints.Any(c => c.SeqNum == seq) == true;
    }

    /// <summary>True once 2f+1 replicas list it: then at least f+1 correct replicas hold the checkpoint, which is
    /// what a restore or a lagging replica needs. Waiting for the last f would make the operator wait for the slowest
    /// (or a down) replica; each replica's own progress stays visible in <c>dbCheckpoint status</c>.</summary>
    public static bool Reached(IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>> answers, ulong seq, int f) =>
        Reporting(answers, seq) >= (2 * f) + 1;

    /// <summary>How far the replicas that answered are on the way to a checkpoint at <paramref name="seq"/>: per
    /// replica one step each for the boundary decided, the checkpoint taken, finalising and listed, plus the skips and
    /// failures it counted. A wait for the checkpoint gives up once this stops growing, not at a fixed time, so a
    /// finalisation that takes long on a large database is waited for.</summary>
    public static long Progress(IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>> answers, ulong seq)
    {
        ArgumentNullException.ThrowIfNull(answers);
        return answers.Sum(a => a.Status is { } s ? Step(a, seq) + s.Skips + s.Failures : 0);
    }

    /// <summary>For an answering replica: 4 listed, 3 finalising, 2 taken, 1 boundary decided, 0 none yet.</summary>
    private static long Step(QueryAnswer<DbCheckpointStatusAnswer> answer, ulong seq)
    {
        if (Lists(answer, seq))
        {
            return 4;
        }

        var status = answer.Status!;
        return status.InFlight?.FirstOrDefault(c => c.SeqNum == seq)?.State switch
        {
            DbCheckpointInFlightRow.Finalising => 3,
            not null => 2,
            null => status.LastDecidedSeq >= seq ? 1 : 0,
        };
    }
}
