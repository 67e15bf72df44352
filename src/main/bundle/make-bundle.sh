#!/usr/bin/env bash
# Builds the portable bundle of featviz for Linux x86-64 GPU hosts that have a driver but no Java
# (docs/bundle.md). Maven runs it in the package phase of the "bundle" profile (see pom.xml):
#
#   mvn -B -Pbundle package -DskipTests          ->  target/featviz-bundle/{runtime,lib,bin}
#
#   src/main/bundle/make-bundle.sh [--max-mib N] [--font FILE.ttf] [--tests DIR|none] BUILD_DIR
#
#   BUILD_DIR    Maven's build directory: reads featviz.jar and lib/ (the normal build fills both),
#                writes featviz-bundle/ and bundle-gen/ (the stamp that lets a rebuild reuse the runtime)
#   --max-mib N  fail if the bundle without tests/ is N MiB or more (default 72: it gets copied to GPU hosts)
#   --font FILE  the font that the runtime carries for hosts without fonts (default: DejaVu Sans)
#   --tests DIR  DIR holds featviz-tests.jar and junit-platform-console-standalone-*.jar (mvn -Pbundle,gpu-tests):
#                adds them as featviz-bundle/tests/ with bin/featviz-gpu-tests, and writes BUILD_DIR/gpu-carry/,
#                the compressed copy for the device tool (docs/bundle.md); "none" (the default) adds no tests
#
# JAVA_HOME must be a JDK with jmods/ (Debian's openjdk-17-jdk-headless has them; Temurin 25 has none).
set -euo pipefail

max_mib=72
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
tests=none
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --max-mib) max_mib="$2"; shift 2 ;;
    --font) font="$2"; shift 2 ;;
    --tests) tests="$2"; shift 2 ;;
    *) echo "make-bundle.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $# -ne 1 ]]; then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
build="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
bundle="$build/featviz-bundle"
gen="$build/bundle-gen"

fail() {
  echo "make-bundle.sh: $*" >&2
  exit 1
}

be32() {  # be32 N: N as four big-endian bytes
  printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))"
  printf "\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"
}

# fashion_slice SRC DEST N: the first N images and labels of Fashion-MNIST's t10k split as IDX files in DEST (the
# same names, gzip), with N in their headers: images = magic 0x803, N, 28, 28, then N x 784 bytes; labels = 0x801,
# N, then N bytes.
fashion_slice() {
  local src=$1 dest=$2 n=$3
  mkdir -p "$dest"
  set +o pipefail  # head stops reading early on purpose
  { be32 2051; be32 "$n"; be32 28; be32 28; gzip -dc "$src/t10k-images-idx3-ubyte.gz" | tail -c +17 \
    | head -c $((n * 784)); } | gzip -9n > "$dest/t10k-images-idx3-ubyte.gz"
  { be32 2049; be32 "$n"; gzip -dc "$src/t10k-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$n"; } \
    | gzip -9n > "$dest/t10k-labels-idx1-ubyte.gz"
  set -o pipefail
  [[ "$(gzip -dc "$dest/t10k-images-idx3-ubyte.gz" | wc -c)" == $((16 + n * 784)) ]] \
    || fail "the Fashion-MNIST slice in $dest is not $n images"
}

# ---- The build JDK: jdeps to find modules, jlink and its jmods to make the runtime, jar to repack.
java_home="${JAVA_HOME:?make-bundle.sh needs JAVA_HOME pointing at a JDK (Maven passes its own)}"
for tool in jdeps jlink jar; do
  [[ -x "$java_home/bin/$tool" ]] || fail "$java_home/bin/$tool is missing: JAVA_HOME must be a full JDK"
done
jmods="$java_home/jmods"
if [[ ! -f "$jmods/java.base.jmod" ]]; then
  fail "the JDK at $java_home has no jmods ($jmods/java.base.jmod is missing), so jlink cannot make a runtime.
  Build the bundle with a JDK 17 that ships jmods, e.g. Debian's openjdk-17-jdk-headless:
    JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 mvn -B -Pbundle package -DskipTests"
