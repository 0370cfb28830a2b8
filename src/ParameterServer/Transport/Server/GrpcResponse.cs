using Microsoft.AspNetCore.Http;

namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>How a call's gRPC status goes back to the client.</summary>
public static class GrpcResponse
{
    /// <summary>Ends the call with a status: as trailers after a message, or as a trailers-only response when none was sent.</summary>
    public static async Task WriteStatusAsync(HttpContext context, GrpcStatusCode status, string? message)
    {
        var response = context.Response;
        if (!response.HasStarted)
        {
            response.ContentType = GrpcProtocol.ContentType;
            if (status != GrpcStatusCode.OK)
            {
                // Trailers-only: the status travels in the one HEADERS frame that ends the stream.
                response.Headers[GrpcProtocol.StatusHeader] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!string.IsNullOrEmpty(message))
                {
                    response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(message);
                }

                await response.CompleteAsync();
                return;
            }
        }

        if (response.SupportsTrailers())
        {
            response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(message))
            {
                response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(message));
            }
        }

        await response.CompleteAsync();
    }
}
