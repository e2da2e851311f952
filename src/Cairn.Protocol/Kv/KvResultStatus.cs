namespace Cairn.Protocol.Kv;

/// <summary>Whether a <see cref="KvResult"/> answers the operation or refuses it.</summary>
public enum KvResultStatus : byte
{
    Ok = 1,
    Rejected = 2,
}
