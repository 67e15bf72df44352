#!/usr/bin/env bash
# The first run of featviz on a GPU host, in one call of the device tool (bench/README.md, "The first GPU run"):
# everything it learns goes under $OUT as text and JUnit XML, each step has its own time limit inside one overall
# budget, and a failing or hanging step is reported and the next one runs.
#
#   bench/gpu-first-run.sh              # on the GPU host, from the repository root (the device tool's working tree)
#   bench/gpu-first-run.sh --rehearse   # here, without a GPU: the same steps on the device emulator, tiny sizes
#
# Steps (each: passed, failed, timed out, or skipped with the reason):
#   unpack       target/gpu-carry -> target/featviz-bundle, the ONNX node cases (src/main/bundle/unpack-carry.sh)
#   host         date, CPU, nvidia-smi
#   libraries    ldconfig -p | grep -E 'cudnn|cublas|nvrtc', the CUDA libraries in the pip wheel folders, find /
#   doctor       featviz doctor: GPU, driver, compatibility steps, one convolution checked, the library files loaded
#   gpu-tests    every gpu-tagged JUnit test (bin/featviz-gpu-tests) with FEATVIZ_REQUIRE_GPU=1, so a test that did
#                not run on the GPU fails the step, and FEATVIZ_SYNC_LAUNCH=1, so a fault names its kernel or step
#   conformance  featviz conformance --device gpu over /usr/share/libonnx-testdata/data/node
#   kernels      featviz bench kernels --device gpu --sizes full: every registered custom kernel checked against its
#                CPU twin, then timed with CUDA events beside a device-to-device copy (kernels.md, kernels.json)
#   peer-check   bench/peer_lucid.py --self-test, and whether the host's PyTorch sees CUDA
#   export       bench/export_torchvision.py: VGG16 to conv5_3 and GoogLeNet to inception4a, random weights, 224x224
#   bench-*      per model (fashion-cnn relu4, googlenet inception4a, vgg16 conv5_3): featviz's GPU render loop
#                (RenderBench --device gpu, batches 64,256, math fp32,tf32, one JVM) and then the peer
#                (bench/peer_lucid.py --device cuda, the same four configurations)
#
# Files under $OUT (9): summary.txt (steps, throughput and kernel tables), steps.xml (JUnit XML, one testcase per
# step), host.txt (host, libraries, doctor), gpu-tests.txt, gpu-tests.xml (JUnit's own report), conformance.txt,
# throughput.txt (export, kernel suite, featviz and peer logs), kernels.md, kernels.json (the kernel suite).
#
# --rehearse: no GPU needed. doctor must say "no GPU" (exit 1); the gpu-tagged tests run and abort (no
# FEATVIZ_REQUIRE_GPU); conformance, the kernel suite and RenderBench use --device emulated on a few cases, small
# sizes and tiny batches; the export (32x32) and the peer (--device cpu) run where python3 has torch and onnx, else
# are skipped by rehearsal.
# Without a bundle (a CI checkout), featviz runs from FEATVIZ_CLASSPATH (or target/featviz.jar) and the gpu-tagged
# tests are skipped by rehearsal.
#
# Settings (environment): OUT (default: a new /tmp folder), BUDGET_S (whole run; 450 on the GPU, 170 rehearsing),
# BUNDLE (target/featviz-bundle), CARRY (target/gpu-carry, unpacked into BUNDLE where BUNDLE is missing), PYTHON (default: the first of python3, /opt/*/.venv/bin/python3,
# /usr/bin/python3 that imports torch and onnx), FEATVIZ_CLASSPATH / FEATVIZ_JAVA (featviz without a bundle),
# NODE_DIR (/usr/share/libonnx-testdata/data/node), SECONDS_PER_RUN (2), SKIP (step names or globs to leave out
# on a rerun, e.g. SKIP="gpu-tests conformance": they are reported as skipped).
# Exit status: 0 when no step failed or timed out (and, on the GPU, none was cut for lack of time); 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

mode=gpu
case "${1:-}" in
  --rehearse) mode=rehearse ;;
  "") ;;
  -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
  *) echo "gpu-first-run.sh: unknown option $1 (--rehearse, --help)" >&2; exit 2 ;;
esac
rehearse() { [ "$mode" = rehearse ]; }

