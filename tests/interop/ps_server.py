#!/usr/bin/python3
"""A plain parameter server written with Debian's python3-grpcio and numpy: Health/Check, Register, Pull and
Push (w -= lr * g, a numpy add) on the same wire contract. Our C# client is tested against it, and the
transport benchmark compares with it. Prints "PORT <n>" once it listens, then serves until killed.

    /usr/bin/python3 tests/interop/ps_server.py [--port 0] [--floats 10] [--lr 1.0]
"""
import argparse
import sys
import threading
from concurrent import futures

import grpc
import numpy as np

import protos


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--floats", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    ps, health = protos.load()

    weights = np.arange(args.floats, dtype=np.float32)
    lock = threading.Lock()
    state = {"version": 0, "next_id": 1}

    def check(request, context):
        return health.HealthCheckResponse(status=health.HealthCheckResponse.SERVING)

    def register(request, context):
        with lock:
            learner = state["next_id"]
            state["next_id"] += 1
        response = ps.RegisterResponse(learner_id=learner, version=state["version"], policy="asp")
        response.layout.add(name="w", shape=[args.floats])
        return response

    def pull(request, context):
        with lock:
            values, version = weights.copy(), state["version"]
        response = ps.PullResponse(version=version)
        response.weights.add(name="w", shape=[args.floats], values=values.tolist())
        return response

    def push(request, context):
        if len(request.gradients) != 1 or request.gradients[0].name != "w" or len(request.gradients[0].values) != args.floats:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"expected one tensor w of {args.floats} floats")
        gradient = np.asarray(request.gradients[0].values, dtype=np.float32)
        with lock:
            weights[:] -= np.float32(args.lr) * gradient
            state["version"] += 1
            version = state["version"]
        return ps.PushResponse(version=version, staleness=version - 1 - request.read_version)

    def handler(fn, request_type, response_type):
        return grpc.unary_unary_rpc_method_handler(fn, request_deserializer=request_type.FromString,
                                                   response_serializer=lambda m: m.SerializeToString())

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers),
                         options=[("grpc.max_receive_message_length", 256 << 20), ("grpc.max_send_message_length", 256 << 20)])
    server.add_generic_rpc_handlers([
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": handler(check, health.HealthCheckRequest, health.HealthCheckResponse)}),
        grpc.method_handlers_generic_handler("pstraining.v1.ParameterServer", {
            "Register": handler(register, ps.RegisterRequest, ps.RegisterResponse),
            "Pull": handler(pull, ps.PullRequest, ps.PullResponse),
            "Push": handler(push, ps.PushRequest, ps.PushResponse),
        }),
    ])
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print(f"PORT {port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    sys.exit(main())
