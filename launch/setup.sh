#!/usr/bin/env bash
# Installs the Debian packages hrgrad needs, skipping those already installed. Idempotent.
# Not root: prints the one command that installs what is missing, and fails.
set -euo pipefail

packages=(
  g++ cmake ninja-build
  libtorch-dev libopenblas0-openmp
  libdnnl-dev  # oneDNN's sgemm for the MLP's float32 products (docs/performance.md)
  libopenmpi-dev openmpi-bin
  libhdf5-dev libboost-program-options-dev libeigen3-dev
  libgtest-dev libbenchmark-dev
  python3-h5py python3-matplotlib python3-numpy
  python3-torch  # the PyTorch twin of tests/bench (docs/performance.md)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "setup: hrgrad needs these Debian packages: ${missing[*]}" >&2
    echo "setup: as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
