using System.Text.Json;
using AwesomeAssertions;
using Cairn.Operator;

namespace Cairn.Client.Tests;

/// <summary>How the CLI waits for an ordered DB checkpoint: on one connection per replica for all its polls, and done
/// once 2f+1 replicas list the checkpoint.</summary>
public sealed class OperatorWaitTests : IAsyncLifetime
{
    private const ulong Seq = 300;
    private FakeReplicas _replicas = null!;

    public async ValueTask InitializeAsync() => _replicas = await FakeReplicas.StartAsync();

    public async ValueTask DisposeAsync() => await _replicas.DisposeAsync();

    [Fact]
    public async Task Waiting_polls_every_replica_on_one_connection_each_until_2f_plus_1_list_the_checkpoint()
    {
        // Replica 3 never lists the checkpoint (slow or down).
        var answers = await WaitForReplicasZeroToTwoAsync();

        DbCheckpointQuorum.Reporting(answers, Seq).Should().Be(3);
        Enumerable.Range(0, 3).Select(_replicas.Queries).Should().AllSatisfy(q => q.Should().BeGreaterThanOrEqualTo(3));
        Enumerable.Range(0, 4).Select(_replicas.Connections).Should().AllBeEquivalentTo(1);
    }

    [Fact]
    public async Task A_wait_ends_on_the_answer_that_completes_the_quorum_not_on_the_slowest_replicas_next_answer()
    {
        // Replica 3 answers its first query, then holds every later one until the test ends. Waiting for a whole
        // round of answers would wait for replica 3 until the request timeout and then count it as not answering.
        var held = new TaskCompletionSource();
        _replicas.QueryAnswerWhen = (replica, query) => replica == 3 && query > 1 ? held.Task : Task.CompletedTask;

        var answers = await WaitForReplicasZeroToTwoAsync();

        DbCheckpointQuorum.Reporting(answers, Seq).Should().Be(3);
        answers[3].Status.Should().NotBeNull("replica 3's last answer stands while its next one is outstanding");
        _replicas.Queries(3).Should().Be(2, "replica 3 is not asked again before it answers");
    }

    [Fact]
    public async Task A_wait_reads_the_operator_key_and_the_replicas_keys_once_for_all_its_polls()
    {
        // The key files go after the first answer: a wait that read them at every poll would stop at the second one.
        var config = _replicas.Config;
        _replicas.QueryAnswer = replica =>
        {
            if (replica == 0 && _replicas.Queries(replica) == 1)
            {
                File.Delete(config.PrivateKeyPath);
                foreach (var r in config.Replicas)
                {
                    File.Delete(r.PublicKeyPath);
                }
            }

            return Status(replica, withCheckpoint: _replicas.Queries(replica) >= 3);
        };

        var answers = await new OperatorClient(config).QueryUntilAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            a => DbCheckpointQuorum.Reached(a, Seq, f: 1),
            TimeSpan.FromSeconds(30),
            TestContext.Current.CancellationToken
        );

        DbCheckpointQuorum.Reporting(answers, Seq).Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task A_wait_on_progress_outlasts_its_timeout_while_the_answers_move()
    {
        // Each answer shows a later decided boundary, and the 30th lists the checkpoint: 30 polls take longer than the
        // 0.5 s timeout, which counts from the last answers that changed.
        _replicas.QueryAnswer = replica =>
            Status(replica, _replicas.Queries(replica) >= 30, decided: Seq + (ulong)_replicas.Queries(replica));

        var answers = await WaitOnProgressAsync(TimeSpan.FromMilliseconds(500));

        DbCheckpointQuorum.Reporting(answers, Seq).Should().BeGreaterThanOrEqualTo(3);
        Enumerable.Range(0, 4).Count(r => _replicas.Queries(r) >= 30).Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task A_wait_on_progress_gives_up_once_the_answers_stop_moving()
    {
        // The boundary is decided by the third answer and nothing moves after it: the checkpoint never comes.
        _replicas.QueryAnswer = replica =>
            Status(replica, withCheckpoint: false, decided: Seq + (ulong)Math.Min(_replicas.Queries(replica), 3));

        var answers = await WaitOnProgressAsync(TimeSpan.FromMilliseconds(300));

        DbCheckpointQuorum.Reporting(answers, Seq).Should().Be(0);
        answers.Should().AllSatisfy(a => a.Status!.LastDecidedSeq.Should().Be(Seq + 3));
    }

    [Fact]
    public void A_checkpoints_progress_grows_at_every_step_a_replica_takes_towards_it()
    {
        DbCheckpointStatusAnswer[] steps =
        [
            Answer(0, withCheckpoint: false, decided: Seq - 150),
            Answer(0, withCheckpoint: false, decided: Seq),
            Answer(0, withCheckpoint: false, decided: Seq) with
            {
                InFlight = [new(Seq, DbCheckpointInFlightRow.Taken)],
            },
            Answer(0, withCheckpoint: false, decided: Seq) with
            {
                InFlight = [new(Seq, DbCheckpointInFlightRow.Finalising)],
            },
            Answer(0, withCheckpoint: true, decided: Seq),
            Answer(0, withCheckpoint: true, decided: Seq) with
            {
                Failures = 1,
            },
        ];

        var progress = steps.Select(s => DbCheckpointQuorum.Progress([new(0, s, null)], Seq)).ToList();

        progress.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        DbCheckpointQuorum
            .Progress([new(0, steps[1] with { InFlight = [new(Seq + 150, DbCheckpointInFlightRow.Taken)] }, null)], Seq)
            .Should()
            .Be(progress[1], "a checkpoint at another boundary is not progress towards this one");
        DbCheckpointQuorum
            .Progress([new(0, steps[4], null), new(1, null, "no answer")], Seq)
            .Should()
            .Be(progress[4], "a replica that does not answer adds nothing");
    }

    /// <summary>Waits for 2f+1 replicas to list the checkpoint, which replicas 0-2 (and only they) do from their
    /// third answer on.</summary>
    private Task<IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>>> WaitForReplicasZeroToTwoAsync()
    {
        _replicas.QueryAnswer = replica =>
            Status(replica, withCheckpoint: replica < 3 && _replicas.Queries(replica) >= 3);
        return new OperatorClient(_replicas.Config).QueryUntilAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            a => DbCheckpointQuorum.Reached(a, Seq, f: 1),
            TimeSpan.FromSeconds(30),
            TestContext.Current.CancellationToken
        );
    }

