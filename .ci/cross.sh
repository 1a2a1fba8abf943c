#!/usr/bin/env bash
# Cross-target build/test helpers for rtnl.
#
# Use it either way:
#   . .ci/cross.sh; cross_setup; cross_test aarch64-unknown-linux-musl -- --test-threads=2
#   bash .ci/cross.sh setup [targets...]
#   bash .ci/cross.sh test <target> [cargo test args...]
#
# Linkers and runners live in .cargo/config.toml, so after cross_setup a plain
# `cargo test --target <triple>` works with no environment variables.
#
# Targets and how each is exercised (Debian bookworm x86_64 host, root):
#   x86_64-unknown-linux-musl   cargo test, native (static-pie, linked by host cc)
#   i686-unknown-linux-musl     cargo test, native 32-bit (linked by rust-lld)
#   aarch64-unknown-linux-musl  cargo test under qemu-aarch64-static (rust-lld)
#   s390x-unknown-linux-gnu     cargo test under qemu-s390x-static -L /usr/s390x-linux-gnu
#                               (linked by s390x-linux-gnu-gcc); big-endian
#   x86_64-apple-darwin         cargo check only (--all-targets); nothing is linked
#
# Under qemu-user, syscalls are forwarded to the host kernel, so unshare(2),
# netlink sockets and spawning the host's x86-64 `ip` all work. qemu-user
# translates rtnetlink byte order only partly, and that matters only on
# big-endian s390x: see CROSS_QEMU_NOTES below. For emulated targets
# cross_test exports RTNL_QEMU_USER=<emulator> so tests can tell that they
# run under qemu-user.

set -euo pipefail

CROSS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CROSS_TARGETS=(
    x86_64-unknown-linux-musl
    i686-unknown-linux-musl
    aarch64-unknown-linux-musl
    s390x-unknown-linux-gnu
    x86_64-apple-darwin
)

# shellcheck disable=SC2034
CROSS_QEMU_NOTES='qemu-user (7.2 bookworm, 10.0 bookworm-backports) on s390x:
 - nlmsghdr, nlmsgerr, ifinfomsg and ifaddrmsg are byte-swapped correctly;
 - a reply rtattr header is left in host (little-endian) order when it is
   the last one in the message and has no payload (rta_len 4): the loop
   guard is `len > sizeof(struct rtattr)`. RTM_NEWLINK on kernel 6.x ends
   with an empty nested attribute (62 IFLA_DEVLINK_PORT / 65 IFLA_DPLL_PIN),
   so a strict rtattr parser of a link dump fails on s390x;
 - reply payloads of IFLA types that qemu does not know (kernel 6.18: 58-69,
   and any NLA_F_NESTED type) stay little-endian;
 - request rtattr payloads: 7.2 swaps none (IFLA_MTU=1280 in a SETLINK
   becomes mtu 327680, ack 0); 10.0 swaps IFLA_MTU; neither walks nested
   request attributes (IFLA_LINKINFO -> veth create fails with -EOPNOTSUPP).'

_cross_apt_updated=0

_cross_log() { printf '[cross] %s\n' "$*" >&2; }

# Debian packages a target needs (besides the machine's gcc and iproute2).
_cross_pkgs_for() {
    case "$1" in
        aarch64-unknown-linux-musl) echo qemu-user-static ;;
        s390x-unknown-linux-gnu) echo qemu-user-static gcc-s390x-linux-gnu libc6-dev-s390x-cross ;;
        *) ;;
    esac
}

_cross_apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$_cross_apt_updated" -eq 0 ]; then
        _cross_log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        _cross_apt_updated=1
    fi
    _cross_log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

_cross_rustup_target() {
    local t="$1" try
    for try in 1 2 3; do
        if (cd "$CROSS_ROOT" && rustup target list --installed) | grep -qx "$t"; then
            return 0
        fi
        _cross_log "rustup target add $t (try $try)"
        # rustup has been seen to panic after a successful install; the check
        # at the top of the loop decides.
        (cd "$CROSS_ROOT" && rustup target add "$t") >&2 || true
    done
    (cd "$CROSS_ROOT" && rustup target list --installed) | grep -qx "$t" || {
        _cross_log "could not install rust-std for $t"
        return 1
    }
}

