//! Section `neigh` (issue 15): install N neighbours, N bridge FDB entries and M
//! policy rules through `Handle::batch` (one result per entry), against a hand-written
//! raw-socket floor (same 64 KiB datagrams, ACK at datagram end, refusals counted) and
//! `ip -batch` / `bridge -batch`; then the round trip of one `ip route get` through
//! `Handle::route_get`, against the raw floor (one `sendto`, one `recv`) and the `ip
//! route get` command. Every sample in a fresh private network namespace.
//!
//! Sizes: RTNL_BENCH_NEIGH (100000; 2000 quick), RTNL_BENCH_FDB (100000; 2000 quick),
//! RTNL_BENCH_RULES (10000; 500 quick), RTNL_BENCH_REPS (3; 1 quick).

use crate::harness::{
    env_usize, fmt_ns, fmt_rate, in_netns, median, ops_rotated, rate, Checks, Op,
};
use crate::raw::{Raw, NLMSG_ERROR};
use rtnl::{Family, FdbEntry, FdbState, Handle, MacAddr, Neighbour, RouteGet, Rule};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RTM_NEWNEIGH: u16 = 28;
const RTM_NEWRULE: u16 = 32;
const RTM_GETROUTE: u16 = 26;
const F_REQUEST: u16 = 1;
const F_ACK: u16 = 4;
const F_EXCL: u16 = 0x200;
const F_CREATE: u16 = 0x400;

