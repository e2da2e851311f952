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

    /// <summary>A client's TLS options for the echo server: its name, and <paramref name="pinned"/> the only
    /// certificate accepted.</summary>
    public static SslClientAuthenticationOptions ClientOptions(X509Certificate2 pinned) =>
        new() { TargetHost = "transport-bench", RemoteCertificateValidationCallback = Pinned(pinned) };

    /// <summary>One frame of the framed transports: a 4-byte little-endian length, then <paramref name="size"/>
    /// zeros.</summary>
    public static byte[] Frame(int size)
    {
        var frame = new byte[sizeof(int) + size];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(frame, size);
        return frame;
    }

    /// <summary>A certificate check that accepts <paramref name="pinned"/> only.</summary>
    public static RemoteCertificateValidationCallback Pinned(X509Certificate2 pinned) =>
        (_, presented, _, _) =>
            presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(pinned.RawData);
}
