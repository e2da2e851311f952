namespace Cairn.Client;

/// <summary>One replica's answer to an operator query: its JSON answer or its signed statement, its refusal, or none of
/// them when it did not answer.</summary>
/// <param name="Statement">Canonical bytes of a signed answer (checkpoint hash), checked by the caller.</param>
public sealed record ReplicaAnswer(int Replica, string? Json, string? Refusal, byte[]? Statement = null)
{
    public bool Answered => Json is not null || Statement is not null;
}
