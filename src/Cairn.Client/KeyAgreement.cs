namespace Cairn.Client;

/// <summary>What the replicas agree one key held at the checkpoint.</summary>
/// <param name="Agreed">At least f+1 replicas gave the same answer.</param>
/// <param name="Value">That value; null when absent or not agreed.</param>
/// <param name="Dissenters">Replicas that answered something else.</param>
public sealed record KeyAgreement(byte[] Key, bool Agreed, byte[]? Value, IReadOnlyList<int> Dissenters);
