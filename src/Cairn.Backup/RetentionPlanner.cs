using Cairn.Core;

namespace Cairn.Backup;

/// <summary>
/// DB checkpoint retention as pure decisions over what is on disk, so its promises can be checked by properties:
/// the newest complete checkpoint is never deleted, a pinned one never (it retires instead), retiring ones go as soon
/// as nobody reads them, and the count keeps at most <c>num_of_rocksdbcheckpoints</c> listed.
/// </summary>
public static class RetentionPlanner
{
    /// <summary>After a checkpoint completes: the oldest complete checkpoints beyond <paramref name="maxCheckpoints"/>
    /// leave the listing (deleted, or retired when pinned); released retiring ones are deleted.</summary>
    /// <param name="checkpoints">Complete and retiring checkpoints; the complete ones oldest first.</param>
    /// <param name="maxCheckpoints">How many complete checkpoints stay listed (at least 1).</param>
    public static RetentionPlan ForCount(IReadOnlyList<RetentionCandidate> checkpoints, int maxCheckpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCheckpoints, 1);
        var complete = checkpoints.Where(c => !c.Retiring).ToList();
        var excess = complete.Take(Math.Max(0, complete.Count - maxCheckpoints)).ToList();
        return new RetentionPlan(
            [.. excess.Where(c => !c.Pinned).Select(c => c.Id), .. Released(checkpoints)],
            [.. excess.Where(c => c.Pinned).Select(c => c.Id)]
        );
    }

    /// <summary>While free space is under the floor: released retiring checkpoints first, then the oldest complete
    /// ones that nobody reads, never the newest, until the bytes they free would lift free space to the
    /// floor.</summary>
    /// <param name="checkpoints">Complete and retiring checkpoints; the complete ones oldest first.</param>
    /// <param name="freeBytes">Free space on the checkpoint file system now.</param>
    /// <param name="floorBytes"><c>db_checkpoint_diskspace_threshold</c> × the RocksDB size.</param>
    public static RetentionPlan ForDiskSpace(
        IReadOnlyList<RetentionCandidate> checkpoints,
        long freeBytes,
        long floorBytes
    )
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        var released = Released(checkpoints).ToList();
        var projected = freeBytes + checkpoints.Where(c => c.Retiring && !c.Pinned).Sum(c => c.Bytes);
        var complete = checkpoints.Where(c => !c.Retiring).ToList();
        var victims = new List<RetentionCandidate>();
        foreach (var candidate in complete.Take(complete.Count - 1).Where(c => !c.Pinned))
        {
            if (projected >= floorBytes)
            {
                break;
            }

            victims.Add(candidate);
            projected += candidate.Bytes;
        }

        return new RetentionPlan([.. released, .. victims.Select(c => c.Id)], []);
    }

    /// <summary>The retiring checkpoints nobody reads any more: they are deleted whenever retention runs.</summary>
    public static IEnumerable<BlockId> Released(IReadOnlyList<RetentionCandidate> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        return checkpoints.Where(c => c.Retiring && !c.Pinned).Select(c => c.Id);
    }
}
