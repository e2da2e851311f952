using Cairn.Core;

namespace Cairn.Backup;

/// <summary>What the retention planner knows of one DB checkpoint on disk.</summary>
/// <param name="Id">The checkpoint's id.</param>
/// <param name="Retiring">True when retention already unlisted it and it waits for its reader to let go.</param>
/// <param name="Pinned">True while a reader (in this process or another) holds it.</param>
/// <param name="Bytes">What deleting it would free, as far as known (0 when unknown).</param>
public sealed record RetentionCandidate(BlockId Id, bool Retiring, bool Pinned, long Bytes);
