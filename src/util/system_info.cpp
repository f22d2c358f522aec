#include "util/system_info.h"

#include <dlfcn.h>
#include <sstream>

namespace nwave {

std::string blas_library_path() {
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info{};
  if (symbol && dladdr(symbol, &info) && info.dli_fname) {
    char resolved[4096];
    if (realpath(info.dli_fname, resolved)) return resolved;
    return info.dli_fname;
  }
  return "unknown";
}

std::string system_report() {
  std::ostringstream out;
  out << "libtorch: " << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH << "\n";
  out << "blas: " << blas_library_path() << "\n";
  using OpenBlasConfig = char* (*)();
  if (auto config = reinterpret_cast<OpenBlasConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config")))
    out << "openblas: " << config() << "\n";
  else
    out << "openblas: not loaded (reference BLAS is about 5x slower for training; install libopenblas0-openmp)\n";
  out << "threads: " << torch::get_num_threads() << "\n";
  out << "cuda: " << (torch::cuda::is_available() ? std::to_string(torch::cuda::device_count()) + " device(s)" : "not available") << "\n";
  return out.str();
}

}  // namespace nwave
