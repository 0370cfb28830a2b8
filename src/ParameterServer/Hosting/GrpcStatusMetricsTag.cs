using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>
/// Adds the call's gRPC status to ASP.NET Core's request metrics (<c>http.server.request.duration</c>), as
/// <c>rpc.grpc.status_code</c> (OpenTelemetry's name for it): a gRPC call answers HTTP 200 whatever its outcome, so the HTTP status alone cannot tell the
/// dashboards which calls failed. The status is a trailer, or a header in a trailers-only response.
/// </summary>
internal static class GrpcStatusMetricsTag
{
    public static async Task Tag(HttpContext context, RequestDelegate next)
    {
        await next(context);
        if (context.Features.Get<IHttpMetricsTagsFeature>() is not { } tags)
        {
            return;
        }

        var status = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] is { Count: > 0 } trailer
            ? trailer.ToString()
            : context.Response.Headers["grpc-status"].ToString();
        if (int.TryParse(status, out var code))
        {
            tags.Tags.Add(new("rpc.grpc.status_code", code));
        }
    }
}
