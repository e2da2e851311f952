using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;

namespace Cairn.Node.Tests;

/// <summary>
/// A backup that holds a request its view does not order (its peers are not running) asks to leave the view, and its
/// status says so: one complaint, the view still active (f+1 are needed to change it).
/// </summary>
public sealed class ViewComplaintStatusTests(BackupReplicaUnderTest replica) : IClassFixture<BackupReplicaUnderTest>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_backup_whose_request_is_not_ordered_reports_its_complaint_in_its_status()
    {
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), ownCertificate: null);
        var admin = new AdminApi.AdminApiClient(channel);
        (await admin.StatusAsync(new StatusRequest(), cancellationToken: Ct)).ViewComplaints.Should().Be(0);

        using var clientKey = KeyFiles.LoadSigningKey(replica.Layout.ClientPrivateKey);
        var request = ClientRequest.Create(
            ClientIdentity.ClientId(keyIndex: 1, session: 1),
            1,
            RequestFlags.None,
            KvOperation.Put([1], [2]).Encode(),
            clientKey
        );
        await using var session = await TestSessionConnection.OpenAsync(replica, Ct);
        await session.SendAsync(Ct, request.Encoded.ToArray());

        var deadline = DateTime.UtcNow.AddSeconds(60);
        ReplicaStatus status;
        do
        {
            await Task.Delay(100, Ct);
            status = await admin.StatusAsync(new StatusRequest(), cancellationToken: Ct);
        } while (status.ViewComplaints == 0 && DateTime.UtcNow < deadline);

        status.ViewComplaints.Should().Be(1);
        status.ViewActive.Should().BeTrue();
        status.View.Should().Be(0);
    }
}
