#!/usr/bin/env bash
# The hub fan-out matrix behind docs/hub-fanout.md: both builds, 1,000 and
# 10,000 subscribers arriving all at once ("burst") or paced, 100 updates/s
# for 30 s, then the two faults (one of two servers SIGKILLed, Redis
# restarted with AOF) at 1,000 subscribers; with the embedded runner, and
# with the `spin` on PATH when there is one (skipped with a line otherwise).
# Each run writes its raw JSON to bench/hub-fanout/<server>-<build>-<n>-<case>.json;
# the table is rendered from those files:
#   target/release/hub_fanout --render bench/hub-fanout/*.json
# Arguments: the servers to run (default: runner spin). Loopback only;
# bounded (each run stops by itself within a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
# Built one at a time, as the e2e suite builds the runner (together, features
# would unify into a third build of wasmtime).
cargo build --release -p spin-sse-runner
cargo build --release -p spin-sse-bench --bin hub_fanout
"$target/release/spin-sse-runner" build --file spin.toml
"$target/release/spin-sse-runner" build --file spin.p3.toml
ulimit -n "$(ulimit -Hn)"

# Spin's own limits for many streams (docs/spin.md, "Serving many streams"):
# the pool's slots and what each used slot keeps resident.
export SPIN_MAX_INSTANCE_COUNT="${SPIN_MAX_INSTANCE_COUNT:-20000}"
export SPIN_WASMTIME_LINEAR_MEMORY_KEEP_RESIDENT="${SPIN_WASMTIME_LINEAR_MEMORY_KEEP_RESIDENT:-0}"
export SPIN_WASMTIME_TABLE_KEEP_RESIDENT="${SPIN_WASMTIME_TABLE_KEEP_RESIDENT:-0}"

servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(runner spin)
out=bench/hub-fanout
mkdir -p "$out"

run() { # server build name args...
  local server=$1 build=$2 name=$3
  shift 3
  local manifest=spin.toml
  [ "$build" = p3 ] && manifest=spin.p3.toml
  echo "[hub-fanout] $server $build $name: $*" >&2
  "$target/release/hub_fanout" --server "$server" --manifest "$manifest" \
    --runner "$target/release/spin-sse-runner" --rate 100 --seconds 30 "$@" \
    --json "$out/$server-$build-$name.json"
}

for server in "${servers[@]}"; do
  if [ "$server" = spin ] && ! command -v spin > /dev/null; then
    echo "[hub-fanout] spin: skipped, no \`spin\` on PATH" >&2
    continue
  fi
  for build in p3 p2; do
    run "$server" "$build" 1000-burst --subscribers 1000
    run "$server" "$build" 1000-paced --subscribers 1000 --connect-rate 200
    if [ "$server" = spin ] && [ "$build" = p2 ]; then
      # Spin opens each WASI 0.2 instance's stdout and stderr log files (5
      # descriptors per stream with its socket): 10,000 streams need 50,000.
      echo "[hub-fanout] spin p2 10000: skipped, Spin needs about 5 file descriptors per WASI 0.2 stream (limit $(ulimit -n))" >&2
      continue_10k=no
    else
      continue_10k=yes
    fi
    [ "$continue_10k" = yes ] && run "$server" "$build" 10000-burst --subscribers 10000
    # The same burst with instances that may hold 128 requests without a
    # response head (Spin's and the runner's default is 16 on WASI 0.3).
    [ "$build" = p3 ] && run "$server" "$build" 10000-burst-reuse128 --subscribers 10000 \
      --server-arg=--max-instance-concurrent-reuse-count --server-arg=128
    [ "$continue_10k" = yes ] && run "$server" "$build" 10000-paced --subscribers 10000 --connect-rate 500
    run "$server" "$build" 1000-kill-one --subscribers 1000 --connect-rate 200 --fault kill-runner
    run "$server" "$build" 1000-redis-restart --subscribers 1000 --connect-rate 200 --fault redis-restart
  done
done
"$target/release/hub_fanout" --render "$out"/*.json
