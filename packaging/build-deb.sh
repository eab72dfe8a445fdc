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

# The package's binary is compiled with a release build's settings (opt-level 3, no debug info,
# assertions or overflow checks, 16 codegen units, not incremental), in the dev profile: its
# dependencies are built there with those very settings (Cargo.toml), so after `cargo test` only
# Frontdesk itself is compiled, not every dependency a second time for target/release.
release_settings=()
for setting in opt-level=3 debug=false debug-assertions=false overflow-checks=false codegen-units=16; do
  release_settings+=(--config "profile.dev.package.frontdesk.$setting")
done
CARGO_INCREMENTAL=0 cargo build --bin frontdesk "${release_settings[@]}"
install -D -m 755 target/debug/frontdesk target/package/frontdesk
mkdir -p target/man
help2man --no-info --no-discard-stderr --name "front-desk kiosk that greets visitors by face" \
  target/package/frontdesk | gzip -9n > target/man/frontdesk.1.gz
cargo deb --no-build --output target/debian/
ls target/debian/*.deb