OUT=${OUT:-$(mktemp -d /tmp/featviz-first-run.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d /tmp/featviz-first-run-work.XXXXXX)
trap 'rm -rf "$work"' EXIT
budget=${BUDGET_S:-$(rehearse && echo 170 || echo 450)}
start=$(date +%s)
deadline=$((start + budget))
BUNDLE=${BUNDLE:-target/featviz-bundle}
CARRY=${CARRY:-target/gpu-carry}
NODE_DIR=${NODE_DIR:-/usr/share/libonnx-testdata/data/node}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-2}

names=(); statuses=(); times=(); details=(); logs=()

# record NAME STATUS SECONDS DETAIL LOG: one step's outcome (STATUS: passed, failed, timeout, skipped)
record() {
  names+=("$1"); statuses+=("$2"); times+=("$3"); details+=("$4"); logs+=("$5")
  printf '[%4ds] %-22s %-8s %s\n' "$(($(date +%s) - start))" "$1" "$2" "$4"
}

# step NAME LIMIT LOG CMD...: runs CMD (a command or an exported function) under timeout, at most LIMIT seconds and
# never past the deadline, output appended to LOG; records the outcome; returns CMD's status (124: timed out).
step() {
  local name=$1 limit=$2 log=$3 left rc t0 t1 secs status detail
  shift 3
  for pattern in ${SKIP:-}; do
    # shellcheck disable=SC2053  # a glob on purpose: SKIP="bench-* conformance"
    if [[ "$name" == $pattern ]]; then
      record "$name" skipped 0 "SKIP=\"$SKIP\"" "$log"
      STEP_NOTE=
      return 125
    fi
  done
  left=$((deadline - $(date +%s) - 5))
  if ((left < 10)); then
    record "$name" skipped 0 "out of time: ${budget} s budget spent before it started" "$log"
    return 125
  fi
  ((limit > left)) && limit=$left
  printf '\n==== %s (limit %d s): %s\n' "$name" "$limit" "$*" >> "$log"
  local before
  before=$(stat -c %s "$log")
  t0=$(date +%s.%N)
  if [ "$(type -t "$1")" = function ]; then
    # timeout runs programs only: an exported function runs in a child bash
    timeout -k 10 "$limit" bash -c '"$@"' step "$@" >> "$log" 2>&1
  else
    timeout -k 10 "$limit" "$@" >> "$log" 2>&1
  fi
  rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) status=passed; detail=${STEP_NOTE:-ok} ;;
    124|137) status=timeout; detail="timed out after $limit s" ;;
    *) status=failed; detail="exit $rc${STEP_NOTE:+; $STEP_NOTE}" ;;
  esac
  if [ "$status" != passed ]; then  # the step's last words
    local last
    last=$(tail -c +$((before + 1)) "$log" | grep -v '^[[:space:]]*$' > "$work/last"
      { grep -iE 'fail|error|none usable|mismatch' "$work/last" || cat "$work/last"; } | tail -n 1 | cut -c 1-200)
    [ -n "$last" ] && detail="$detail: $last"
  fi
  printf '==== %s: %s (%s s)\n' "$name" "$status" "$secs" >> "$log"
  record "$name" "$status" "$secs" "$detail" "$log"
  STEP_NOTE=
  return $rc
}
skip() {  # skip NAME REASON LOG
  record "$1" skipped 0 "$2" "$3"
  printf '\n==== %s: skipped: %s\n' "$1" "$2" >> "$3"
}

host_log=$OUT/host.txt tests_log=$OUT/gpu-tests.txt conf_log=$OUT/conformance.txt bench_log=$OUT/throughput.txt
: > "$host_log"; : > "$tests_log"; : > "$conf_log"; : > "$bench_log"
echo "gpu-first-run.sh: mode $mode, budget $budget s, results in $OUT"

# ---- unpack: the bundle travels compressed (target/gpu-carry; docs/bundle.md)
if [ -x "$BUNDLE/bin/featviz" ]; then
  skip unpack "$BUNDLE is there already" "$host_log"
elif [ ! -f "$CARRY/featviz-bundle.tar.xz" ]; then
  skip unpack "no $CARRY/featviz-bundle.tar.xz (mvn -B -Pbundle,gpu-tests package -DskipTests makes it)" "$host_log"
elif [ "$(basename "$BUNDLE")" != featviz-bundle ]; then
  skip unpack "BUNDLE=$BUNDLE: the carry unpacks into a folder named featviz-bundle" "$host_log"
