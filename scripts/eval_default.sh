#!/usr/bin/env bash
# The quality report of docs/QUALITY.md: a model on the fixed validation split of scripts/prepare_data.sh, per group
# (prompts: held-out prompts of the training voices; unseen: whole languages and their speakers never trained on;
# music), 1.25-10 kbps, beside libopus at 6, 8 and 12 kbps; the plot shows the unseen-speaker group.
# Usage: scripts/eval_default.sh [MODEL] [THREADS] [OUT_PREFIX]
#   writes OUT_PREFIX.json, OUT_PREFIX.png and OUT_PREFIX.txt (default docs/quality: what QUALITY.md shows)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/nwave-16k.safetensors}
threads=${2:-1}
out=${3:-docs/quality}
[[ -d data/valid/unseen ]] || scripts/prepare_data.sh
[[ -x build/nwave ]] || scripts/build.sh
mkdir -p "$(dirname "$out")"
build/nwave eval --data data/valid --model "$model" --threads "$threads" --opus \
  --bitrate 1.25 2.5 3.75 5 6.25 7.5 8.75 10 --json "$out.json" --plot "$out.png" --plot-group unseen | tee "$out.txt"
