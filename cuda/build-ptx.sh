#!/usr/bin/env bash
# Regenerates the PTX of every cuda/*.cu into src/main/resources/ptx/NAME.ptx (docs/emulator.md).
# The PTX is committed, so building featviz needs no nvcc; run this after changing a kernel source
# (PtxFreshnessTest fails with "stale PTX" until you do). Each file starts with a comment holding the
# SHA-256 of its source; ptx/index.txt lists the modules that CudaDevice loads.
#
#   cuda/build-ptx.sh            (needs nvcc on the PATH, or NVCC=/path/to/nvcc)
#
# compute_75 is the oldest target of nvcc 13; the driver JIT-compiles it for newer GPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

nvcc="${NVCC:-nvcc}"
out=src/main/resources/ptx
flags=(-ptx -arch=compute_75 -std=c++17 --Werror all-warnings)
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

rm -f "$out"/*.ptx
: > "$tmp/index.txt"
for source in cuda/*.cu; do
  name="$(basename "${source%.cu}")"
  "$nvcc" "${flags[@]}" -o "$tmp/$name.ptx" "$source"
  hash="$(sha256sum "$source" | cut -d' ' -f1)"
  { echo "// featviz-source-sha256: $hash"
    echo "// Generated from $source by cuda/build-ptx.sh (nvcc $("$nvcc" --version | grep -o 'release [0-9.]*, V[0-9.]*')): do not edit."
    cat "$tmp/$name.ptx"; } > "$out/$name.ptx"
  echo "$name" >> "$tmp/index.txt"
  echo "build-ptx.sh: $source -> $out/$name.ptx"
done
mv "$tmp/index.txt" "$out/index.txt"
