#!/usr/bin/env bash
# The exact recipe of the shipped default model (models/nwave-16k.safetensors). Resumable: run it again and it
# continues from runs/default/checkpoint.safetensors; on a fresh machine it starts from the shipped weights.
# Usage: scripts/train_default.sh [STEPS] [THREADS]     (environment: DEVICE=cuda to train on a GPU)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200000}
threads=${2:-2}
[[ -d data/train ]] || scripts/prepare_data.sh
[[ -x build/nwave ]] || scripts/build.sh
run=runs/default
init=()
if [[ ! -f $run/checkpoint.safetensors && -f models/nwave-16k.safetensors ]]; then
  init=(--init models/nwave-16k.safetensors)
fi
exec build/nwave train --data data/train --val data/valid --out "$run" --preset default \
  --steps "$steps" --batch 8 --segment 16000 --seed 1 --lr 3e-4 --warmup 100 --threads "$threads" --device "${DEVICE:-cpu}" \
  --val-every 1000 --checkpoint-every 250 --log-every 10 --resume "${init[@]}"
