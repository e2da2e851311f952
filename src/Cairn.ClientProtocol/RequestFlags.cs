namespace Cairn.ClientProtocol;

/// <summary>Flags a client sets on a request; they are signed with it.</summary>
[Flags]
public enum RequestFlags : byte
{
    /// <summary>An ordinary write.</summary>
    None = 0,

    /// <summary>The operation reads state only.</summary>
    ReadOnly = 1,

    /// <summary>An operator command (signed with the operator's key).</summary>
    Operator = 2,
}