# cross_setup [targets...]  (default: all of CROSS_TARGETS). Idempotent.
cross_setup() {
    local targets=("$@") pkgs=(iproute2) t
    [ "${#targets[@]}" -eq 0 ] && targets=("${CROSS_TARGETS[@]}")
    for t in "${targets[@]}"; do
        # shellcheck disable=SC2207
        pkgs+=($(_cross_pkgs_for "$t"))
    done
    # shellcheck disable=SC2046
    _cross_apt_install $(printf '%s\n' "${pkgs[@]}" | sort -u)
    for t in "${targets[@]}"; do
        _cross_rustup_target "$t"
    done
}

_cross_emulator() {
    case "$1" in
        aarch64-unknown-linux-musl) echo qemu-aarch64-static ;;
        s390x-unknown-linux-gnu) echo qemu-s390x-static ;;
        *) echo "" ;;
    esac
}

# cross_test <target> [cargo test args...]
# Runs `cargo test --target <target> ARGS` from the repo root; for
# x86_64-apple-darwin runs `cargo check --target ... --all-targets ARGS`
# instead (ARGS before any `--` only make sense for cargo check then).
cross_test() {
    local t="${1:?usage: cross_test <target> [cargo test args...]}"
    shift
    case "$t" in
        *-apple-darwin | *-windows-* | *-freebsd*)
            (cd "$CROSS_ROOT" && cargo check --target "$t" --all-targets "$@")
            ;;
        *)
            local emu
            emu="$(_cross_emulator "$t")"
            if [ -n "$emu" ]; then
                # qemu-user can deadlock in a forked child before it reaches exec (a
                # lock of qemu's own, held by another guest thread at the fork; seen
                # once in about ten runs here, in a test that spawns `ip`): never the
                # code under test. A run that hangs for 10 minutes (a whole run takes
                # 2-3) is killed and run once more, one test at a time (no other guest
                # thread busy at a fork), and the log says so; a second hang, or any
                # failure, fails.
                local rc=0 a serial=(-- --test-threads=1)
                (cd "$CROSS_ROOT" && RTNL_QEMU_USER="$emu" timeout 600 cargo test --target "$t" "$@") || rc=$?
                if [ "$rc" = 124 ]; then
                    pkill -KILL -f "$emu .*/$t/debug/deps/" || true
                    _cross_log "!! $t: the run hung for 600 s (qemu-user fork deadlock); killed, running it once more, one test at a time"
                    for a in "$@"; do [ "$a" = -- ] && serial=(--test-threads=1); done
                    (cd "$CROSS_ROOT" && RTNL_QEMU_USER="$emu" timeout 900 cargo test --target "$t" "$@" "${serial[@]}")
                elif [ "$rc" != 0 ]; then
                    return "$rc"
                fi
            else
                (cd "$CROSS_ROOT" && cargo test --target "$t" "$@")
            fi
            ;;
    esac
}

# cross_test_all [cargo test args...]: every target in CROSS_TARGETS, in turn;
# stops at the first failure (set -e).
cross_test_all() {
    local t
    for t in "${CROSS_TARGETS[@]}"; do
        _cross_log "== $t"
        cross_test "$t" "$@"
    done
}

# cross_binfmt: optional. Registers qemu-aarch64/qemu-s390x with binfmt_misc
# so that a guest binary can exec another guest binary (or itself) and so
# that ./aarch64-binary runs directly. Not needed by cross_test: the cargo
# runner starts qemu, and a guest that execs the host's x86-64 `ip` has it
# run natively. Needs root and a kernel with binfmt_misc; best effort.
cross_binfmt() {
    local dir=/proc/sys/fs/binfmt_misc a conf
    [ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir" 2>/dev/null || {
        _cross_log "binfmt_misc unavailable"
        return 0
    }
    for a in aarch64 s390x; do
        [ -e "$dir/qemu-$a" ] && continue
        for conf in /usr/lib/binfmt.d/qemu-$a.conf /usr/share/qemu/binfmt.d/qemu-$a.conf; do
            if [ -r "$conf" ]; then
                grep -v '^#' "$conf" >"$dir/register" 2>/dev/null || _cross_log "could not register qemu-$a"
                break
            fi
        done
    done
    # Dynamically linked s390x guests started through binfmt need the sysroot:
    export QEMU_LD_PREFIX=/usr/s390x-linux-gnu
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cmd="${1:-setup}"
    shift || true
    case "$cmd" in
        setup) cross_setup "$@" ;;
        test) cross_test "$@" ;;
        test-all) cross_test_all "$@" ;;
        binfmt) cross_binfmt ;;
        *)
            echo "usage: $0 {setup [targets...]|test <target> [args...]|test-all [args...]|binfmt}" >&2
            exit 2
            ;;
    esac
fi
