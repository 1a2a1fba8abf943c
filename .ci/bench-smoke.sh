#!/usr/bin/env bash
# Benchmark smoke run: keeps benches/compare (and examples/guest_size.rs) compiling
# against the library and runs a very short pass of the benchmarks. Not a
# performance gate: it prints numbers and ratios (targets marked PASS/MISS) and fails
# only if something does not build or a benchmark errors.
#
#   bash .ci/bench-smoke.sh            # encode; + roundtrip, scale and neigh when root
#
# The full run is documented in BENCHMARKS.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --example guest_size --manifest-path "$root/Cargo.toml"
CARGO_TARGET_DIR="$target/bench-compare" \
    cargo build --release --manifest-path "$root/benches/compare/Cargo.toml"
sections=(encode)
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
    sections+=(roundtrip scale filter neigh kinds)
fi
"$target/bench-compare/release/rtnl-bench-compare" --quick "${sections[@]}"
# The monitor (issue #13): a short pass of every measurement at small sizes.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
    RTNL_BENCH_EVENTS=5000 RTNL_BENCH_STORM=20000 RTNL_BENCH_CHURN_LINKS=200 \
        "$target/bench-compare/release/rtnl-bench-compare" --quick events
fi
