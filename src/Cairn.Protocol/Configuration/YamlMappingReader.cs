using System.Globalization;
using Cairn.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Protocol.Configuration;

/// <summary>Reads typed, range-checked values from one YAML mapping and remembers which keys it read,
/// so keys nobody asked for can be rejected as unknown (a misspelt key must not be silently ignored).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1720",
    Justification = "Int, Long, String read a value as that type: the type name is the point."
)]
public sealed class YamlMappingReader(YamlMappingNode mapping, string file, string? parentKey = null)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public string File => file;

    public int Line => (int)mapping.Start.Line;

    public bool Has(string key) => Find(key) is not null;

    /// <summary>An optional integer key: <paramref name="setting"/>'s default when absent, else a value in its
    /// range.</summary>
    public int Int(string key, Setting<int> setting) => Int(key, setting.Min, setting.Max, setting.Default);

    /// <summary>An optional integer key: <paramref name="setting"/>'s default when absent, else a value in its
    /// range.</summary>
    public long Long(string key, Setting<long> setting) => Long(key, setting.Min, setting.Max, setting.Default);

    public int Int(string key, int min, int max, int? defaultValue = null) => (int)Long(key, min, max, defaultValue);

    public long Long(string key, long min, long max, long? defaultValue = null)
    {
        var node = Scalar(key, defaultValue is null);
        if (node is null)
        {
            return defaultValue!.Value;
        }

        if (!long.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(key, node, $"expected an integer, got '{node.Value}'");
        }

        if (value < min || value > max)
        {
            throw Error(key, node, $"{value} is out of range: accepted {min} to {max}");
        }

        return value;
    }

    /// <summary>An optional real number key: <paramref name="setting"/>'s default when absent, else a value in its
    /// range.</summary>
    public double Number(string key, Setting<double> setting)
    {
        var node = Scalar(key, required: false);
        if (node is null)
        {
            return setting.Default;
        }

        if (
            !double.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value)
        )
        {
            throw Error(key, node, $"expected a number, got '{node.Value}'");
        }

        if (!setting.Accepts(value))
        {
            throw Error(key, node, $"{node.Value} is out of range: accepted {setting.Range}");
        }

        return value;
    }

    public bool? Bool(string key)
    {
        var node = Scalar(key, required: false);
        return node?.Value switch
        {
            null => null,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            var other => throw Error(key, node, $"expected true or false, got '{other}'"),
        };
    }

    public string String(string key) =>
        Scalar(key, required: true)!.Value switch
        {
            null or "" => throw Error(key, Find(key)!, "must not be empty"),
            var value => value,
        };

    public string? OptionalString(string key) => Has(key) ? String(key) : null;

    public T Enum<T>(string key, T defaultValue)
        where T : struct, Enum
    {
        var node = Scalar(key, required: false);
        if (node is null)
        {
            return defaultValue;
        }

        var names = System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        if (!names.Contains(node.Value) || !System.Enum.TryParse<T>(node.Value, ignoreCase: true, out var value))
        {
            throw Error(key, node, $"'{node.Value}' is not accepted: one of {string.Join(", ", names)}");
        }

        return value;
    }

    /// <summary>The items of a sequence; an absent key is an empty list unless <paramref name="required"/>.</summary>
    public IReadOnlyList<YamlNode> Sequence(string key, bool required)
    {
        var node = Find(key, required);
        _read.Add(key);
        return node switch
        {
            null => [],
            YamlSequenceNode sequence => sequence.Children.ToList(),
            _ => throw Error(key, node, "expected a list"),
        };
    }

    /// <summary>A reader for a mapping item of a sequence read with <see cref="Sequence"/>.</summary>
    public YamlMappingReader Item(string key, YamlNode item, int index) =>
        item is YamlMappingNode itemMapping
            ? new YamlMappingReader(itemMapping, file, $"{Qualified(key)}[{index}]")
            : throw Error(key, item, $"item {index} must be a mapping");

    public string ItemString(string key, YamlNode item, int index) =>
        item is YamlScalarNode { Value: { Length: > 0 } value }
            ? value
            : throw Error(key, item, $"item {index} must be a non-empty string");

    /// <summary>Fails on the first key present in the mapping that no read asked for.</summary>
    public void RejectUnknownKeys(IEnumerable<string> acceptedKeys)
    {
        foreach (var (keyNode, _) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!_read.Contains(key))
            {
                throw new ConfigException(
                    file,
                    Qualified(key),
                    (int)keyNode.Start.Line,
                    $"unknown key (accepted keys: {string.Join(", ", acceptedKeys)})"
                );
            }
        }
    }

    public ConfigException Error(string key, YamlNode node, string problem) =>
        new(file, Qualified(key), (int)node.Start.Line, problem);

    public ConfigException Error(string key, string problem) =>
        Find(key) is { } node ? Error(key, node, problem) : new ConfigException(file, Qualified(key), null, problem);

    private string Qualified(string key) => parentKey is null ? key : $"{parentKey}.{key}";

    private YamlScalarNode? Scalar(string key, bool required)
    {
        var node = Find(key, required);
        _read.Add(key);
        return node switch
        {
            null => null,
            YamlScalarNode scalar => scalar,
            _ => throw Error(key, node, "expected a single value, got a list or a mapping"),
        };
    }

    private YamlNode? Find(string key, bool required = false)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: var name } && name == key)
            {
                return valueNode;
            }
        }

        return required ? throw new ConfigException(file, Qualified(key), null, "required key is missing") : null;
    }
}
