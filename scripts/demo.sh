#!/usr/bin/env bash
# Installs what is missing, builds, then compresses and decompresses a short sample with the shipped model at
# 6.25 kbps, printing sizes, bitrate and quality (and libopus at 6 kbps on the same clip, for scale).
# Usage: scripts/demo.sh [AUDIO_FILE] [KBPS]
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-samples/speech-en.wav}
kbps=${2:-6.25}
scripts/setup.sh
scripts/build.sh >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo
echo "== nwave encode $input ($kbps kbps)"
build/nwave encode "$input" "$out/sample.nwv" --bitrate "$kbps"
build/nwave decode "$out/sample.nwv" "$out/sample.decoded.wav"
build/nwave info "$out/sample.nwv"
in_bytes=$(stat -c %s "$input")
nwv_bytes=$(stat -c %s "$out/sample.nwv")
echo "input: $in_bytes bytes  ->  .nwv: $nwv_bytes bytes  ->  decoded: $(stat -c %s "$out/sample.decoded.wav") bytes (16-bit WAV)"
echo
echo "== quality (KEEP=1 keeps the decoded file as samples/speech-en.decoded.wav)"
mkdir -p "$out/eval" && cp "$input" "$out/eval/"
build/nwave eval --data "$out/eval" --bitrate "$kbps" --opus
[[ ${KEEP:-0} == 1 ]] && cp "$out/sample.decoded.wav" samples/speech-en.decoded.wav
exit 0
