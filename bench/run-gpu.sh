#!/usr/bin/env bash
# The GPU side of the benchmark suite, for a GPU host (an H100, say) with the portable bundle (docs/bundle.md).
#
# STATUS: featviz's GPU render loop is not wired yet, so this script produces NO featviz GPU throughput number and
# no featviz/peer ratio on the GPU. It runs the GPU pieces that exist today, and the peer on the GPU so that its
# numbers are at hand when featviz's GPU loop lands:
#   1. featviz doctor, through the bundle: GPU, driver, cuBLAS and cuDNN versions, compatibility libraries, and one
#      convolution forward and backward-data on the GPU checked against the CPU.
#   2. the gpu-tagged JUnit tests through the bundle's bin/featviz-gpu-tests (a bundle built with
#      mvn -B -Pbundle,gpu-tests package -DskipTests: no Java or Maven needed here), reports in $REPORTS; else
#      mvn -B test -Dgroups=gpu where Maven and a JDK 17 are installed; else it says NOT RUN.
#   3. the peer (bench/peer_lucid.py --device cuda) on models/fashion-cnn.onnx, strict FP32 and TF32, when
#      python3 has PyTorch with CUDA and the onnx package; plus any models named in PEER_MODELS.
#   4. the featviz column: printed as "not wired" until the GPU render loop exists.
# DESIGN.md section 5 holds the peer's numbers for torchvision GoogLeNet and VGG16 at 224x224, measured on such a
# host; bench/README.md says how to compare against them.
#
#   bench/run-gpu.sh                      # in the repository (or a copy of it) on the GPU host
#
# Settings (environment):
#   FEATVIZ=target/featviz-bundle/bin/featviz   the featviz launcher (built with mvn -B -Pbundle package when missing
#                                               and Maven is there)
#   PYTHON=python3   LAYERS="relu2 relu4"   BATCHES="64 256"   SECONDS_PER_RUN=5   MODEL=models/fashion-cnn.onnx
#   PEER_MODELS="file.onnx:layer:C,H,W ..."     extra peer runs with --transforms lucid (e.g. a torchvision export)
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

section "3. peer on the GPU (bench/peer_lucid.py --device cuda)"
rows=()
if "$PYTHON" -c 'import torch, onnx, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2> /dev/null; then
  "$PYTHON" -c 'import torch, onnx; print("torch", torch.__version__, "/ CUDA", torch.version.cuda, "/ onnx",
    onnx.__version__, "/", torch.cuda.get_device_name(0))'
  "$PYTHON" bench/peer_lucid.py --self-test || failed=1
  peer() {  # peer MODEL LAYER BATCH TF32(0|1) TRANSFORMS [INPUT_SHAPE]: prints the run, sets rate
    local log tf=() shape=()
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
  for layer in $LAYERS; do
    for batch in $BATCHES; do
      peer "$MODEL" "$layer" "$batch" 0 small; fp32=$rate
      peer "$MODEL" "$layer" "$batch" 1 small; tf32=$rate
      rows+=("| $(basename "$MODEL") $layer | $batch | not wired | $fp32 | $tf32 |")
    done
  done
  for spec in $PEER_MODELS; do
    IFS=: read -r file layer shape <<< "$spec"
    for batch in $BATCHES; do
      peer "$file" "$layer" "$batch" 0 lucid "$shape"; fp32=$rate
      peer "$file" "$layer" "$batch" 1 lucid "$shape"; tf32=$rate
      rows+=("| $(basename "$file") $layer | $batch | not wired | $fp32 | $tf32 |")
    done
  done
else
  echo "peer: NOT RUN: $PYTHON has no PyTorch with a usable CUDA device, or no onnx package"
fi

section "4. render throughput, image-steps/s"
echo "featviz GPU render loop: not wired yet, so no featviz number and no ratio (nothing is estimated or faked)."
if [ ${#rows[@]} -gt 0 ]; then
  echo
  echo "| model, layer | batch | featviz GPU | peer FP32 | peer TF32 |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
fi
echo
echo "result: $([ "$failed" = 0 ] && echo "every step that ran passed" || echo "SOME STEPS FAILED")"
exit "$failed"
