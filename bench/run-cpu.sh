#!/usr/bin/env bash
# featviz's CPU render throughput beside its peer (bench/peer_lucid.py, the same per-step work in PyTorch), in one
# run, back to back per configuration: for each target layer and batch size, org.featviz.bench.RenderBench then the
# peer, each checking its results before it times. Prints a table of image-steps/s and the ratio featviz / peer.
#
#   bench/run-cpu.sh                          # from anywhere; works in the repository root
#
# Settings (environment):
#   LAYERS="relu2 relu4"  BATCHES="8 32"  MODEL=models/fashion-cnn.onnx
#   SECONDS_PER_RUN=8     timed part of each measurement (plus about 3 s of start-up and checks)
#   THREADS=2             cores each side may use: torch.set_num_threads and the JVM's -XX:ActiveProcessorCount
#   REPEATS=1             measurements per side and configuration; the table keeps the best (least disturbed)
#   BUILD_DIR=target      Maven build folder (passed as -Dfeatviz.buildDir); MVN_FLAGS="-o" for offline builds
#   PYTHON=/usr/bin/python3 (needs torch and onnx)   JAVA=java   LOG_DIR=(a new temporary folder)
#   JAVA_OPTS=""          extra JVM options for featviz, e.g. -Dfeatviz.blas=off for the Java reference kernels
set -euo pipefail
cd "$(dirname "$0")/.."

LAYERS=${LAYERS:-"relu2 relu4"}
BATCHES=${BATCHES:-"8 32"}
MODEL=${MODEL:-models/fashion-cnn.onnx}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-1}
BUILD_DIR=${BUILD_DIR:-target}
PYTHON=${PYTHON:-/usr/bin/python3}
JAVA=${JAVA:-java}
LOG_DIR=${LOG_DIR:-$(mktemp -d /tmp/featviz-bench-cpu.XXXXXX)}
mkdir -p "$LOG_DIR"
jar="$BUILD_DIR/featviz.jar"

# Build when the jar is missing or older than a source file or the pom.
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml cuda -newer "$jar" -type f -print -quit)" ]; then
  echo "building featviz into $BUILD_DIR ..."
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_FLAGS:-} -Dfeatviz.buildDir="$BUILD_DIR" package -DskipTests > "$LOG_DIR/build.log" 2>&1 \
    || { cat "$LOG_DIR/build.log"; echo "run-cpu.sh: build failed" >&2; exit 1; }
fi

"$PYTHON" bench/peer_lucid.py --self-test

echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:      $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores online, $THREADS used per side)"
echo "memory:   $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
echo "java:     $("$JAVA" -version 2>&1 | head -1) ${JAVA_OPTS:-}"
echo "torch:    $("$PYTHON" -c 'import torch, onnx; print(torch.__version__, "/ onnx", onnx.__version__)')"
echo "model:    $MODEL; transforms small; FFT param; Adam lr 0.05; ${SECONDS_PER_RUN} s timed per run; best of $REPEATS"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

field() {  # field NAME FILE: the value of NAME=... on the result line of a log
  grep -o "$1=[0-9.]*" "$2" | tail -1 | cut -d= -f2
}
best() {  # best of the numbers on stdin
  sort -g | tail -1
}

# The peer runs twice per configuration: with THREADS threads (as featviz) and with 1. On a machine that other work
# keeps busy, PyTorch's OpenMP threads wait for each other at every parallel region and 2 threads can be many
# times slower than 1; the 1-thread run shows what the peer does without that.
peer_threads="$THREADS"
[ "$THREADS" = 1 ] || peer_threads="$THREADS 1"

run_featviz() {  # run_featviz LAYER BATCH LOG
  # shellcheck disable=SC2086
  "$JAVA" ${JAVA_OPTS:-} -XX:ActiveProcessorCount="$THREADS" -cp "$jar" org.featviz.bench.RenderBench --model "$MODEL" \
    --layer "$1" --batch "$2" --seconds "$SECONDS_PER_RUN" > "$3" 2>&1 \
    || { cat "$3"; echo "run-cpu.sh: featviz failed ($3)" >&2; exit 1; }
  cat "$3"
}
run_peer() {  # run_peer LAYER BATCH THREADS LOG
  "$PYTHON" bench/peer_lucid.py --model "$MODEL" --layer "$1" --batch "$2" --threads "$3" \
    --seconds "$SECONDS_PER_RUN" > "$4" 2>&1 \
    || { cat "$4"; echo "run-cpu.sh: peer failed ($4)" >&2; exit 1; }
  cat "$4"
}

rows=()
for layer in $LAYERS; do
  for batch in $BATCHES; do
    declare -A rate=() cpu=()
    for r in $(seq 1 "$REPEATS"); do
      log="$LOG_DIR/featviz-$layer-b$batch-r$r.log"
      run_featviz "$layer" "$batch" "$log"
      rate[fv]+="$(field image_steps_per_s "$log") "
      cpu[fv]+="$(field image_steps_per_cpu_s "$log") "
      for t in $peer_threads; do
        log="$LOG_DIR/peer-t$t-$layer-b$batch-r$r.log"
        run_peer "$layer" "$batch" "$t" "$log"
        rate[p$t]+="$(field image_steps_per_s "$log") "
        cpu[p$t]+="$(field image_steps_per_cpu_s "$log") "
      done
    done
    row="$layer $batch $(printf '%s\n' ${rate[fv]} | best) $(printf '%s\n' ${cpu[fv]} | best)"
    for t in $THREADS 1; do
      row+=" $(printf '%s\n' ${rate[p$t]} | best) $(printf '%s\n' ${cpu[p$t]} | best)"
    done
    rows+=("$row")
    unset rate cpu
  done
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "logs:        $LOG_DIR"
echo
echo "image-steps/s (best of $REPEATS); featviz with $THREADS threads; per CPU-s: image-steps per second of process CPU time"
echo
echo "| layer | batch | featviz | peer, $THREADS threads | featviz / peer | peer, 1 thread | featviz / peer 1-thread | featviz / peer 1-thread, per CPU-s |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for row in "${rows[@]}"; do
  # shellcheck disable=SC2086
  set -- $row
  awk -v l="$1" -v b="$2" -v f="$3" -v fc="$4" -v p="$5" -v p1="$7" -v p1c="$8" 'BEGIN {
    printf "| %s | %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f |\n", l, b, f, p, f / p, p1, f / p1, fc / p1c }'
done
