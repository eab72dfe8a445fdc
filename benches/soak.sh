#!/usr/bin/env bash
# Soak test (not in CI): the recognition loop (`frontdesk watch`) on the built-in demo camera for
# SECONDS (default one hour), with Grace Hopper (who appears in the demo) enrolled and erased again
# from another process every few minutes. Every 30 s it prints the loop's resident memory, open file
# descriptors and threads: for a kiosk that runs for weeks, all three must stay flat.
#
# Usage: benches/soak.sh [SECONDS] [FRONTDESK_BINARY]    (default: target/release/frontdesk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-3600}
bin=${2:-target/release/frontdesk}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/gallery.db
config=$work/config.toml
: > "$config"
photo=tests/fixtures/faces/single/mpl_grace_hopper.jpg

"$bin" --db "$db" --config "$config" watch --source demo --json > "$work/events.jsonl" 2> "$work/stderr.log" &
pid=$!
start=$(date +%s)
next_change=$((start + 60))
enrolled=""
changes=0
echo "t_s rss_kb fds threads events gallery_changes"
while [ $(( $(date +%s) - start )) -lt "$duration" ]; do
  sleep 30
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the recognition loop died:" >&2
    tail -5 "$work/stderr.log" >&2
    exit 1
  fi
  now=$(date +%s)
  if [ "$now" -ge "$next_change" ]; then
    if [ -z "$enrolled" ]; then
      enrolled=$("$bin" --db "$db" --config "$config" enroll --consent --name "Grace Hopper" "$photo" \
        | sed -n 's/.*"person_id":\([0-9]*\).*/\1/p')
    else
      "$bin" --db "$db" --config "$config" people delete "$enrolled" > /dev/null
      enrolled=""
    fi
    changes=$((changes + 1))
    next_change=$((now + 150))
  fi
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
  fds=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
  echo "$((now - start)) $rss $fds $threads $(wc -l < "$work/events.jsonl") $changes"
done
