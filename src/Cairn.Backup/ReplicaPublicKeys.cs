using System.Globalization;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;

namespace Cairn.Backup;

/// <summary>The replicas' public keys an auditor checks a certificate against: key i is replica i's; n =
/// 3f+1.</summary>
public sealed record ReplicaPublicKeys(IReadOnlyList<VerificationKey> Keys)
{
    /// <summary>Faulty replicas tolerated by a cluster of <see cref="Keys"/>.Count replicas.</summary>
    public int F => Quorums.MaxFaulty(Keys.Count);

    /// <summary>Loads <c>replica-0_pub.pem</c>, <c>replica-1_pub.pem</c>, … from <paramref name="directory"/> (a
    /// cluster's
    /// <c>keys/</c> folder), stopping at the first id without a file.</summary>
    /// <exception cref="DbCheckpointException">When the directory holds no replica key.</exception>
    /// <exception cref="KeyFileException">When a key file is not an Ed25519 public key.</exception>
    public static ReplicaPublicKeys Load(string directory)
    {
        var keys = new List<VerificationKey>();
        while (File.Exists(FileOf(directory, keys.Count)))
        {
            keys.Add(KeyFiles.LoadVerificationKey(FileOf(directory, keys.Count)));
        }

        return keys.Count > 0
            ? new ReplicaPublicKeys(keys)
            : throw new DbCheckpointException(
                directory,
                "no replica public keys here (expected replica-0_pub.pem, replica-1_pub.pem, …)"
            );
    }

    private static string FileOf(string directory, int id) =>
        Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"replica-{id}_pub.pem"));
}