else
  step unpack 90 "$host_log" src/main/bundle/unpack-carry.sh "$CARRY" "$(dirname "$BUNDLE")"
fi

# ---- how featviz runs: the bundle's own Java, else (rehearsal in a checkout) a class path
if [ -x "$BUNDLE/bin/featviz" ]; then
  java=$BUNDLE/runtime/bin/java
  cp="$BUNDLE/lib/*"
elif [ -n "${FEATVIZ_CLASSPATH:-}" ]; then
  java=${FEATVIZ_JAVA:-java}
  cp=$FEATVIZ_CLASSPATH
elif [ -f target/featviz.jar ]; then
  java=${FEATVIZ_JAVA:-java}
  cp=target/featviz.jar
else
  java=
  cp=
fi
featviz() { "$java" -Djava.awt.headless=true -cp "$cp" org.featviz.cli.Main "$@"; }
renderbench() { "$java" -Djava.awt.headless=true -cp "$cp" org.featviz.bench.RenderBench "$@"; }
export -f featviz renderbench
export java cp
have_featviz() { [ -n "$java" ]; }

# ---- python: the first that has torch and onnx
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3 /opt/*/.venv/bin/python3 /opt/*/bin/python3 /usr/bin/python3; do
    if command -v "$candidate" > /dev/null 2>&1 && "$candidate" -c 'import torch, onnx' 2> /dev/null; then
      PYTHON=$candidate
      break
    fi
  done
fi
PYTHON=${PYTHON:-}

# ---- host
host_info() {
  echo "date:   $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "host:   $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "cpu:    $(lscpu 2> /dev/null | sed -n 's/^Model name: *//p')"
  echo "glibc:  $(ldd --version 2> /dev/null | head -n 1)"
  echo "python: ${PYTHON:-none with torch and onnx}"
  echo "cc:     $(command -v cc || command -v gcc || echo none)"
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,compute_cap --format=csv
    nvidia-smi
  else
    echo "nvidia-smi: not found"
  fi
  true
}
export -f host_info
export PYTHON
step host 30 "$host_log" host_info

