using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Cairn.Node.Hosting;

/// <summary>
/// How a replica logs to stdout, one line per event (exceptions included). Under systemd, whose journal connection is
/// announced by <c>JOURNAL_STREAM</c>, each line starts with its syslog priority (<c>&lt;6&gt;</c> information,
/// <c>&lt;4&gt;</c> warning, <c>&lt;3&gt;</c> error) and has no timestamp, since the journal stamps it; elsewhere a
/// line is
/// <c>2026-01-31T12:00:00.000Z info: category[event] message</c>, without colours when stdout is not a terminal.
/// </summary>
public static class ReplicaLogging
{
    /// <summary>The variable systemd sets when a service's stdout or stderr is connected to the journal.</summary>
    public const string JournalStreamVariable = "JOURNAL_STREAM";

    /// <summary>Replaces <paramref name="logging"/>'s providers with the replica's console format.</summary>
    public static ILoggingBuilder AddReplicaConsole(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(JournalStreamVariable)))
        {
            return logging.AddSystemdConsole(o => o.IncludeScopes = false);
        }

        return logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
            o.ColorBehavior = Console.IsOutputRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
        });
    }
}
