using System.Globalization;
using System.Text;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cairn.Backup.Tests;

/// <summary>
/// One replica's ledger and checkpoint manager in a temp directory. Seq n produces block n with consensus time
/// <see cref="TimeOf"/>(n) (a minute per seq); boundaries every <see cref="BoundaryEvery"/> seqs.
/// Default policy: more than 600 s and at least 20 seqs, so boundaries 20, 40, 60, … are due.
/// </summary>
internal sealed class BackupHarness : IAsyncDisposable
{
    public const ulong BoundaryEvery = 10;
    public const string ChainId = "backup-test-chain";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory? _ownedDir;

    public BackupHarness(DbCheckpointSettings? settings = null, string? root = null, IFreeSpace? freeSpace = null)
    {
        if (root is null)
        {
            _ownedDir = new TempDirectory();
            root = _ownedDir.Path;
        }

        Root = root;
        Settings = (settings ?? DefaultSettings) with { Path = System.IO.Path.Combine(root, "checkpoints") };
        FreeSpace = freeSpace ?? Free;
        Ledger = RocksDbLedger.Open(System.IO.Path.Combine(root, "rocksdbdata"), new LedgerOptions(ChainId));
        Metrics = new BackupMetrics(Time);
        Recorder = new MetricsRecorder(Metrics.Meter);
        Manager = NewManager();
        try
        {
            Manager.Recover();
        }
        catch
        {
            Manager.Dispose();
            Recorder.Dispose();
            Metrics.Dispose();
            Ledger.Dispose();
            _ownedDir?.Dispose();
            throw;
        }
    }

    public static DbCheckpointSettings DefaultSettings { get; } =
        new()
        {
            DurationSeconds = 600,
            Window = 20,
            MaxCheckpoints = 2,
            DiskSpaceThreshold = 0.5,
        };

    public string Root { get; }

    public DbCheckpointSettings Settings { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeFreeSpace Free { get; } = new();

    public IFreeSpace FreeSpace { get; }

    public RocksDbLedger Ledger { get; }

    public BackupMetrics Metrics { get; }

    public MetricsRecorder Recorder { get; }

    public DbCheckpointManager Manager { get; private set; }

    public string CheckpointDir => Settings.Path;

    /// <summary>Value bytes per block (random, incompressible) when a test wants real disk use.</summary>
    public int ValueSize { get; set; }

    /// <summary>The epoch the boundaries are executed in.</summary>
    public ulong Epoch { get; set; }

    /// <summary>Flush the memtables before each boundary, so checkpoints link SST files rather than copy the
    /// WAL.</summary>
    public bool FlushBeforeBoundaries { get; set; }

    public static DateTimeOffset TimeOf(ulong seq) => Start.AddMinutes(seq);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The replicated checkpoint mark the executor keeps in the state (here, beside the manager, which never
    /// sees it): moved at every boundary where a checkpoint is decided, whatever the manager then does.</summary>
    public CheckpointMark Mark { get; private set; } = CheckpointMark.None;

    /// <summary>An operator ordered a checkpoint at the next boundary (what <c>dbCheckpoint create</c> writes into the
    /// state).</summary>
    public void OrderCheckpoint() => _ordered = true;

    private bool _ordered;

    /// <summary>Appends blocks up to <paramref name="seq"/>; at every boundary, decides as the executor does and, where
    /// a checkpoint is decided, calls the manager right after the boundary block. Returns the outcome at each boundary
    /// where one was decided.</summary>
    public Dictionary<ulong, BoundaryOutcome> RunTo(ulong seq)
    {
        var outcomes = new Dictionary<ulong, BoundaryOutcome>();
        for (var s = Ledger.Head.LastSeqNum.Value + 1; s <= seq; s++)
        {
            var text = s.ToString(CultureInfo.InvariantCulture);
            var writes = new List<StateWrite>
            {
                StateWrite.Put(Bytes("key-" + text), Bytes("value-" + text)),
                StateWrite.Put(Bytes("last"), Bytes(text)),
            };
            if (ValueSize > 0)
            {
                var random = new byte[ValueSize];
                new Random((int)s).NextBytes(random);
                writes.Add(StateWrite.Put(Bytes("blob-" + text), random));
            }

            Ledger.Append(new BlockProposal(new SeqNum(s), TimeOf(s), writes));
            if (s % BoundaryEvery == 0)
            {
                if (FlushBeforeBoundaries)
                {
                    Ledger.Flush();
                }

                if (CheckpointPolicy.Decide(Settings, Mark, new SeqNum(s), TimeOf(s), _ordered) is { } mark)
                {
                    outcomes[s] = Manager.TakeAtBoundary(new SeqNum(s), TimeOf(s), Epoch, _ordered);
                    (Mark, _ordered) = (mark, false);
                }
            }
        }

        return outcomes;
    }

    /// <summary>The certificate of <paramref name="seq"/> over the ledger's block at that seq.</summary>
    public StableCheckpointCertificate Certify(ulong seq) =>
        Certificates.For(new SeqNum(seq), Ledger.GetBlock(new BlockId(seq))!.Digest);

    /// <summary>Seq becomes stable; waits for the background work.</summary>
    public async Task<bool> StableAsync(ulong seq)
    {
        var queued = Manager.OnStable(new SeqNum(seq), Certify(seq));
        await Manager.WhenIdleAsync(TestContext.Current.CancellationToken);
        return queued;
    }

    /// <summary>Runs to <paramref name="seq"/> making every boundary stable right away.</summary>
    public async Task RunStableTo(ulong seq)
    {
        for (var s = Ledger.Head.LastSeqNum.Value + 1; s <= seq; s++)
        {
            RunTo(s);
            if (s % BoundaryEvery == 0)
            {
                await StableAsync(s);
            }
        }
    }

    /// <summary>Stops the manager (as a replica process would) and starts a new one on the same directories.</summary>
    public async Task RestartAsync()
    {
        await Manager.DisposeAsync();
        Manager = NewManager();
        Manager.Recover();
    }

    public string[] CheckpointEntries() =>
        Directory.Exists(CheckpointDir)
            ?
            [
                .. Directory
                    .EnumerateFileSystemEntries(CheckpointDir)
                    .Select(System.IO.Path.GetFileName)
                    .Where(n => n != DbCheckpointFilePin.DirectoryName)
                    .Order(StringComparer.Ordinal)!,
            ]
            : [];

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        Recorder.Dispose();
        Metrics.Dispose();
        Ledger.Dispose();
        _ownedDir?.Dispose();
    }

    private DbCheckpointManager NewManager() =>
        new(Settings, Ledger, ChainId, FreeSpace, Time, NullLogger.Instance, Metrics);
}
