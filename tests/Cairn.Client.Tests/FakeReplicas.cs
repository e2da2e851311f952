using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cairn.ClientProtocol;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Client.Tests;

/// <summary>
/// Four replicas (f = 1) in this process, one Kestrel port each (TLS with its own certificate, as real replicas), that
/// sign whatever they are asked as their reply: enough to watch what a <see cref="CairnClient"/> sends, on which
/// connection, and when.
/// </summary>
public sealed class FakeReplicas : IAsyncDisposable
{
    private const int Count = 4;
    private WebApplication _app = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-client-tests-").FullName;
    private readonly SigningKey[] _keys = [.. Enumerable.Range(0, Count).Select(_ => SigningKey.Generate())];
    private readonly X509Certificate2[] _certificates;
    private readonly Dictionary<int, int> _replicaByPort = [];
    private readonly ConcurrentDictionary<(int Replica, ulong RequestId), int> _transmissions = new();
    private readonly ConcurrentDictionary<(int Replica, string Method), int> _calls = new();
    private readonly ConcurrentDictionary<int, ConcurrentDictionary<string, bool>> _connections = new();
    private readonly ConcurrentDictionary<int, int> _queries = new();

    /// <summary>When replica <c>r</c> may answer transmission number <c>n</c> (1 for the first) of a request;
    /// immediately unless a test says otherwise.</summary>
    public Func<int, int, Task> AnswerWhen { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>The reason replica <c>r</c> refuses transmission <c>n</c> of a request with, as a replica whose state
    /// refuses it (FailedPrecondition, e.g. wedged); null (the default) to take it.</summary>
    public Func<int, int, string?> RefuseWith { get; set; } = (_, _) => null;

    /// <summary>The JSON replica <c>r</c> answers an operator query with; "{}" unless a test says otherwise.</summary>
    public Func<int, string> QueryAnswer { get; set; } = _ => "{}";

    /// <summary>When replica <c>r</c> may answer its operator query number <c>n</c> (1 for the first); immediately
    /// unless a test says otherwise.</summary>
    public Func<int, int, Task> QueryAnswerWhen { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Whose key signs replica i's answers: its own by default.</summary>
    public Func<int, int> SignAs { get; set; } = replica => replica;

    /// <summary>A client config for these replicas, with the given timeouts.</summary>
    public ClientConfig Config { get; private set; } = null!;

    private FakeReplicas()
    {
        _certificates =
        [
            .. Enumerable
                .Range(0, Count)
                .Select(i =>
                {
                    TlsCertificateFiles.CreateReplicaCertificate(i, "127.0.0.1", Certificate(i), TlsKey(i));
                    return TlsCertificateFiles.LoadIdentity(Certificate(i), TlsKey(i), passphrase: null);
                }),
        ];
    }

    public static async Task<FakeReplicas> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var replicas = new FakeReplicas();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < Count; i++)
            {
                var certificate = replicas._certificates[i];
                kestrel.Listen(
                    IPAddress.Loopback,
                    0,
                    listen =>
                    {
                        listen.Protocols = HttpProtocols.Http2;
                        listen.UseHttps(
                            new HttpsConnectionAdapterOptions
                            {
                                ServerCertificate = certificate,
                                OnAuthenticate = (_, tls) => tls.ApplicationProtocols?.Add(Frames.ClientAlpn),
                            }
                        );
                        listen.Use(next =>
                        {
                            var sessions = listen.ApplicationServices.GetRequiredService<FakeSessionListener>();
                            return connection => sessions.ServeOrPassAsync(connection, next);
                        });
                    }
                );
            }
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(replicas).AddSingleton<FakeSessionListener>();
        var app = builder.Build();
        replicas._app = app;
        app.MapGrpcService<FakeReplicaService>();
        app.MapGrpcService<FakeAdminService>();
        await app.StartAsync();
        var ports = app.Urls.Select(a => new Uri(a).Port).ToList();
        replicas.Configure(ports);
        return replicas;
    }

    /// <summary>Which replica listens on <paramref name="port"/>.</summary>
    public int ReplicaAt(int port) => _replicaByPort[port];

    /// <summary>Replica <paramref name="replica"/>'s signing key.</summary>
    public SigningKey Key(int replica) => _keys[replica];

