using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Consensus.Tests;

public sealed class OptionsTests
{
    private static ReplicaOptions Valid() => new Harness().Options[1];

    [Fact]
    public void Defaults_follow_concord_bft()
    {
        var options = new ReplicaOptions
        {
            Id = new ReplicaId(0),
            F = 1,
            SigningKey = Harness.ReplicaKey(0),
            ReplicaKeys = Valid().ReplicaKeys,
        };
        options.CheckpointWindowSize.Should().Be(150);
        options.N.Should().Be(4);
        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Theory]
    [InlineData("CheckpointWindowSize")]
    [InlineData("MaxBatchSize")]
    [InlineData("ConcurrencyLevel")]
    [InlineData("Id")]
    [InlineData("ReplicaKeys")]
    [InlineData("SigningKey")]
    public void A_bad_setting_is_rejected_naming_the_key_and_range(string key)
    {
        var options = key switch
        {
            "CheckpointWindowSize" => Valid() with { CheckpointWindowSize = 0 },
            "MaxBatchSize" => Valid() with { MaxBatchSize = -1 },
            "ConcurrencyLevel" => Valid() with { ConcurrencyLevel = 0 },
            "Id" => Valid() with { Id = new ReplicaId(4) },
            "ReplicaKeys" => Valid() with { ReplicaKeys = [.. Valid().ReplicaKeys.Take(3)] },
            _ => Valid() with { SigningKey = Harness.ReplicaKey(3) },
        };

        var thrown = options.Invoking(o => new Replica(o)).Should().Throw<ArgumentException>().Which;
        thrown.ParamName.Should().Be(key);
        thrown.Message.Should().Contain("expected");
    }
}
