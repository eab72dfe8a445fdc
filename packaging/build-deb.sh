#!/usr/bin/env bash
# Builds target/debian/frontdesk_<version>_amd64.deb: the release binary, the models, the demo
# camera, a private ONNX Runtime, the desktop entry, the kiosk unit and a man page made from
# `frontdesk --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

packaging/setup-dev.sh
for tool in help2man dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo); "${sudo_cmd[@]}" apt-get install -y -q help2man dpkg-dev; }
done
command -v cargo-deb >/dev/null || cargo install cargo-deb --version 3.8.0 --locked

cargo build --release --bin frontdesk
mkdir -p target/man
help2man --no-info --no-discard-stderr --name "front-desk kiosk that greets visitors by face" \
  target/release/frontdesk | gzip -9n > target/man/frontdesk.1.gz
cargo deb --no-build --output target/debian/
ls target/debian/*.deb
