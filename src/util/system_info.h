// What the numeric stack really runs on: LibTorch version, the BLAS library actually linked (OpenBLAS or the ~5x
// slower reference BLAS), threads, CUDA.
#pragma once
#include <string>

namespace nwave {

std::string blas_library_path();  // the shared object that provides sgemm_, or "unknown"
std::string system_report();      // several lines for `nwave info --system`

}  // namespace nwave