    private Task<IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>>> WaitOnProgressAsync(TimeSpan timeout) =>
        new OperatorClient(_replicas.Config).QueryUntilAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            a => DbCheckpointQuorum.Reached(a, Seq, f: 1),
            timeout,
            TestContext.Current.CancellationToken,
            a => a.Sum(r => (long)(r.Status?.LastDecidedSeq ?? 0))
        );

    [Fact]
    public async Task Calls_of_a_client_given_channels_share_them()
    {
        _replicas.QueryAnswer = replica => Status(replica, withCheckpoint: true);
        using var channels = new ReplicaChannels(_replicas.Config.Replicas);
        var client = new OperatorClient(_replicas.Config, channels: channels);
        var token = TestContext.Current.CancellationToken;

        await client.QueryAsync(OperatorCommandType.DbCheckpointStatus, TimeSpan.FromSeconds(10), token);
        await client.QueryUntilAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            a => DbCheckpointQuorum.Reached(a, Seq, f: 1),
            TimeSpan.FromSeconds(10),
            token
        );

        Enumerable.Range(0, 4).Select(_replicas.Queries).Should().AllSatisfy(q => q.Should().Be(2));
        Enumerable.Range(0, 4).Select(_replicas.Connections).Should().AllBeEquivalentTo(1);
    }

    [Fact]
    public async Task An_answer_not_signed_by_the_replica_it_came_from_is_rejected_and_does_not_count()
    {
        // Replica 2's answer carries replica 3's signature: relayed or forged, it says nothing about replica 2.
        _replicas.QueryAnswer = replica => Status(replica, withCheckpoint: true);
        _replicas.SignAs = replica => replica == 2 ? 3 : replica;

        var answers = await new OperatorClient(_replicas.Config).QueryAsync(
            OperatorCommandType.DbCheckpointStatus,
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer,
            TimeSpan.FromSeconds(10),
            TestContext.Current.CancellationToken
        );

        answers.Where(a => a.Status is not null).Select(a => a.Replica).Should().Equal(0, 1, 3);
        answers[2].Refusal.Should().Be("rejected: the answer is not signed by replica 2 for chain cairn-fake");
        DbCheckpointQuorum.Reporting(answers, Seq).Should().Be(3);
    }

    [Theory]
    [InlineData(4, true)]
    [InlineData(3, true)]
    [InlineData(2, false)]
    [InlineData(0, false)]
    public void A_checkpoint_counts_as_taken_once_2f_plus_1_replicas_list_it(int listing, bool reached)
    {
        List<QueryAnswer<DbCheckpointStatusAnswer>> answers =
        [
            .. Enumerable
                .Range(0, 4)
                .Select(r => new QueryAnswer<DbCheckpointStatusAnswer>(
                    r,
                    Answer(r, withCheckpoint: r < listing),
                    null
                )),
        ];

        DbCheckpointQuorum.Reporting(answers, Seq).Should().Be(listing);
        DbCheckpointQuorum.Reached(answers, Seq, f: 1).Should().Be(reached);
        DbCheckpointQuorum.Reached(answers, Seq + 150, f: 1).Should().BeFalse("no replica lists that seq");
    }

    private static string Status(int replica, bool withCheckpoint, ulong decided = Seq) =>
        JsonSerializer.Serialize(
            Answer(replica, withCheckpoint, decided),
            OperatorAnswerJson.Default.DbCheckpointStatusAnswer
        );

    private static DbCheckpointStatusAnswer Answer(int replica, bool withCheckpoint, ulong decided = Seq) =>
        new(
            replica,
            Enabled: true,
            withCheckpoint
                ? [new DbCheckpointRow(Seq, Seq, Seq, new string('a', 64), new string('b', 64), default, 1, 1, [0], 0)]
                : [],
            LastSkipReason: null,
            LastSkipAt: null,
            Skips: 0,
            Failures: 0,
            LastFailure: null,
            OnDemandArmed: !withCheckpoint,
            LastDecidedSeq: decided
        );
}
