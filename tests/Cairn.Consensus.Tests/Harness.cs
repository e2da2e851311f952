using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Tests;

/// <summary>
/// A tiny synchronous cluster for unit tests: FIFO delivery, no randomness, execution answered at once with a
/// hash-chain digest. Tests drop or rewrite messages with <see cref="Filter"/> and take replicas down with <see
/// cref="Down"/>.
/// </summary>
internal sealed class Harness
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Queue<(int From, int To, ConsensusMessage Message)> _network = new();

    public Harness(int f = 1, Func<ReplicaOptions, ReplicaOptions>? configure = null, int clients = 3)
    {
        F = f;
        N = (3 * f) + 1;
        ReplicaKeys = [.. Enumerable.Range(0, N).Select(i => ReplicaKey(i).PublicKey)];
        ClientKeys = Enumerable.Range(1, clients).ToDictionary(i => (ulong)i, i => ClientKey((ulong)i).PublicKey);
        Options =
        [
            .. Enumerable
                .Range(0, N)
                .Select(i =>
                {
                    var options = new ReplicaOptions
                    {
                        Id = new ReplicaId(i),
                        F = f,
                        SigningKey = ReplicaKey(i),
                        ReplicaKeys = ReplicaKeys,
                        ClientKeys = ClientKeys,
                        CheckpointWindowSize = 4,
                        MaxBatchSize = 8,
                        BatchTimeout = TimeSpan.FromMilliseconds(10),
                        ViewChangeTimeout = TimeSpan.FromSeconds(1),
                        MaxViewChangeTimeout = TimeSpan.FromSeconds(16),
                        StatusInterval = TimeSpan.FromMilliseconds(200),
                    };
                    return configure is null ? options : configure(options);
                }),
        ];
        Replicas = [.. Options.Select(o => new Replica(o))];
        Outputs = [.. Enumerable.Range(0, N).Select(_ => new List<ConsensusOutput>())];
        Digests = [.. Enumerable.Range(0, N).Select(_ => Digest.Zero)];
        Executed = [.. Enumerable.Range(0, N).Select(_ => new List<Execute>())];
        Persisted = [.. Enumerable.Range(0, N).Select(_ => new List<PersistentRecord>())];
        Now = Start;
        TickAll();
        Flush();
    }

    public int F { get; }

    public int N { get; }

    public DateTimeOffset Now { get; private set; }

    public IReadOnlyList<VerificationKey> ReplicaKeys { get; }

    public IReadOnlyDictionary<ulong, VerificationKey> ClientKeys { get; }

    public ReplicaOptions[] Options { get; }

    public Replica[] Replicas { get; }

    public List<ConsensusOutput>[] Outputs { get; }

    public List<Execute>[] Executed { get; }

    public List<PersistentRecord>[] Persisted { get; }

    public Digest[] Digests { get; }

    public HashSet<int> Down { get; } = [];

    /// <summary>Return false to drop a message (from, to, message).</summary>
    public Func<int, int, ConsensusMessage, bool> Filter { get; set; } = (_, _, _) => true;

    /// <summary>When false, Execute outputs are recorded by the replica only and never answered with
    /// BatchExecuted.</summary>
    public bool AnswerExecution { get; set; } = true;

    /// <summary>The wedge the executed state holds from the seq that ordered it on, as the host reports it.</summary>
    public (SeqNum OrderedAt, SeqNum Point)? Wedge { get; set; }

    public static SigningKey ReplicaKey(int i) => Seeded(1, (int)i);

    public static SigningKey ClientKey(ulong id) => Seeded(2, (int)id);

    public static ClientRequest Request(ulong client, ulong id, string operation = "op") =>
        ClientRequest.Create(
            client,
            id,
            RequestFlags.None,
            System.Text.Encoding.UTF8.GetBytes(operation),
            ClientKey(client)
        );

    public IReadOnlyList<ConsensusOutput> Deliver(int replica, ConsensusInput input)
    {
        if (Down.Contains(replica))
        {
            return [];
        }

        var outputs = Replicas[replica].Handle(input);
        Outputs[replica].AddRange(outputs);
        foreach (var output in outputs)
        {
            switch (output)
            {
                case Send send:
                    Enqueue(replica, send.To.Value, send.Message);
                    break;
                case Broadcast broadcast:
                    for (var to = 0; to < N; to++)
                    {
                        if (to != replica)
                        {
                            Enqueue(replica, to, broadcast.Message);
                        }
                    }

                    break;
                case Persist persist:
                    Persisted[replica].Add(persist.Record);
                    break;
                case LoadBatch load:
                    var stored = Persisted[replica]
                        .OfType<ProposalRecord>()
                        .FirstOrDefault(r => r.Proposal.Seq == load.Seq && r.Proposal.Digest == load.Digest);
                    Deliver(replica, new BatchLoaded(load.To, stored?.Proposal, load.AsPrePrepare));
                    break;
                case Execute execute when AnswerExecution:
                    Executed[replica].Add(execute);
                    var writer = new CanonicalWriter();
                    writer.WriteDigest(Digests[replica]);
                    writer.WriteFixed(execute.Batch.Encoded);
                    Digests[replica] = Digest.Compute(writer.WrittenSpan);
                    var replies = execute
                        .Requests.Select(r => ClientReply.Create(r.ClientId, r.RequestId, r.Operation.Span))
                        .ToList();
                    var wedge = Wedge is { } w && execute.Seq >= w.OrderedAt ? w.Point : (SeqNum?)null;
                    Deliver(replica, new BatchExecuted(execute.Seq, Digests[replica], replies, wedge));
                    break;
            }
        }

        return outputs;
    }

    public void Submit(ClientRequest request)
    {
        for (var i = 0; i < N; i++)
        {
            Deliver(i, new ClientRequestReceived(request));
        }
    }

    /// <summary>Delivers queued messages until none are left.</summary>
    public void Flush(int limit = 100_000)
    {
        while (_network.Count > 0 && limit-- > 0)
        {
            var (from, to, message) = _network.Dequeue();
            Deliver(to, new MessageReceived(new ReplicaId(from), message));
        }
    }

    /// <summary>Advances virtual time in steps, ticking every replica and flushing the network each step.</summary>
    public void Advance(TimeSpan total, TimeSpan? step = null)
    {
        var stepSize = step ?? TimeSpan.FromMilliseconds(50);
        var end = Now + total;
        while (Now < end)
        {
            Now += stepSize;
            for (var i = 0; i < N; i++)
            {
                Deliver(i, new Tick(Now));
            }

            Flush();
        }
    }

    /// <summary>Advances virtual time by <paramref name="span"/> with nothing delivered to or from
    /// <paramref name="replica"/>.</summary>
    public void AdvanceWithout(int replica, TimeSpan span)
    {
        var filter = Filter;
        Filter = (from, to, message) => from != replica && to != replica && filter(from, to, message);
        Advance(span);
        Filter = filter;
    }

    public void TickAll()
    {
        for (var i = 0; i < N; i++)
        {
            Deliver(i, new Tick(Now));
        }
    }

    public IEnumerable<T> OutputsOf<T>(int replica) => Outputs[replica].OfType<T>();

#pragma warning disable CA1822 // an instance method reads better in tests: h.Sign(...)
    public T Sign<T>(int replica, T message)
        where T : ConsensusMessage => (T)message.SignWith(ReplicaKey(replica));
#pragma warning restore CA1822

    private void Enqueue(int from, int to, ConsensusMessage message)
    {
        if (!Down.Contains(from) && !Down.Contains(to) && Filter(from, to, message))
        {
            _network.Enqueue((from, to, message));
        }
    }

    private static SigningKey Seeded(byte kind, int index)
    {
        var seed = new byte[32];
        seed[0] = kind;
        seed[1] = (byte)index;
        return SigningKey.FromSeed(seed);
    }
}
