#!/usr/bin/env bash
# Runs every cargo-fuzz target of rtnl for a bounded time and fails on any crash.
#
#   .ci/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   FUZZ_SECONDS=300 .ci/fuzz.sh            # same as .ci/fuzz.sh 300
#
# Default: 60 s per target, all targets (messages attrs ack typed encoders kinds events).
# Needs the nightly toolchain (`rustup toolchain install nightly`); installs
# cargo-fuzz (`cargo install cargo-fuzz --locked`) when it is missing.
#
# Corpus: fuzz/corpus/<target>/ (grows run after run, not committed) plus the
# committed seeds fuzz/seeds/<target>/ (from tests/fixtures, see fuzz/make_seeds.py).
# A crash is copied to fuzz/regressions/<target>/, where tests/fuzz_replay.rs
# replays it under plain `cargo test`: commit it with the fix.
# Prints the executions per target at the end (for ROBUSTNESS.md).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-60}}"
shift || true
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
    echo "fuzz.sh: seconds per target must be a positive integer, got '$SECONDS_PER_TARGET'" >&2
    exit 2
fi
ALL_TARGETS=(messages attrs ack typed encoders kinds events)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing the nightly toolchain" >&2
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

cargo +nightly fuzz build --fuzz-dir fuzz

failed=()
summary=()
for t in "${TARGETS[@]}"; do
    corpus="fuzz/corpus/$t"
    artifacts="fuzz/artifacts/$t"
    mkdir -p "$corpus" "$artifacts" "fuzz/regressions/$t"
    log="$(mktemp)"
    echo "== fuzz $t for ${SECONDS_PER_TARGET}s"
    set +e
    cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$corpus" "fuzz/seeds/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    if [ "$rc" -ne 0 ]; then
        tail -60 "$log"
        for a in "$artifacts"/*; do
            [ -f "$a" ] || continue
            cp "$a" "fuzz/regressions/$t/"
            echo "fuzz.sh: $t crashed; input saved as fuzz/regressions/$t/$(basename "$a")" >&2
        done
        failed+=("$t")
        summary+=("$t: CRASHED (exit $rc) after ${execs:-?} executions")
    else
        summary+=("$t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s, no crash")
    fi
    rm -f "$log"
done

echo "== fuzz summary"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz.sh: crashes in: ${failed[*]} — reproduce with" >&2
    echo "  cargo +nightly fuzz run --fuzz-dir fuzz TARGET fuzz/regressions/TARGET/FILE" >&2
    echo "  or: cargo test --test fuzz_replay" >&2
    exit 1
fi