fi
[[ -f "$build/featviz.jar" ]] || fail "no $build/featviz.jar: run the package phase first"
compgen -G "$build/lib/*.jar" >/dev/null || fail "no jars in $build/lib: run the package phase first"

work="$(mktemp -d "$build/bundle-work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rm -rf "$bundle/lib" "$bundle/bin" "$bundle/tests" "$build/gpu-carry"
mkdir -p "$bundle/lib" "$bundle/bin" "$gen"

# ---- lib/: featviz.jar and its dependencies, with Linux x86-64 natives only.
# JavaCPP and ONNX ship one jar of natives per platform, named <artifact>-<version>-<os>-<arch>.jar; only
# linux-x86_64 is kept (note: linux-x86 is 32-bit, so the match is on the whole classifier). The *-platform
# jars hold nothing but a manifest Class-Path naming those per-platform jars, so they go too.
other_platform='-((android|ios|macosx|windows)-[a-z0-9_]+|linux-(arm64|armhf|ppc64le|x86))\.jar$'
cp "$build/featviz.jar" "$bundle/lib/"
dropped=()
for jar in "$build"/lib/*.jar; do
  name="$(basename "$jar")"
  if [[ "$name" =~ ^(javacpp|onnx)-.*$other_platform || "$name" =~ ^(javacpp|onnx)-platform- ]]; then
    dropped+=("$name")
  else
    cp "$jar" "$bundle/lib/"
  fi
done
echo "make-bundle.sh: left out ${#dropped[@]} jars of other platforms: ${dropped[*]:-none}"

# ---- tests/ (only with --tests): the test classes and JUnit's console launcher, for bin/featviz-gpu-tests.
if [[ "$tests" != none ]]; then
  [[ -f "$tests/featviz-tests.jar" ]] || fail "no $tests/featviz-tests.jar (mvn -Pbundle,gpu-tests makes it)"
  compgen -G "$tests/junit-platform-console-standalone-*.jar" >/dev/null \
    || fail "no $tests/junit-platform-console-standalone-*.jar (mvn -Pbundle,gpu-tests copies it)"
  mkdir -p "$bundle/tests"
  cp "$tests/featviz-tests.jar" "$tests"/junit-platform-console-standalone-*.jar "$bundle/tests/"
  # The Fashion-MNIST the gpu-tagged tests read (the whitened objectives' default 1000 test images; the 16-bit plan
  # test takes 8): the first FASHION_IMAGES test images and labels as IDX files, 0.4 MB in gzip. featviz-gpu-tests
  # points FEATVIZ_FASHION_MNIST_DIR at them where the host has no /usr/share/datasets/fashion-mnist.
  fashion=/usr/share/datasets/fashion-mnist
  if [[ -f "$fashion/t10k-images-idx3-ubyte.gz" && -f "$fashion/t10k-labels-idx1-ubyte.gz" ]]; then
    fashion_slice "$fashion" "$bundle/tests/fashion-mnist" "${FASHION_IMAGES:-1000}"
  else
    echo "make-bundle.sh: no Fashion-MNIST in $fashion: RenderDeviceGpuTest and GpuTest\$DevicePlanHalf will skip on the GPU host" >&2
  fi
fi

# JCuda's natives jar also carries libJNvPTXCompiler (24 MB unpacked): featviz hands PTX to the driver, which
# JIT-compiles it, so that library is never loaded. Repack the jar without it; JCuda's loader finds the
# other natives (lib/libJCudaDriver-*.so, ...) in it as before.
for jar in "$bundle"/lib/jcuda-natives-*-linux-x86_64.jar; do
  [[ -e "$jar" ]] || continue
  unpacked="$work/$(basename "$jar" .jar)"
  mkdir -p "$unpacked"
  (cd "$unpacked" && "$java_home/bin/jar" --extract --file "$jar")
  rm -f "$unpacked"/lib/libJNvPTXCompiler-*.so
  mv "$unpacked/META-INF/MANIFEST.MF" "$work/MANIFEST.MF"
  rm "$jar"
  "$java_home/bin/jar" --create --file "$jar" --manifest "$work/MANIFEST.MF" -C "$unpacked" .
  echo "make-bundle.sh: repacked $(basename "$jar") without libJNvPTXCompiler"
done

# OpenBLAS's natives jar carries two JNI libraries: featviz loads the BLAS-only one (openblas_nolapack, 0.3 MB);
# the other binds LAPACK too (libjniopenblas.so, 24 MB unpacked) and is never loaded. Repack without it.
for jar in "$bundle"/lib/openblas-*-linux-x86_64.jar; do
  [[ -e "$jar" ]] || continue
  unpacked="$work/$(basename "$jar" .jar)"
  mkdir -p "$unpacked"
  (cd "$unpacked" && "$java_home/bin/jar" --extract --file "$jar")
  rm -f "$unpacked"/org/bytedeco/openblas/linux-x86_64/libjniopenblas.so
  rm -rf "$unpacked"/org/bytedeco/openblas/linux-x86_64/include "$unpacked"/META-INF/native-image/linux-x86_64/jniopenblas
  mv "$unpacked/META-INF/MANIFEST.MF" "$work/MANIFEST.MF"
  rm "$jar"
  "$java_home/bin/jar" --create --file "$jar" --manifest "$work/MANIFEST.MF" -C "$unpacked" .
  echo "make-bundle.sh: repacked $(basename "$jar") without libjniopenblas.so (LAPACK) and the headers"
done

# ---- runtime/: a jlink image of the modules that the jars in lib/ use (jdeps), plus those reached by
# reflection or JNI that jdeps cannot see: jdk.unsupported (sun.misc.Unsafe for JCuda and JavaCPP),
# java.desktop (ImageIO/AWT for PNGs and contact sheets), java.logging.
# With tests/, its jars count too, and jdk.zipfs: JUnit's class path scanning opens the test jar as a zip file
# system (without it: 'Provider "jar" not found' and no tests found).
jdeps_roots=("$bundle/lib/featviz.jar")
extra_modules=""
if [[ -d "$bundle/tests" ]]; then
  jdeps_roots+=("$bundle"/tests/*.jar)
  extra_modules=jdk.zipfs
fi
modules="$("$java_home/bin/jdeps" --multi-release 17 --ignore-missing-deps --recursive --print-module-deps \
  --class-path "$bundle/lib/*:$bundle/tests/*" "${jdeps_roots[@]}")" || fail "jdeps failed on $bundle/lib"
modules="$(printf '%s\n' ${modules//,/ } jdk.unsupported java.desktop java.logging $extra_modules | sort -u | paste -sd, -)"
jlink_options=(--strip-debug --no-header-files --no-man-pages --compress=2)
[[ -f "$font" ]] || fail "no font file $font (Debian: apt-get install fonts-dejavu-core, or pass --font FILE.ttf)"

# Copies the Debian copyright file of the package that owns FILE to RUNTIME/legal/host-libraries/ (where
# dpkg knows the file) and prints " (package)".
copy_copyright() {
  local pkg
  pkg="$(dpkg -S "$(readlink -f "$1")" 2>/dev/null | head -1 | cut -d: -f1)" || true
  if [[ -n "$pkg" && -f "/usr/share/doc/$pkg/copyright" ]]; then
    mkdir -p "$2/legal/host-libraries"
    cp "/usr/share/doc/$pkg/copyright" "$2/legal/host-libraries/$pkg.copyright"
    echo " ($pkg)"
  fi
}

# Text on images (contact sheet labels) needs the runtime's libfontmanager.so, which Debian's OpenJDK links
# against the system's FreeType and HarfBuzz, and a font. A bare GPU host (e.g. a CUDA container image) may
# have neither: there, drawing text fails with UnsatisfiedLinkError or "No physical fonts found" (both seen
# with the host libraries or fonts hidden). So the runtime carries copies of the libraries that
# libfontmanager.so needs beyond the base system (found with ldd; none where the JDK bundles its own), which
# the loader finds first through the JDK natives' RPATH $ORIGIN, their Debian copyright files, and one font
# with a lib/fontconfig.properties naming it, which the JDK uses where the host's fontconfig finds no fonts.
add_font_support() {
  local runtime="$1" fontmanager="$1/lib/libfontmanager.so" lib name
  [[ -f "$fontmanager" ]] || return 0
  while read -r lib; do
    name="$(basename "$lib")"
    case "$name" in
      ld-linux*|libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libstdc++.so.*|libgcc_s.so.*|libz.so.*)
        continue ;;  # every Linux host has these
    esac
    cp -L "$lib" "$runtime/lib/$name"
    echo "make-bundle.sh: runtime/lib/$name from $(readlink -f "$lib")$(copy_copyright "$lib" "$runtime")"
  done < <(ldd "$fontmanager" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$runtime/")

  mkdir -p "$runtime/lib/fonts"
  local file id kind style
  file="$(basename "$font")"
  id="${file%.*}"
  id="${id//[^A-Za-z0-9]/}"
  cp -L "$font" "$runtime/lib/fonts/$file"
  copy_copyright "$font" "$runtime" >/dev/null
  {
    echo "# Written by make-bundle.sh: every logical font is the bundled $file (docs/bundle.md)."
    echo "version=1"
    for kind in serif sansserif monospaced dialog dialoginput; do
      for style in plain bold italic bolditalic; do echo "$kind.$style.latin-1=$id"; done
    done
    echo "sequence.allfonts=latin-1"
    echo "filename.$id=\$JRE_LIB_FONTS/$file"
  } > "$runtime/lib/fontconfig.properties"
  echo "make-bundle.sh: runtime/lib/fonts/$file from $font"
}

# libjvm.so is 24 MB, 4 MB of it a symbol table that only crash reports (hs_err) use to name JVM-internal
# frames; strip it to keep the bundle under the size limit. Exported symbols (JNI_*, JVM_*) stay.
strip_libjvm() {
  local libjvm="$1/lib/server/libjvm.so"
  if command -v strip >/dev/null; then
    chmod u+w "$libjvm"
    strip --strip-unneeded "$libjvm"
  else
    echo "make-bundle.sh: no strip on the PATH: libjvm.so keeps its symbol table (4 MB)" >&2
  fi
}

runtime_inputs="$("$java_home/bin/java" -version 2>&1; echo "$java_home $modules ${jlink_options[*]}";
  sha256sum "$0" "$font")"
if [[ -x "$bundle/runtime/bin/java" && "$(cat "$gen/runtime.inputs" 2>/dev/null)" == "$runtime_inputs" ]]; then
  echo "make-bundle.sh: runtime is up to date (modules: $modules)"
else
  rm -rf "$bundle/runtime" "$gen/runtime.inputs"
  echo "make-bundle.sh: jlink $modules"
  "$java_home/bin/jlink" --module-path "$jmods" --add-modules "$modules" "${jlink_options[@]}" \
    --output "$bundle/runtime"
  add_font_support "$bundle/runtime"
  strip_libjvm "$bundle/runtime"
  printf '%s\n' "$runtime_inputs" > "$gen/runtime.inputs"
fi

# ---- bin/featviz: the launcher, which uses runtime/bin/java only; bin/featviz-gpu-tests with tests/.
install -m 755 "$here/featviz" "$bundle/bin/featviz"
[[ -d "$bundle/tests" ]] && install -m 755 "$here/featviz-gpu-tests" "$bundle/bin/featviz-gpu-tests"

# ---- Checks: the launcher starts with no Java on the PATH and no JAVA_HOME, and the bundle stays small.
version="$(env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" "$bundle/bin/featviz" --version)" \
  || fail "$bundle/bin/featviz --version failed"
bytes="$(du -sb "$bundle" | cut -f1)"
[[ -d "$bundle/tests" ]] && bytes="$(( bytes - $(du -sb "$bundle/tests" | cut -f1) ))"
mib="$(( (bytes + 1048575) / 1048576 ))"
size() { du -sh "$1" | cut -f1; }
echo "make-bundle.sh: built $bundle ($version): $(size "$bundle")" \
  "(runtime $(size "$bundle/runtime"), lib $(size "$bundle/lib")$([[ -d "$bundle/tests" ]] \
  && echo ", tests $(size "$bundle/tests")"); $(du -sb "$bundle" | cut -f1) bytes in all)"
if (( bytes >= max_mib * 1048576 )); then
  fail "the bundle is $mib MiB, over the limit of $max_mib MiB: see docs/bundle.md for what is in it and what to cut"
fi
[[ -d "$bundle/tests" ]] || exit 0

# ---- With tests: the launcher finds them under the bundle's runtime, with no Java on the PATH.
found="$(cd "$work" && env -i PATH=/usr/bin:/bin HOME="${HOME:-/tmp}" "$bundle/runtime/bin/java" \
  -cp "$bundle/lib/*:$bundle/tests/*" org.junit.platform.console.ConsoleLauncher discover --disable-banner \
  --disable-ansi-colors --scan-class-path "$bundle/tests/featviz-tests.jar" --include-tag gpu 2>&1)" \
  || fail "JUnit's console launcher failed under the bundle's runtime: $found"
count="$(sed -n 's/.* \([0-9][0-9]*\) tests found.*/\1/p' <<< "$found")"
[[ "${count:-0}" -gt 0 ]] || fail "JUnit's console launcher found no gpu-tagged tests in tests/featviz-tests.jar: $found"
echo "make-bundle.sh: tests/: $count gpu-tagged tests found"

