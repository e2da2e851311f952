using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Core.Crypto;
using Cairn.Ledger;
using Cairn.Node.Configuration;
using Cairn.Node.Observability;
using Cairn.Node.Services;
using Cairn.Operator;
using Cairn.Protocol.Kv;
using Cairn.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Cairn.Node.Hosting;

/// <summary>
/// A replica process: opens the ledger, loads the keys, starts Kestrel (on the replica port, TLS: consensus messages
/// from peers in their own frames, gRPC for state transfer, clients and operators; plain HTTP <c>/metrics</c> and
/// <c>/health</c> on the metrics port) and runs consensus until stopped (SIGTERM, Ctrl+C, or the cancellation token
/// given to <see cref="RunAsync"/>).
/// </summary>
public static class ReplicaServer
{
    /// <summary>How far an operator command's issue time may be from the replica's time (clock skew plus
    /// transit).</summary>
    public static readonly TimeSpan OperatorCommandWindow = TimeSpan.FromMinutes(5);

    /// <summary>How often free space on the checkpoint file system is checked.</summary>
    public static readonly TimeSpan DiskMonitorInterval = TimeSpan.FromSeconds(30);

    /// <summary>gRPC's own receive limit, 4 MiB: the least a replica takes, so that a request over max_request_size
    /// still reaches the client API and is refused with its reason.</summary>
    private const int GrpcDefaultReceiveBytes = 4 << 20;

