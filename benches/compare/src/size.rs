//! Target 4 — size and build cost: the guest sequence (examples/guest_size.rs) as a
//! static x86_64 musl binary with the `guest` profile, against an empty `main` and the
//! rtnetlink + tokio equivalent (benches/compare/guest-rtnetlink) built the same way;
//! a clean release build of the library with 2 jobs; `cargo tree -e normal`.

use crate::harness::Checks;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TARGET: &str = "x86_64-unknown-linux-musl";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// Where the size builds go: `$RTNL_BENCH_BUILD_DIR`, else `target/bench-size` of
/// the repository.
fn build_dir() -> PathBuf {
    std::env::var_os("RTNL_BENCH_BUILD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/bench-size"))
}

/// Runs cargo in `dir` with `args` and `CARGO_TARGET_DIR=target`; returns the time and
/// the number of crates compiled. Panics with cargo's output on failure.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> (Duration, usize) {
    let t = Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    let d = t.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo {}: {err}", args.join(" "));
    (
        d,
        err.lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .count(),
    )
}

fn size_of(p: &Path) -> u64 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .len()
}

pub fn run(checks: &mut Checks, quick: bool) {
    println!("\n== 4. Size (static {TARGET}, profile guest: opt-level z, LTO, panic abort, strip, 1 CGU) and build cost");
    let repo = repo();
    let guest = repo.join("benches/compare/guest-rtnetlink");
    let dir = build_dir();
    let t_main = dir.join("rtnl");
    let t_guest = dir.join("guest-rtnetlink");
    cargo(
        &repo,
        &t_main,
        &[
            "build",
            "--profile",
            "guest",
            "--target",
            TARGET,
            "--example",
            "guest_size",
        ],
    );
    let s_rtnl = size_of(&t_main.join(TARGET).join("guest/examples/guest_size"));
    cargo(
        &guest,
        &t_guest,
        &["build", "--profile", "guest", "--target", TARGET, "--bins"],
    );
    let s_empty = size_of(&t_guest.join(TARGET).join("guest/empty"));
    let s_rn = size_of(&t_guest.join(TARGET).join("guest/guest-rtnetlink"));
    println!("{:<52} {:>12}", "binary", "bytes");
    println!("{:<52} {:>12}", "empty main", s_empty);
    println!(
        "{:<52} {:>12}  (+{} over empty)",
        "rtnl Handle (examples/guest_size.rs)",
        s_rtnl,
        s_rtnl as i64 - s_empty as i64
    );
    println!(
        "{:<52} {:>12}  (+{} over empty; {:.1}x rtnl)",
        "rtnetlink + tokio (guest-rtnetlink)",
        s_rn,
        s_rn as i64 - s_empty as i64,
        s_rn as f64 / s_rtnl as f64
    );
    checks.check("size: guest_size bytes", s_rtnl as f64, 410_000.0, false);
    checks.check(
        "size: guest_size - empty main, bytes",
        s_rtnl as f64 - s_empty as f64,
        33_000.0,
        false,
    );

    // Dependencies.
    let out = Command::new("cargo")
        .args([
            "tree", "-e", "normal", "--prefix", "none", "--format", "{p}",
        ])
        .current_dir(&repo)
        .output()
        .expect("cargo tree");
    let tree = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    names.sort_unstable();
    names.dedup();
    let allowed = [
        "rtnl",
        "libc",
        "thiserror",
        "thiserror-impl",
        "proc-macro2",
        "quote",
        "syn",
        "unicode-ident",
    ];
    let extra: Vec<&&str> = names.iter().filter(|n| !allowed.contains(n)).collect();
    println!("cargo tree -e normal: {}", names.join(", "));
    checks.check(
        "deps: crates outside libc + thiserror (+ proc-macro deps)",
        extra.len() as f64,
        0.0,
        false,
    );

    if quick {
        println!("(clean-build timings skipped in a quick run)");
        return;
    }
    // Clean release builds with 2 jobs.
    let clean = dir.join("clean");
    let _ = std::fs::remove_dir_all(&clean);
    let (d, n) = cargo(
        &repo,
        &clean.join("rtnl"),
        &["build", "--release", "-j", "2", "--lib"],
    );
    println!(
        "clean `cargo build --release -j 2` of rtnl: {:.1} s, {n} crates compiled",
        d.as_secs_f64()
    );
    let (d2, n2) = cargo(
        &guest,
        &clean.join("guest-rtnetlink"),
        &["build", "--release", "-j", "2", "--bin", "guest-rtnetlink"],
    );
    println!("clean `cargo build --release -j 2` of the rtnetlink + tokio guest: {:.1} s, {n2} crates compiled ({:.1}x rtnl)", d2.as_secs_f64(), d2.as_secs_f64() / d.as_secs_f64());
    let _ = std::fs::remove_dir_all(&clean);
    checks.check(
        "build: clean release build of rtnl with -j 2, seconds",
        d.as_secs_f64(),
        15.0,
        false,
    );
}
