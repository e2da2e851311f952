using Cairn.Core;

namespace Cairn.Backup;

/// <summary>A checkpoint's disk use now: all its files, and those neither the live database nor another checkpoint
/// links (what deleting it would free). The second grows as compaction replaces the files they share.</summary>
public sealed record DbCheckpointDiskUsage(BlockId Id, long SizeBytes, long ExclusiveBytes);
