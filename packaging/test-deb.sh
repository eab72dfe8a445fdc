#!/usr/bin/env bash
# Installs the Debian package into a clean Debian 12 root made with debootstrap (network: the
# Debian archive only), runs `frontdesk doctor`, `enroll` and `identify` there, removes the package
# and checks that none of its files stay behind. Needs root (debootstrap, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(pwd)/target/deb-test/root
cache=$(pwd)/target/deb-test/cache
deb=$(ls -t target/debian/frontdesk_*_amd64.deb 2>/dev/null | head -n 1 || true)
[ -n "$deb" ] || { echo "no package in target/debian: run packaging/build-deb.sh first" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap

fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }
in_root() { chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

rm -rf "$root"
mkdir -p "$root" "$cache"
echo "test-deb: debootstrap bookworm (minbase) into $root" >&2
debootstrap --variant=minbase --cache-dir="$cache" bookworm "$root" "$mirror" >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT

in_root apt-get update -q >/dev/null
before=$(in_root find / -xdev \( -path /proc -o -path /var/cache -o -path /var/lib/apt -o -path /var/log -o -path /tmp \) -prune -o -print | sort)

cp "$deb" "$root/tmp/frontdesk.deb"
echo "test-deb: apt-get install ./$(basename "$deb")" >&2
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q --no-install-recommends /tmp/frontdesk.deb >/dev/null
packaged=$(in_root dpkg -L frontdesk)

echo "test-deb: frontdesk doctor" >&2
# doctor exits non-zero when a required check (runtime, models, database) fails.
in_root frontdesk doctor || fail "doctor reported a failed required check"

cp tests/fixtures/faces/barack_obama/fr_obama.jpg tests/fixtures/faces/barack_obama/fr_obama3.jpg "$root/tmp/"
in_root frontdesk enroll --name "Barack Obama" --consent /tmp/fr_obama.jpg >/dev/null
identified=$(in_root frontdesk identify --json /tmp/fr_obama3.jpg)
echo "$identified"
echo "$identified" | grep -q '"name":"Barack Obama"' || fail "identify did not name the enrolled person"
in_root man -w frontdesk >/dev/null 2>&1 || [ -f "$root/usr/share/man/man1/frontdesk.1.gz" ] || fail "no man page"

echo "test-deb: dpkg -r frontdesk" >&2
in_root dpkg -r frontdesk >/dev/null
stray=""
while IFS= read -r path; do
  [ -f "$root$path" ] || [ -L "$root$path" ] && stray="$stray $path"
done <<< "$packaged"
[ -z "$stray" ] || fail "files left after dpkg -r:$stray"
# Nothing but the user's own data (the gallery in /root/.local/share) may remain beyond the dependencies.
after=$(in_root find / -xdev \( -path /proc -o -path /var/cache -o -path /var/lib/apt -o -path /var/log -o -path /tmp -o -path /var/lib/dpkg -o -path /root \) -prune -o -print | sort)
new_paths=$(comm -13 <(echo "$before") <(echo "$after") | grep -i frontdesk || true)
[ -z "$new_paths" ] || fail "frontdesk paths left after dpkg -r: $new_paths"
echo "test-deb: 1 passed, 0 failed"
