namespace Cairn.Client;

/// <summary>One replica's answer to an operator query: its JSON answer, its refusal, or neither when it did not answer.</summary>
public sealed record ReplicaAnswer(int Replica, string? Json, string? Refusal)
{
    public bool Answered => Json is not null;
}
