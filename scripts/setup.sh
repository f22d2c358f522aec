#!/usr/bin/env bash
# Installs every Debian package NeuralWave-RVQ needs to build, test, train and benchmark. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libtorch-dev libopenblas0-openmp          # LibTorch; OpenBLAS (OpenMP) instead of the ~5x slower reference BLAS
  libgloo-dev                               # gloo headers for c10d ProcessGroupGloo (data-parallel training)
  libsndfile1-dev libsoxr-dev               # audio files in, resampling to 16 kHz
  nlohmann-json3-dev libcli11-dev zlib1g-dev
  libopus-dev libcairo2-dev                 # Opus comparison, quality plot
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg python3-torch python3-numpy        # data preparation, the PyTorch comparison benchmark, .npy checks
  python3-pytest                            # the Python module's tests (tests/python/, run by ctest)
  clang-14 libclang-rt-14-dev               # libFuzzer + sanitizer runtimes for scripts/fuzz.sh (NWAVE_FUZZ)
  help2man                                  # the nwave(1) man page that cmake --install installs
  opus-tools                                # opusenc/opusdec: the CLI speed comparison in docs/PERFORMANCE.md
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
