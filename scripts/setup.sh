#!/usr/bin/env bash
# Installs what PsTraining needs (Debian packages, and the figure renderer's npm packages), skipping what is already there.
#   python3-torch         PyTorch, for the reference fixtures and the benchmark's reference side (our own libtorch
#                         comes from NuGet with TorchSharp: no libtorch-dev, cmake or g++)
#   dataset-fashion-mnist the real Fashion-MNIST (IDX files under /usr/share/datasets/fashion-mnist)
#   python3-grpcio python3-grpc-tools python3-numpy  a gRPC implementation we did not write, for the interop tests
#   grpc-proto            the standard gRPC .proto files (server reflection v1), compiled by the interop tests
#   python3-simpy         SimPy, the reference of the simulator benchmark
#   prometheus            promtool and a real Prometheus, for the metrics tests
#   nodejs npm            render the experiments' Vega-Lite figures to SVG (tools/plots: vega, vega-lite from npm)
#   python3-sklearn       scikit-learn, the reference of the analysis experiments
#   redis-server          the membership table and shard state of a cluster of several servers (started by the
#                         launcher and the tests on a port of their own, never as a system service)
#   chromium              opens the experiments' index.html headless (the test looks for console errors)
#   kubectl               renders deploy/k8s (kustomize) for the manifest tests; Debian's kubernetes-client is too
#                         old for the kustomize features used, so a pinned release is fetched from dl.k8s.io
set -euo pipefail
cd "$(dirname "$0")/.."

install_packages() {
  echo "setup: installing ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

packages=(python3-torch dataset-fashion-mnist python3-grpcio python3-grpc-tools grpc-proto python3-numpy python3-simpy python3-sklearn chromium prometheus redis-server)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Node.js from elsewhere (with its own npm) serves as well as Debian's.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v kubectl >/dev/null || command -v curl >/dev/null || missing+=(curl ca-certificates)

installed=0
if ((${#missing[@]} > 0)); then
  install_packages
  installed=1
fi

# The figure renderer's npm packages, at the versions package-lock.json pins.
if [[ ! -f tools/plots/node_modules/.package-lock.json || tools/plots/package-lock.json -nt tools/plots/node_modules/.package-lock.json ]]; then
  echo "setup: installing the figure renderer's npm packages (tools/plots)" >&2
  npm ci --prefix tools/plots --omit=dev --no-audit --no-fund --loglevel=error
  installed=1
fi


# kubectl (with kustomize built in), a pinned release checked against its published SHA-256.
if ! command -v kubectl >/dev/null; then
  version=v1.32.4
  echo "setup: installing kubectl $version from dl.k8s.io" >&2
  tmp=$(mktemp -d)
  curl -fsSL -o "$tmp/kubectl" "https://dl.k8s.io/release/$version/bin/linux/amd64/kubectl"
  curl -fsSL -o "$tmp/kubectl.sha256" "https://dl.k8s.io/release/$version/bin/linux/amd64/kubectl.sha256"
  echo "$(cat "$tmp/kubectl.sha256")  $tmp/kubectl" | sha256sum --check --quiet
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" install -m 0755 "$tmp/kubectl" /usr/local/bin/kubectl
  rm -rf "$tmp"
  installed=1
fi

if ((installed == 0)); then
  echo "setup: nothing to install (${#packages[@]} Debian packages, node and npm, the figure renderer's npm packages and kubectl are there)" >&2
fi
