#!/usr/bin/env bash
# The cost of `featviz analyze` on the CPU backend, split by stage: runs one analysis of fashion-cnn and prints its
# wall time, the time per analysed unit, and the share of the renders, the dataset pass and the ablations (single
# and cumulative), from the command's own "time:" line. The issue's budget: no dataset pass or ablation may cost
# more than the renders it accompanies.
#
#   bench/analyze-cpu.sh                      # from anywhere; works in the repository root
#
# Settings (environment):
#   LAYERS=relu2,relu_fc1  UNITS=0-7  STEPS=32  IMAGES=200  ABLATION=single,cumulative  MODEL=models/fashion-cnn.onnx
#   THREADS=2             the JVM's -XX:ActiveProcessorCount
#   BUILD_DIR=target      Maven build folder (passed as -Dfeatviz.buildDir); MVN_FLAGS="-o" for offline builds
#   JAR=(BUILD_DIR/featviz.jar) another build to time, e.g. an older commit's, for a before/after comparison
#   JAVA=java   OUT=(a new temporary folder)
# The full configuration of the issue is LAYERS=relu1,relu2,relu3,relu4,relu_fc1 UNITS=all STEPS=256 IMAGES=1000
# (about 40 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

LAYERS=${LAYERS:-relu2,relu_fc1}
UNITS=${UNITS:-0-7}
STEPS=${STEPS:-32}
IMAGES=${IMAGES:-200}
ABLATION=${ABLATION:-single,cumulative}
MODEL=${MODEL:-models/fashion-cnn.onnx}
THREADS=${THREADS:-2}
BUILD_DIR=${BUILD_DIR:-target}
JAVA=${JAVA:-java}
OUT=${OUT:-$(mktemp -d /tmp/featviz-bench-analyze.XXXXXX)}
jar=${JAR:-$BUILD_DIR/featviz.jar}

if [ -z "${JAR:-}" ] && { [ ! -f "$jar" ] || [ -n "$(find src pom.xml cuda -newer "$jar" -type f -print -quit)" ]; }; then
  echo "building featviz into $BUILD_DIR ..."
  # shellcheck disable=SC2086
  mvn -B -q ${MVN_FLAGS:-} -Dfeatviz.buildDir="$BUILD_DIR" package -DskipTests > "$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log"; echo "analyze-cpu.sh: build failed" >&2; exit 1; }
fi

echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:      $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores online, $THREADS used)"
echo "memory:   $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
echo "java:     $("$JAVA" -version 2>&1 | head -1)"
echo "jar:      $jar"
echo "run:      analyze --model $MODEL --layers $LAYERS --units $UNITS --steps $STEPS --images $IMAGES --ablation $ABLATION --device cpu"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s.%N)
"$JAVA" -XX:ActiveProcessorCount="$THREADS" -jar "$jar" analyze --model "$MODEL" --layers "$LAYERS" \
  --units "$UNITS" --steps "$STEPS" --images "$IMAGES" --ablation "$ABLATION" --device cpu \
  --out "$OUT/analysis" > "$OUT/analyze.out" 2> "$OUT/analyze.err" \
  || { tail -5 "$OUT/analyze.err"; echo "analyze-cpu.sh: analyze failed" >&2; exit 1; }
end=$(date +%s.%N)

echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall:     $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f s", b - a }') (start-up, tables, plots and report included)"
if grep -q '^time:' "$OUT/analyze.out"; then
  grep '^time:' "$OUT/analyze.out"
else
  # builds from before the "time:" line: the dataset passes line, the rest is renders and cumulative curves
  grep '^dataset passes' "$OUT/analyze.err" || true
fi
echo "output:   $OUT/analysis"
