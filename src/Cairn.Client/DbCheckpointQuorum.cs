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
        return answers.Count(a => a.Status?.Checkpoints.Any(c => c.SeqNum == seq) == true);
    }

    /// <summary>True once 2f+1 replicas list it: then at least f+1 correct replicas hold the checkpoint, which is
    /// what a restore or a lagging replica needs. Waiting for the last f would make the operator wait for the slowest
    /// (or a down) replica; each replica's own progress stays visible in <c>dbCheckpoint status</c>.</summary>
    public static bool Reached(IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>> answers, ulong seq, int f) =>
        Reporting(answers, seq) >= (2 * f) + 1;
}
