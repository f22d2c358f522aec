#!/usr/bin/env bash
# Runs one rank of a data-parallel `nwave train` under Slurm: maps Slurm's task variables to the ones torchrun
# sets (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) and runs the command. One task per GPU, or per
# CPU process. In an sbatch script (docs/TRAINING.md):
#   srun scripts/slurm_train.sh build/nwave train --data DIR --out RUN --device cuda --batch 8 ...
# MASTER_ADDR defaults to the job's first node, MASTER_PORT to 29500 (export either to change it).
set -euo pipefail
: "${SLURM_NTASKS:?run this under srun}"
export WORLD_SIZE="$SLURM_NTASKS" RANK="$SLURM_PROCID" LOCAL_RANK="$SLURM_LOCALID"
export MASTER_ADDR="${MASTER_ADDR:-$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)}"
export MASTER_PORT="${MASTER_PORT:-29500}"
exec "$@"
