using System.Xml.Linq;

namespace Cairn.Architecture.Tests;

/// <summary>
/// Which project under src/ may reference which, as data in one place (<see cref="Allowed"/>), and the check of a set
/// of project files against it. A project not listed here fails the check until it is added.
/// </summary>
public static class ProjectReferenceRule
{
    private const string Core = "Cairn.Core";
    private const string ClientProtocol = "Cairn.ClientProtocol";
    private const string Consensus = "Cairn.Consensus";
    private const string Ledger = "Cairn.Ledger";
    private const string Protocol = "Cairn.Protocol";
    private const string Operator = "Cairn.Operator";
    private const string Backup = "Cairn.Backup";
    private const string Client = "Cairn.Client";
    private const string Node = "Cairn.Node";
    private const string Cli = "Cairn.Cli";
    private const string OperatorTool = "Cairn.OperatorTool";

    /// <summary>For every project under src/, the projects it may reference directly.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed = new Dictionary<
        string,
        IReadOnlySet<string>
    >
    {
        // The core depends on no project; consensus only on the core and what clients share with it.
        [Core] = Set(),
        [ClientProtocol] = Set(Core),
        [Consensus] = Set(Core, ClientProtocol),
        [Ledger] = Set(Core),
        [Protocol] = Set(Core),
        [Operator] = Set(Core),
        // Libraries a client or a backup tool ships: never the replica host, and the client not the PBFT engine.
        [Backup] = Set(Core, ClientProtocol, Ledger, Consensus, Operator),
        [Client] = Set(Core, ClientProtocol, Protocol, Operator),
        // The host and the CLI sit on top.
        [Node] = Set(Core, ClientProtocol, Consensus, Ledger, Protocol, Operator, Backup, Client),
        [Cli] = Set(Core, ClientProtocol, Consensus, Ledger, Protocol, Operator, Backup, Client, Node),
        // The operator tool compiles the CLI's operator commands in (a reference to the CLI would bring its entry
        // point, and the replica with it, into the native program).
        [OperatorTool] = Set(Core, Client, Node),
    };

    /// <summary>The names of the projects a project file references (file names without extension).</summary>
    public static IReadOnlyList<string> ReferencesIn(string projectFileXml) =>
        [
            .. XDocument
                .Parse(projectFileXml)
                .Descendants("ProjectReference")
                .Select(reference => (string?)reference.Attribute("Include") ?? "")
                .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/'))),
        ];

    /// <summary>
    /// Every reference of <paramref name="references"/> (project → projects it references) that
    /// <paramref name="allowed"/> does not permit.
    /// </summary>
    public static IReadOnlyList<string> Violations(
        IReadOnlyDictionary<string, IReadOnlyList<string>> references,
        IReadOnlyDictionary<string, IReadOnlySet<string>> allowed
    )
    {
        var violations = new List<string>();
        foreach (var (project, referenced) in references.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!allowed.TryGetValue(project, out var permitted))
            {
                violations.Add(
                    $"{project} is not in the allowed reference graph "
                        + $"(add it to {nameof(ProjectReferenceRule)}.{nameof(Allowed)})"
                );
                continue;
            }

            var may = permitted.Count == 0 ? "no project" : string.Join(", ", permitted.Order(StringComparer.Ordinal));
            violations.AddRange(
                referenced
                    .Where(r => !permitted.Contains(r))
                    .Select(r => $"{project} references {r}; it may reference only: {may}")
            );
        }

        return violations;
    }

    /// <summary>What <paramref name="project"/> depends on in <paramref name="graph"/>, directly or not.</summary>
    public static IReadOnlySet<string> Closure(string project, IReadOnlyDictionary<string, IReadOnlySet<string>> graph)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(graph.GetValueOrDefault(project) ?? Set());
        while (pending.TryPop(out var next))
        {
            if (reached.Add(next))
            {
                foreach (var further in graph.GetValueOrDefault(next) ?? Set())
                {
                    pending.Push(further);
                }
            }
        }

        return reached;
    }

    private static HashSet<string> Set(params string[] projects) => new(projects, StringComparer.Ordinal);
}
