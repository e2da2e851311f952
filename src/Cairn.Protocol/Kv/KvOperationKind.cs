namespace Cairn.Protocol.Kv;

/// <summary>What a <see cref="KvOperation"/> does.</summary>
public enum KvOperationKind : byte
{
    Put = 1,
    Get = 2,
}
