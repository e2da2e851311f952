using Microsoft.Extensions.Logging;

namespace Cairn.Backup;

/// <summary>The DB checkpoint manager's log messages, with stable event ids (2000–2099) for alerting and
/// grepping.</summary>
internal static partial class BackupLog
{
    [LoggerMessage(
        EventId = 2000,
        Level = LogLevel.Information,
        Message = "DB checkpoints in {Directory}: {Count} good, newest {NewestId} at seq {Seq}"
    )]
    public static partial void Recovered(ILogger logger, string directory, int count, string newestId, ulong seq);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "deleted interrupted DB checkpoint {Directory}")]
    public static partial void DeletedInterrupted(ILogger logger, string directory);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "not listing {Directory}: {Problem}")]
    public static partial void Unlisted(ILogger logger, string directory, string problem);

    [LoggerMessage(
        EventId = 2003,
        Level = LogLevel.Information,
        Message = "DB checkpoints are off (FEATURE_db_checkpoints: false)"
    )]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(
        EventId = 2010,
        Level = LogLevel.Information,
        Message = "DB checkpoint taken at seq {Seq} (block {BlockId}, {Why}) in {Milliseconds:F1} ms; finalised when "
            + "seq {Seq} is stable"
    )]
    public static partial void Taken(ILogger logger, ulong seq, ulong blockId, string why, double milliseconds);

    [LoggerMessage(
        EventId = 2015,
        Level = LogLevel.Information,
        Message = "DB checkpoint expected at seq {Seq}: the memtables flush ahead of it"
    )]
    public static partial void Prepared(ILogger logger, ulong seq);

    [LoggerMessage(
        EventId = 2011,
        Level = LogLevel.Warning,
        Message = "DB checkpoint at seq {Seq} skipped: {Reason} ({Detail})"
    )]
    public static partial void Skipped(ILogger logger, ulong seq, CheckpointSkipReason reason, string detail);

    [LoggerMessage(
        EventId = 2012,
        Level = LogLevel.Error,
        Message = "DB checkpoint at seq {Seq} failed and was removed: {Problem}"
    )]
    public static partial void Failed(ILogger logger, ulong seq, string problem);

    [LoggerMessage(
        EventId = 2013,
        Level = LogLevel.Information,
        Message = "DB checkpoint {Id} complete: seq {Seq}, state digest {StateDigest}, {SizeBytes} bytes "
            + "({ExclusiveBytes} its own), finalised in {Milliseconds:F1} ms"
    )]
    public static partial void Completed(
        ILogger logger,
        ulong id,
        ulong seq,
        Cairn.Core.Digest stateDigest,
        long sizeBytes,
        long exclusiveBytes,
        double milliseconds
    );

    [LoggerMessage(
        EventId = 2014,
        Level = LogLevel.Information,
        Message = "discarded DB checkpoint taken at seq {Seq}: seq {StableSeq} became stable first"
    )]
    public static partial void Discarded(ILogger logger, ulong seq, ulong stableSeq);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "deleted DB checkpoint {Id} ({Why})")]
    public static partial void Deleted(ILogger logger, ulong id, string why);

    [LoggerMessage(
        EventId = 2021,
        Level = LogLevel.Information,
        Message = "DB checkpoint {Id} is pinned by a reader: deleted when released ({Why})"
    )]
    public static partial void DeleteDeferred(ILogger logger, ulong id, string why);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Error, Message = "could not delete {Directory}: {Problem}")]
    public static partial void DeleteFailed(ILogger logger, string directory, string problem);

    [LoggerMessage(
        EventId = 2023,
        Level = LogLevel.Warning,
        Message = "free space {FreeBytes} bytes under {ThresholdBytes}: removing old DB checkpoints"
    )]
    public static partial void DiskLow(ILogger logger, long freeBytes, long thresholdBytes);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Error, Message = "DB checkpoint housekeeping failed: {Problem}")]
    public static partial void HousekeepingFailed(ILogger logger, string problem);
}
