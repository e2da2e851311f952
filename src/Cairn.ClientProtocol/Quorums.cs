using Cairn.Core;

namespace Cairn.ClientProtocol;

/// <summary>PBFT quorum arithmetic for n = 3f+1 replicas, in one place.</summary>
public static class Quorums
{
    /// <summary>The number of replicas for <paramref name="f"/> tolerated faults: 3f+1.</summary>
    public static int ReplicaCount(int f) => (3 * f) + 1;

    /// <summary>The most faulty replicas <paramref name="n"/> replicas tolerate: ⌊(n-1)/3⌋.</summary>
    public static int MaxFaulty(int n) => (n - 1) / 3;

    /// <summary>Matching votes that make a slot committed or a checkpoint stable: 2f+1. Any two such quorums share a
    /// correct replica.</summary>
    public static int Quorum(int f) => (2 * f) + 1;

    /// <summary>PREPAREs from distinct backups that, with the PRE-PREPARE, prepare a slot: 2f.</summary>
    public static int PrepareQuorum(int f) => 2 * f;

    /// <summary>Matching replies a client needs: f+1, so at least one comes from a correct replica.</summary>
    public static int ReplyQuorum(int f) => f + 1;

    /// <summary>The primary of <paramref name="view"/>: view mod n.</summary>
    public static ReplicaId PrimaryOf(ViewNum view, int n) => new((int)(view.Value % (ulong)n));
}
