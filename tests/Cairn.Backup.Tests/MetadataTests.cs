using System.Text.Json.Nodes;
using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Backup.Tests;

public sealed class MetadataTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CheckpointMetadata Sample()
    {
        var digest = Digest.Compute("block 300"u8);
        return new CheckpointMetadata
        {
            Id = new BlockId(300),
            SeqNum = new SeqNum(300),
            LastBlockId = new BlockId(300),
            LastBlockDigest = digest,
            StateDigest = Digest.Compute("state"u8),
            CreatedAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero),
            SizeBytes = 4096,
            ExclusiveBytes = 1024,
            Certificate = Certificates.For(new SeqNum(300), digest),
            ChainId = "chain-x",
        };
    }

    [Fact]
    public void Metadata_round_trips_through_the_file()
    {
        var path = _dir.Sub(CheckpointMetadata.FileName);
        var metadata = Sample();

        metadata.Write(path);
        var read = CheckpointMetadata.Read(path);

        (read with { Certificate = metadata.Certificate }).Should().Be(metadata);
        read.Certificate.Encode().Should().Equal(metadata.Certificate.Encode());
        read.Certificate.Verify(Certificates.ReplicaKeys, Certificates.F).Should().BeTrue();
    }

    [Theory]
    [InlineData("stateDigest", "\"xyz\"", "field 'stateDigest': not 64 hex digits")]
    [InlineData("createdAt", "\"yesterday\"", "field 'createdAt': *")]
    [InlineData("formatVersion", "2", "field 'formatVersion': format 2 is not the 1 this build reads")]
    [InlineData("id", "301", "field 'id': 301 is not the last block id 300")]
    [InlineData("certificate", "\"!!!\"", "field 'certificate': not a base64 stable checkpoint certificate*")]
    [InlineData("signers", "[0, 1]", "field 'signers': do not match*")]
    [InlineData("sizeBytes", "10", "field 'sizeBytes': *inconsistent")]
    [InlineData("chainId", "\"\"", "field 'chainId': must not be empty")]
    public void A_bad_field_is_refused_naming_the_file_and_the_field(string field, string json, string message)
    {
        var path = WriteWith(node => node[field] = JsonNode.Parse(json));

        var act = () => CheckpointMetadata.Read(path);

        act.Should()
            .Throw<CheckpointMetadataException>()
            .WithMessage($"{path}: {message}")
            .Which.Path.Should()
            .Be(path);
    }

    [Fact]
    public void A_certificate_of_another_block_is_refused()
    {
        var other = Certificates.For(new SeqNum(300), Digest.Compute("another block"u8));
        var path = WriteWith(node => node["certificate"] = Convert.ToBase64String(other.Encode()));

        var act = () => CheckpointMetadata.Read(path);

        act.Should()
            .Throw<CheckpointMetadataException>()
            .WithMessage("*field 'certificate': it certifies seq 300 digest *");
    }

    [Fact]
    public void A_missing_field_is_refused()
    {
        var path = WriteWith(node => node.AsObject().Remove("stateDigest"));

        var act = () => CheckpointMetadata.Read(path);

        act.Should()
            .Throw<CheckpointMetadataException>()
            .WithMessage($"{path}: not valid checkpoint metadata (missing fields 'stateDigest')");
    }

    [Fact]
    public void An_unknown_field_is_refused()
    {
        var path = WriteWith(node => node["surprise"] = 1);

        var act = () => CheckpointMetadata.Read(path);

        act.Should()
            .Throw<CheckpointMetadataException>()
            .WithMessage($"{path}: not valid checkpoint metadata (unknown field 'surprise')");
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{ \"id\": ")]
    [InlineData("[1, 2]")]
    public void Text_that_is_not_metadata_is_refused(string text)
    {
        var path = _dir.Sub("bad.json");
        File.WriteAllText(path, text);

        var act = () => CheckpointMetadata.Read(path);

        var message = act.Should().Throw<CheckpointMetadataException>().WithMessage($"{path}: *").Which.Message;
        message.Should().NotContain("System.").And.NotContain("Cairn.").And.NotContain("\n");
    }

    [Fact]
    public void A_field_of_the_wrong_kind_is_named_without_dotnet_types()
    {
        var path = WriteWith(node => node["seqNum"] = "ten");

        var act = () => CheckpointMetadata.Read(path);

        act.Should()
            .Throw<CheckpointMetadataException>()
            .WithMessage($"{path}: not valid checkpoint metadata (field 'seqNum' is not a whole number)");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = _dir.Sub("nothing.json");

        var act = () => CheckpointMetadata.Read(path);

        act.Should().Throw<CheckpointMetadataException>().WithMessage($"{path}: no checkpoint metadata here");
    }

    public void Dispose() => _dir.Dispose();

    private string WriteWith(Action<JsonNode> change)
    {
        var node = JsonNode.Parse(Sample().ToJsonBytes())!;
        change(node);
        var path = _dir.Sub(CheckpointMetadata.FileName);
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }
}
