#!/usr/bin/env bash
# The main job: install what is missing, build, and train LeNet-5 on Fashion-MNIST on this machine.
# Extra arguments go to the trainer, e.g.  ./scripts/run.sh --epochs 5 --batch-size 128
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec dotnet run --project src/Sim -c Release -- train --model lenet5 "$@"
