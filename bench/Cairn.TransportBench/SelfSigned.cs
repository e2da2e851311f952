using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.TransportBench;

internal static class SelfSigned
{
    /// <summary>A throwaway server certificate, pinned by the clients (<see cref="Pinned"/>), as replicas pin each
    /// other's.</summary>
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=transport-bench", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(
            DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(1)
        );
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A certificate check that accepts <paramref name="pinned"/> only.</summary>
    public static RemoteCertificateValidationCallback Pinned(X509Certificate2 pinned) =>
        (_, presented, _, _) =>
            presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
}
