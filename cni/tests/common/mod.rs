//! The harness that holds rtnl's plugins against the reference plugins: fresh network
//! namespaces per run (a "host" one where the plugin runs, a "container" one),
//! plugin runs as a runtime makes them, kernel state as `ip -j` shows it with
//! generated names and MACs normalised, and the reference's binaries from Debian's
//! `containernetworking-plugins` (`/usr/lib/cni`).

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where the reference plugins are.
pub const REF_DIR: &str = "/usr/lib/cni";

/// Which implementation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// Debian's containernetworking-plugins.
    Ref,
    /// This crate's binary.
    Ours,
}

/// True when the comparison can run: root, and the reference plugins installed. Says
/// so loudly when not (and fails under CI=true).
pub fn can_run() -> bool {
    let root = unsafe_free_euid_is_root();
    let have_ref = Path::new(REF_DIR).join("bridge").exists();
    if root && have_ref {
        return true;
    }
    let why = if !root {
        "not root"
    } else {
        "the reference plugins are not installed (apt-get install containernetworking-plugins)"
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CNI comparison tests cannot run under CI: {why}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** CNI comparison test NOT RUN: {why} ***\n"
    );
    false
}

fn unsafe_free_euid_is_root() -> bool {
    // /proc/self/status: "Uid:\treal\teffective\t..."
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// A directory with this crate's binary linked under every plugin type's name.
pub fn our_dir() -> PathBuf {
    static ONCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rtnl-cni-bin");
        std::fs::create_dir_all(&dir).unwrap();
        let exe = env!("CARGO_BIN_EXE_rtnl-cni");
        for t in ["bridge", "ptp", "macvlan", "tuning", "static"] {
            let p = dir.join(t);
            let _ = std::fs::remove_file(&p);
            std::os::unix::fs::symlink(exe, &p).unwrap();
        }
        dir
    })
    .clone()
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A pair of fresh namespaces (and a scratch directory), removed on drop.
pub struct Env {
    /// The "host" namespace's name: plugins run there.
    pub host: String,
    /// The container's namespace name.
    pub cont: String,
    /// Scratch directory (host-local's and tuning's data).
    pub dir: PathBuf,
}

impl Env {
    /// Creates the namespaces: `lo` up in the host one, as on a real host.
    pub fn new(tag: &str) -> Env {
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let base = format!("rc{}{}{}", std::process::id() % 100000, tag, n);
        let e = Env {
            host: format!("{base}h"),
            cont: format!("{base}c"),
            dir: std::env::temp_dir().join(format!("rtnl-cni-{base}")),
        };
        sh(&["ip", "netns", "add", &e.host]);
        sh(&["ip", "netns", "add", &e.cont]);
        e.host_sh(&["ip", "link", "set", "lo", "up"]);
        std::fs::create_dir_all(&e.dir).unwrap();
        e
    }

    /// The container namespace's path (`CNI_NETNS`).
    pub fn netns(&self) -> String {
        format!("/run/netns/{}", self.cont)
    }

    /// Runs a command in the host namespace; panics on failure.
    pub fn host_sh(&self, cmd: &[&str]) -> String {
        let mut v = vec!["ip", "netns", "exec", &self.host];
        v.extend_from_slice(cmd);
        sh(&v)
    }

    /// Runs a command in the container namespace; panics on failure.
    pub fn cont_sh(&self, cmd: &[&str]) -> String {
        let mut v = vec!["ip", "netns", "exec", &self.cont];
        v.extend_from_slice(cmd);
        sh(&v)
    }

