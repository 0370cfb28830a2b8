#!/usr/bin/env bash
# Installs what PsTraining needs from Debian's packages, skipping what is already there.
#   libtorch-dev          libtorch 1.13 headers and libraries (the native shim links against them)
#   cmake g++ make        build the native shim
#   python3-torch         PyTorch, for the reference fixtures and the benchmark's reference side
#   dataset-fashion-mnist the real Fashion-MNIST (IDX files under /usr/share/datasets/fashion-mnist)
#   python3-grpcio python3-grpc-tools python3-numpy  a gRPC implementation we did not write, for the interop tests
set -euo pipefail

packages=(libtorch-dev cmake g++ make python3-torch dataset-fashion-mnist python3-grpcio python3-grpc-tools python3-numpy)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi

"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
