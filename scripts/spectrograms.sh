#!/usr/bin/env bash
# Spectrograms of one recording as each codec returns it, stacked in one PNG (docs/QUALITY.md): the original, libopus
# at 6 kbps (ffmpeg's libopus, VOIP, wideband at most, like `nwave eval --opus`) and nwave at 6.25 kbps with each
# model given, on the recording with its pauses cut out (scripts/spectrogram.py draws each panel: 64 ms windows, so
# a voice's harmonics are resolved; 0 to MAX_HZ, default 5000, bottom to top). Each panel is labelled.
# Usage: [MAX_HZ=5000] scripts/spectrograms.sh IN.wav OUT.png [LABEL=MODEL.safetensors ...]
#        (default: shipped=models/nwave-16k.safetensors)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { sed -n '2,8p' "$0"; exit 2; }
in=$1 out=$2
shift 2
models=("$@")
((${#models[@]})) || models=("shipped=models/nwave-16k.safetensors")
[[ -x build/nwave ]] || scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
max_hz=${MAX_HZ:-5000}

# Pauses longer than 0.1 s are cut out of the original first, so the panels show voice rather than silence.
ffmpeg -nostdin -loglevel error -i "$in" -ar 16000 -ac 1 -c:a pcm_s16le \
  -af "silenceremove=stop_periods=-1:stop_duration=0.1:stop_threshold=-45dB" "$tmp/original.wav"
ffmpeg -nostdin -loglevel error -i "$tmp/original.wav" -c:a libopus -b:a 6k -application voip -cutoff 8000 "$tmp/opus.ogg"
ffmpeg -nostdin -loglevel error -i "$tmp/opus.ogg" -ar 16000 -ac 1 -c:a pcm_s16le "$tmp/opus6.wav"
panels=("original=$tmp/original.wav" "Opus 6 kbps=$tmp/opus6.wav")
i=0
for entry in "${models[@]}"; do
  label=${entry%%=*} model=${entry#*=}
  build/nwave encode "$tmp/original.wav" "$tmp/m$i.nwv" --model "$model" --bitrate 6.25 >/dev/null
  build/nwave decode "$tmp/m$i.nwv" "$tmp/m$i.wav" --model "$model" >/dev/null
  panels+=("nwave 6.25 kbps, $label=$tmp/m$i.wav")
  i=$((i + 1))
done

inputs=()
for k in "${!panels[@]}"; do
  label=${panels[$k]%%=*} wav=${panels[$k]#*=}
  /usr/bin/python3 scripts/spectrogram.py "$wav" "$tmp/p$k.ppm" "$tmp/original.wav" "$max_hz"
  printf '%s' "$label" > "$tmp/label$k.txt"  # read from a file: a label may hold drawtext's ':' and quotes
  ffmpeg -nostdin -loglevel error -i "$tmp/p$k.ppm" -vf \
    "drawtext=fontfile=$font:textfile=$tmp/label$k.txt:x=10:y=8:fontsize=18:fontcolor=white:box=1:boxcolor=black@0.6" "$tmp/p$k.png"
  inputs+=(-i "$tmp/p$k.png")
done
ffmpeg -nostdin -loglevel error -y "${inputs[@]}" -filter_complex "vstack=inputs=${#panels[@]}" "$out"
echo "spectrograms: $out (${#panels[@]} panels, 0-$max_hz Hz from bottom to top)"
