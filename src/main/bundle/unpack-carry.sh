#!/bin/sh
# Unpacks what make-bundle.sh --tests wrote to gpu-carry/ (mvn -B -Pbundle,gpu-tests package) on a GPU host,
# e.g. through the device tool (docs/bundle.md, "The gpu-tagged tests from the bundle"):
#
#   src/main/bundle/unpack-carry.sh [CARRY_DIR [DEST]]     # defaults: target/gpu-carry, target
#
# featviz-bundle.tar.xz goes to DEST/featviz-bundle (replacing an earlier one); libonnx-testdata-node.tar.xz, where
# present, to /usr/share/libonnx-testdata/data/node, the path the conformance tests read (needs root; skipped with a
# message otherwise). Uses tar with xz, or python3's tarfile where the host has no xz.
set -e
carry=${1:-target/gpu-carry}
dest=${2:-target}

unpack() {  # unpack FILE.tar.xz FOLDER
  mkdir -p "$2"
  if command -v xz > /dev/null; then
    xz -dc "$1" | tar -C "$2" -xf -
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
  fi
}

[ -f "$carry/featviz-bundle.tar.xz" ] || { echo "unpack-carry.sh: no $carry/featviz-bundle.tar.xz" >&2; exit 1; }
rm -rf "$dest/featviz-bundle"
unpack "$carry/featviz-bundle.tar.xz" "$dest"
echo "unpack-carry.sh: $dest/featviz-bundle ($(du -sh "$dest/featviz-bundle" | cut -f1))"
node=/usr/share/libonnx-testdata/data
if [ -f "$carry/libonnx-testdata-node.tar.xz" ]; then
  if [ -d "$node/node" ]; then
    echo "unpack-carry.sh: $node/node is already there"
  elif mkdir -p "$node" 2> /dev/null && [ -w "$node" ]; then
    unpack "$carry/libonnx-testdata-node.tar.xz" "$node"
    echo "unpack-carry.sh: $node/node ($(ls "$node/node" | wc -l) cases)"
  else
    echo "unpack-carry.sh: cannot write $node: DeviceConformanceGpuTest will skip" >&2
  fi
fi
