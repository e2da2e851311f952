using Cairn.Core;

namespace Cairn.Backup;

/// <summary>A DB checkpoint taken at boundary <paramref name="Seq"/> and not committed yet: <paramref name="State"/>
/// is <see cref="DbCheckpointState.Taken"/> (its boundary is not stable yet) or
/// <see cref="DbCheckpointState.Finalising"/>.</summary>
public sealed record DbCheckpointInFlight(SeqNum Seq, DbCheckpointState State);
