using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AwesomeAssertions;

namespace Cairn.Operator.Tests;

/// <summary>Replicas' answers to operator queries read back as written (the replica and the client share
/// <see cref="OperatorAnswerJson"/>), absent values included.</summary>
public sealed class OperatorAnswerJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_checkpoint_read_keeps_an_absent_key_absent_and_an_empty_value_empty()
    {
        var answer = new CheckpointReadAnswer(2, 300, 300, ["v1"u8.ToArray(), null, []]);

        var json = JsonSerializer.Serialize(answer, OperatorAnswerJson.Default.CheckpointReadAnswer);
        var read = RoundTrip(answer, OperatorAnswerJson.Default.CheckpointReadAnswer);

        json.Should().Be("""{"replica":2,"checkpointId":300,"seqNum":300,"values":["djE=",null,""]}""");
        read.Values.Should().HaveCount(3);
        read.Values[0].Should().Equal("v1"u8.ToArray());
        read.Values[1].Should().BeNull();
        read.Values[2].Should().BeEmpty();
    }

    [Fact]
    public void Status_wedge_and_snapshot_answers_round_trip()
    {
        var row = new DbCheckpointRow(300, 300, 300, "ab", "cd", At, 4096, 1024, [0, 1, 2], 1);
        var status = new DbCheckpointStatusAnswer(
            1,
            true,
            [row],
            "LowDiskSpace",
            At,
            3,
            1,
            "seq 150: disk",
            OnDemandArmed: false,
            LastDecidedSeq: 450
        );
        RoundTrip(status, OperatorAnswerJson.Default.DbCheckpointStatusAnswer).Should().BeEquivalentTo(status);

        var wedge = new WedgeStatusAnswer(3, Wedged: true, WedgePoint: 600, LastExecutedSeq: 600, Epoch: 2);
        RoundTrip(wedge, OperatorAnswerJson.Default.WedgeStatusAnswer).Should().Be(wedge);

        var none = new SnapshotAnswer(0, null);
        RoundTrip(none, OperatorAnswerJson.Default.SnapshotAnswer).Should().Be(none);
        var found = new SnapshotAnswer(0, new SnapshotCheckpoint(300, 300, 300, "cd", 1, At, 12));
        RoundTrip(found, OperatorAnswerJson.Default.SnapshotAnswer).Should().Be(found);
    }

    private static T RoundTrip<T>(T answer, JsonTypeInfo<T> json) =>
        JsonSerializer.Deserialize(JsonSerializer.Serialize(answer, json), json)!;
}
