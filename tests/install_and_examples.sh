#!/usr/bin/env bash
# ctest install_and_examples: `cmake --install` into a temporary prefix, then the examples/ programs built against
# it twice, with pkg-config and with find_package(nwave), and run with the installed default model (found by the
# library itself, with NWAVE_MODEL unset). The installed nwave command encodes and decodes too, and the installed
# Python module is imported by PYTHON (Debian's /usr/bin/python3 by default) from lib/python3/dist-packages.
# Usage: install_and_examples.sh BUILD_DIR SOURCE_DIR [PYTHON]
set -euo pipefail
build=$1 source=$2 python=${3:-/usr/bin/python3}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
unset NWAVE_MODEL
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/nwave/nwave.h include/nwave/codec.h lib/pkgconfig/nwave.pc lib/cmake/nwave/nwaveConfig.cmake \
         lib/libnwave.a bin/nwave libexec/nwave/nwave-train share/nwave/models/nwave-16k.safetensors \
         include/nwave/tokens.h lib/python3/dist-packages/nwave/__init__.py lib/python3/dist-packages/nwave/_location.py; do
  [[ -e $prefix/$f ]] || fail "not installed: $f"
done
ls "$prefix"/lib/libnwave.so.* >/dev/null || fail "libnwave.so.N not installed"

# pkg-config, as a C and a C++ program would be built by hand.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c99 -Wall -Werror "$source/examples/roundtrip.c" $(pkg-config --cflags --libs nwave) -lm \
  -Wl,-rpath,"$prefix/lib" -o "$prefix/roundtrip_pc"
c++ -std=c++17 -Wall -Werror "$source/examples/transcode.cpp" $(pkg-config --cflags --libs nwave) \
  -Wl,-rpath,"$prefix/lib" -o "$prefix/transcode_pc"
"$prefix/roundtrip_pc"

# find_package(nwave) -> nwave::nwave.
cmake -S "$source/examples" -B "$prefix/examples-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/examples-build" >/dev/null
"$prefix/examples-build/roundtrip"

# The installed command and the C++ example on a short file: both find the installed model.
wav=$prefix/in.wav
"$prefix/transcode_pc" "$source/samples/$(ls "$source/samples" | grep -m1 '\.wav$')" "$prefix/a.nwv" "$wav" 
"$prefix/bin/nwave" encode "$wav" "$prefix/b.nwv"
"$prefix/bin/nwave" decode "$prefix/b.nwv" "$prefix/b.wav"
# (outputs captured first: grep -q closing the pipe early would fail the writer under pipefail)
info=$("$prefix/bin/nwave" info "$prefix/b.nwv")
grep -q 'integrity: ok' <<<"$info" || fail "nwave info"
train_help=$("$prefix/bin/nwave" train --help)
grep -q -- '--data' <<<"$train_help" || fail "nwave train does not reach the installed nwave-train"
# The Python module as installed: it loads the installed libnwave (not the build tree's), which finds the installed
# model; its tokens equal the installed command's, and they decode back.
"$prefix/bin/nwave" tokens "$wav" "$prefix/t.npy"
PYTHONPATH=$prefix/lib/python3/dist-packages "$python" - "$prefix" "$wav" <<'PY' || fail "the installed Python module"
import os, sys, wave
import numpy as np
import nwave
prefix, wav = sys.argv[1:]
assert os.path.realpath(nwave.library_path()).startswith(os.path.realpath(prefix)), nwave.library_path()
assert os.path.realpath(nwave.__file__).startswith(os.path.realpath(prefix)), nwave.__file__
with wave.open(wav) as w:
    audio = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels()).T
    rate = w.getframerate()
m = nwave.Model()
codes = m.tokens(audio, sample_rate=rate)
np.testing.assert_array_equal(codes, np.load(os.path.join(prefix, "t.npy")))
assert len(m.detokenize(codes)) == codes.shape[1] * m.hop
print("python:", nwave.__version__, "tokens", codes.shape)
PY
echo "ok: installed to $prefix; examples built with pkg-config and find_package, and run; Python module imported"
