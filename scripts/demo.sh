#!/usr/bin/env bash
# Installs what is missing, builds, then compresses and decompresses short samples with the shipped model at
# 6.25 kbps, printing sizes, bitrate and quality (and libopus at 6 kbps on the same clip, for scale). By default
# two samples (samples/README.md): a voice like the training voices and a voice and language the model never heard.
# Usage: scripts/demo.sh [AUDIO_FILE] [KBPS]      (KEEP=1 keeps the decoded files as samples/*.decoded.wav)
set -euo pipefail
cd "$(dirname "$0")/.."
inputs=("${1:-samples/speech-en.wav}")
[[ $# -ge 1 ]] || inputs+=(samples/speech-cs-unseen.wav)
kbps=${2:-6.25}
scripts/setup.sh >/dev/null
scripts/build.sh >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for input in "${inputs[@]}"; do
  name=$(basename "${input%.*}")
  echo
  echo "== nwave encode $input ($kbps kbps)"
  build/nwave encode "$input" "$out/$name.nwv" --bitrate "$kbps"
  build/nwave decode "$out/$name.nwv" "$out/$name.decoded.wav"
  build/nwave info "$out/$name.nwv"
  echo "input: $(stat -c %s "$input") bytes  ->  .nwv: $(stat -c %s "$out/$name.nwv") bytes  ->  decoded:" \
       "$(stat -c %s "$out/$name.decoded.wav") bytes (16-bit WAV)"
  echo
  echo "== quality of $input"
  mkdir -p "$out/eval-$name" && cp "$input" "$out/eval-$name/"
  build/nwave eval --data "$out/eval-$name" --bitrate "$kbps" --opus --group-depth 0
  [[ ${KEEP:-0} == 1 ]] && cp "$out/$name.decoded.wav" "samples/$name.decoded.wav"
done
exit 0
