using PsTraining.Protocol.Client;
using PsTraining.Protocol;

namespace PsTraining.Learner;

/// <summary>
/// One parameter-server process as a learner sees it: its address, the range of the model it holds, the learner's
/// session there (id, last applied sequence) and its own retry state. A model sharded over N processes is N of these,
/// one per address of <c>--ps</c>, in partition order; each is pulled from and pushed to on its own.
/// </summary>
public sealed class ServerPartition(Uri address, ParameterPartition range, ParameterServerClientOptions clientOptions, Backoff backoff) : IDisposable
{
    public Uri Address { get; } = address;

    public ParameterPartition Range { get; } = range;

    public ParameterServerClient Client { get; } = new(address, clientOptions);

    public Backoff Backoff { get; } = backoff;

    /// <summary>This learner's id at this server (servers number their learners independently).</summary>
    public uint LearnerId { get; set; }

    /// <summary>The sequence number of the last push sent here; a retry sends it again.</summary>
    public ulong Sequence { get; set; }

    /// <summary>Set by a transport failure, cleared by the next applied push: refusals meanwhile may come from a restarted server.</summary>
    public bool Recovering { get; set; }

    /// <summary>The part of a flat model vector that this server holds.</summary>
    public Memory<float> Slice(float[] vector) => vector.AsMemory(Range.Start, Range.Length);

    /// <summary>"http://ps-0:50051" for an unsharded model, "http://ps-0:50051 (partition 0/2 (floats ...))" otherwise.</summary>
    public override string ToString() => Range.Count == 1 ? Address.ToString() : $"{Address} ({Range})";

    public void Dispose() => Client.Dispose();
}
