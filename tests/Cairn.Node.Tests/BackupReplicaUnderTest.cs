namespace Cairn.Node.Tests;

/// <summary>Replica 1, a backup in view 0, run alone like <see cref="ReplicaUnderTest"/>.</summary>
public sealed class BackupReplicaUnderTest : ReplicaUnderTest
{
    protected override int Id => 1;
}
