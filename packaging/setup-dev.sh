#!/usr/bin/env bash
# Installs everything a build of Frontdesk needs on Debian/Ubuntu, then the pinned ONNX Runtime
# library into target/onnxruntime/, where a development build of `frontdesk` looks for it.
# Safe to run again: every step is skipped when already done.
set -euo pipefail

ORT_VERSION=1.32.0
ORT_WHEEL=onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_WHEEL_SHA256=5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d

repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/target/onnxruntime"

# mosquitto and postgresql: a real MQTT broker and a real database server, which the tests start
# on free ports of their own (the fleet's tests run PostgreSQL from a temporary folder).
apt_packages=(pkg-config libclang-dev clang libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libxkbcommon-dev libwayland-dev libgl1-mesa-dri mesa-vulkan-drivers xvfb xauth python3-pip unzip
  mosquitto postgresql)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi

if [ -f "$dest/libonnxruntime.so" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$ORT_VERSION" ]; then
  exit 0
fi

echo "setup: fetching ONNX Runtime $ORT_VERSION from PyPI" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --implementation cp --python-version 3.11 \
  --platform manylinux_2_28_x86_64 -d "$work" "onnxruntime==$ORT_VERSION"
echo "$ORT_WHEEL_SHA256  $work/$ORT_WHEEL" | sha256sum --check --quiet
unzip -q -o -j "$work/$ORT_WHEEL" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" -d "$work"
mkdir -p "$dest"
install -m 0644 "$work/libonnxruntime.so.$ORT_VERSION" "$dest/libonnxruntime.so"
echo "$ORT_VERSION" > "$dest/VERSION"
echo "setup: ONNX Runtime $ORT_VERSION installed in $dest" >&2
