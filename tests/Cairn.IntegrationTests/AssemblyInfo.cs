// Every test starts a real 4-replica cluster: at most three tests at a time (./test.sh runs this assembly after the
// others, with the fault campaign's smoke run after it). The tests mostly wait on consensus timers, process starts and
// checkpoint boundaries: with two at a time a whole ./test.sh used about a third of a 2-core machine's CPU (10.6 CPU
// minutes in 14.5 minutes), so a third cluster shortens the run without starving the others.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
