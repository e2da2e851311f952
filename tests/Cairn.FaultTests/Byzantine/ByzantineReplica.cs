using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.FaultTests.Cluster;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cairn.FaultTests.Byzantine;

/// <summary>
/// A lying replica, run by the test in place of a real one and holding that replica's real private key, so every
/// message it sends is validly signed. It follows the honest replicas' progress (their admin status) and, for the
/// sequence numbers just ahead of them, sends each peer a different PREPARE and COMMIT digest (equivocation), sends
/// CHECKPOINT messages with wrong state digests for the boundaries around them, claims in its STATUS a view and
/// sequence numbers far ahead, and now and then asks for a view change on its own with a forged stable certificate.
/// The honest replicas must keep agreeing, and none of its checkpoint messages may enter a certificate. Its streams go
/// through the cluster's proxies like the real replica's would.
/// </summary>
internal sealed class ByzantineReplica(FaultCluster cluster, int self, int checkpointWindow, Random random)
{
    /// <summary>Messages sent so far.</summary>
    public int Sent { get; private set; }

    /// <summary>Times a peer closed the stream and it was opened again.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Lies until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var key = KeyFiles.LoadSigningKey(cluster.Layout.ReplicaPrivateKey(self));
        var peers = Enumerable.Range(0, cluster.Replicas).Where(r => r != self).ToArray();
        // It holds the replica's TLS identity too: peers accept its streams as that replica's.
        using var identity = TlsCertificateFiles.LoadIdentity(
            cluster.Layout.ReplicaTlsCertificate(self),
            cluster.Layout.ReplicaTlsKey(self),
            passphrase: null
        );
        var pins = ReplicaCertificatePins.Load(cluster.Direct.Replicas);
        var channels = peers
            .Select(p =>
                GrpcChannel.ForAddress(
                    $"https://127.0.0.1:{cluster.Network.LinkPort(self, p)}",
                    new GrpcChannelOptions
                    {
                        HttpHandler = ReplicaTls.Handler(pins.Fingerprint(new ReplicaId(p)), identity),
                        DisposeHttpClient = true,
                    }
                )
            )
            .ToArray();
        var streams = channels
            .Select(c => new ReplicaTransport.ReplicaTransportClient(c).Stream(cancellationToken: stop))
            .ToArray();
        var sender = new ReplicaId(self);
        var round = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var statuses = await cluster.StatusesAsync();
                var honest = statuses.Where((s, i) => i != self && s is not null).ToList();
                if (honest.Count > 0)
                {
                    var view = new ViewNum(honest.Max(s => s!.View));
                    var executed = honest.Max(s => s!.LastExecutedSeq);
                    var boundary = executed / (ulong)checkpointWindow * (ulong)checkpointWindow;
                    for (var i = 0; i < peers.Length; i++)
                    {
                        var messages = new List<ConsensusMessage>();
                        for (var seq = executed + 1; seq <= executed + 3; seq++)
                        {
                            messages.Add(new Prepare(view, new SeqNum(seq), RandomDigest(), sender));
                            messages.Add(new Commit(view, new SeqNum(seq), RandomDigest(), sender));
                        }

                        foreach (
                            var checkpoint in new[] { boundary, boundary + (ulong)checkpointWindow }.Where(b => b > 0)
                        )
                        {
                            messages.Add(new CheckpointMessage(new SeqNum(checkpoint), RandomDigest(), sender));
                        }

                        // Where it claims the cluster is: 1,000 views and a million sequence numbers ahead.
                        messages.Add(
                            new StatusMessage(
                                new ViewNum(view.Value + 1000),
                                true,
                                new SeqNum(boundary + 1_000_000),
                                new SeqNum(executed + 1_000_000),
                                sender
                            )
                        );
                        if (round % 20 == 0)
                        {
                            // A forged stable certificate: a checkpoint far ahead that nobody signed.
                            var forged = new StableCheckpointCertificate(
                                new SeqNum(boundary + (100 * (ulong)checkpointWindow)),
                                RandomDigest(),
                                []
                            );
                            messages.Add(new ViewChange(new ViewNum(view.Value + 1), forged, [], sender));
                        }

                        try
                        {
                            foreach (var message in messages)
                            {
                                await streams[i]
                                    .RequestStream.WriteAsync(
                                        new PeerEnvelope
                                        {
                                            FromReplica = self,
                                            Messages = { ByteString.CopyFrom(message.SignWith(key).Encode()) },
                                        },
                                        stop
                                    );
                                Sent++;
                            }
                        }
                        catch (RpcException) when (!stop.IsCancellationRequested)
                        {
                            // The peer dropped the stream: lie again on a new one.
                            streams[i].Dispose();
                            streams[i] = new ReplicaTransport.ReplicaTransportClient(channels[i]).Stream(
                                cancellationToken: stop
                            );
                            Reconnects++;
                        }
                    }
                }

                round++;
                await Task.Delay(100, stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && stop.IsCancellationRequested)
        {
            // Told to stop.
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }

            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    private Digest RandomDigest()
    {
        var bytes = new byte[Digest.Size];
        random.NextBytes(bytes);
        return Digest.FromBytes(bytes);
    }
}
