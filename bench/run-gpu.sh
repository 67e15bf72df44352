#!/usr/bin/env bash
# The GPU side of the benchmark suite, for a GPU host (an H100, say) with the portable bundle (docs/bundle.md):
#   1. featviz doctor, through the bundle: GPU, driver, cuBLAS and cuDNN versions, compatibility libraries, and one
#      convolution forward and backward-data on the GPU checked against the CPU.
#   2. the gpu-tagged JUnit tests through the bundle's bin/featviz-gpu-tests (a bundle built with
#      mvn -B -Pbundle,gpu-tests package -DskipTests: no Java or Maven needed here), reports in $REPORTS; else
#      mvn -B test -Dgroups=gpu where Maven and a JDK 17 are installed; else it says NOT RUN.
#   3. render throughput, back to back per configuration: featviz's GPU render loop (org.featviz.bench.RenderBench
#      --device gpu, run by the bundle's Java, FP32 then TF32) and the peer (bench/peer_lucid.py --device cuda,
#      strict FP32 then TF32) on models/fashion-cnn.onnx, plus any models named in PEER_MODELS; a table with
#      image-steps/s and the ratio featviz / peer in each math mode. A side that cannot run is reported, and its
#      ratio left out (nothing is estimated).
# DESIGN.md section 5 holds the peer's numbers for torchvision GoogLeNet and VGG16 at 224x224, measured on such a
# host; bench/README.md says how to compare against them.
#
#   bench/run-gpu.sh                      # in the repository (or a copy of it) on the GPU host
#
# Settings (environment):
#   FEATVIZ=target/featviz-bundle/bin/featviz   the featviz launcher (built with mvn -B -Pbundle package when missing
#                                               and Maven is there); its runtime/ and lib/ run RenderBench
#   PYTHON=python3   LAYERS="relu2 relu4"   BATCHES="64 256"   SECONDS_PER_RUN=5   MODEL=models/fashion-cnn.onnx
#   PEER_MODELS="file.onnx:layer:C,H,W ..."     extra runs with --transforms lucid (e.g. a torchvision export)
#   SKIP_TESTS=1                                skip step 2
#   REPORTS=/tmp/featviz-gpu-test-reports      where step 2 writes JUnit's XML reports
# Exit status: 0 when every step that ran passed; 1 otherwise. Steps that cannot run here are reported, not failed.
set -uo pipefail
cd "$(dirname "$0")/.."

FEATVIZ=${FEATVIZ:-target/featviz-bundle/bin/featviz}
PYTHON=${PYTHON:-python3}
LAYERS=${LAYERS:-"relu2 relu4"}
BATCHES=${BATCHES:-"64 256"}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
MODEL=${MODEL:-models/fashion-cnn.onnx}
PEER_MODELS=${PEER_MODELS:-}
REPORTS=${REPORTS:-/tmp/featviz-gpu-test-reports}
GPU_TESTS=$(dirname "$FEATVIZ")/featviz-gpu-tests
failed=0

section() { printf '\n== %s\n' "$*"; }

section "host"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p') ($(nproc) cores)"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
else
  echo "nvidia-smi: not found"
fi

section "1. featviz doctor"
if [ ! -x "$FEATVIZ" ] && [ "$FEATVIZ" = target/featviz-bundle/bin/featviz ] && command -v mvn > /dev/null; then
  echo "building the bundle (mvn -B -q -Pbundle package -DskipTests) ..."
  mvn -B -q -Pbundle package -DskipTests || failed=1
fi
if [ -x "$FEATVIZ" ]; then
  "$FEATVIZ" --version
  "$FEATVIZ" doctor || { echo "featviz doctor: FAILED (exit $?)"; failed=1; }
else
  echo "featviz doctor: NOT RUN: no launcher at $FEATVIZ (build the bundle with mvn -B -Pbundle package -DskipTests"
  echo "  on a build machine and copy target/featviz-bundle here, or set FEATVIZ)"
  failed=1
fi

section "2. gpu-tagged tests"
if [ "${SKIP_TESTS:-0}" = 1 ]; then
  echo "skipped (SKIP_TESTS=1)"
elif [ -x "$GPU_TESTS" ] && [ -d "$(dirname "$GPU_TESTS")/../tests" ]; then
  log=$(mktemp /tmp/featviz-gpu-tests.XXXXXX)
  if "$GPU_TESTS" --reports-dir "$REPORTS" > "$log" 2>&1; then
    grep -E "tests (found|successful|skipped|aborted|failed)" "$log" || true
    echo "gpu-tagged tests: passed (aborted = skipped itself, e.g. no GPU: it did not run on the GPU);" \
      "log $log, reports $REPORTS"
  else
    grep -E "tests (found|successful|skipped|aborted|failed)|MethodSource|=> " "$log" || true
    echo "gpu-tagged tests: FAILED; log $log, reports $REPORTS"
    failed=1
  fi
