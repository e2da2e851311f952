using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.FaultTests.Cluster;
using Cairn.Protocol.Transport;

namespace Cairn.FaultTests.Byzantine;

/// <summary>
/// A lying replica, run by the test in place of a real one and holding that replica's real private key, so every
/// message it sends is validly signed. It follows the honest replicas' progress (their admin status) and, for the
/// sequence numbers just ahead of them, sends each peer a different PREPARE and COMMIT digest (equivocation), sends
/// CHECKPOINT messages with wrong state digests for the boundaries around them, claims in its STATUS a view and
/// sequence numbers far ahead, and now and then asks for a view change on its own with a forged stable certificate. The
/// honest replicas must keep agreeing, and none of its checkpoint messages may enter a certificate. Its connections go
/// through the cluster's proxies like the real replica's would.
/// </summary>
internal sealed class ByzantineReplica(FaultCluster cluster, int self, int checkpointWindow, Random random)
{
    /// <summary>Messages sent so far.</summary>
    public int Sent { get; private set; }

    /// <summary>Times a peer's connection failed and was dropped, to be opened again.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Lies until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var key = KeyFiles.LoadSigningKey(cluster.Layout.ReplicaPrivateKey(self));
        var peers = Enumerable.Range(0, cluster.Replicas).Where(r => r != self).ToArray();
        // It holds the replica's TLS identity too: peers accept its connections as that replica's.
        using var identity = TlsCertificateFiles.LoadIdentity(
            cluster.Layout.ReplicaTlsCertificate(self),
            cluster.Layout.ReplicaTlsKey(self),
            passphrase: null
        );
        var pins = ReplicaCertificatePins.Load(cluster.Direct.Replicas);
        var links = new PeerLink?[peers.Length];
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
                            messages.Add(
                                new Commit(
                                    view,
                                    new SeqNum(seq),
                                    RandomDigest(),
                                    ConsensusGeneration.Genesis.Domain,
                                    sender
                                )
                            );
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

                        if (links[i] is { Closed.IsCompleted: true } closed)
                        {
                            // The peer closed it (a restart, or the proxy cut it): lie again on a new one.
                            await closed.DisposeAsync();
                            links[i] = null;
                            Reconnects++;
                        }

                        try
                        {
                            links[i] ??= await PeerLink.ConnectAsync(
                                "127.0.0.1",
                                cluster.Network.LinkPort(self, peers[i]),
                                pins.Fingerprint(new ReplicaId(peers[i])),
                                identity,
                                stop
                            );
                            foreach (var message in messages)
                            {
                                await links[i]!.WriteAsync(Frames.Encode(Signed(message, key).Encode()), stop);
                                Sent++;
                            }
                        }
                        catch (IOException) when (!stop.IsCancellationRequested)
                        {
                            // The peer or its link dropped the connection: lie again on a new one.
                            if (links[i] is { } dropped)
                            {
                                await dropped.DisposeAsync();
                                links[i] = null;
                                Reconnects++;
                            }
                        }
                    }
                }

                round++;
                await Task.Delay(100, stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && stop.IsCancellationRequested)
        {
            // Told to stop.
        }
        finally
        {
            foreach (var link in links)
            {
                if (link is not null)
                {
                    await link.DisposeAsync();
                }
            }
        }
    }

    // A COMMIT travels unsigned: the replica's TLS identity, which it holds, is what peers take it on.
    private static ConsensusMessage Signed(ConsensusMessage message, SigningKey key) =>
        message.TravelsUnsigned ? message : message.SignWith(key);

    private Digest RandomDigest()
    {
        var bytes = new byte[Digest.Size];
        random.NextBytes(bytes);
        return Digest.FromBytes(bytes);
    }
}
