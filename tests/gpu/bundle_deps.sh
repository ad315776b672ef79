#!/usr/bin/env bash
# Packs what hrgrad builds against, from this Debian 12 machine, into one tarball for a GPU
# machine that has CUDA, PyTorch, CMake and a compiler but no MPI, HDF5, Boost, Eigen or
# GoogleTest: tests/gpu/check.sh --deps DIR uses the unpacked tree. MPICH is packed rather than
# OpenMPI, whose launcher and plugins would need relocating; its packages are downloaded, not
# installed (installing them would change this machine's mpirun). The shared libraries come with
# everything they load except the C library family, which the target has in a newer version.
#   usage: tests/gpu/bundle_deps.sh OUT.tar.xz
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT.tar.xz" >&2; exit 2; }
out=$(realpath -m "$1")
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deps=$work/deps
lib=$deps/usr/lib/x86_64-linux-gnu
mkdir -p "$deps/usr/bin" "$deps/usr/include" "$deps/usr/share" "$lib/cmake"

(cd "$work" && apt-get download -q libmpich-dev libmpich12 mpich libslurm38 >/dev/null 2>&1)
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/mpich"; done
m=$work/mpich/usr
cp -a "$m/include/x86_64-linux-gnu" "$deps/usr/include/"
cp -a "$m/bin/mpiexec.hydra" "$m/bin/hydra_pmi_proxy" "$deps/usr/bin/"
cp -a "$m"/lib/x86_64-linux-gnu/libmpich.so* "$m"/lib/x86_64-linux-gnu/libslurm.so* "$lib/"

cp -a /usr/include/hdf5 /usr/include/eigen3 /usr/include/gtest "$deps/usr/include/"
cp -a /usr/lib/x86_64-linux-gnu/libhdf5_serial.so* /usr/lib/x86_64-linux-gnu/libg{test,mock}*.a "$lib/"
ln -s libhdf5_serial.so "$lib/libhdf5.so"  # the name FindHDF5 expects from h5cc
cp -a /usr/share/eigen3 "$deps/usr/share/"
cp -a /usr/lib/x86_64-linux-gnu/cmake/GTest /usr/lib/x86_64-linux-gnu/cmake/*oost* "$lib/cmake/"
cp -a /usr/lib/x86_64-linux-gnu/libboost_program_options.so* "$lib/"
# Only the Boost headers that Boost.Program_options pulls in.
echo '#include <boost/program_options.hpp>
#include <boost/version.hpp>' |
  g++ -std=c++17 -M -x c++ - | tr ' \\' '\n\n' | grep '^/usr/include/boost/' | sort -u |
  while read -r header; do install -D -m 644 "$header" "$deps$header"; done

# The libraries' closure, without the C library family and the C++ runtime.
export LD_LIBRARY_PATH=$lib
for object in "$lib"/libmpich.so.12 "$lib"/libhdf5_serial.so.* "$lib"/libboost_program_options.so.* \
  "$deps/usr/bin/mpiexec.hydra"; do
  ldd "$object" | awk '/=> \// {print $3}'
done | sort -u | grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|libstdc\+\+|libgcc_s)\.so' |
  while read -r so; do [ -e "$lib/$(basename "$so")" ] || cp -L "$so" "$lib/"; done

# h5cc for CMake's FindHDF5, pointing into wherever the tree is unpacked.
cat >"$deps/usr/bin/h5cc" <<'H5CC'
#!/bin/sh
usr=$(cd "$(dirname "$0")/.." && pwd)
case "$1" in
  -showconfig) echo "HDF5 Version: 1.10.8" ;;
  *) echo "gcc -I$usr/include/hdf5/serial -L$usr/lib/x86_64-linux-gnu -lhdf5" ;;
esac
H5CC
chmod +x "$deps/usr/bin/h5cc"
tar -C "$work" -cJf "$out" deps
echo "wrote $out ($(du -h "$out" | cut -f1))"
