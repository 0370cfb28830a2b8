using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using PsTraining.Protocol.V1;
using PsTraining.Protocol.Wire;
using Proto = PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Service;

/// <summary>
/// Binds pstraining.v1.ParameterServer for <c>MapGrpcService</c> from the generated BindService, method by method, as
/// grpc-dotnet's own binder does, with one difference: Pull, Push and PushStream, the calls that carry the model, get
/// the block-copy marshallers of the contract (<see cref="TensorMarshallers"/>) instead of the generated
/// element-by-element ones. Names, paths and method kinds all come from the generated code.
/// </summary>
internal sealed class ParameterServerMethods : IServiceMethodProvider<ParameterServerService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<ParameterServerService> context) =>
        Proto.ParameterServer.BindService(new Binder(context), null!);

    private sealed class Binder(ServiceMethodProviderContext<ParameterServerService> context) : ServiceBinderBase
    {
        // As grpc-dotnet's binder: POST only, and CORS preflight requests reach the CORS middleware.
        private static readonly object[] Metadata = [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            switch (method.Name)
            {
                case nameof(ParameterServerService.Pull):
                    context.AddUnaryMethod(new Method<TRequest, IWireWriter>(method.Type, method.ServiceName, method.Name, method.RequestMarshaller, TensorMarshallers.Writer),
                        Metadata, (service, request, call) => service.Pull((PullRequest)(object)request, call));
                    break;
                case nameof(ParameterServerService.Push):
                    context.AddUnaryMethod(new Method<PushWire, IWireWriter>(method.Type, method.ServiceName, method.Name, TensorMarshallers.PushRequest, TensorMarshallers.Writer),
                        Metadata, (service, request, call) => service.Push(request, call));
                    break;
                default:
                    context.AddUnaryMethod(method, Metadata, Invoker<UnaryServerMethod<ParameterServerService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext)));
                    break;
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(method, Metadata,
                Invoker<ServerStreamingServerMethod<ParameterServerService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (method.Name != nameof(ParameterServerService.PushStream))
            {
                throw new NotSupportedException($"{method.FullName}: no handler for this client-streaming method");
            }

            context.AddClientStreamingMethod(new Method<PushChunkWire, TResponse>(method.Type, method.ServiceName, method.Name, TensorMarshallers.PushChunk, method.ResponseMarshaller),
                Metadata, async (service, chunks, call) => (TResponse)(object)await service.PushStream(chunks, call));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            throw new NotSupportedException($"{method.FullName}: duplex streaming is not bound");

        /// <summary>The service's public method of that name and signature, as an open-instance delegate.</summary>
        private static TDelegate Invoker<TDelegate>(string name, params Type[] parameters) where TDelegate : Delegate =>
            (TDelegate)Delegate.CreateDelegate(typeof(TDelegate),
                typeof(ParameterServerService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"{nameof(ParameterServerService)} has no method {name}({string.Join(", ", parameters.Select(p => p.Name))}) for the generated service"));
    }
}
