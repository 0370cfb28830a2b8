using Grpc.Core;

namespace PsTraining.Learner;

/// <summary>How a learner words a gRPC failure in its log: the status and the server's reason, e.g. "Unavailable: …".</summary>
internal static class RpcErrors
{
    public static string Describe(this RpcException e) => $"{e.StatusCode}: {e.Status.Detail}";
}