    /// Runs `plugin` (a type) of `which` with `cmd` on `conf`; returns the exit
    /// status and the parsed standard output (`Null` when empty).
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        which: Impl,
        plugin: &str,
        cmd: &str,
        conf: &Value,
        ifname: &str,
        netns: Option<&str>,
        cni_args: &str,
    ) -> (i32, Value, String) {
        let (bin, path) = match which {
            Impl::Ref => (Path::new(REF_DIR).join(plugin), REF_DIR.to_owned()),
            Impl::Ours => {
                let d = our_dir();
                (d.join(plugin), format!("{}:{}", d.display(), REF_DIR))
            }
        };
        let stdin = serde_json::to_vec(conf).unwrap();
        self.run_raw(&bin, cmd, &stdin, ifname, netns, cni_args, &path)
    }

    /// As [`run`](Self::run) with raw standard input and an explicit binary.
    #[allow(clippy::too_many_arguments)]
    pub fn run_raw(
        &self,
        bin: &Path,
        cmd: &str,
        stdin: &[u8],
        ifname: &str,
        netns: Option<&str>,
        cni_args: &str,
        path: &str,
    ) -> (i32, Value, String) {
        let default_ns = self.netns();
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.host])
            .arg(bin)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("CNI_COMMAND", cmd)
            .env("CNI_CONTAINERID", "ctr1")
            .env("CNI_NETNS", netns.unwrap_or(&default_ns))
            .env("CNI_IFNAME", ifname)
            .env("CNI_PATH", path)
            .env("CNI_ARGS", cni_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn plugin");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let v = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{bin:?} {cmd}: stdout is not JSON ({e}): {text:?}"))
        };
        (
            out.status.code().unwrap_or(-1),
            v,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The namespace's state as `ip -j` shows it: links (details), addresses, routes
    /// of every table, and the values of `sysctls` (`/proc/sys/...` paths, each read
    /// if it exists).
    pub fn state(&self, ns: &str) -> Value {
        let ex = |args: &[&str]| -> Value {
            let mut v = vec!["ip", "netns", "exec", ns];
            v.extend_from_slice(args);
            let s = sh(&v);
            serde_json::from_str(&s).unwrap_or(Value::Null)
        };
        let mut links = ex(&["ip", "-j", "-d", "link", "show"]);
        let addrs = ex(&["ip", "-j", "addr", "show"]);
        let r4 = ex(&["ip", "-j", "-4", "route", "show", "table", "all"]);
        let r6 = ex(&["ip", "-j", "-6", "route", "show", "table", "all"]);
        let mut sysctls: Vec<String> = vec![
            "/proc/sys/net/ipv4/ip_forward".into(),
            "/proc/sys/net/ipv6/conf/all/forwarding".into(),
            "/proc/sys/net/core/somaxconn".into(),
        ];
        for l in links.as_array().into_iter().flatten() {
            let name = l["ifname"].as_str().unwrap_or_default();
            for k in [
                "ipv6/conf/{}/accept_ra",
                "ipv6/conf/{}/accept_dad",
                "ipv6/conf/{}/disable_ipv6",
                "ipv6/conf/{}/enhanced_dad",
                "ipv4/conf/{}/arp_notify",
                "ipv4/conf/{}/forwarding",
            ] {
                sysctls.push(format!("/proc/sys/net/{}", k.replace("{}", name)));
            }
        }
        let mut sys = serde_json::Map::new();
        // One process for all: `grep -H . FILE...` prints FILE:VALUE for each that exists.
        let out = Command::new("ip")
            .args(["netns", "exec", ns, "grep", "-s", "-H", "."])
            .args(&sysctls)
            .output()
            .unwrap();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some((k, v)) = line.split_once(':') {
                sys.insert(k.to_owned(), Value::String(v.trim().to_owned()));
            }
        }
        strip_volatile(&mut links);
        let mut addrs = addrs;
        strip_volatile(&mut addrs);
        let (mut r4, mut r6) = (r4, r6);
        strip_volatile(&mut r4);
        strip_volatile(&mut r6);
        json!({"links": links, "addrs": addrs, "routes4": r4, "routes6": r6, "sysctl": sys})
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.host])
            .status();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.cont])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs a command; panics with its output on failure.
pub fn sh(cmd: &[&str]) -> String {
    let out = Command::new(cmd[0]).args(&cmd[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// True for what the kernel configures by itself, asynchronously, once a link has
/// carrier (IPv6 link-local addresses and their routes): not the plugin's doing, and
/// present or not depending on when the snapshot is taken.
fn is_link_local(v: &Value) -> bool {
    ["local", "dst"].iter().any(|k| {
        v.get(*k)
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("fe80:"))
    })
}

/// Drops what changes by itself over time: timers, counters, lifetimes, DAD's
/// `tentative` (the reference and we read state at different moments of DAD), the
/// carrier state that the kernel's link watcher updates asynchronously (`NO-CARRIER`,
/// `LOWER_UP`, `operstate`, a route's `linkdown`) and link-local IPv6 (see
/// [`is_link_local`]). What the plugins set — admin `UP`, addresses, routes, MTU,
/// master, flags — is kept.
fn strip_volatile(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("operstate");
            for key in ["flags"] {
                if let Some(Value::Array(f)) = m.get_mut(key) {
                    f.retain(|x| {
                        !matches!(x.as_str(), Some("NO-CARRIER" | "LOWER_UP" | "linkdown"))
                    });
                }
            }
            m.retain(|k, _| {
                !(k.ends_with("_timer")
                    || k == "stats64"
                    || k == "stats"
                    || k == "tentative"
                    || k.ends_with("_life_time")
                    || k == "gc_timer"
                    || k == "topology_change"
                    || k == "topology_change_detected")
            });
            for (_, x) in m.iter_mut() {
                strip_volatile(x);
            }
        }
        Value::Array(a) => {
            a.retain(|x| !is_link_local(x));
            a.iter_mut().for_each(strip_volatile)
        }
        _ => {}
    }
}

