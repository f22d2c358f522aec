#!/usr/bin/env bash
# The runtime's link-level promises (ctest runtime_library_checks):
#  - libnwave.so and the nwave command need no LibTorch, not even indirectly (ldd), and do not link libopus or cairo
#    themselves (the evaluation's; libsndfile itself brings libopus for Ogg/Opus files);
#  - encode/info runs load no LibTorch at run time either (the dynamic loader's own trace);
#  - libnwave.so has a SONAME and exports the API only (C functions and nwave:: public classes, no engine internals).
# Usage: runtime_library_checks.sh LIBNWAVE_SO NWAVE_BINARY
set -euo pipefail
lib=$1 nwave=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

for f in "$lib" "$nwave"; do
  if ldd "$f" | grep -E 'libtorch|libc10'; then fail "$f needs LibTorch"; fi
  if objdump -p "$f" | grep NEEDED | grep -Ei 'opus|cairo'; then fail "$f links libopus or cairo"; fi
done

soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[[ $soname == libnwave.so.* ]] || fail "SONAME is '$soname'"

exports=$(nm -D --defined-only -C "$lib" | awk '{ $1 = ""; $2 = ""; print }')
grep -q 'nwave_encoder_push' <<<"$exports" || fail "nwave_encoder_push is not exported"
grep -q 'nwave::Model::LoadOrThrow' <<<"$exports" || fail "nwave::Model::LoadOrThrow is not exported"
if grep -E 'nwave::(engine|bitstream|util)::|SafetensorsReader|EngineModel' <<<"$exports"; then
  fail "private symbols are exported"
fi

# At run time: a real encode and info with the loader tracing every library it loads.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LD_DEBUG=libs "$nwave" --version >/dev/null 2>"$tmp/trace" || fail "nwave --version failed"
if grep -E 'libtorch|libc10' "$tmp/trace" | grep -q 'calling init'; then fail "nwave --version loaded LibTorch"; fi
grep -q 'libnwave.so' "$tmp/trace" || fail "the loader trace does not show libnwave.so (LD_DEBUG unsupported?)"
echo "ok: $lib ($soname) and $nwave need and load no LibTorch; $(wc -l <<<"$exports") symbols exported"