# ---- gpu-carry/: the bundle for the device tool, whose 64 MiB limit covers the whole working tree (models/
# alone is 26 MB) plus what it carries. xz over one tar of the bundle, but with the runtime's lib/modules made by
# jlink --compress=0: jlink's own per-resource compression leaves 21 MB that xz cannot shrink, while the
# uncompressed file (48 MB) goes down to 10 MB. Nothing else in the runtime depends on --compress. Plus the ONNX
# node cases that DeviceConformanceGpuTest reads from /usr/share/libonnx-testdata (27 MB, 1.2 MB in xz), where
# this machine has them. src/main/bundle/unpack-carry.sh unpacks both on the GPU host.
carry="$build/gpu-carry"
stage="$work/carry"
mkdir -p "$carry" "$stage"
cp -a "$bundle" "$stage/featviz-bundle"
# OpenBLAS's natives (10 MB after compression, and they do not shrink further) would put the tree and the carry
# over the device tool's 64 MiB. The GPU host computes on the GPU; its CPU backend (the oracle of the gpu-tagged
# tests) runs the Java kernels there, with a note, as anywhere OpenBLAS is missing. The Java API jar stays.
rm -f "$stage"/featviz-bundle/lib/openblas-*-linux-x86_64.jar
rm -rf "$work/modules0"
"$java_home/bin/jlink" --module-path "$jmods" --add-modules "$modules" \
  "${jlink_options[@]/--compress=2/--compress=0}" --output "$work/modules0"