# ---- libraries: where CUDA and cuDNN are on this host (DESIGN.md section 4: not known in advance)
libraries() {
  echo "-- ldconfig -p | grep -E 'cudnn|cublas|nvrtc|libcuda'"
  ldconfig -p 2> /dev/null | grep -E 'cudnn|cublas|nvrtc|libcuda\.' || echo "(none in the loader cache)"
  echo "-- pip wheel folders (nvidia/*/lib, torch/lib) of the Python environments found"
  for site in ${VIRTUAL_ENV:+$VIRTUAL_ENV/lib/python3*/site-packages} /opt/*/.venv/lib/python3*/site-packages \
      /opt/*/lib/python3*/site-packages /usr/local/lib/python3*/dist-packages /usr/local/lib/python3*/site-packages \
      /usr/lib/python3/dist-packages "$HOME"/.local/lib/python3*/site-packages; do
    for dir in "$site"/nvidia/*/lib "$site"/torch/lib; do
      [ -d "$dir" ] || continue
      echo "$dir:"
      ls -l "$dir" | grep -E 'cudnn|cublas|nvrtc|cudart' | sed 's/^/  /'
    done
  done
  if [ "${1:-}" = full ]; then
    echo "-- find / -name 'libcudnn*.so*' -o -name 'libcublas*.so*'"
    timeout 40 find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
      \( -name 'libcudnn*.so*' -o -name 'libcublas*.so*' \) -print 2> /dev/null | sort
  fi
  true
}
export -f libraries
step libraries 60 "$host_log" libraries "$(rehearse || echo full)"

# ---- doctor
if ! have_featviz; then
  skip doctor "no bundle and no class path: nothing runs featviz" "$host_log"
elif rehearse; then
  # No GPU here: doctor must say so and exit 1; anything else is a failure.
  doctor_rehearsal() {
    local out rc
    out=$(featviz doctor 2>&1); rc=$?
    echo "$out"
    [ "$rc" = 1 ] && grep -q '^GPU: none usable' <<< "$out"
  }
  export -f doctor_rehearsal
  STEP_NOTE="no GPU here: exit 1 and 'GPU: none usable' expected" step doctor 60 "$host_log" doctor_rehearsal
else
  step doctor 120 "$host_log" featviz doctor
fi

# ---- gpu-tagged tests
if [ ! -x "$BUNDLE/bin/featviz-gpu-tests" ]; then
  skip gpu-tests "$(rehearse && echo "skipped by rehearsal: " )no $BUNDLE/bin/featviz-gpu-tests (a bundle built with -Pbundle,gpu-tests)" "$tests_log"
else
  if rehearse; then
    require=0
    STEP_NOTE="rehearsal: they abort without a GPU"
  else
    require=1
  fi
  FEATVIZ_REQUIRE_GPU=$require FEATVIZ_SYNC_LAUNCH=1 step gpu-tests 210 "$tests_log" \
    "$BUNDLE/bin/featviz-gpu-tests" --reports-dir "$work/reports"
  grep -E '^featviz-gpu-tests: [0-9]+ found' "$tests_log" | tail -n 1 | sed 's/^/  /'
  [ -f "$work/reports/TEST-junit-jupiter.xml" ] && cp "$work/reports/TEST-junit-jupiter.xml" "$OUT/gpu-tests.xml"
fi

# ---- conformance on the device
if ! have_featviz; then
  skip conformance "nothing runs featviz" "$conf_log"
elif [ ! -d "$NODE_DIR" ]; then
  skip conformance "no ONNX node cases at $NODE_DIR" "$conf_log"
elif rehearse; then
  cases=()
  for c in test_relu test_conv_with_strides_padding test_maxpool_2d_default test_averagepool_2d_default \
      test_gemm_default_no_bias test_concat_2d_axis_0 test_add test_softmax_axis_1; do
    [ -d "$NODE_DIR/$c" ] && cases+=("$NODE_DIR/$c")
  done
  STEP_NOTE="rehearsal: --device emulated on ${#cases[@]} cases" step conformance 60 "$conf_log" \
    featviz conformance --device emulated "${cases[@]}"
else
  step conformance 120 "$conf_log" featviz conformance --device gpu "$NODE_DIR"
fi
grep -E '[0-9]+ passed, [0-9]+ failed' "$conf_log" | tail -n 1 | sed 's/^/  /'

# ---- the kernel benchmark suite: every registered custom kernel checked against its CPU twin, then timed
if ! have_featviz; then
  skip kernels "nothing runs featviz" "$bench_log"
elif rehearse; then
  STEP_NOTE="rehearsal: --device emulated --sizes small (emulator timing, not GPU timing)" step kernels 60 \
    "$bench_log" featviz bench kernels --device emulated --sizes small --out "$OUT"
else
  step kernels 90 "$bench_log" featviz bench kernels --device gpu --sizes full --out "$OUT"
fi
grep -oE '[0-9]+ of [0-9]+ checks passed' "$bench_log" | tail -n 1 | sed 's/^/  kernels: /'

# ---- the peer's PyTorch
peer_ok=0
peer_device=cuda
rehearse && peer_device=cpu
if [ -z "$PYTHON" ]; then
  skip peer-check "$(rehearse && echo "skipped by rehearsal: ")no python3 with torch and onnx" "$bench_log"
else
  peer_check() {
    "$PYTHON" -c 'import torch, torchvision, onnx; print("torch", torch.__version__, "torchvision", torchvision.__version__,
"onnx", onnx.__version__, "CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version(),
"device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")' || return 1
    "$PYTHON" bench/peer_lucid.py --self-test || return 1
    [ "$1" = cpu ] || "$PYTHON" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' \
      || { echo "torch sees no CUDA device"; return 1; }
  }
  export -f peer_check
  step peer-check 60 "$bench_log" peer_check "$peer_device" && peer_ok=1
fi

# ---- the torchvision models, exported here (random weights: nothing can be downloaded)
models_dir=$work/models
size=224
rehearse && size=32
exported=0
if [ "$peer_ok" != 1 ]; then
  skip export "$(rehearse && echo "skipped by rehearsal: ")no working python3 with torch and torchvision" "$bench_log"
else
  step export 120 "$bench_log" "$PYTHON" bench/export_torchvision.py --out "$models_dir" --size "$size" && exported=1
fi

# ---- throughput: featviz's GPU render loop, then the peer, per model
if rehearse; then
  batches=(1 2); maths=(fp32 tf32); fdevice=emulated; fsteps=(--check-steps 2 --warmup 1 --steps 1)
  psteps=(--check-steps 2 --warmup 1 --steps 1)
else
  batches=(64 256); maths=(fp32 tf32); fdevice=gpu; fsteps=(--check-steps 4 --seconds "$SECONDS_PER_RUN")
  psteps=(--check-steps 4 --seconds "$SECONDS_PER_RUN")
fi
peer_runs() {  # peer_runs MODEL LAYER TRANSFORMS DEVICE STEPS...: the four configurations, one process each
  local model=$1 layer=$2 transforms=$3 device=$4 batch tf rc=0
  shift 4
  for tf in 0 1; do
    for batch in $PEER_BATCHES; do
      echo "-- peer config batch=$batch tf32=$tf"  # the CPU peer's result line does not say tf32
      "$PYTHON" bench/peer_lucid.py --device "$device" --model "$model" --layer "$layer" --batch "$batch" \
        --transforms "$transforms" $([ "$tf" = 1 ] && echo --tf32) "$@" || rc=1
    done
  done
  return $rc
}
export -f peer_runs
export PEER_BATCHES="${batches[*]}"
# bench NAME MODEL LAYER TRANSFORMS LIMIT_FEATVIZ LIMIT_PEER
bench() {
  local name=$1 model=$2 layer=$3 transforms=$4
  if [ ! -f "$model" ]; then
    skip "bench-$name-featviz" "no $model" "$bench_log"
    skip "bench-$name-peer" "no $model" "$bench_log"
    return
  fi
  if have_featviz; then
    step "bench-$name-featviz" "$5" "$bench_log" renderbench --device "$fdevice" --model "$model" --layer "$layer" \
      --batch "$(IFS=,; echo "${batches[*]}")" --math "$(IFS=,; echo "${maths[*]}")" --transforms "$transforms" \
      "${fsteps[@]}"
  else
    skip "bench-$name-featviz" "nothing runs featviz" "$bench_log"
  fi
  if [ "$peer_ok" = 1 ]; then
    step "bench-$name-peer" "$6" "$bench_log" peer_runs "$model" "$layer" "$transforms" "$peer_device" \
      "${psteps[@]}"
  else
    skip "bench-$name-peer" "$(rehearse && echo "skipped by rehearsal: ")the peer's PyTorch is not usable" "$bench_log"
  fi
}
if rehearse; then
  bench fashion-cnn models/fashion-cnn.onnx relu1 small 60 60
else
  bench fashion-cnn models/fashion-cnn.onnx relu4 small 60 60
fi
if [ "$exported" = 1 ]; then
  if rehearse; then
    # the emulator is slow: one tiny configuration of the exported networks
    batches=(1); maths=(fp32)
    PEER_BATCHES=1
  fi
  bench googlenet "$models_dir/googlenet.onnx" inception4a lucid 120 90
  bench vgg16 "$models_dir/vgg16.onnx" conv5_3 lucid 150 120
else
  for name in googlenet vgg16; do
    skip "bench-$name-featviz" "$(rehearse && echo "skipped by rehearsal: ")no exported model" "$bench_log"
    skip "bench-$name-peer" "$(rehearse && echo "skipped by rehearsal: ")no exported model" "$bench_log"
  done
fi

# ---- summary.txt: the steps and the throughput table; steps.xml: the steps as JUnit XML
rate() {  # rate SIDE MODEL LAYER BATCH MATH: image_steps_per_s from the throughput log, or "-"
  local r
  if [ "$1" = featviz ]; then
    r=$(grep -E "^featviz device=[a-z]+ math=$5 layer=$3 batch=$4 " "$bench_log" | grep -o 'image_steps_per_s=[0-9.]*')
  else
    r=$(awk -v m="==== bench-$2-peer " -v want="-- peer config batch=$4 tf32=$([ "$5" = tf32 ] && echo 1 || echo 0)" \
      -v layer="peer layer=$3 batch=$4 " '
        index($0, m) == 1 { on = 1; next }
        /^==== / { on = 0 }
        on && /^-- peer config / { mine = ($0 == want) }
        on && mine && index($0, layer) == 1 { print }' "$bench_log" | grep -o 'image_steps_per_s=[0-9.]*')
  fi
  r=$(tail -n 1 <<< "$r" | cut -d= -f2)
  echo "${r:--}"
}
ratio() {
  if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
  else
    printf -- "-"
  fi
}
failed=0 cut=0 skipped=0
for i in "${!names[@]}"; do
  case ${statuses[$i]} in
    failed|timeout) failed=$((failed + 1)) ;;
    skipped) skipped=$((skipped + 1)); [[ "${details[$i]}" == "out of time"* ]] && cut=$((cut + 1)) ;;
  esac
done
{
  echo "featviz first GPU run ($mode), $(date -u '+%Y-%m-%d %H:%M UTC'), $(($(date +%s) - start)) s of a $budget s budget"
  echo
  echo "| step | status | seconds | detail | log |"
  echo "| --- | --- | ---: | --- | --- |"
  for i in "${!names[@]}"; do
    echo "| ${names[$i]} | ${statuses[$i]} | ${times[$i]} | ${details[$i]//|//} | $(basename "${logs[$i]}") |"
  done
  echo
  grep -E '^featviz-gpu-tests: [0-9]+ found' "$tests_log" | tail -n 1
  grep -E '[0-9]+ passed, [0-9]+ failed' "$conf_log" | tail -n 1 | sed 's/^/conformance: /'
  grep -oE '[0-9]+ of [0-9]+ checks passed' "$bench_log" | tail -n 1 | sed 's/^/kernels: /'
  echo
  echo "Throughput, image-steps/s (featviz --device $fdevice beside the peer --device $peer_device, same run):"
  echo
  echo "| model, layer | batch | featviz FP32 | peer FP32 | ratio | featviz TF32 | peer TF32 | ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in "fashion-cnn $(rehearse && echo relu1 || echo relu4)" "googlenet inception4a" "vgg16 conv5_3"; do
    read -r model layer <<< "$row"
    for batch in $( (rehearse && echo 1 2) || echo 64 256); do
      f32=$(rate featviz "$model" "$layer" "$batch" fp32); p32=$(rate peer "$model" "$layer" "$batch" fp32)
      ftf=$(rate featviz "$model" "$layer" "$batch" tf32); ptf=$(rate peer "$model" "$layer" "$batch" tf32)
      [ "$f32$p32$ftf$ptf" = "----" ] && continue
      echo "| $model $layer | $batch | $f32 | $p32 | $(ratio "$f32" "$p32") | $ftf | $ptf | $(ratio "$ftf" "$ptf") |"
    done
  done
  if [ -f "$OUT/kernels.md" ]; then
    echo
    echo "Kernels (featviz bench kernels; kernels.md, kernels.json):"
    echo
    sed -n '/^| benchmark/,/^$/p' "$OUT/kernels.md" | sed '/^$/d'
  fi
  echo
  echo "steps: ${#names[@]}, failed or timed out: $failed, skipped: $skipped ($cut for lack of time)"
  if ((failed > 0)) || { ! rehearse && ((cut > 0)); }; then
    echo "result: SOME STEPS FAILED"
  else
    echo "result: every step that ran passed"
  fi
} > "$OUT/summary.txt"

xml() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' | tr -d '\000-\010\013\014\016-\037'; }
{
  total=$(awk -v a="$start" -v b="$(date +%s)" 'BEGIN { print b - a }')
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo "<testsuite name=\"featviz.gpu-first-run.$mode\" tests=\"${#names[@]}\" failures=\"$failed\" errors=\"0\"" \
    "skipped=\"$skipped\" time=\"$total\" timestamp=\"$(date -u '+%Y-%m-%dT%H:%M:%S')\">"
  for i in "${!names[@]}"; do
    printf '  <testcase classname="gpu-first-run" name="%s" time="%s">' "${names[$i]}" "${times[$i]}"
    detail=$(printf '%s' "${details[$i]}" | xml)
    case ${statuses[$i]} in
      passed) ;;
      skipped) printf '<skipped message="%s"/>' "$detail" ;;
      *)
        printf '<failure message="%s">' "$detail"
        awk -v m="==== ${names[$i]} " 'index($0, m) == 1 { on = 1; next } /^==== / { on = 0 } on' "${logs[$i]}" \
          | tail -n 40 | xml
        printf '</failure>' ;;
    esac
    printf '</testcase>\n'
  done
  echo '</testsuite>'
} > "$OUT/steps.xml"

echo
cat "$OUT/summary.txt"
echo
echo "files: $(cd "$OUT" && ls | paste -sd' ' -)"
((failed == 0)) && { rehearse || ((cut == 0)); }
