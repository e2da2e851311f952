namespace Cairn.Consensus;
