#!/usr/bin/env bash
# The exact recipe of the shipped default model (models/nwave-16k.safetensors): a fine-tune of the previous default
# weights on the broad corpus of scripts/prepare_data.sh, with augmentation (speed/pitch, EQ, gain) and the
# phase-advance loss, in two learning-rate stages. Resumable: run it again and it continues from
# runs/default/checkpoint.safetensors; on a fresh machine it starts from INIT (default: the shipped weights, so the
# model keeps improving from where it is). To redo the shipped fine-tune exactly, start from the weights it started
# from: git show c65f595:models/nwave-16k.safetensors > base.safetensors; INIT=base.safetensors scripts/train_default.sh 12000 1
# (one thread, as it ran: other thread counts round differently).
# Usage: [INIT=MODEL] [DEVICE=cuda] scripts/train_default.sh [STEPS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-12000}
threads=${2:-2}
stage1_steps=5000          # learning rate 3e-4 up to here, then 1e-4 (docs/QUALITY.md: +0.012 STOI on unseen voices)
[[ -d data/train ]] || scripts/prepare_data.sh
[[ -x build/nwave ]] || scripts/build.sh
run=runs/default
train() {  # train LAST_STEP LEARNING_RATE
  local init=()
  [[ -f $run/checkpoint.safetensors ]] || init=(--init "${INIT:-models/nwave-16k.safetensors}")
  build/nwave train --data data/train --val data/valid --out "$run" --preset default --augment --w-phase 0.5 \
    --steps "$1" --lr "$2" --batch 8 --segment 16000 --seed 1 --warmup 100 --threads "$threads" --device "${DEVICE:-cpu}" \
    --val-every 1000 --checkpoint-every 250 --log-every 10 --resume "${init[@]}"
}
train $((steps < stage1_steps ? steps : stage1_steps)) 3e-4
((steps <= stage1_steps)) || train "$steps" 1e-4
