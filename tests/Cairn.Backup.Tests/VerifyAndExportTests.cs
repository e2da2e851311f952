using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;

namespace Cairn.Backup.Tests;

/// <summary>checkpoint verify and export: a good checkpoint passes every check, directory or archive; every kind of
/// corruption is refused, naming the file or the check that failed.</summary>
public sealed class VerifyAndExportTests
{
    [Fact]
    public async Task A_good_checkpoint_and_its_archive_pass_every_check()
    {
        await using var f = await CheckpointFixture.CreateAsync();

        var direct = CheckpointVerifier.Verify(f.Checkpoint, CheckpointFixture.Keys);
        direct.Passed.Should().BeTrue(string.Join("; ", direct.Checks));
        direct
            .Checks.Select(c => c.Name)
            .Should()
            .Equal(
                CheckpointVerifier.ManifestCheck,
                CheckpointVerifier.MetadataCheck,
                CheckpointVerifier.OpenCheck,
                CheckpointVerifier.ChainCheck,
                CheckpointVerifier.HeadCheck,
                CheckpointVerifier.StateCheck,
                CheckpointVerifier.CertificateCheck
            );
        direct.Chain!.BlocksChecked.Should().Be(20);

        using var source = CheckpointSource.Open(f.Archive);
        source.IsArchive.Should().BeTrue();
        var archived = CheckpointVerifier.Verify(source.Directory, CheckpointFixture.Keys, requireManifest: true);
        archived.Passed.Should().BeTrue(string.Join("; ", archived.Checks));
        archived.Checks.Should().OnlyContain(c => c.Passed == true);
        archived.Manifest!.Files.Select(e => e.Path).Should().Contain(CheckpointMetadata.FileName);
        archived.Metadata!.ToJsonBytes().Should().Equal(f.Metadata.ToJsonBytes());
    }

    [Fact]
    public async Task A_flipped_byte_in_any_file_is_refused_naming_that_file()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var files = CheckpointManifest
            .FilesOf(f.Unpacked("listing"))
            .Where(n => n != CheckpointManifest.FileName)
            .ToList();
        files.Should().HaveCountGreaterThan(3);

