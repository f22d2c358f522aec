#!/usr/bin/env bash
# Training throughput of the default preset: nwave's C++ trainer step beside the same step in PyTorch (Python),
# one after the other on the same machine with the same threads, batch and segment.
# Usage: bench/compare_training.sh [THREADS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
steps=${2:-20}
[[ -x build/train_throughput ]] || scripts/build.sh
export OMP_NUM_THREADS=$threads
build/train_throughput --preset default --threads "$threads" --steps "$steps" --batch 8 --segment 16000
/usr/bin/python3 bench/train_throughput.py --threads "$threads" --steps "$steps" --batch 8 --segment 16000
