#!/usr/bin/env bash
# Training throughput of one process against RANKS data-parallel ranks over loopback (docs/PERFORMANCE.md), at the
# same global batch: audio seconds trained per second, from metrics.jsonl between step 3 and the last (the first
# steps pay for start-up). The ranks are started by torchrun, as docs/TRAINING.md shows.
# Usage: bench/distributed_throughput.sh [RANKS=2] [GLOBAL_BATCH=8] [STEPS=12] [PRESET=default] [DATA=samples]
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${1:-2} batch=${2:-8} steps=${3:-12} preset=${4:-default} data=${5:-samples}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=(--data "$data" --preset "$preset" --segment 16000 --steps "$steps" --log-every 1 --val-every 1000000 --quiet)
rate() {  # RUN: audio s/s between step 3 and the last step
  /usr/bin/python3 - "$1" "$batch" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/metrics.jsonl")]
a, b = next(r for r in rows if r["step"] == 3), rows[-1]
print(f"{(b['step'] - a['step']) * int(sys.argv[2]) / (b['elapsed_s'] - a['elapsed_s']):.2f}")
PY
}
build/nwave train "${common[@]}" --out "$out/one-1" --batch "$batch" --threads 1
echo "1 process, 1 thread, batch $batch: $(rate "$out/one-1") audio s/s"
build/nwave train "${common[@]}" --out "$out/one-n" --batch "$batch" --threads "$ranks"
echo "1 process, $ranks threads, batch $batch: $(rate "$out/one-n") audio s/s"
torchrun --no_python --nproc_per_node "$ranks" --redirects 1 --tee 1 --log_dir "$out/logs" \
  build/nwave train "${common[@]}" --out "$out/ranks" --batch $((batch / ranks)) --threads 1 >/dev/null
echo "$ranks ranks, 1 thread each, batch $((batch / ranks)) per rank: $(rate "$out/ranks") audio s/s"
