// Every test starts a real 4-replica cluster: one test at a time, so that two clusters never compete for the cores
// (./test.sh also runs this assembly alone).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
