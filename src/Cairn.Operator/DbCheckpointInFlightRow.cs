namespace Cairn.Operator;

/// <summary>A DB checkpoint a replica has taken and not committed yet, as <see cref="DbCheckpointStatusAnswer"/>
/// lists it.</summary>
/// <param name="State"><see cref="Taken"/> (its boundary is not stable yet) or <see cref="Finalising"/>.</param>
public sealed record DbCheckpointInFlightRow(ulong SeqNum, string State)
{
    public const string Taken = "taken";

    public const string Finalising = "finalising";
}
