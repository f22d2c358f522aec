#!/usr/bin/env bash
# The quality report of docs/QUALITY.md: the shipped model on the held-out validation split (whole files of the
# three speakers and one music piece that training never saw), 1.25-10 kbps, beside libopus at 6, 8 and 12 kbps.
# Usage: scripts/eval_default.sh [MODEL] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/nwave-16k.safetensors}
threads=${2:-1}
[[ -d data/valid ]] || scripts/prepare_data.sh
[[ -x build/nwave ]] || scripts/build.sh
mkdir -p docs
build/nwave eval --data data/valid --model "$model" --threads "$threads" --opus \
  --bitrate 1.25 2.5 3.75 5 6.25 7.5 8.75 10 --json docs/quality.json --plot docs/quality.png
for split in en es ru music; do
  echo "-- $split"
  build/nwave eval --data "data/valid/$split" --model "$model" --threads "$threads" --opus --bitrate 3.75 6.25 10
done
