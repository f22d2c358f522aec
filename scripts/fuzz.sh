#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DNWAVE_FUZZ=ON, in build-fuzz/) and runs each for SECONDS (default 600),
# one at a time on one core. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   targets: fuzz_nwv (.nwv readers, v1 and v2), fuzz_range (range decoder + context model), fuzz_audio (read_audio), fuzz_model (load_safetensors, load_model, Model::Load),
#            fuzz_c_api (the C API's .nwv bytes, codes and samples; uses the default model),
#            fuzz_tokens (.npy/.npz token files: nwave decode's other input)
# Seeds come from fuzz/corpus/<name>/ (read-only); new inputs go to build-fuzz/corpus/<name>/, crashes, leaks,
# timeouts and out-of-memory inputs to build-fuzz/artifacts/<name>/, logs to build-fuzz/logs/. Exit status 1 if any
# target found something. Reproduce a finding with: build-fuzz/<target> FILE. (libFuzzer writes new inputs into the
# FIRST corpus directory it is given: never put fuzz/corpus/ first, or the committed seeds fill up.)
# FUZZ_RUNS=N stops each target after N executions instead (SECONDS then only bounds the time).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_nwv fuzz_range fuzz_audio fuzz_model fuzz_c_api fuzz_tokens)

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (scripts/setup.sh installs clang-14)" >&2; exit 1; }
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNWAVE_FUZZ=ON -DNWAVE_BUILD_TESTS=OFF -DNWAVE_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz --parallel 1 --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1
status=0
for t in "${targets[@]}"; do
  seeds=fuzz/corpus/${t#fuzz_}
  [[ $t == fuzz_model ]] && seeds=fuzz/corpus/safetensors
  work=build-fuzz/corpus/${t#fuzz_}; art=build-fuzz/artifacts/${t#fuzz_}; log=build-fuzz/logs/$t.log
  mkdir -p "$work" "$art" build-fuzz/logs
  # A hostile header or model config must not make nwave allocate without bound: 2 GiB RSS / 512 MiB per malloc.
  # fuzz_model: LibTorch's static state is reported as leaks (it is not instrumented): leak checks off there.
  extra=(-rss_limit_mb=2048 -malloc_limit_mb=512)
  [[ -n ${FUZZ_RUNS:-} ]] && extra+=(-runs="$FUZZ_RUNS")
  [[ $t == fuzz_model ]] && extra+=(-detect_leaks=0)
  echo "fuzz: $t for ${seconds}s (log: $log)"
  if ! build-fuzz/"$t" -max_total_time="$seconds" -timeout=20 -max_len=65536 \
      -artifact_prefix="$art/" -print_final_stats=1 "${extra[@]}" "$work" "$seeds" >"$log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM: see $log and $art/" >&2
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "$log" | sed "s/^/  /" || true
done
exit $status
