using AwesomeAssertions;
using Cairn.ClientProtocol;

namespace Cairn.Client.Tests;

/// <summary>When a "wedged" refusal settles a request: a replica's state can lag the cluster's around an
/// unwedge.</summary>
public sealed class WedgeRefusalTests : IAsyncLifetime
{
    private const string Wedged = "the cluster is wedged at seq 300";
    private FakeReplicas _replicas = null!;

    public async ValueTask InitializeAsync() => _replicas = await FakeReplicas.StartAsync();

    public async ValueTask DisposeAsync() => await _replicas.DisposeAsync();

    private ClientConfig Config =>
        _replicas.Config with
        {
            RetransmitTimeout = TimeSpan.FromMilliseconds(300),
            RequestTimeout = TimeSpan.FromSeconds(20),
        };

    [Fact]
    public async Task Refusals_from_2f_plus_1_wedged_replicas_do_not_settle_a_request_another_replica_holds()
    {
        // Found by the fault campaign: replica 3 had executed the unwedge and ordered the write while 0-2, not there
        // yet, refused it; the client reported a failed write that then executed. Here 0-2 refuse the first
        // transmission, replica 3 holds it for a second and answers; the retransmission finds 0-2 unwedged.
        _replicas.RefuseWith = (replica, transmission) => replica < 3 && transmission == 1 ? Wedged : null;
        _replicas.AnswerWhen = (replica, transmission) =>
            replica == 3 && transmission == 1 ? Task.Delay(TimeSpan.FromSeconds(1)) : Task.CompletedTask;
        using var client = new CairnClient(Config, session: 1);

        var reply = await client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);

        reply.Result.ToArray().Should().Equal(7);
    }

    [Fact]
    public async Task Refusals_from_every_replica_settle_the_request_as_refused()
    {
        _replicas.RefuseWith = (_, _) => Wedged;
        using var client = new CairnClient(Config, session: 1);

        var submit = () => client.SubmitAsync([7], RequestFlags.None, TestContext.Current.CancellationToken);

        (await submit.Should().ThrowAsync<RequestRejectedException>()).Which.Message.Should().Be(Wedged);
    }
}
