using System.ComponentModel;
using System.Diagnostics;
using AwesomeAssertions;

namespace Cairn.Core.Tests;

/// <summary>Runs the real <c>openssl</c> command line, the reference for the key formats Cairn reads.</summary>
internal static class OpenSslTool
{
    /// <summary>True when an <c>openssl</c> executable can be started.</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>Runs openssl with <paramref name="args"/>, asserts it succeeded and returns what it printed.</summary>
    public static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"openssl {string.Join(' ', args)} failed: {error.Result}");
        return output;
    }

    private static bool Probe()
    {
        try
        {
            using var process = Process.Start(
                new ProcessStartInfo("openssl", "version") { RedirectStandardOutput = true }
            )!;
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }
}
