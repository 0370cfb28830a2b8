// The tests of this assembly run one at a time. They run libtorch in this process through TorchSharp members that make
// native scalars only the finaliser frees (every optimiser's step, BatchNorm's forward; see PsTraining.Models.Torch's
// Scalars), and a garbage collection that a test on another thread starts meanwhile can free one while libtorch reads
// it. A test that starts threads of its own keeps them from allocating while libtorch runs such a member. Some tests need
// this for other reasons too: they seed libtorch's process-wide generator and rely on its sequence, which any test that
// builds a model draws from, or they measure the process's memory.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
