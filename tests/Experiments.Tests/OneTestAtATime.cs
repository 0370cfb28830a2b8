// The tests of this assembly run one at a time. They run libtorch in this process through TorchSharp members that make
// native scalars only the finaliser frees (every optimiser's step, BatchNorm's forward; see PsTraining.Models.Torch's
// Scalars), and a garbage collection that a test on another thread starts meanwhile can free one while libtorch reads
// it: a CI run failed with "INTERNAL ASSERT FAILED at c10/core/Scalar.h" so. A test that starts threads of its own keeps
// them from allocating while libtorch runs. Some tests need this for another reason too: they measure the process's
// memory, which a neighbour's allocations would change.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