/// Replaces generated names (`vethXXXXXXXX`), MACs (anywhere in a string, e.g. in a
/// bridge id) and IPv6 link-local addresses (derived from MACs) with tokens numbered
/// in order of first appearance.
#[derive(Default)]
pub struct Normaliser {
    map: HashMap<String, String>,
    names: usize,
    macs: usize,
    ll: usize,
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

impl Normaliser {
    /// A normaliser that also names the run's two namespaces `<host>` and `<cont>`.
    pub fn for_env(e: &Env) -> Normaliser {
        let mut n = Normaliser::default();
        n.map.insert(e.host.clone(), "<host>".into());
        n.map.insert(e.cont.clone(), "<cont>".into());
        n
    }

    fn token(&mut self, kind: &str, s: &str) -> String {
        if let Some(t) = self.map.get(s) {
            return t.clone();
        }
        let n = match kind {
            "veth" => {
                self.names += 1;
                self.names
            }
            "mac" => {
                self.macs += 1;
                self.macs
            }
            _ => {
                self.ll += 1;
                self.ll
            }
        };
        let t = format!("<{kind}{n}>");
        self.map.insert(s.to_owned(), t.clone());
        t
    }

    fn string(&mut self, s: &str) -> String {
        let mut owned = s.to_owned();
        for (k, v) in self
            .map
            .iter()
            .filter(|(_, v)| *v == "<host>" || *v == "<cont>")
        {
            if owned.contains(k.as_str()) {
                owned = owned.replace(k.as_str(), v);
            }
        }
        let s = owned.as_str();
        if s.starts_with("fe80:") {
            return self.token("ll", s);
        }
        let b = s.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            // vethXXXXXXXX (8 hex) not followed by more hex
            if b[i..].starts_with(b"veth")
                && b.len() >= i + 12
                && b[i + 4..i + 12].iter().all(|&c| is_hex(c))
                && (b.len() == i + 12 || !is_hex(b[i + 12]))
            {
                let t = self.token("veth", &s[i..i + 12]);
                out.push_str(&t);
                i += 12;
                continue;
            }
            // a bridge id's MAC: "8000.a:b:c:d:e:f" (groups of 1 or 2 digits)
            if i > 0 && b[i - 1] == b'.' {
                let rest = &s[i..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_hexdigit() || c == ':'))
                    .unwrap_or(rest.len());
                let groups: Vec<&str> = rest[..end].split(':').collect();
                if groups.len() == 6 && groups.iter().all(|g| (1..=2).contains(&g.len())) {
                    let mac = groups
                        .iter()
                        .map(|g| format!("{:0>2}", g.to_ascii_lowercase()))
                        .collect::<Vec<_>>()
                        .join(":");
                    let t = self.token("mac", &mac);
                    out.push_str(&t);
                    i += end;
                    continue;
                }
            }
            // xx:xx:xx:xx:xx:xx
            if b.len() >= i + 17
                && (0..6).all(|k| is_hex(b[i + 3 * k]) && is_hex(b[i + 3 * k + 1]))
                && (0..5).all(|k| b[i + 3 * k + 2] == b':')
                && (b.len() == i + 17 || !is_hex(b[i + 17]))
            {
                let mac = s[i..i + 17].to_ascii_lowercase();
                let t = if mac == "ff:ff:ff:ff:ff:ff" || mac == "00:00:00:00:00:00" {
                    mac
                } else {
                    self.token("mac", &mac)
                };
                out.push_str(&t);
                i += 17;
                continue;
            }
            out.push(b[i] as char);
            i += 1;
        }
        out
    }

    /// Normalises every string in `v`.
    pub fn value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.string(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (self.string(k), self.value(x)))
                    .collect(),
            ),
            x => x.clone(),
        }
    }
}

/// Inserts `prevResult` (and the list's name and version) as a runtime does for a
/// chained plugin.
pub fn chained(conf: &Value, name: &str, version: &str, prev: Option<&Value>) -> Value {
    let mut c = conf.clone();
    let m = c.as_object_mut().unwrap();
    m.insert("name".into(), json!(name));
    m.insert("cniVersion".into(), json!(version));
    if let Some(p) = prev {
        m.insert("prevResult".into(), p.clone());
    }
    c
}

/// A readable diff of two JSON values (first differences only).
pub fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    if out.len() > 20 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => diff(va, vb, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: ref={va} ours=<absent>")),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(format!("{path}.{k}: ref=<absent> ours={vb}"));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(va, vb, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: ref={a} ours={b}")),
        _ => {}
    }
}
