#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest.
#   scripts/test.sh             Release build in build/ (what CI runs)
#   scripts/test.sh --sanitize  ASan + UBSan build of the library, CLI and tests in build-sanitize/ (RelWithDebInfo,
#                               -DNWAVE_SANITIZE=ON), then the same suite under the sanitizers. Separate from CI: the
#                               build alone takes long on a small machine. LibTorch itself is not instrumented; see
#                               docs/RELIABILITY.md for the ASAN_OPTIONS used and why.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ ${1:-} == --sanitize ]]; then
  shift
  generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
  launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B build-sanitize "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNWAVE_SANITIZE=ON -DNWAVE_BUILD_BENCH=OFF "$@"
  # detect_leaks=0: LibTorch (uninstrumented) keeps global allocations alive to exit, reported as leaks.
  # new_delete_type_mismatch=0 / alloc_dealloc_mismatch=0: LibTorch frees some of its own objects through
  # mismatched paths inside its uninstrumented code; nwave's code is still checked for every other error.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:new_delete_type_mismatch=0:alloc_dealloc_mismatch=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # (set before building: gtest_discover_tests runs the instrumented nwave_tests at build time)
  cmake --build build-sanitize --parallel "$(nproc)" --target nwave nwave_tests
  cd build-sanitize && ctest --output-on-failure --parallel "$(nproc)" --timeout 1800
  exit
fi
scripts/build.sh
cd build && ctest --output-on-failure --parallel "$(nproc)"
