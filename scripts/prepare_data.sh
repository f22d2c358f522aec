#!/usr/bin/env bash
# Prepares the training corpus of the default model: installs the four Debian sound packages named in DESIGN.md,
# decodes their G.722 files to 16 kHz mono WAV under data/ (git-ignored), and fixes the validation split:
# whole files, every 10th prompt of each language by sorted name, and one of the five music pieces.
# Usage: scripts/prepare_data.sh [DATA_DIR]   (default: data)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data}
packages=(asterisk-core-sounds-en-g722 asterisk-core-sounds-es-g722 asterisk-core-sounds-ru-g722 asterisk-moh-opsound-g722 ffmpeg)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

held_out_music="reno_project-system"
decode() {  # decode SRC DEST: G.722 (raw, 16 kHz) to 16-bit mono WAV, skipped when already there
  [[ -s $2 ]] && return 0
  mkdir -p "$(dirname "$2")"
  ffmpeg -nostdin -loglevel error -y -f g722 -i "$1" -ar 16000 -ac 1 -c:a pcm_s16le "$2.tmp.wav"
  mv "$2.tmp.wav" "$2"
}

count=0
for lang in en es ru; do
  mapfile -t files < <(dpkg -L "asterisk-core-sounds-$lang-g722" | grep '\.g722$' | sort)
  for i in "${!files[@]}"; do
    src=${files[$i]}
    rel=${src#/usr/share/asterisk/sounds/*/}  # below the speaker folder (en_US_f_Allison, ...)
    split=train; ((i % 10 == 5)) && split=valid
    decode "$src" "$out/$split/$lang/${rel%.g722}.wav"
    count=$((count + 1))
  done
done
mapfile -t music < <(dpkg -L asterisk-moh-opsound-g722 | grep '\.g722$' | sort)
for src in "${music[@]}"; do
  name=$(basename "${src%.g722}")
  split=train; [[ $name == "$held_out_music" ]] && split=valid
  decode "$src" "$out/$split/music/$name.wav"
  count=$((count + 1))
done
echo "prepare_data: $count files under $out/ (train: $(find "$out/train" -name '*.wav' | wc -l), valid: $(find "$out/valid" -name '*.wav' | wc -l))"
