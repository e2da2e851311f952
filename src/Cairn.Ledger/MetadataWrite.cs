namespace Cairn.Ledger;

/// <summary>A replica metadata entry to store (or delete, when <see cref="Value"/> is null) in the same atomic write
/// as a block: consensus state that must never disagree with the blocks on disk.</summary>
public sealed record MetadataWrite(string Key, byte[]? Value);
