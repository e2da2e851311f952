namespace Cairn.Core.Encoding;

/// <summary>Bytes that do not decode as the canonical encoding of the expected value (truncated, trailing, out of
/// range).</summary>
public sealed class CanonicalEncodingException(string message) : Exception(message);
