#include "hrgrad/core/blas.hpp"

#include <link.h>

#include <filesystem>

namespace hrgrad {

std::string loaded_blas() {
  std::string found;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("libblas.so") == std::string::npos) return 0;
        std::error_code error;
        const auto real = std::filesystem::canonical(name, error);
        *static_cast<std::string*>(data) = error ? name : real.string();
        return 1;
      },
      &found);
  return found;
}

bool is_reference_blas(const std::string& path) {
  // Debian installs the reference BLAS as .../blas/libblas.so.3; OpenBLAS, BLIS and MKL live
  // in folders named after them.
  return path.find("/blas/libblas.so") != std::string::npos;
}

}  // namespace hrgrad
