using Cairn.Operator;

namespace Cairn.Client;

/// <summary>One replica's line in <c>checkpoint hash</c>: its verified signed statement, or why there is none
/// (a refusal such as "no such checkpoint", a statement that does not verify, no answer).</summary>
/// <param name="Differs">Its verified statement differs from what the most replicas state.</param>
public sealed record CheckpointHashRow(int Replica, CheckpointHashAttestation? Statement, string? Problem, bool Differs)
{
    /// <summary>Answered with a statement whose signature, replica, checkpoint and nonce all check out.</summary>
    public bool Verified => Statement is not null;
}
