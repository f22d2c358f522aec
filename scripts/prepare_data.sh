#!/usr/bin/env bash
# Prepares the training corpus of the default model from Debian packages only (the list in DESIGN.md): installs
# them, decodes them to 16 kHz mono WAV under data/ (git-ignored) and fixes the splits — see prepare_data.py for
# the layout: train/, valid/prompts (held-out prompts of the training voices), valid/unseen (whole languages never
# trained on) and valid/music. Re-running only fills in what is missing.
# Usage: scripts/prepare_data.sh [DATA_DIR]   (default: data)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data}
packages=(asterisk-core-sounds-en-g722 asterisk-core-sounds-es-g722 asterisk-core-sounds-ru-g722 asterisk-moh-opsound-g722
          asterisk-prompt-es-co ktuberling-data klettres-data wesnoth-1.16-music ffmpeg python3)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
exec /usr/bin/python3 scripts/prepare_data.py "$out"
