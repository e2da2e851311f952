// The fault scenarios start real clusters on one set of ports and kill processes: one test at a time
// (the scenario classes also share the "fault clusters" collection).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
