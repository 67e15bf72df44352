#!/usr/bin/env bash
# Builds a host-emulator library of the CUDA kernels in the given folders (docs/emulator.md).
# Maven runs it twice (see pom.xml): for cuda/*.cu into libfeatviz-emu.so, with the JNI entry points,
# and for src/test/cuda/*.cu into a test-only kernel library that the first one loads.
#
#   cuda/build-emulator.sh [--jni] [--flags "g++ flags"] OUTPUT.so GENERATED_DIR SOURCE_DIR...
#
#   --jni      add the JNI entry points (emu_jni.cpp); needs JAVA_HOME (a JDK with include/jni.h)
#   --flags    optimization/sanitizer flags (default -O2); the asan Maven profile passes its own
#   --verbose  say what was built (by default a successful build prints nothing, so `mvn -q` stays quiet;
#              the kernels found are listed in GENERATED_DIR/kernels.txt either way)
#
# Paths are relative to the repository root, where the script runs. The library is rebuilt only
# when a hash of its inputs (sources, the local headers they include, emulator files, flags, compiler
# version) changes.
set -euo pipefail
cd "$(dirname "$0")/.."

jni=false
verbose=false
flags="-O2"
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --jni) jni=true; shift ;;
    --flags) flags="$2"; shift 2 ;;
    --verbose) verbose=true; shift ;;
    *) echo "build-emulator.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $# -lt 3 ]]; then
  sed -n '2,14p' "$0" >&2
  exit 2
fi
output="$1"
generated="$2"
shift 2

sources=()
for dir in "$@"; do
  for f in "$dir"/*.cu; do
    [[ -e "$f" ]] && sources+=("$f")
  done
done

emu=cuda/emu
runtime=("$emu/cuda_emu.h" "$emu/emu_abi.h" "$emu/emu_kernel_table.h" "$emu/emu_runtime.cpp" "$emu/gen_emu_sources.py" "$0")
cxx="${CXX:-g++}"
python="${PYTHON:-/usr/bin/python3}"
[[ -x "$python" ]] || python=python3
includes=(-I"$emu")
if $jni; then
  java_home="${JAVA_HOME:?build-emulator.sh --jni needs JAVA_HOME pointing at a JDK}"
  if [[ ! -f "$java_home/include/jni.h" ]]; then
    echo "build-emulator.sh: no $java_home/include/jni.h: JAVA_HOME must be a JDK, not a JRE" >&2
    exit 1
  fi
  includes+=(-I"$java_home/include" -I"$java_home/include/linux")
  runtime+=("$emu/emu_jni.cpp")
fi

# The local headers the sources include (cuda/common.cuh, say) are inputs too: the generator inlines them.
headers=()
if [[ ${#sources[@]} -gt 0 ]]; then
  while IFS= read -r h; do
    headers+=("$h")
  done < <("$python" "$emu/gen_emu_sources.py" --includes "${sources[@]}" | sort -u)
fi
inputs=(${sources[@]+"${sources[@]}"} ${headers[@]+"${headers[@]}"})

stamp="$generated/inputs.sha256"
inputs_hash=$( { printf '%s\n' "$flags" "$jni" ${inputs[@]+"${inputs[@]}"}; "$cxx" --version | head -1;
                 cat "${runtime[@]}" ${inputs[@]+"${inputs[@]}"}; } | sha256sum | cut -d' ' -f1)
if [[ -f "$output" && -f "$stamp" && "$(cat "$stamp")" == "$inputs_hash" ]]; then
  $verbose && echo "build-emulator.sh: $output is up to date"
  exit 0
fi

rm -rf "$generated"
mkdir -p "$generated" "$(dirname "$output")"
"$python" "$emu/gen_emu_sources.py" "$generated" ${sources[@]+"${sources[@]}"} > "$generated/kernels.txt"
$verbose && cat "$generated/kernels.txt"

units=("$emu/emu_runtime.cpp")
$jni && units+=("$emu/emu_jni.cpp")
for f in ${sources[@]+"${sources[@]}"}; do
  units+=("$generated/$(basename "${f%.cu}").emu.cpp")
  includes+=(-I"$(dirname "$f")")
done

# -fvisibility=hidden and -Bsymbolic: each kernel library keeps its own runtime; only the JNI entry
# points and the kernel table are exported.
# shellcheck disable=SC2086  # flags is a list of words
"$cxx" -std=c++17 $flags -fPIC -shared -fvisibility=hidden -Wall -Wno-unused-parameter \
  -Wl,-Bsymbolic -Wl,--no-undefined -Wl,-z,noexecstack "${includes[@]}" "${units[@]}" -o "$output.tmp" -ldl
mv "$output.tmp" "$output"
echo "$inputs_hash" > "$stamp"
$verbose && echo "build-emulator.sh: built $output (${#sources[@]} kernel sources, flags: $flags)"
exit 0
