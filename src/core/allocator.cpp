#include "hrgrad/core/allocator.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hrgrad {

void tune_allocator_for_tensors() {
#if defined(__GLIBC__)
  // 32 MiB is glibc's largest mmap threshold on 64-bit systems; larger blocks still use mmap.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

}  // namespace hrgrad
