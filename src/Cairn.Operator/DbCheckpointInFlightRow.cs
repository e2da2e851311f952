namespace Cairn.Operator;

/// <summary>A DB checkpoint a replica has taken and not committed yet, as <see cref="DbCheckpointStatusAnswer"/>
/// lists it.</summary>
/// <param name="State"><c>taken</c> (its boundary is not stable yet) or <c>finalising</c>.</param>
public sealed record DbCheckpointInFlightRow(ulong SeqNum, string State);
