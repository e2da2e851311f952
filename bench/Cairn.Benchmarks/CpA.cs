using System.Diagnostics;

namespace Cairn.Benchmarks;

/// <summary>The baseline copy: <c>cp -a</c> run as a real process, as an operator would copy a database.</summary>
internal static class CpA
{
    public static void Copy(string from, string to)
    {
        var start = new ProcessStartInfo("cp") { UseShellExecute = false };
        start.ArgumentList.Add("-a");
        start.ArgumentList.Add(from);
        start.ArgumentList.Add(to);
        using var cp = Process.Start(start) ?? throw new InvalidOperationException("cannot start cp");
        cp.WaitForExit();
        if (cp.ExitCode != 0)
        {
            throw new InvalidOperationException($"cp -a {from} {to} exited with {cp.ExitCode}");
        }
    }
}
