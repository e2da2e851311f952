using BenchmarkDotNet.Attributes;
using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Benchmarks;

/// <summary>
/// Client requests ordered per second by one replica state machine (the primary of a 4-replica cluster), signature
/// checks included: client requests, the backups' PREPAREs and COMMITs, and the primary's own signing. The backups'
/// votes are recorded once in setup, so each iteration replays identical inputs into a fresh replica.
/// </summary>
[MemoryDiagnoser]
public class ReplicaBenchmarks
{
    private const int Requests = 1024;

    /// <summary>Client requests ordered per benchmark invocation.</summary>
    public const int RequestsPerRound = Requests;
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private ReplicaOptions _options = null!;
    private List<ConsensusInput> _inputs = null!;

    [Params(1, 64)]
    public int BatchSize { get; set; }

    /// <summary>True: the host checked client signatures on its own threads
    /// (ClientRequestReceived.SignatureVerified).</summary>
    [Params(false, true)]
    public bool HostVerifiesClients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var keys = Enumerable.Range(0, 4).Select(i => Key(1, i)).ToArray();
        var clients = Enumerable.Range(1, Requests).ToDictionary(i => (ulong)i, i => Key(2, i));
        _options = new ReplicaOptions
        {
            Id = new ReplicaId(0),
            F = 1,
            SigningKey = keys[0],
            ReplicaKeys = [.. keys.Select(k => k.PublicKey)],
            ClientKeys = clients.ToDictionary(c => c.Key, c => c.Value.PublicKey),
            // No CHECKPOINT votes are recorded, so keep every request inside the window.
            CheckpointWindowSize = Requests,
            MaxBatchSize = BatchSize,
        };

        // Record: requests in, pre-prepares out; answer each with the backups' signed votes.
        var recorder = new Replica(_options);
        recorder.Handle(new Tick(Now));
        _inputs = [new Tick(Now)];
        var requests = clients
            .Select(c => ClientRequest.Create(c.Key, 1, RequestFlags.None, "put key value"u8, c.Value))
            .ToList();
        foreach (var request in requests)
        {
            _inputs.Add(new ClientRequestReceived(request, HostVerifiesClients));
        }

        var queue = new Queue<ConsensusInput>(_inputs.Skip(1));
        _inputs = [new Tick(Now)];
        var digest = Digest.Zero;
        while (queue.Count > 0)
        {
            var input = queue.Dequeue();
            _inputs.Add(input);
            foreach (var output in recorder.Handle(input))
            {
                switch (output)
                {
                    case Broadcast { Message: PrePrepare pp }:
                        foreach (var backup in new[] { 1, 2 })
                        {
                            queue.Enqueue(
                                new MessageReceived(
                                    new ReplicaId(backup),
                                    new Prepare(pp.View, pp.Seq, pp.Digest, new ReplicaId(backup)).SignWith(
                                        keys[backup]
                                    )
                                )
                            );
                        }

                        foreach (var backup in new[] { 1, 2 })
                        {
                            queue.Enqueue(
                                new MessageReceived(
                                    new ReplicaId(backup),
                                    new Commit(
                                        pp.View,
                                        pp.Seq,
                                        pp.Digest,
                                        ConsensusGeneration.Genesis.Domain,
                                        new ReplicaId(backup)
                                    )
                                )
                            );
                        }

                        break;
                    case Execute execute:
                        digest = Digest.Compute(digest.ToArray().Concat(execute.Batch.Encoded.ToArray()).ToArray());
                        queue.Enqueue(
                            new BatchExecuted(
                                execute.Seq,
                                digest,
                                [.. execute.Requests.Select(r => ClientReply.Create(r.ClientId, r.RequestId, "ok"u8))]
                            )
                        );
                        break;
                }
            }

            if (queue.Count == 0 && recorder.PendingRequestCount > 0)
            {
                queue.Enqueue(new Tick(Now + TimeSpan.FromSeconds(1)));
            }
        }

        if (recorder.LastExecuted.Value == 0 || recorder.PendingRequestCount != 0)
        {
            throw new InvalidOperationException("the recording run did not order every request");
        }
    }

    /// <summary>Orders <see cref="Requests"/> client requests; divide by the time for requests per second.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public ulong OrderRequestsAtThePrimary()
    {
        var replica = new Replica(_options);
        foreach (var input in _inputs)
        {
            replica.Handle(input);
        }

        return replica.LastExecuted.Value;
    }

    private static SigningKey Key(byte kind, int index)
    {
        var seed = new byte[32];
        seed[0] = kind;
        seed[1] = (byte)index;
        seed[2] = (byte)(index >> 8);
        return SigningKey.FromSeed(seed);
    }
}
