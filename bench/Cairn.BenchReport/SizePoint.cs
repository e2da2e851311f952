namespace Cairn.BenchReport;

/// <summary>Medians of one database size of the checkpoint-sizes run.</summary>
internal sealed record SizePoint(
    int TargetMiB,
    long Bytes,
    int Files,
    int SstFiles,
    double CairnMs,
    double RawMs,
    double CpAMs,
    int Repeats,
    int CopyRepeats
);
