namespace Cairn.FaultTests.History;

/// <summary>How an operation ended, as the client saw it.</summary>
public enum Outcome
{
    /// <summary>The cluster answered (f+1 matching signed replies; 2f+1 for a get).</summary>
    Ok,

    /// <summary>The cluster refused it: it certainly had no effect.</summary>
    Fail,

    /// <summary>No answer in time: it may or may not have taken effect, now or later.</summary>
    Unknown,
}
