namespace Cairn.Ledger;

/// <summary>What <see cref="ChainVerifier"/> re-derived: how many blocks it checked and the digest the chain ends
/// in.</summary>
public sealed record ChainVerification(ulong BlocksChecked, LedgerHead Head);
