#!/usr/bin/env bash
# Builds the runner, the components and the benchmark kit (release), then runs
# every scenario against every server (the native peer, the runner on both
# manifests, and `spin up` on both and `wasmtime serve` when they are on
# PATH) and writes the benchmark page, BENCHMARKS.md (with the hub fan-out
# section from bench/hub-fanout/*.json), its raw results BENCHMARKS.json and
# docs/bench-*.svg. Extra arguments go to `spin-sse-bench drive` (e.g.
# --quick for a smoke run). Only loopback addresses are loaded.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "[bench] building (release)..." >&2
cargo build --release -p spin-sse-runner -p spin-sse-bench
# The components as spin.toml builds them (size profile, stripped, sidecars).
"${CARGO_TARGET_DIR:-target}/release/spin-sse-runner" build --file spin.toml
# The WASI 0.3 build of the same app, served as `runner-p3` and `spin-p3`.
"${CARGO_TARGET_DIR:-target}/release/spin-sse-runner" build --file spin.p3.toml

# Each open stream maps a few regions in the runner; the default
# vm.max_map_count (65530) can cap concurrency before the fd limit does.
if [ "$(cat /proc/sys/vm/max_map_count)" -lt 262144 ] && [ -w /proc/sys/vm/max_map_count ]; then
  echo "[bench] raising vm.max_map_count to 262144 (was $(cat /proc/sys/vm/max_map_count))" >&2
  echo 262144 > /proc/sys/vm/max_map_count
fi
ulimit -n "$(ulimit -Hn)"

exec "${CARGO_TARGET_DIR:-target}/release/spin-sse-bench" drive "$@"
