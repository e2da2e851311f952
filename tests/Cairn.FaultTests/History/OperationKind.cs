namespace Cairn.FaultTests.History;

/// <summary>What a client asked of the key-value store.</summary>
public enum OperationKind
{
    Put,
    Get,
}
