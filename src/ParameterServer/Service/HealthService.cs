using PsTraining.ParameterServer.Transport;
using PsTraining.ParameterServer.Transport.Server;
using PsTraining.Protocol.Health.V1;

namespace PsTraining.ParameterServer.Service;

/// <summary>grpc.health.v1.Health/Check: SERVING for the whole server ("") and for the ParameterServer service.</summary>
public sealed class HealthService
{
    public const string Name = "grpc.health.v1.Health";

    public Task<HealthCheckResponse> Check(HealthCheckRequest request, CallContext call) =>
        request.Service is "" or ParameterServerService.Name
            ? Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving })
            : throw new GrpcStatusException(GrpcStatusCode.NotFound, $"unknown service '{request.Service}'");
}