fn ip(args: &[&str]) {
    let o = Command::new("ip").args(args).output().expect("ip");
    assert!(
        o.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn index(name: &str) -> u32 {
    let mut h = Handle::new().expect("handle");
    h.link_index(name).expect("index")
}

/// veth v0/v1 up, 10.0.0.1/24 on v0 (and a default route for the lookups).
fn veth() -> u32 {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ip(&["link", "set", "v0", "up"]);
    ip(&["link", "set", "v1", "up"]);
    ip(&["addr", "add", "10.0.0.1/24", "dev", "v0"]);
    ip(&["route", "add", "default", "via", "10.0.0.254"]);
    index("v0")
}

/// Bridge br0 with port p0 (peer p1), all up; returns the port's index.
fn bridge() -> u32 {
    ip(&["link", "add", "br0", "type", "bridge"]);
    ip(&["link", "add", "p0", "type", "veth", "peer", "name", "p1"]);
    ip(&["link", "set", "p0", "master", "br0"]);
    for l in ["br0", "p0", "p1"] {
        ip(&["link", "set", l, "up"]);
    }
    index("p0")
}

/// Entry `i`'s IPv4 address (from 10.128.0.0) and MAC (02:00:xx:xx:xx:xx).
fn addr(i: usize) -> [u8; 4] {
    (0x0a80_0000u32 + i as u32).to_be_bytes()
}
fn mac(i: usize) -> [u8; 6] {
    let b = (i as u32).to_be_bytes();
    [2, 0, b[0], b[1], b[2], b[3]]
}

/// The raw floor: fixed-size messages written by `put(buf, i)` (without header
/// flags or seq: added here), packed into 64 KiB datagrams, the ACK asked on the last
/// of each; returns how many the kernel refused.
fn raw_install(
    s: &mut Raw,
    n: usize,
    len: usize,
    ty: u16,
    put: impl Fn(&mut [u8], usize),
) -> usize {
    let mut buf = vec![0u8; 64 << 10];
    let mut refused = 0;
    let mut i = 0;
    while i < n {
        let mut at = 0;
        let mut last = 0;
        while i < n && at + len <= buf.len() {
            s.seq = s.seq.wrapping_add(1);
            let m = &mut buf[at..at + len];
            m[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
            m[4..6].copy_from_slice(&ty.to_ne_bytes());
            m[6..8].copy_from_slice(&(F_REQUEST | F_CREATE | F_EXCL).to_ne_bytes());
            m[8..12].copy_from_slice(&s.seq.to_ne_bytes());
            m[12..16].fill(0);
            put(&mut m[16..], i);
            last = at;
            at += len;
            i += 1;
        }
        let f = F_REQUEST | F_CREATE | F_EXCL | F_ACK;
        buf[last + 6..last + 8].copy_from_slice(&f.to_ne_bytes());
        let last_seq = s.seq;
        s.send(&buf[..at]).expect("sendto");
        'recv: loop {
            let got = s.recv().expect("recv");
            let mut off = 0;
            while off + 16 <= got {
                let b = &s.rx[off..got];
                let ml = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize;
                let seq = u32::from_ne_bytes([b[8], b[9], b[10], b[11]]);
                if u16::from_ne_bytes([b[4], b[5]]) == NLMSG_ERROR {
                    if b.len() >= 20 && i32::from_ne_bytes([b[16], b[17], b[18], b[19]]) != 0 {
                        refused += 1;
                    }
                    if seq == last_seq {
                        break 'recv;
                    }
                }
                if ml < 16 {
                    break;
                }
                off += (ml + 3) & !3;
            }
        }
    }
    refused
}

/// `ndmsg` + `NDA_DST` + `NDA_LLADDR` for neighbour `i` on `oif` (48 bytes).
fn put_neigh(m: &mut [u8], i: usize, oif: u32) {
    m[0..12].fill(0);
    m[0] = 2; // AF_INET
    m[4..8].copy_from_slice(&oif.to_ne_bytes());
    m[8..10].copy_from_slice(&0x80u16.to_ne_bytes()); // NUD_PERMANENT
    m[12..16].copy_from_slice(&[8, 0, 1, 0]); // NDA_DST
    m[16..20].copy_from_slice(&addr(i));
    m[20..24].copy_from_slice(&[10, 0, 2, 0]); // NDA_LLADDR
    m[24..30].copy_from_slice(&mac(i));
    m[30..32].fill(0);
}

/// `ndmsg` (AF_BRIDGE, master, static) + `NDA_LLADDR` for FDB entry `i` (40 bytes).
fn put_fdb(m: &mut [u8], i: usize, port: u32) {
    m[0..12].fill(0);
    m[0] = 7; // AF_BRIDGE
    m[4..8].copy_from_slice(&port.to_ne_bytes());
    m[8..10].copy_from_slice(&0x42u16.to_ne_bytes()); // NUD_NOARP | NUD_REACHABLE
    m[10] = 4; // NTF_MASTER
    m[12..16].copy_from_slice(&[10, 0, 2, 0]);
    m[16..22].copy_from_slice(&mac(i));
    m[22..24].fill(0);
}

/// `fib_rule_hdr` (lookup 200) + `FRA_PRIORITY` + `FRA_FWMARK` for rule `i` (44 bytes).
fn put_rule(m: &mut [u8], i: usize) {
    m[0..12].copy_from_slice(&[2, 0, 0, 0, 200, 0, 0, 1, 0, 0, 0, 0]);
    m[12..16].copy_from_slice(&[8, 0, 6, 0]);
    m[16..20].copy_from_slice(&(1000 + i as u32).to_ne_bytes());
    m[20..24].copy_from_slice(&[8, 0, 10, 0]);
    m[24..28].copy_from_slice(&(i as u32 + 1).to_ne_bytes());
}

fn neighbour(i: usize, oif: u32) -> Neighbour {
    Neighbour::permanent(oif, IpAddr::V4(Ipv4Addr::from(addr(i))), MacAddr(mac(i)))
}

fn fdb(i: usize, port: u32) -> FdbEntry {
    FdbEntry::master(port, MacAddr(mac(i))).state(FdbState::Static)
}

fn rule(i: usize) -> Rule {
    let mut r = Rule::new(Family::INET).priority(1000 + i as u32).table(200);
    r.fwmark = Some(i as u32 + 1);
    r
}

/// rtnl: one batch; returns (ok, results reported).
fn rtnl_install<T: rtnl::Object>(n: usize, make: impl Fn(usize) -> T) -> (usize, usize) {
    let mut h = Handle::new().expect("handle");
    let (mut ok, mut reported) = (0, 0);
    let mut b = h.batch(|_, r| {
        reported += 1;
        ok += r.is_ok() as usize;
    });
    for i in 0..n {
        b.add(&make(i)).expect("queue");
    }
    b.finish().expect("batch");
    (ok, reported)
}

/// Runs `tool -batch FILE` with `lines`; returns its wall time.
fn tool_batch(tool: &str, lines: impl Iterator<Item = String>) -> Duration {
    let path = std::env::temp_dir().join(format!("rtnl-bench-{tool}-{}.batch", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("batch file"));
        for l in lines {
            writeln!(f, "{l}").expect("write");
        }
    }
    let t = Instant::now();
    let out = Command::new(tool)
        .arg("-batch")
        .arg(&path)
        .stdout(Stdio::null())
        .output()
        .expect("-batch");
    let d = t.elapsed();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{tool} -batch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn ip4(b: [u8; 4]) -> Ipv4Addr {
    Ipv4Addr::from(b)
}

fn mac_str(i: usize) -> String {
    MacAddr(mac(i)).to_string()
}

fn print_rate(name: &str, n: usize, d: Duration, base: Option<f64>) -> f64 {
    let r = rate(n, d);
    match base {
        Some(b) => println!(
            "{name:<58} {n:>9} {:>10.3} s {:>10} {:>7.2}x",
            d.as_secs_f64(),
            fmt_rate(r),
            r / b
        ),
        None => println!(
            "{name:<58} {n:>9} {:>10.3} s {:>10}",
            d.as_secs_f64(),
            fmt_rate(r)
        ),
    }
    r
}

/// One family's installs: floor, rtnl and the tool, each sample in a fresh namespace
/// (`setup` makes its devices and returns the device the entries go on), the order
/// rotated each repetition; the medians printed. Returns (floor, rtnl, tool) rates
/// and whether rtnl reported a result for every entry.
#[allow(clippy::too_many_arguments)]
fn family<T: rtnl::Object>(
    what: &str,
    n: usize,
    reps: usize,
    setup: fn() -> u32,
    ty: u16,
    len: usize,
    put: fn(&mut [u8], usize, u32),
    make: fn(usize, u32) -> T,
    tool: (&str, fn(usize) -> String),
) -> (f64, f64, f64, bool) {
    let (mut t_floor, mut t_rtnl, mut t_tool) = (Vec::new(), Vec::new(), Vec::new());
    let mut every = true;
    for rep in 0..reps {
        for k in 0..3 {
            let d = in_netns(|| {
                let dev = setup();
                let t = Instant::now();
                match (k + rep) % 3 {
                    0 => {
                        let mut s = Raw::new().expect("raw");
                        s.big_rcvbuf();
                        let bad = raw_install(&mut s, n, len, ty, |m, i| put(m, i, dev));
                        assert_eq!(bad, 0, "{what} floor: refused");
                        (0, t.elapsed())
                    }
                    1 => {
                        let (ok, reported) = rtnl_install(n, |i| make(i, dev));
                        let d = t.elapsed();
                        assert_eq!(ok, n, "{what} rtnl: refused");
                        every &= reported == n;
                        (1, d)
                    }
                    _ => {
                        // The file is written before the clock starts.
                        let lines: Vec<String> = (0..n).map(tool.1).collect();
                        (2, tool_batch(tool.0, lines.into_iter()))
                    }
                }
            });
            match d.0 {
                0 => t_floor.push(d.1.as_secs_f64()),
                1 => t_rtnl.push(d.1.as_secs_f64()),
                _ => t_tool.push(d.1.as_secs_f64()),
            }
            // Let the previous namespace's teardown finish before the next sample.
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let m = |v: &mut Vec<f64>| Duration::from_secs_f64(median(v));
    let floor = print_rate(
        &format!("floor: raw socket, 64 KiB batches ({what})"),
        n,
        m(&mut t_floor),
        None,
    );
    let r = print_rate(
        &format!(
            "rtnl Handle::batch add(&{})",
            std::any::type_name::<T>().rsplit("::").next().unwrap_or("")
        ),
        n,
        m(&mut t_rtnl),
        Some(floor),
    );
    let t = print_rate(
        &format!("`{} -batch FILE`", tool.0),
        n,
        m(&mut t_tool),
        Some(floor),
    );
    (floor, r, t, every)
}

pub fn run(checks: &mut Checks, quick: bool) {
    let nn = env_usize("RTNL_BENCH_NEIGH", if quick { 2_000 } else { 100_000 });
    let nf = env_usize("RTNL_BENCH_FDB", if quick { 2_000 } else { 100_000 });
    let nr = env_usize("RTNL_BENCH_RULES", if quick { 500 } else { 10_000 });
    let reps = env_usize("RTNL_BENCH_REPS", if quick { 1 } else { 3 });
    println!(
        "\n== neigh: {nn} neighbours, {nf} FDB entries, {nr} rules; {reps} repetition(s), medians; route get round trips"
    );
    println!(
        "{:<58} {:>9} {:>12} {:>10} {:>8}",
        "variant", "count", "time", "rate", "x floor"
    );

    let (fl, r, t, every_n) = family(
        "neighbours",
        nn,
        reps,
        veth,
        RTM_NEWNEIGH,
        48,
        put_neigh,
        neighbour,
        ("ip", |i| {
            format!("neigh add {} lladdr {} dev v0", ip4(addr(i)), mac_str(i))
        }),
    );
    checks.check("neighbours: rtnl batch rate / floor", r / fl, 0.8, true);
    checks.check(
        "neighbours: rtnl batch rate / ip -batch rate",
        r / t,
        4.0,
        true,
    );

    let (fl, r, t, every_f) = family(
        "FDB entries",
        nf,
        reps,
        bridge,
        RTM_NEWNEIGH,
        40,
        put_fdb,
        fdb,
        ("bridge", |i| {
            format!("fdb add {} dev p0 master static", mac_str(i))
        }),
    );
    checks.check("FDB entries: rtnl batch rate / floor", r / fl, 0.8, true);
    checks.check(
        "FDB entries: rtnl batch rate / bridge -batch rate",
        r / t,
        4.0,
        true,
    );

    let (fl, r, t, every_r) = family(
        "rules",
        nr,
        reps,
        || 0,
        RTM_NEWRULE,
        44,
        |m, i, _| put_rule(m, i),
        |i, _| rule(i),
        ("ip", |i| {
            format!("rule add pref {} fwmark {} table 200", 1000 + i, i + 1)
        }),
    );
    checks.check("rules: rtnl batch rate / floor", r / fl, 0.8, true);
    // Rules are kernel-bound: each add walks the family's list of rules (10,000 adds
    // cost the raw floor ~0.9 s), so no sender can be far ahead of `ip -batch`.
    checks.check("rules: rtnl batch rate / ip -batch rate", r / t, 1.2, true);
    checks.check(
        "neighbours, FDB, rules: a result reported for every entry (1 = yes)",
        (every_n && every_f && every_r) as u8 as f64,
        1.0,
        true,
    );

    // ---- route get: one round trip ------------------------------------------------
    let rounds = if quick { 3 } else { 15 };
    let stats = in_netns(|| {
        veth();
        let mut h = Handle::new().expect("handle");
        let mut raw = Raw::new().expect("raw");
        let req = RouteGet::to(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        let mut vs = vec![
            Op {
                name: "floor",
                prep: Box::new(|| {}),
                op: Box::new(|| {
                    raw.seq = raw.seq.wrapping_add(1);
                    let mut m = [0u8; 36];
                    m[0..4].copy_from_slice(&36u32.to_ne_bytes());
                    m[4..6].copy_from_slice(&RTM_GETROUTE.to_ne_bytes());
                    m[6..8].copy_from_slice(&F_REQUEST.to_ne_bytes());
                    m[8..12].copy_from_slice(&raw.seq.to_ne_bytes());
                    m[16] = 2;
                    m[17] = 32;
                    m[24..28].copy_from_slice(&0x1000u32.to_ne_bytes()); // RTM_F_LOOKUP_TABLE
                    m[28..32].copy_from_slice(&[8, 0, 1, 0]);
                    m[32..36].copy_from_slice(&[192, 0, 2, 1]);
                    raw.send(&m).expect("send");
                    let n = raw.recv().expect("recv");
                    std::hint::black_box(&raw.rx[..n]);
                }),
                per_round: 200,
            },
            Op {
                name: "rtnl",
                prep: Box::new(|| {}),
                op: Box::new(|| {
                    let r = h.route_get(&req).expect("route get");
                    std::hint::black_box(r);
                }),
                per_round: 200,
            },
            Op {
                name: "ip route get",
                prep: Box::new(|| {}),
                op: Box::new(|| {
                    let o = Command::new("ip")
                        .args(["route", "get", "192.0.2.1"])
                        .output()
                        .expect("ip route get");
                    assert!(o.status.success());
                }),
                per_round: 10,
            },
        ];
        ops_rotated(rounds, &mut vs)
    });
    println!("-- route get 192.0.2.1 (one RTM_GETROUTE and its reply), median per call");
    println!(
        "   floor: raw socket, one sendto + one recv           {:>12}",
        fmt_ns(stats[0].ns)
    );
    println!(
        "   rtnl Handle::route_get(&RouteGet)                   {:>12}   {:.2}x floor, {:.1} allocs",
        fmt_ns(stats[1].ns),
        stats[1].ns / stats[0].ns,
        stats[1].allocs
    );
    println!(
        "   `ip route get 192.0.2.1` (a process each)          {:>12}   {:.0}x rtnl",
        fmt_ns(stats[2].ns),
        stats[2].ns / stats[1].ns
    );
    checks.check(
        "route get: rtnl time / floor time",
        stats[1].ns / stats[0].ns,
        1.5,
        false,
    );
}
