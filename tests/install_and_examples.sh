#!/usr/bin/env bash
# ctest install_and_examples: `cmake --install` into a temporary prefix, then the examples/ programs built against
# it twice, with pkg-config and with find_package(nwave), and run with the installed default model (found by the
# library itself, with NWAVE_MODEL unset). The installed nwave command encodes and decodes too.
# Usage: install_and_examples.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
unset NWAVE_MODEL
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/nwave/nwave.h include/nwave/codec.h lib/pkgconfig/nwave.pc lib/cmake/nwave/nwaveConfig.cmake \
         lib/libnwave.a bin/nwave libexec/nwave/nwave-train share/nwave/models/nwave-16k.safetensors; do
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
echo "ok: installed to $prefix; examples built with pkg-config and find_package, and run"
