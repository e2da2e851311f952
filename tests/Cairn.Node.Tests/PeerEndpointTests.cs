using AwesomeAssertions;
using Cairn.Core;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.Tests;

public sealed class PeerEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1", 7000, "https://127.0.0.1:7000/")]
    [InlineData("replica-2.example", 50051, "https://replica-2.example:50051/")]
    [InlineData("::1", 7001, "https://[::1]:7001/")]
    public void The_grpc_address_is_plain_http_to_the_host_and_port(string host, int port, string expected) =>
        new PeerEndpoint(new ReplicaId(0), host, port, "/keys/replica-0.pub", "/keys/replica-0_tls.crt")
            .Address.AbsoluteUri.Should()
            .Be(expected);
}
