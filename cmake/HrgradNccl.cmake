# Decides whether the NCCL backend can be built: it needs a CUDA build of LibTorch, the CUDA
# runtime and NCCL (nccl.h and libnccl). A PyTorch installation carries NCCL in its nvidia
# packages, where the library is libnccl.so.2: set NCCL_ROOT to that folder, or NCCL_INCLUDE_DIR
# and NCCL_LIBRARY (tests/gpu/check.sh finds them).
set(HRGRAD_NCCL_STATUS "off")
if(HRGRAD_WITH_NCCL)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS $ENV{NCCL_ROOT}/include ${NCCL_ROOT}/include)
  find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2
               HINTS $ENV{NCCL_ROOT}/lib ${NCCL_ROOT}/lib)
  if(NOT TARGET CUDA::cudart)
    find_package(CUDAToolkit QUIET)
  endif()
  if(NOT TORCH_CUDA_LIBRARIES AND NOT CUDA_FOUND)
    set(HRGRAD_WITH_NCCL OFF)
    set(HRGRAD_NCCL_STATUS "off (LibTorch has no CUDA)")
  elseif(NOT TARGET CUDA::cudart)
    set(HRGRAD_WITH_NCCL OFF)
    set(HRGRAD_NCCL_STATUS "off (the CUDA toolkit's runtime was not found)")
  elseif(NOT NCCL_INCLUDE_DIR OR NOT NCCL_LIBRARY)
    set(HRGRAD_WITH_NCCL OFF)
    set(HRGRAD_NCCL_STATUS "off (nccl.h or libnccl not found; set NCCL_ROOT)")
  else()
    set(HRGRAD_NCCL_STATUS "on (${NCCL_LIBRARY})")
  endif()
else()
  set(HRGRAD_NCCL_STATUS "off (HRGRAD_WITH_NCCL=OFF)")
endif()