    /// <summary>How long a stopping replica waits for open calls (peer connections, client streams) to end.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How often the consensus clock ticks when no input arrives (every group of inputs also brings the time:
    /// see <see cref="ReplicaHost.RunAsync"/>). An idle replica wakes this often: shorter costs idle CPU in thread-pool
    /// wake-ups, longer delays a due timer on an idle replica by up to this much.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs the replica described by <paramref name="config"/> until it is stopped.</summary>
    /// <exception cref="KeyFileException">When a key file is missing or not an Ed25519 PEM, or the private key is
    /// encrypted and its passphrase is missing or wrong; when a replica's TLS certificate is missing or not a PEM
    /// certificate, or <c>replica_tls_key</c> is not this replica's certificate's key.</exception>
    /// <exception cref="LedgerException">When the database cannot be opened or belongs to another chain.</exception>
    /// <exception cref="NodeStartException">When a port is in use or the keys do not match the config.</exception>
    /// <exception cref="ReplicaFailedException">When the replica, once started, stopped on an error.</exception>
    public static async Task RunAsync(DeploymentConfig config, CancellationToken cancellationToken)
    {
        var passphrase = KeyPassphrase.FromFileOrEnvironment(config.KeyPassphrasePath);
        using var signingKey = KeyFiles.LoadSigningKey(config.PrivateKeyPath, passphrase);
        var pins = ReplicaCertificatePins.Load(config.Replicas);
        using var tlsIdentity = TlsCertificateFiles.LoadIdentity(
            config.Self.TlsCertificatePath,
            config.TlsPrivateKeyPath,
            passphrase
        );
        var options = ConsensusOptions(config, signingKey);
        // A restore that committed but was interrupted is finished before the database is opened (docs/design.md).
        ReplicaRestore.RecoverInterrupted(config.DataDir, config.RocksDbPath);
        var pendingDiscard = LoadPendingDiscard(config);
        // Unsynced appends: the host syncs once per group of inputs before it sends anything (group commit). Each
        // replica flushes at its own log size, so they do not all pause for it at the same block.
        using var ledger = RocksDbLedger.Open(
            config.RocksDbPath,
            new LedgerOptions(
                config.ChainId,
                Durability.Unsynced,
                FlushStagger: LedgerOptions.StaggerOf(config.ReplicaId.Value, config.Replicas.Count)
            )
        );
        // prometheus-net would start listening to the meters at the first scrape and miss everything recorded before
        // it: listen from the start instead, to the meters the replica exports.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        using var meterListener = MeterExport.StartListening();
        var metrics = new ReplicaMetrics();

        // No appsettings.json reload: its watcher would follow every file RocksDB writes under the working
        // directory, and the replica reads no appsettings anyway (its config is deployment.config).
        var builder = WebApplication.CreateSlimBuilder(
            new WebApplicationOptions
            {
                ContentRootPath = AppContext.BaseDirectory,
                Args = ["--hostBuilder:reloadConfigOnChange=false"],
            }
        );
        // Peers and clients keep their connections open: stop without waiting the default 30 s for them to end.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.Logging.AddReplicaConsole();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        var self = config.Self;
        // The address its config names (a host name: every address it resolves to), so peers on other hosts reach it.
        IPAddress[] addresses = IPAddress.TryParse(self.Host, out var ip) ? [ip] : Dns.GetHostAddresses(self.Host);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in addresses)
            {
                kestrel.Listen(
                    address,
                    self.Port,
                    listen =>
                    {
                        listen.Protocols = HttpProtocols.Http2;
                        listen.UseHttps(ReplicaPortTls(tlsIdentity, pins));
                        // Peers' consensus messages and clients' sessions take their own protocols on the same port:
                        // see PeerFrameListener and ClientSessionListener.
                        listen.Use(next =>
                        {
                            var peerFrames = listen.ApplicationServices.GetRequiredService<PeerFrameListener>();
                            return connection => peerFrames.ServeOrPassAsync(connection, next);
                        });
                        listen.Use(next =>
                        {
                            var sessions = listen.ApplicationServices.GetRequiredService<ClientSessionListener>();
                            return connection => sessions.ServeOrPassAsync(connection, next);
                        });
                    }
                );
                // Plain HTTP/1 on purpose: it serves counters and liveness only, never ledger data.
                if (config.MetricsPort > 0)
                {
                    kestrel.Listen(address, config.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
                }
            }
        });
        // gRPC takes client requests too large for a session connection, up to well over max_request_size (at least
        // gRPC's default 4 MiB), so the client API can refuse an oversized one with its reason. Consensus messages and
        // session connections do not travel on gRPC (PeerFrameListener, ClientSessionListener).
        var maxMessageBytes = MessageBounds.MaxMessageBytes(options);
        builder.Services.AddGrpc(grpc =>
            grpc.MaxReceiveMessageSize = (int)Math.Max(2L * config.MaxRequestSize, GrpcDefaultReceiveBytes)
        );

        using var loggerFactory = LoggerFactory.Create(l => l.AddReplicaConsole());
        var logger = loggerFactory.CreateLogger(
            string.Create(CultureInfo.InvariantCulture, $"replica-{config.ReplicaId.Value}")
        );
        await using var peers = new PeerConnections(
            config.ReplicaId,
            config.Replicas,
            pins,
            tlsIdentity,
            maxMessageBytes,
            metrics,
            logger
        );
        var operatorVerifier = new OperatorCommandVerifier(
            KeyFiles.LoadVerificationKey(config.OperatorPublicKeyPath),
            config.ChainId,
            OperatorCommandWindow
        );
        using var backupMetrics = new BackupMetrics(TimeProvider.System);
        await using var checkpoints = new DbCheckpointManager(
            config.DbCheckpoints,
            ledger,
            config.ChainId,
            new FileSystemFreeSpace(),
            TimeProvider.System,
            logger,
            backupMetrics
        );
        try
        {
            checkpoints.Recover();
        }
        catch (DbCheckpointException e)
        {
            throw new NodeStartException($"{config.SourcePath}: {e.Message}", e);
        }

        ReplicaHost host;
        try
        {
            host = new ReplicaHost(
                options,
                ledger,
                peers,
                new BlockTransfer(
                    new StateFetcher(config.Replicas, pins, tlsIdentity),
                    BlockTransfer.DefaultSegmentBytes,
                    options.MaxViewChangeTimeout
                ),
                operatorVerifier,
                checkpoints,
                TimeProvider.System,
                logger,
                metrics
            );
        }
        catch (ConsensusInvariantException e)
        {
            // A ledger that does not hold its consensus generation's base (a restore of every replica gone wrong).
            throw new NodeStartException($"{config.SourcePath}: {e.Message}", e);
        }

        builder
            .Services.AddSingleton(host)
            .AddSingleton(config)
            .AddSingleton(pins)
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new PeerFrameListener(host, pins, maxMessageBytes, logger))
            .AddSingleton<ClientSessionListener>()
            .AddSingleton<ILedgerReader>(ledger)
            .AddSingleton(
                new OperatorQueries(host, ledger, checkpoints, operatorVerifier, signingKey, TimeProvider.System)
            );

        await using var app = builder.Build();
        app.MapGrpcService<ReplicaTransportService>();
        app.MapGrpcService<ClientApiService>();
        app.MapGrpcService<AdminApiService>();
        if (config.MetricsPort > 0)
        {
            var metricsHost = string.Create(CultureInfo.InvariantCulture, $"*:{config.MetricsPort}");
            app.MapGet(
                    "/health",
                    () =>
                        Results.Json(
                            new
                            {
                                status = "ok",
                                replica = config.ReplicaId.Value,
                                pid = Environment.ProcessId,
                                lastExecutedSeq = host.Status.LastExecuted.Value,
                            }
                        )
                )
                .RequireHost(metricsHost);
            app.MapMetrics("/metrics").RequireHost(metricsHost);
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while starting: nothing ran yet; the ledger and the checkpoint manager close on the way out.
            return;
        }
        catch (IOException e)
        {
            throw new NodeStartException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{config.SourcePath}: replica {config.ReplicaId.Value} cannot listen on {self.Host}:{self.Port} "
                        + $"or metrics port {config.MetricsPort} ({e.Message})"
                ),
                e
            );
        }

        NodeLog.Started(
            logger,
            config.ReplicaId.Value,
            config.ChainId,
            ledger.Head.LastBlockId.Value,
            host.Generation,
            self.Host,
            self.Port
        );
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            app.Lifetime.ApplicationStopping
        );
        var diskMonitor = MonitorDiskSpaceAsync(checkpoints, stopping.Token);
        var discard = pendingDiscard is null
            ? Task.CompletedTask
            : DiscardOldDatabasesAsync(host, pendingDiscard, config.DataDir, logger, stopping.Token);
        Exception? failure = null;
        try
        {
            await host.RunAsync(TickInterval, stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e;
            await stopping.CancelAsync().ConfigureAwait(false);
        }

        await diskMonitor.ConfigureAwait(false);
        await discard.ConfigureAwait(false);
        if (failure is null)
        {
            NodeLog.Stopping(logger);
        }
        else
        {
            NodeLog.Failed(logger, failure.Message);
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        // On the way out the checkpoint manager finishes the finalisation under way (queued ones stay *.tmp for the
        // next
        // start to delete) and then RocksDB closes: a stop never leaves a half-written checkpoint listed.
        if (failure is not null)
        {
            throw new ReplicaFailedException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"replica {config.ReplicaId.Value} stopped on an error: {failure.Message}"
                ),
                failure
            );
        }
    }

    /// <summary>The replica port's TLS: this replica's certificate, and a client certificate asked for but not
    /// required. A presented one must be a replica's pinned certificate or the handshake fails; without one the
    /// connection reaches the client and admin APIs only (<see cref="ReplicaTransportService"/> and
    /// <see cref="PeerFrameListener"/> refuse it). ALPN offers HTTP/2, the peers' <see cref="Frames.PeerAlpn"/> and the
    /// clients' <see cref="Frames.ClientAlpn"/>.
    /// </summary>
    private static HttpsConnectionAdapterOptions ReplicaPortTls(
        X509Certificate2 identity,
        ReplicaCertificatePins pins
    ) =>
        new()
        {
            ServerCertificate = identity,
            SslProtocols = ReplicaTls.Protocols,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (certificate, _, _) => pins.ReplicaOf(certificate) is not null,
            CheckCertificateRevocation = false,
            OnAuthenticate = (_, tls) =>
            {
                tls.ApplicationProtocols?.Add(Frames.PeerAlpn);
                tls.ApplicationProtocols?.Add(Frames.ClientAlpn);
            },
        };

    private static PendingDiscard? LoadPendingDiscard(DeploymentConfig config)
    {
        try
        {
            return PendingDiscard.Load(config.DataDir);
        }
        catch (DbCheckpointException e)
        {
            throw new NodeStartException($"{config.SourcePath}: {e.Message}", e);
        }
    }

    /// <summary><c>cairn restore --discard-old</c>: the old database goes only once the restored replica has started
    /// and
    /// caught up to its peers' stable checkpoint, so a restore that turns out wrong can still be undone until
    /// then.</summary>
    private static async Task DiscardOldDatabasesAsync(
        ReplicaHost host,
        PendingDiscard pending,
        string dataDirectory,
        ILogger logger,
        CancellationToken cancellationToken
    )
    {
        var databases = string.Join(", ", pending.Databases);
        NodeLog.OldDatabasePending(logger, databases, pending.RestoredSeq);
        try
        {
            var stable = await host.WhenStableAtAsync(new Cairn.Core.SeqNum(pending.RestoredSeq), cancellationToken)
                .ConfigureAwait(false);
            await Task.Run(() => pending.Complete(dataDirectory), cancellationToken).ConfigureAwait(false);
            NodeLog.OldDatabaseDiscarded(logger, stable.Value, databases);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NodeLog.OldDatabaseDiscardFailed(logger, databases, e.Message);
        }
    }

    /// <summary>The disk guard's second half: while free space stays under the threshold, the oldest checkpoints go;
    /// and checkpoints retention kept for an exporter in another process go once it released its pin.</summary>
    private static async Task MonitorDiskSpaceAsync(
        DbCheckpointManager checkpoints,
        CancellationToken cancellationToken
    )
    {
        using var timer = new PeriodicTimer(DiskMonitorInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await checkpoints.EnforceDiskSpaceAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    /// <summary>The consensus options the config implies, with every key checked against what the config
    /// names.</summary>
    /// <exception cref="NodeStartException">When this replica's private key is not the public key the config lists for
    /// it.</exception>
    public static ReplicaOptions ConsensusOptions(DeploymentConfig config, SigningKey signingKey)
    {
        var replicaKeys = config.Replicas.Select(r => KeyFiles.LoadVerificationKey(r.PublicKeyPath)).ToList();
        if (!replicaKeys[config.ReplicaId.Value].Equals(signingKey.PublicKey))
        {
            throw new NodeStartException(
                $"{config.SourcePath}: replica_private_key {config.PrivateKeyPath} does not match the public key "
                    + $"listed for replica {config.ReplicaId} ({config.Self.PublicKeyPath})"
            );
        }

        var principals = new List<VerificationKey> { KeyFiles.LoadVerificationKey(config.OperatorPublicKeyPath) };
        principals.AddRange(config.ClientPublicKeyPaths.Select(KeyFiles.LoadVerificationKey));
        var clientKeys = new Dictionary<ulong, VerificationKey>();
        for (var index = 0; index < principals.Count; index++)
        {
            for (var session = 0; session < ClientIdentity.SessionsPerKey; session++)
            {
                clientKeys[ClientIdentity.ClientId(index, session)] = principals[index];
            }
        }

        var options = new ReplicaOptions
        {
            Id = config.ReplicaId,
            F = config.F,
            SigningKey = signingKey,
            ReplicaKeys = replicaKeys,
            ClientKeys = clientKeys,
            CheckpointWindowSize = config.CheckpointWindowSize,
            MaxBatchSize = config.MaxRequestsInBatch,
            MaxBatchBytes = config.MaxBatchBytes,
            BatchTimeout = TimeSpan.FromMilliseconds(config.BatchFlushPeriodMs),
            ConcurrencyLevel = config.ConcurrencyLevel,
            ViewChangeTimeout = TimeSpan.FromMilliseconds(config.ViewChangeTimeoutMs),
        };
        options.Validate();
        return options;
    }
}
