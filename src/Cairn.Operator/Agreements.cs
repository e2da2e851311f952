namespace Cairn.Operator;

/// <summary>Finds what replicas' answers agree on.</summary>
public static class Agreements
{
    /// <summary>Finds the most common value among <paramref name="answers"/> (ties: the one a lower replica gave) and
    /// whether <paramref name="needed"/> replicas gave it.</summary>
    public static Agreement<T> Among<T>(
        IReadOnlyList<(int Replica, T Value)> answers,
        int needed,
        IEqualityComparer<T>? comparer = null
    )
    {
        ArgumentNullException.ThrowIfNull(answers);
        comparer ??= EqualityComparer<T>.Default;
        if (answers.Count == 0)
        {
            return new Agreement<T>(false, default, 0, []);
        }

        var groups = new List<(T Value, List<int> Replicas)>();
        foreach (var (replica, value) in answers.OrderBy(a => a.Replica))
        {
            var group = groups.FindIndex(g => comparer.Equals(g.Value, value));
            if (group < 0)
            {
                groups.Add((value, [replica]));
            }
            else
            {
                groups[group].Replicas.Add(replica);
            }
        }

        var top = groups.OrderByDescending(g => g.Replicas.Count).First();
        var dissenters = groups
            .Where(g => !ReferenceEquals(g.Replicas, top.Replicas))
            .SelectMany(g => g.Replicas)
            .Order()
            .ToList();
        return new Agreement<T>(
            top.Replicas.Count >= needed,
            top.Replicas.Count >= needed ? top.Value : default,
            top.Replicas.Count,
            dissenters
        );
    }
}
