#!/usr/bin/env bash
# The GPU checks: builds hrgrad against the CUDA LibTorch of a PyTorch installation, with the
# NCCL backend from its nvidia packages, and runs
#   1. gpu_test: the NCCL communicator's collectives on one rank and one GPU, and a float64
#      training on cuda whose loss history matches the CPU run to 1e-8 relative (both exchanges);
#   2. gpu_mpi_test on 2 ranks sharing one GPU: the host-staged exchange, again against the CPU;
#   3. hrgrad-train on the default problem for 200 steps on cuda and on the CPU (steps per second).
# usage: tests/gpu/check.sh [--deps DIR] [--build DIR] [--logs DIR]
#   --deps DIR   a tree from tests/gpu/bundle_deps.sh, for machines without MPI, HDF5, Boost,
#                Eigen and GoogleTest (it also gives mpiexec.hydra)
#   --build DIR  the build folder (default build-gpu)
#   --logs DIR   where each step's log goes (default BUILD/gpu-logs)
# Exit status 0 when every check passed; the summary names each check and its result.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
deps="" build=$root/build-gpu logs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --deps) deps=$(realpath "$2"); shift 2 ;;
    --build) build=$(realpath -m "$2"); shift 2 ;;
    --logs) logs=$(realpath -m "$2"); shift 2 ;;
    *) echo "check.sh: unknown argument '$1' (see the usage at the top of the script)" >&2; exit 2 ;;
  esac
done
logs=${logs:-$build/gpu-logs}
mkdir -p "$build" "$logs"
python=${PYTHON:-python3}
[ -d /usr/local/cuda/bin ] && export PATH=$PATH:/usr/local/cuda/bin

torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)') || {
  echo "check.sh: $python cannot import torch: a CUDA PyTorch is needed" >&2; exit 2; }
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
  "gpus", torch.cuda.device_count())' | tee "$logs/torch.txt"
nvidia=$("$python" -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || true)
nccl_h=$(find "$nvidia" -name nccl.h 2>/dev/null | head -1)
nccl_so=$(find "$nvidia" -name 'libnccl.so*' 2>/dev/null | head -1)
echo "nccl: ${nccl_h:-no nccl.h} ${nccl_so:-no libnccl}"

prefixes=$torch_prefix
runtime_path=$(dirname "${nccl_so:-/}")
config=(-DCMAKE_BUILD_TYPE=Release)
# Ninja: a CUDA image carries it with PyTorch (make may be missing), and its -k 0 is used below.
command -v ninja >/dev/null || { echo "check.sh: ninja is needed (pip install ninja)" >&2; exit 2; }
config+=(-G Ninja)
mpiexec=mpirun
if [ -n "$deps" ]; then
  usr=$deps/usr lib=$deps/usr/lib/x86_64-linux-gnu
  prefixes="$usr;$prefixes"
  runtime_path=$lib:$runtime_path
  mpiexec=$usr/bin/mpiexec.hydra
  config+=(-DHDF5_C_COMPILER_EXECUTABLE="$usr/bin/h5cc" -DMPI_C_COMPILER=/nonexistent
           -DMPI_C_HEADER_DIR="$usr/include/x86_64-linux-gnu/mpich" -DMPI_C_LIB_NAMES=mpich
           -DMPI_mpich_LIBRARY="$lib/libmpich.so" -DMPIEXEC_EXECUTABLE="$mpiexec")
  export PATH=$usr/bin:$PATH
fi
config+=(-DCMAKE_PREFIX_PATH="$prefixes")

declare -A result
configure() {  # configure <nccl ON|OFF>
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
  cmake -S "$root" -B "$build" "${config[@]}" -DHRGRAD_WITH_NCCL="$1" \
    -DNCCL_INCLUDE_DIR="$(dirname "${nccl_h:-/x}")" -DNCCL_LIBRARY="${nccl_so:-NOTFOUND}" \
    >"$logs/configure_nccl_$1.log" 2>&1
}
if configure ON; then
  result[configure]="ok ($(grep -o 'NCCL backend .*' "$logs/configure_nccl_ON.log"))"
elif configure OFF; then
  result[configure]="ok without NCCL (with NCCL it failed: configure_nccl_ON.log)"
else
  tail -30 "$logs/configure_nccl_OFF.log"
  echo "check.sh: cmake failed (logs in $logs)" >&2
  exit 1
fi
echo "configure: ${result[configure]}"

# -k 0: keep going past the first error, so that one round trip shows every file that fails.
if cmake --build "$build" -j "$(nproc)" --target hrgrad-train gpu_test gpu_mpi_test -- -k 0 \
  >"$logs/build.log" 2>&1; then
  result[build]=ok
else
  result[build]=FAILED
  grep -B2 -A12 -m3 'error' "$logs/build.log" | head -60
fi

run() {  # run <name> <timeout> <command...>: runs with the bundled libraries, records the result
  local name=$1 limit=$2; shift 2
  if LD_LIBRARY_PATH=$runtime_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} timeout "$limit" "$@" \
    >"$logs/$name.log" 2>&1; then
    result[$name]=ok
  else
    result[$name]="FAILED (status $?)"
  fi
  tail -15 "$logs/$name.log"
}
if [ "${result[build]}" = ok ]; then
  run gpu_test 300 "$build/tests/gpu/gpu_test"
  run gpu_mpi_test_np2 300 "$mpiexec" -n 2 "$build/tests/gpu/gpu_mpi_test"
  tmp=$(mktemp -d)
  run train_cuda 300 "$build/hrgrad-train" --device cuda --steps 200 --log-every 50 \
    --reference-cache none -o "$tmp/cuda.h5"
  run train_cpu 300 "$build/hrgrad-train" --device cpu --steps 200 --log-every 50 \
    --reference-cache none -o "$tmp/cpu.h5"
  rm -rf "$tmp"
fi

status=0
echo "== GPU check summary =="
for name in configure build gpu_test gpu_mpi_test_np2 train_cuda train_cpu; do
  echo "$name: ${result[$name]:-not run}"
  case "${result[$name]:-not run}" in ok*) ;; *) status=1 ;; esac
done
exit $status