elif command -v mvn > /dev/null && command -v javac > /dev/null; then
  log=$(mktemp /tmp/featviz-gpu-tests.XXXXXX)
  mvn -B test -Dgroups=gpu 2>&1 | tee "$log" | grep -E "Tests run:|FAIL|ERROR|BUILD" || true
  if grep -q "BUILD SUCCESS" "$log"; then
    echo "gpu-tagged tests: passed (check the skip counts above: a skipped test did not run on the GPU); log $log"
  else
    echo "gpu-tagged tests: FAILED; log $log"
    failed=1
  fi
else
  echo "gpu-tagged tests: NOT RUN: no $GPU_TESTS (build the bundle with mvn -B -Pbundle,gpu-tests package"
  echo "  -DskipTests; docs/bundle.md) and no Maven with a JDK 17 here (mvn -B test -Dgroups=gpu)."
fi

section "3. render throughput on the GPU, image-steps/s"
BUNDLE=$(dirname "$(dirname "$FEATVIZ")")
rows=()
have_peer=0
if "$PYTHON" -c 'import torch, onnx, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2> /dev/null; then
  have_peer=1
  "$PYTHON" -c 'import torch, onnx; print("torch", torch.__version__, "/ CUDA", torch.version.cuda, "/ onnx",
    onnx.__version__, "/", torch.cuda.get_device_name(0))'
  "$PYTHON" bench/peer_lucid.py --self-test || failed=1
else
  echo "peer: NOT RUN: $PYTHON has no PyTorch with a usable CUDA device, or no onnx package"
fi
have_featviz=0
if [ -x "$BUNDLE/runtime/bin/java" ]; then
  have_featviz=1
else
  echo "featviz: NOT RUN: no bundle runtime at $BUNDLE/runtime (build the bundle; docs/bundle.md)"
fi

# featviz MODEL LAYER BATCH MATH TRANSFORMS [INPUT_SHAPE]: prints the run, sets rate
featviz() {
  local log shape=()
  rate="-"
  [ "$have_featviz" = 1 ] || return 0
  log=$(mktemp /tmp/featviz-gpu-bench.XXXXXX)
  [ -n "${6:-}" ] && shape=(--input-shape "$6")
  if "$BUNDLE/runtime/bin/java" -Djava.awt.headless=true -cp "$BUNDLE/lib/*" org.featviz.bench.RenderBench \
      --device gpu --math "$4" --model "$1" --layer "$2" --batch "$3" --transforms "$5" "${shape[@]}" \
      --seconds "$SECONDS_PER_RUN" > "$log" 2>&1; then
    rate=$(grep -o 'image_steps_per_s=[0-9.]*' "$log" | cut -d= -f2)
  else
    rate=FAILED
    failed=1
  fi
  cat "$log"
  rm -f "$log"
}

# peer MODEL LAYER BATCH TF32(0|1) TRANSFORMS [INPUT_SHAPE]: prints the run, sets rate
peer() {
  local log tf=() shape=()
  rate="-"
  [ "$have_peer" = 1 ] || return 0
  log=$(mktemp /tmp/featviz-gpu-peer.XXXXXX)
  [ "$4" = 1 ] && tf=(--tf32)
  [ -n "${6:-}" ] && shape=(--input-shape "$6")
  if "$PYTHON" bench/peer_lucid.py --device cuda --model "$1" --layer "$2" --batch "$3" "${tf[@]}" \
      --transforms "$5" "${shape[@]}" --seconds "$SECONDS_PER_RUN" > "$log" 2>&1; then
    rate=$(grep -o 'image_steps_per_s=[0-9.]*' "$log" | cut -d= -f2)
  else
    rate=FAILED
    failed=1
  fi
  cat "$log"
  rm -f "$log"
}

ratio() {  # ratio A B: A / B to 2 decimals, or "-" when either is not a number
  if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
  else
    printf -- "-"
  fi
}

# row FILE LAYER BATCH TRANSFORMS [INPUT_SHAPE]: featviz and peer back to back, FP32 then TF32
row() {
  featviz "$1" "$2" "$3" fp32 "$4" "${5:-}"; local f32=$rate
  peer "$1" "$2" "$3" 0 "$4" "${5:-}"; local p32=$rate
  featviz "$1" "$2" "$3" tf32 "$4" "${5:-}"; local ftf=$rate
  peer "$1" "$2" "$3" 1 "$4" "${5:-}"; local ptf=$rate
  rows+=("| $(basename "$1") $2 | $3 | $f32 | $p32 | $(ratio "$f32" "$p32") | $ftf | $ptf | $(ratio "$ftf" "$ptf") |")
}

for layer in $LAYERS; do
  for batch in $BATCHES; do row "$MODEL" "$layer" "$batch" small; done
done
for spec in $PEER_MODELS; do
  IFS=: read -r file layer shape <<< "$spec"
  for batch in $BATCHES; do row "$file" "$layer" "$batch" lucid "$shape"; done
done

section "4. summary"
if [ ${#rows[@]} -gt 0 ]; then
  echo "| model, layer | batch | featviz FP32 | peer FP32 | ratio | featviz TF32 | peer TF32 | ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
fi
echo
echo "result: $([ "$failed" = 0 ] && echo "every step that ran passed" || echo "SOME STEPS FAILED")"
exit "$failed"