        foreach (var file in files)
        {
            var copy = f.Unpacked("flip-" + file);
            var path = Path.Combine(copy, file);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(path, bytes);

            var result = CheckpointVerifier.Verify(copy, CheckpointFixture.Keys, requireManifest: true);

            result.Passed.Should().BeFalse();
            result.FirstFailure!.Name.Should().Be(CheckpointVerifier.ManifestCheck);
            result.FirstFailure.Detail.Should().Contain(file).And.Contain("SHA-256");
            result.Checks.Skip(1).Should().OnlyContain(c => c.Passed == null);
        }
    }

    [Fact]
    public async Task A_missing_or_unlisted_file_and_a_missing_manifest_are_refused()
    {
        await using var f = await CheckpointFixture.CreateAsync();

        var missing = f.Unpacked("missing");
        File.Delete(Path.Combine(missing, "CURRENT"));
        var result = CheckpointVerifier.Verify(missing, CheckpointFixture.Keys, requireManifest: true);
        result.FirstFailure!.Detail.Should().Contain("CURRENT").And.Contain("missing");

        var extra = f.Unpacked("extra");
        File.WriteAllText(Path.Combine(extra, "000999.sst"), "planted");
        CheckpointVerifier
            .Verify(extra, CheckpointFixture.Keys)
            .FirstFailure!.Detail.Should()
            .Contain("000999.sst")
            .And.Contain("not listed");

        var noManifest = f.Unpacked("no-manifest");
        File.Delete(Path.Combine(noManifest, CheckpointManifest.FileName));
        CheckpointVerifier
            .Verify(noManifest, CheckpointFixture.Keys, requireManifest: true)
            .FirstFailure!.Name.Should()
            .Be(CheckpointVerifier.ManifestCheck);
    }

    [Fact]
    public async Task A_truncated_or_foreign_archive_is_refused_naming_it()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        // Unpack into a folder of this test's own, so other tests unpacking archives at the same time cannot interfere.
        var scratch = Directory.CreateDirectory(f.Dir.Sub("scratch")).FullName;
        var bytes = File.ReadAllBytes(f.Archive);
        foreach (var length in new[] { 10, bytes.Length / 3, bytes.Length / 2, bytes.Length - 30 })
        {
            var truncated = f.Dir.Sub($"truncated-{length}.tar.gz");
            File.WriteAllBytes(truncated, bytes[..length]);

            var open = () =>
            {
                using var source = CheckpointSource.Open(truncated, scratchParent: scratch);
                CheckpointVerifier
                    .Verify(source.Directory, CheckpointFixture.Keys, requireManifest: true)
                    .ThrowIfFailed();
            };

            open.Should().Throw<DbCheckpointException>($"length {length}").Which.Message.Should().Contain(truncated);
        }

        var notAnArchive = f.Dir.Sub("notes.txt");
        File.WriteAllText(notAnArchive, "hello");
        FluentOpen(notAnArchive, scratch)
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain(notAnArchive);
        Directory.GetFileSystemEntries(scratch).Should().BeEmpty("a failed unpack leaves nothing behind");
    }

    [Fact]
    public async Task A_forged_short_or_foreign_certificate_is_refused_by_the_certificate_check()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var m = f.Metadata;
        var forger = SigningKey.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());
        var good = m.Certificate.Signatures;
        var cases = new Dictionary<string, IReadOnlyList<ReplicaSignature>>
        {
            ["short"] = [.. good.Take(2)],
            ["repeated signer"] = [good[0], good[0], good[1]],
            ["forged"] =
            [
                good[0],
                good[1],
                new ReplicaSignature(
                    new ReplicaId(3),
                    forger.Sign(new CheckpointMessage(m.SeqNum, m.LastBlockDigest, new ReplicaId(3)).SigningBytes())
                ),
            ],
            ["unknown replica"] = [good[0], good[1], new ReplicaSignature(new ReplicaId(9), good[2].Signature)],
        };

        foreach (var (name, signatures) in cases)
        {
            var copy = f.Dir.Sub("cert-" + name);
            CopyDirectory(f.Checkpoint, copy);
            (m with { Certificate = new StableCheckpointCertificate(m.SeqNum, m.LastBlockDigest, signatures) }).Write(
                Path.Combine(copy, CheckpointMetadata.FileName)
            );

            var result = CheckpointVerifier.Verify(copy, CheckpointFixture.Keys);

            result.FirstFailure!.Name.Should().Be(CheckpointVerifier.CertificateCheck, name);
            result.Checks.Take(6).Should().OnlyContain(c => c.Passed != false, name);
        }

        // The right certificate, checked against another cluster's keys.
        var otherKeys = new ReplicaPublicKeys([.. Enumerable.Range(0, 4).Select(_ => SigningKey.Generate().PublicKey)]);
        var foreign = CheckpointVerifier.Verify(f.Checkpoint, otherKeys);
        foreign.FirstFailure!.Name.Should().Be(CheckpointVerifier.CertificateCheck);
        foreign.FirstFailure.Detail.Should().Contain("0 distinct valid signatures");
    }

    [Fact]
    public async Task Metadata_that_does_not_match_the_database_is_refused()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var copy = f.Dir.Sub("state");
        CopyDirectory(f.Checkpoint, copy);
        (f.Metadata with { StateDigest = Digest.Compute([1, 2, 3]) }).Write(
            Path.Combine(copy, CheckpointMetadata.FileName)
        );

        CheckpointVerifier
            .Verify(copy, CheckpointFixture.Keys)
            .FirstFailure!.Name.Should()
            .Be(CheckpointVerifier.StateCheck);
        CheckpointVerifier
            .Verify(f.Checkpoint, CheckpointFixture.Keys, expectedChainId: "another-chain")
            .FirstFailure!.Detail.Should()
            .Contain("another-chain");
    }

    [Fact]
    public async Task Export_never_overwrites_and_leaves_no_partial_archive()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var before = File.ReadAllBytes(f.Archive);

        var again = () => CheckpointArchive.Export(f.Checkpoint, f.Archive);

        again.Should().Throw<DbCheckpointException>().Which.Message.Should().Contain("already exists");
        File.ReadAllBytes(f.Archive).Should().Equal(before);
        var incomplete = f.Dir.Sub("incomplete");
        CopyDirectory(f.Checkpoint, incomplete);
        File.Delete(Path.Combine(incomplete, CheckpointMetadata.FileName));
        ((Action)(() => CheckpointArchive.Export(incomplete, f.Dir.Sub("x.tar.gz"))))
            .Should()
            .Throw<CheckpointMetadataException>();
        File.Exists(f.Dir.Sub("x.tar.gz")).Should().BeFalse();
        File.Exists(f.Dir.Sub("x.tar.gz.tmp")).Should().BeFalse();
    }

    private static Action FluentOpen(string path, string? scratchParent = null) =>
        () =>
        {
            using var source = CheckpointSource.Open(path, scratchParent);
        };

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