cp "$work/modules0/lib/modules" "$stage/featviz-bundle/runtime/lib/modules"
tar -C "$stage" -cf - featviz-bundle | xz -T0 -6 > "$carry/featviz-bundle.tar.xz"
node=/usr/share/libonnx-testdata/data/node
if [[ -d "$node" ]]; then
  tar -C "$(dirname "$node")" -cf - node | xz -T0 -6 > "$carry/libonnx-testdata-node.tar.xz"
else
  echo "make-bundle.sh: no $node here: DeviceConformanceGpuTest will skip on the GPU host" >&2
fi
carry_bytes="$(du -sb "$carry" | cut -f1)"
tree_bytes=unknown
if command -v git >/dev/null && git rev-parse --show-toplevel >/dev/null 2>&1; then
  tree_bytes="$( (git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null || true) \
    | awk '{s += $1} END {print s + 0}')"
fi
echo "make-bundle.sh: $carry: $(ls "$carry" | paste -sd' ' -), $carry_bytes bytes" \
  "(+ working tree $tree_bytes bytes; the device tool takes 64 MiB = 67108864 in all)"
if [[ "$tree_bytes" != unknown ]] && (( carry_bytes + tree_bytes >= 67108864 )); then
  echo "make-bundle.sh: warning: the working tree and gpu-carry/ are over the device tool's 64 MiB" >&2
fi
