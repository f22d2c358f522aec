#!/usr/bin/env bash
# The nwave command against opusenc + opusdec on one long file, in the same run (docs/PERFORMANCE.md): encode and
# decode of SECONDS of speech (samples/speech-en.wav looped) with the shipped model at 6.25 kbps on 1 thread and
# on THREADS threads, and opusenc --bitrate 6 + opusdec --rate 16000, each ROUNDS times in turn. Prints, per run,
# wall time, CPU time (user + sys), peak RSS, and the real-time factors of both times. Checks that every thread count
# writes identical bytes.
# Usage: bench/cli_vs_opus.sh [SECONDS=210] [THREADS=2] [ROUNDS=3] [NWAVE=build/nwave]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-210} threads=${2:-2} rounds=${3:-3} nwave=${4:-build/nwave}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -loglevel error -stream_loop 200 -i samples/speech-en.wav -t "$seconds" -ar 16000 -ac 1 "$tmp/long.wav"
echo "input: $seconds s; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(opusenc --version | head -1)"
printf '%-28s %8s %8s %8s %9s %9s\n' run wall_s cpu_s rss_MB rtf_wall rtf_cpu
measure() {  # NAME COMMAND...: one timed run
  local name=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr"; exit 1; }
  read -r wall user sys rss <"$tmp/time"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v d="$seconds" 'BEGIN {
    c = u + s; printf "%-28s %8.2f %8.2f %8.1f %9.1f %9.1f\n", n, w, c, r / 1024, d / w, (c > 0 ? d / c : 0) }'
}
for ((round = 1; round <= rounds; ++round)); do
  for t in 1 "$threads"; do
    measure "nwave encode --threads $t" "$nwave" encode "$tmp/long.wav" "$tmp/t$t.nwv" --threads "$t"
    measure "nwave decode --threads $t" "$nwave" decode "$tmp/t$t.nwv" "$tmp/t$t.wav" --threads "$t"
  done
  measure "opusenc --bitrate 6" opusenc --quiet --bitrate 6 "$tmp/long.wav" "$tmp/o.opus"
  measure "opusdec --rate 16000" opusdec --quiet --rate 16000 "$tmp/o.opus" "$tmp/o.wav"
  cmp "$tmp/t1.nwv" "$tmp/t$threads.nwv" && cmp "$tmp/t1.wav" "$tmp/t$threads.wav"
done
echo "identical bytes for 1 and $threads threads (.nwv and .wav)"
