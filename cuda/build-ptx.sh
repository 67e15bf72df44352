#!/usr/bin/env bash
# Regenerates the PTX of every cuda/*.cu into src/main/resources/ptx/NAME.ptx (docs/emulator.md).
# The PTX is committed, so building featviz needs no nvcc; run this after changing a kernel source
# (PtxFreshnessTest fails with "stale PTX" until you do). Each file starts with a comment holding the
# SHA-256 of its source followed by the local headers it includes (cuda/common.cuh, in the order
# cuda/emu/gen_emu_sources.py --includes lists them), so a changed header makes its includers stale;
# ptx/index.txt lists the modules that CudaDevice loads.
#
#   cuda/build-ptx.sh            (needs nvcc on the PATH, or NVCC=/path/to/nvcc)
#
# compute_75 is the oldest target of nvcc 13; the driver JIT-compiles it for newer GPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

nvcc="${NVCC:-nvcc}"
python="${PYTHON:-/usr/bin/python3}"
[[ -x "$python" ]] || python=python3
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
  headers=()
  while IFS= read -r h; do headers+=("$h"); done < <("$python" cuda/emu/gen_emu_sources.py --includes "$source")
  hash="$(cat "$source" ${headers[@]+"${headers[@]}"} | sha256sum | cut -d' ' -f1)"
  with=""
  [[ ${#headers[@]} -gt 0 ]] && with=" (with ${headers[*]})"
  { echo "// featviz-source-sha256: $hash"
    echo "// Generated from $source$with by cuda/build-ptx.sh (nvcc $("$nvcc" --version | grep -o 'release [0-9.]*, V[0-9.]*')): do not edit."
    cat "$tmp/$name.ptx"; } > "$out/$name.ptx"
  echo "$name" >> "$tmp/index.txt"
  echo "build-ptx.sh: $source -> $out/$name.ptx"
done
mv "$tmp/index.txt" "$out/index.txt"
