"""Compiles the project's .proto files with grpc_tools (Debian's python3-grpc-tools) into a temporary
folder and imports the generated modules, so that the interop scripts use exactly proto/ as committed."""
import importlib
import importlib.util
import os
import sys
import tempfile

from grpc_tools import protoc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto")
FILES = ["pstraining/v1/parameter_server.proto", "grpc/health/v1/health.proto"]


def load():
    out = tempfile.mkdtemp(prefix="pst-proto-")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    args = ["protoc", f"-I{ROOT}", f"-I{include}", f"--python_out={out}"] + [os.path.join(ROOT, f) for f in FILES]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed on " + " ".join(FILES))
    sys.path.insert(0, out)
    ps = importlib.import_module("pstraining.v1.parameter_server_pb2")
    return ps, _load_health(out)


def _load_health(out):
    # "grpc" is also the grpcio package; load the generated health module by path instead of by package name.
    spec = importlib.util.spec_from_file_location("pst_health_pb2", os.path.join(out, "grpc", "health", "v1", "health_pb2.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