    /// <summary>Notes one transmission of <paramref name="requestId"/> to <paramref name="replica"/> on connection
    /// <paramref name="connection"/>; returns its number (1 for the first).</summary>
    public int Record(int replica, string connection, ulong requestId)
    {
        _connections.GetOrAdd(replica, _ => new())[connection] = true;
        return _transmissions.AddOrUpdate((replica, requestId), 1, (_, n) => n + 1);
    }

    /// <summary>Notes one call of client API method <paramref name="method"/> (Session for a session connection,
    /// SessionEnded for one the client ended, Submit) to <paramref name="replica"/>.</summary>
    public void RecordCall(int replica, string method) => _calls.AddOrUpdate((replica, method), 1, (_, n) => n + 1);

    /// <summary>How many calls of <paramref name="method"/> <paramref name="replica"/> received.</summary>
    public int Calls(int replica, string method) => _calls.GetValueOrDefault((replica, method));

    /// <summary><paramref name="replica"/>'s reply to <paramref name="request"/>, which came in on
    /// <paramref name="connection"/>: recorded as a transmission, then refused or answered when
    /// <see cref="RefuseWith"/> and <see cref="AnswerWhen"/> say.</summary>
    /// <exception cref="RpcException">The refusal (FailedPrecondition).</exception>
    public async Task<ByteString> AnswerAsync(
        int replica,
        string connection,
        ByteString request,
        CancellationToken cancellationToken
    )
    {
        var decoded = ClientRequest.Decode(request.Span);
        var transmission = Record(replica, connection, decoded.RequestId);
        if (RefuseWith(replica, transmission) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refusal));
        }

        await AnswerWhen(replica, transmission).WaitAsync(cancellationToken);
        var reply = ClientReply.Create(decoded.ClientId, decoded.RequestId, decoded.Operation.Span);
        return ByteString.CopyFrom(reply.Encode());
    }

    /// <summary>Notes one operator query to <paramref name="replica"/> on connection
    /// <paramref name="connection"/>.</summary>
    /// <returns>Which query of <paramref name="replica"/>'s it is (1 for the first).</returns>
    public int RecordQuery(int replica, string connection)
    {
        _connections.GetOrAdd(replica, _ => new())[connection] = true;
        return _queries.AddOrUpdate(replica, 1, (_, n) => n + 1);
    }

    /// <summary>How many operator queries <paramref name="replica"/> answered.</summary>
    public int Queries(int replica) => _queries.GetValueOrDefault(replica);

    /// <summary>How many times <paramref name="replica"/> received <paramref name="requestId"/>.</summary>
    public int Transmissions(int replica, ulong requestId) => _transmissions.GetValueOrDefault((replica, requestId));

    /// <summary>How many requests <paramref name="replica"/> received, all transmissions counted.</summary>
    public int TotalTransmissions(int replica) => _transmissions.Where(t => t.Key.Replica == replica).Sum(t => t.Value);

    /// <summary>How many connections (session connections and HTTP/2) clients sent requests on to
    /// <paramref name="replica"/>.</summary>
    public int Connections(int replica) => _connections.TryGetValue(replica, out var c) ? c.Count : 0;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var key in _keys)
        {
            key.Dispose();
        }

        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private string Certificate(int replica) => Path.Combine(_dir, $"replica-{replica}_tls.crt");

    private string TlsKey(int replica) => Path.Combine(_dir, $"replica-{replica}_tls_key.pem");

    private void Configure(List<int> ports)
    {
        var endpoints = new List<PeerEndpoint>();
        for (var i = 0; i < Count; i++)
        {
            _replicaByPort[ports[i]] = i;
            var publicKey = Path.Combine(_dir, $"replica-{i}_pub.pem");
            KeyFiles.SaveVerificationKey(_keys[i].PublicKey, publicKey);
            endpoints.Add(new PeerEndpoint(new ReplicaId(i), "127.0.0.1", ports[i], publicKey, Certificate(i)));
        }

        var clientKey = Path.Combine(_dir, "client_priv.pem");
        using (var key = SigningKey.Generate())
        {
            KeyFiles.SaveSigningKey(key, clientKey);
        }

        Config = new ClientConfig
        {
            SourcePath = Path.Combine(_dir, "client.config"),
            ChainId = "cairn-fake",
            F = 1,
            Replicas = endpoints,
            PrivateKeyPath = clientKey,
            KeyIndex = 1,
        };
    }
}
