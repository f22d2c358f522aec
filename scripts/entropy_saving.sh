#!/usr/bin/env bash
# Measures what entropy coding saves: encodes every audio file under DIR at KBPS (default 6.25) to a .nwv file
# (version 2, range coded), sums the actual sizes and the fixed-width sizes that `nwave info` reports, and for the
# first CHECK files (default 5) also encodes with --no-entropy, decodes both and compares the WAVs byte for byte.
# Usage: scripts/entropy_saving.sh DIR [KBPS] [CHECK]    (NWAVE=path/to/nwave, NWAVE_MODEL=model, as usual)
set -euo pipefail
dir=$1; kbps=${2:-6.25}; check=${3:-5}
nwave=${NWAVE:-$(dirname "$0")/../build/nwave}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
files=0; bytes=0; fixed=0; seconds=0; identical=0; checked=0; best=100; worst=0
while IFS= read -r -d '' f; do
  "$nwave" encode "$f" "$tmp/a.nwv" --bitrate "$kbps"
  info=$("$nwave" info "$tmp/a.nwv")
  size=$(stat -c %s "$tmp/a.nwv")
  full=$(sed -n 's/.*of the fixed-width size (\([0-9]*\) bytes).*/\1/p' <<<"$info")
  [[ -n $full ]] || full=$size  # no entropy line: nothing was range coded
  dur=$(sed -n 's/^duration: \([0-9.]*\) s.*/\1/p' <<<"$info")
  files=$((files + 1)); bytes=$((bytes + size)); fixed=$((fixed + full))
  seconds=$(awk -v a="$seconds" -v b="$dur" 'BEGIN { print a + b }')
  pct=$(awk -v a="$size" -v b="$full" 'BEGIN { printf "%.1f", 100 * a / b }')
  best=$(awk -v a="$best" -v b="$pct" 'BEGIN { print (b < a ? b : a) }')
  worst=$(awk -v a="$worst" -v b="$pct" 'BEGIN { print (b > a ? b : a) }')
  if ((checked < check)); then
    "$nwave" encode "$f" "$tmp/b.nwv" --bitrate "$kbps" --no-entropy
    "$nwave" decode "$tmp/a.nwv" "$tmp/a.wav"
    "$nwave" decode "$tmp/b.nwv" "$tmp/b.wav"
    [[ $(stat -c %s "$tmp/b.nwv") == "$full" ]] || { echo "fixed-width size differs from info's for $f" >&2; exit 1; }
    cmp -s "$tmp/a.wav" "$tmp/b.wav" && identical=$((identical + 1))
    checked=$((checked + 1))
  fi
done < <(find "$dir" -type f \( -name '*.wav' -o -name '*.flac' -o -name '*.ogg' -o -name '*.mp3' \) -print0 | sort -z)
awk -v n="$files" -v s="$seconds" -v a="$bytes" -v b="$fixed" -v k="$kbps" -v lo="$best" -v hi="$worst" \
    -v c="$checked" -v i="$identical" 'BEGIN {
  printf "%d files, %.1f s at %s kbps: entropy-coded %d bytes = %.1f %% of fixed width (%d bytes); actual %.2f kbps\n",
         n, s, k, a, 100 * a / b, b, a * 8 / s / 1000
  printf "per file: %.1f %% to %.1f %% of fixed width; decoded WAVs identical to fixed width: %d of %d checked\n", lo, hi, i, c
}'
