// Which BLAS the process runs its matrix products on, found at run time: Debian's LibTorch calls
// whatever libblas.so.3 the alternatives system points to, and the reference BLAS there makes
// training several times slower than OpenBLAS (docs/usage.md, docs/performance.md).
#pragma once

#include <string>

namespace hrgrad {

// The resolved path of the loaded libblas.so.3 (symbolic links followed), or "" when none is
// loaded (a BLAS linked under another name, or a static one).
std::string loaded_blas();

// True when loaded_blas() is the reference (netlib) BLAS, e.g. /usr/lib/x86_64-linux-gnu/blas/.
bool is_reference_blas(const std::string& path);

}  // namespace hrgrad
