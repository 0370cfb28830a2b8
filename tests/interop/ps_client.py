#!/usr/bin/python3
"""A client written with Debian's python3-grpcio (a gRPC implementation we did not write) that calls our
parameter server: every RPC of the service (Push three ways: plain, asking for the weights, and streamed in chunks),
a bad Push, health. Prints one JSON object with
what it saw; exits 1 if any call did not behave as the protocol says.

    /usr/bin/python3 tests/interop/ps_client.py --address 127.0.0.1:50051 [--token T]
"""
import argparse
import json
import math
import sys

import grpc

import protos


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--token")
    args = parser.parse_args()
    ps, health = protos.load()
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    result = {}
    with grpc.insecure_channel(args.address) as channel:
        def unary(path, request, response_type):
            call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_type.FromString)
            return call(request, metadata=metadata, timeout=10)

        status = unary("/grpc.health.v1.Health/Check", health.HealthCheckRequest(service=""), health.HealthCheckResponse)
        result["health"] = health.HealthCheckResponse.ServingStatus.Name(status.status)

        registered = unary("/pstraining.v1.ParameterServer/Register", ps.RegisterRequest(name="python"), ps.RegisterResponse)
        result["learner_id"] = registered.learner_id
        result["layout"] = [[t.name, list(t.shape)] for t in registered.layout]

        pulled = unary("/pstraining.v1.ParameterServer/Pull", ps.PullRequest(learner_id=registered.learner_id), ps.PullResponse)
        before = {t.name: list(t.values) for t in pulled.weights}
        result["version_before"] = pulled.version

        push = ps.PushRequest(learner_id=registered.learner_id, sequence=1, read_version=pulled.version, loss=1.5)
        for t in registered.layout:
            n = math.prod(t.shape)
            push.gradients.add(name=t.name, shape=list(t.shape), values=[0.5] * n)
        pushed = unary("/pstraining.v1.ParameterServer/Push", push, ps.PushResponse)
        result["push"] = {"version": pushed.version, "staleness": pushed.staleness, "duplicate": pushed.duplicate}

        bad = ps.PushRequest()
        bad.CopyFrom(push)
        bad.sequence = 2
        bad.read_version = pushed.version
        bad.gradients[0].values[0] = float("nan")
        try:
            unary("/pstraining.v1.ParameterServer/Push", bad, ps.PushResponse)
            result["nan_push"] = "accepted"
        except grpc.RpcError as e:
            result["nan_push"] = e.code().name
            result["nan_push_detail"] = e.details()

        after = unary("/pstraining.v1.ParameterServer/Pull", ps.PullRequest(learner_id=registered.learner_id), ps.PullResponse)
        result["version_after"] = after.version
        result["delta"] = {t.name: [a - b for a, b in zip(t.values, before[t.name])] for t in after.weights}

        # A push that asks for the weights back: its response carries them right after the push, as a pull would.
        push_pull = ps.PushRequest()
        push_pull.CopyFrom(push)
        push_pull.sequence = 2
        push_pull.read_version = after.version
        push_pull.return_weights = True
        answered = unary("/pstraining.v1.ParameterServer/Push", push_pull, ps.PushResponse)
        at_pull = {t.name: list(t.values) for t in after.weights}
        result["push_pull"] = {"version": answered.version, "weights_version": answered.weights_version,
                               "delta": {t.name: [a - b for a, b in zip(t.values, at_pull[t.name])] for t in answered.weights}}
        result["push_without_weights"] = len(pushed.weights)

        # A streamed push (PushStream, client streaming): the flat gradient (tensors in layout order) in four or five
        # chunks, the header in the first.
        me = registered.learner_id
        flat = [0.5] * sum(math.prod(t.shape) for t in registered.layout)
        size = max(3, len(flat) // 4)
        header = ps.PushHeader(learner_id=me, sequence=3, read_version=answered.weights_version, loss=1.0, length=len(flat))

        def chunks():
            for offset in range(0, len(flat), size):
                chunk = ps.PushChunk(offset=offset, values=flat[offset:offset + size])
                if offset == 0:
                    chunk.header.CopyFrom(header)
                yield chunk

        push_stream = channel.stream_unary("/pstraining.v1.ParameterServer/PushStream", request_serializer=lambda m: m.SerializeToString(),
                                           response_deserializer=ps.PushResponse.FromString)
        streamed = push_stream(chunks(), metadata=metadata, timeout=30)
        after_stream = unary("/pstraining.v1.ParameterServer/Pull", ps.PullRequest(learner_id=me), ps.PullResponse)
        at_stream = {t.name: list(t.values) for t in answered.weights}
        result["stream"] = {"version": streamed.version, "staleness": streamed.staleness, "chunks": len(range(0, len(flat), size)),
                            "delta": {t.name: [a - b for a, b in zip(t.values, at_stream[t.name])] for t in after_stream.weights}}

        # The rest of the service: a heartbeat, the statistics once and as a stream, and leaving.
        result["heartbeat_version"] = unary("/pstraining.v1.ParameterServer/Heartbeat", ps.HeartbeatRequest(learner_id=me), ps.HeartbeatResponse).version
        stats = unary("/pstraining.v1.ParameterServer/GetStats", ps.GetStatsRequest(), ps.Stats)
        result["stats"] = {"version": stats.version, "applied": stats.applied, "learners": [l.name for l in stats.learners]}
        watch = channel.unary_stream("/pstraining.v1.ParameterServer/WatchStats", request_serializer=lambda m: m.SerializeToString(),
                                     response_deserializer=ps.Stats.FromString)
        watched = watch(ps.WatchStatsRequest(interval_ms=50), metadata=metadata, timeout=30)
        result["watched_versions"] = [next(watched).version for _ in range(2)]
        watched.cancel()
        routes = unary("/pstraining.v1.ParameterServer/GetRoutes", ps.GetRoutesRequest(), ps.RouteTable)
        result["routes"] = [{"shard": r.shard, "start": r.start, "length": r.length, "address": r.address, "generation": r.generation} for r in routes.routes]
        unary("/pstraining.v1.ParameterServer/Leave", ps.LeaveRequest(learner_id=me), ps.LeaveResponse)
        after_leave = unary("/pstraining.v1.ParameterServer/GetStats", ps.GetStatsRequest(), ps.Stats)
        result["live_after_leave"] = [l.live for l in after_leave.learners if l.learner_id == me]

    print(json.dumps(result))
    ok = (result["health"] == "SERVING" and result["push"]["version"] == 1 and result["nan_push"] == "INVALID_ARGUMENT"
          and result["version_after"] == 1 and result["push_pull"]["weights_version"] == 2 and result["stream"]["version"] == 3)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
