#!/usr/bin/env bash
# The main job: install what is missing, build, and run one parameter server and two learner processes of
# different speeds (2.5 : 1) training LeNet-5 on Fashion-MNIST on this machine, for three minutes.
# Extra arguments go to the launcher, e.g.  ./scripts/run.sh --learners 4 --speeds 4,2,1,1 --duration 300
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec dotnet run --project src/Sim -c Release -- cluster "$@"
