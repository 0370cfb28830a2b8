"""Asks a server what it serves, through gRPC server reflection v1, with Debian's python3-grpcio.

Debian packages no reflection module for Python, so the client is generated at run time with grpc_tools from the
reflection .proto that Debian's grpc-proto package installs. Also checks the standard health service, with no token:
prints one JSON object (services listed, the files that define pstraining.v1.ParameterServer, health statuses)."""
import argparse
import importlib.util
import json
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc

GRPC_PROTO = "/usr/share/grpc-proto"
REFLECTION = "grpc/reflection/v1/reflection.proto"
HEALTH = "grpc/health/v1/health.proto"


def compile_module(proto, name):
    out = tempfile.mkdtemp(prefix="pst-reflection-")
    if not os.path.exists(os.path.join(GRPC_PROTO, proto)):
        sys.exit(f"{GRPC_PROTO}/{proto} is missing: install Debian's grpc-proto package")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    if protoc.main(["protoc", f"-I{GRPC_PROTO}", f"-I{include}", f"--python_out={out}", os.path.join(GRPC_PROTO, proto)]) != 0:
        sys.exit(f"protoc failed on {proto}")
    # "grpc" is also the grpcio package: load the generated module by path.
    path = os.path.join(out, proto.replace(".proto", "_pb2.py"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    args = parser.parse_args()
    reflection = compile_module(REFLECTION, "pst_reflection_pb2")
    health = compile_module(HEALTH, "pst_grpc_health_pb2")
    channel = grpc.insecure_channel(args.address)

    info = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                 request_serializer=reflection.ServerReflectionRequest.SerializeToString,
                                 response_deserializer=reflection.ServerReflectionResponse.FromString)
    requests = [reflection.ServerReflectionRequest(list_services=""),
                reflection.ServerReflectionRequest(file_containing_symbol="pstraining.v1.ParameterServer")]
    responses = list(info(iter(requests), timeout=30))
    services = [s.name for s in responses[0].list_services_response.service]
    files = []
    from google.protobuf import descriptor_pb2
    for raw in responses[1].file_descriptor_response.file_descriptor_proto:
        file = descriptor_pb2.FileDescriptorProto.FromString(raw)
        files.append({"name": file.name, "services": [s.name for s in file.service],
                      "methods": [m.name for s in file.service for m in s.method]})

    check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=health.HealthCheckRequest.SerializeToString,
                                response_deserializer=health.HealthCheckResponse.FromString)
    statuses = {}
    for service in ["", "pstraining.v1.ParameterServer"]:
        response = check(health.HealthCheckRequest(service=service), timeout=30)
        statuses[service] = health.HealthCheckResponse.ServingStatus.Name(response.status)
    print(json.dumps({"services": services, "files": files, "health": statuses}))


if __name__ == "__main__":
    main()
