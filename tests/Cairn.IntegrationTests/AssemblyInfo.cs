// Every test starts a real 4-replica cluster: at most two tests at a time, so that a 2-core machine runs two clusters,
// never more (./test.sh runs this assembly after the others, with the fault campaign's smoke run after it).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
