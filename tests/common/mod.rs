//! Shared helpers for the kernel tests: a fresh network namespace per test, on its own
//! thread, and `ip -j` run as a child of that thread to read the kernel's view.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// True when the kernel tests can run (root). Without root they are skipped LOUDLY;
/// under `CI=true` a missing privilege is a failure, never a skip.
/// Says `msg` on the test's stderr even though the harness captures output: written
/// to the descriptor directly, not through `eprintln!` (which the harness swallows
/// for a passing test). For what did not run, and why.
pub fn loud(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

pub fn can_run_kernel_tests(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: kernel tests need root, and CI=true forbids skipping them");
        }
        loud(&format!(
            "SKIPPED {test}: needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN for unshare)"
        ));
    }
    root
}

/// Runs `f` on a new thread inside a new, empty network namespace (only `lo`).
/// Panics in `f` fail the test.
pub fn in_netns<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: unshare affects only this thread; CLONE_NEWNET is allowed in a
            // multi-threaded process.
            let r = unsafe { libc::unshare(libc::CLONE_NEWNET) };
            assert_eq!(
                r,
                0,
                "unshare(CLONE_NEWNET): {}",
                std::io::Error::last_os_error()
            );
            f()
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Runs `ip ARGS` from the calling thread (so in its namespace) and returns stdout.
/// Panics with stderr when it fails.
pub fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `ip -j ARGS`, parsed.
pub fn ip_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["-j"];
    a.extend_from_slice(args);
    let s = ip(&a);
    if s.trim().is_empty() {
        return serde_json::Value::Array(vec![]);
    }
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("ip -j {}: {e}: {s}", args.join(" ")))
}

/// The `ip -j link show dev NAME` object, or None when absent.
pub fn ip_link(name: &str) -> Option<serde_json::Value> {
    let out = Command::new("ip")
        .args(["-j", "link", "show", "dev", name])
        .output()
        .expect("run ip");
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v.as_array()?.first().cloned()
}

/// Names of every link in the namespace, per `ip -j link show`.
pub fn ip_link_names() -> Vec<String> {
    ip_json(&["link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["ifname"].as_str().unwrap().to_owned())
        .collect()
}

/// `(local, prefixlen)` of every address on `dev`, per `ip -j addr show dev DEV`.
pub fn ip_addrs(dev: &str) -> Vec<(String, u64)> {
    let v = ip_json(&["addr", "show", "dev", dev]);
    let mut out = Vec::new();
    for l in v.as_array().unwrap() {
        for a in l["addr_info"].as_array().unwrap() {
            out.push((
                a["local"].as_str().unwrap().to_owned(),
                a["prefixlen"].as_u64().unwrap(),
            ));
        }
    }
    out
}

/// Waits (up to 10 s, polling) for `done` to hold, else panics naming `what`. For
/// state that follows the close of a descriptor: a child another test is forking at
/// that moment holds a copy of every descriptor until it execs, and the kernel acts
/// only when the last copy closes. Not a timing check: only the state is asserted.
#[allow(dead_code)]
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < until, "never came true: {what}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

pub mod endian;
pub mod seccomp;

// ---- the examples, as built by `cargo test` ------------------------------------

/// The path of a built example, with a clear failure when it is missing or older
/// than its source (`cargo test --test examples` alone does not rebuild examples).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| {
            panic!(
                "example binary {} not found ({e}): `cargo test` builds the examples before \
                 running this test; with a filter like `cargo test --test examples`, run \
                 `cargo build --examples` first",
                path.display()
            )
        });
    // Only the example's own source is compared: src/ may change under a running
    // `cargo test` in a shared checkout, and then the test binary is as old. An
    // example is one file, or a folder with main.rs and its modules (the newest
    // counts).
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let file = examples.join(format!("{name}.rs"));
    let (source, changed) = if file.exists() {
        let t = std::fs::metadata(&file).and_then(|m| m.modified());
        (file, t.expect("example source"))
    } else {
        let dir = examples.join(name);
        let newest = std::fs::read_dir(&dir)
            .expect("example folder")
            .flatten()
            .filter_map(|e| e.metadata().and_then(|m| m.modified()).ok())
            .max()
            .expect("example sources");
        (dir, newest)
    };
    assert!(
        changed <= built,
        "example binary {} is older than {}: run `cargo build --examples` (plain \
         `cargo test` does it) so that this test checks the current code",
        path.display(),
        source.display()
    );
    path
}

/// A command running example `name`; under qemu-user (cross tests) through the
/// emulator, as cargo's runner would.
pub fn example_command(name: &str) -> Command {
    let path = example(name);
    match std::env::var("RTNL_QEMU_USER") {
        Ok(emu) if !emu.is_empty() => {
            let mut c = Command::new(&emu);
            if emu.contains("s390x") {
                c.args(["-L", "/usr/s390x-linux-gnu"]);
            }
            c.arg(path);
            c
        }
        _ => Command::new(path),
    }
}
