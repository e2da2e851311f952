using System.Diagnostics.Metrics;

namespace Cairn.Backup;

/// <summary>The DB checkpoint metrics on the <c>Cairn.Backup</c> meter, exported at <c>/metrics</c>.</summary>
public sealed class BackupMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Cairn.Backup";

    private readonly TimeProvider _time;
    private readonly Counter<long> _created;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _createSeconds;
    private readonly Histogram<double> _finaliseSeconds;
    private long _count;
    private long _bytesHeld;
    private long _newestId = -1;
    private long _newestCreatedAtTicks = -1;

    public BackupMetrics(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Meter = new Meter(MeterName);
        _created = Meter.CreateCounter<long>(
            "db_checkpoints_created",
            description: "DB checkpoints completed (metadata written, renamed into place)."
        );
        _skipped = Meter.CreateCounter<long>(
            "db_checkpoints_skipped",
            description: "Due DB checkpoints not taken, by reason."
        );
        _failed = Meter.CreateCounter<long>(
            "db_checkpoints_failed",
            description: "DB checkpoints that failed and were removed, by stage."
        );
        _createSeconds = Meter.CreateHistogram<double>(
            "db_checkpoint_create_seconds",
            "s",
            "Time to take the RocksDB checkpoint at the boundary (on the consensus thread)."
        );
        _finaliseSeconds = Meter.CreateHistogram<double>(
            "db_checkpoint_finalise_seconds",
            "s",
            "Time to verify, digest, fsync and rename a checkpoint (background)."
        );
        Meter.CreateObservableGauge(
            "db_checkpoints",
            () => Interlocked.Read(ref _count),
            description: "Good DB checkpoints on disk."
        );
        Meter.CreateObservableGauge(
            "db_checkpoint_bytes_held",
            () => Interlocked.Read(ref _bytesHeld),
            "By",
            "Bytes only DB checkpoints hold (files the live database no longer links)."
        );
        Meter.CreateObservableGauge(
            "db_checkpoint_last_id",
            () => Interlocked.Read(ref _newestId),
            description: "Id of the newest good DB checkpoint (-1: none)."
        );
        Meter.CreateObservableGauge(
            "db_checkpoint_newest_age_seconds",
            ObserveAge,
            "s",
            "Age of the newest good DB checkpoint (consensus time of its block to now)."
        );
    }

    /// <summary>The meter, for exporters and tests.</summary>
    public Meter Meter { get; }

    internal void Created() => _created.Add(1);

    internal void Skipped(CheckpointSkipReason reason) =>
        _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));

    internal void Failed(string stage) => _failed.Add(1, new KeyValuePair<string, object?>("stage", stage));

    internal void CreateDuration(TimeSpan elapsed) => _createSeconds.Record(elapsed.TotalSeconds);

    internal void FinaliseDuration(TimeSpan elapsed) => _finaliseSeconds.Record(elapsed.TotalSeconds);

    internal void Inventory(int count, DbCheckpointInfo? newest)
    {
        Interlocked.Exchange(ref _count, count);
        Interlocked.Exchange(ref _newestId, newest is null ? -1 : (long)newest.Id.Value);
        Interlocked.Exchange(ref _newestCreatedAtTicks, newest is null ? -1 : newest.Metadata.CreatedAt.UtcTicks);
    }

    internal void BytesHeld(long bytes) => Interlocked.Exchange(ref _bytesHeld, bytes);

    private IEnumerable<Measurement<double>> ObserveAge()
    {
        var ticks = Interlocked.Read(ref _newestCreatedAtTicks);
        if (ticks >= 0)
        {
            yield return new Measurement<double>(
                (_time.GetUtcNow().UtcTicks - ticks) / (double)TimeSpan.TicksPerSecond
            );
        }
    }

    public void Dispose() => Meter.Dispose();
}
