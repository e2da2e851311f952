namespace Cairn.Ledger;
