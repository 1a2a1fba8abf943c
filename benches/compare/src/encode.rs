//! Target 1 — encoding one request: rtnl vs netlink-packet-route vs two floors: a
//! memcpy of the finished bytes plus the sequence-number patch through a call the
//! compiler cannot see through (variable length), and the tight floor — a fixed-size
//! copy of the finished message plus the sequence patch, which the compiler inlines
//! into a few stores. Output checked byte for byte against iproute2's captures in
//! tests/fixtures.
//!
//! rtnl is measured as a caller uses it: the owned object is built (names checked)
//! and emitted, then the flags and sequence number the exchange adds are set. The
//! encoder sees the object through a reference the compiler cannot look through
//! (`black_box(&object)`), as it does inside `Handle::add`. Until 2026-12-03 (late)
//! this bench let the compiler inline each encoder into its one call site here and
//! fold away every field it knew was empty — figures no program that sends more than
//! one kind of request gets (BENCHMARKS.md, "The encode figures, measured as
//! `Handle::add` runs them").

use crate::harness::{fmt_ns, micro, Checks, Micro, Stat};
use rtnl::abi::*;
use rtnl::wire::{patch_flags, set_seq_pid};
use rtnl::{Address, Link, Object, Route, Verb};
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use netlink_packet_core::{
    NetlinkMessage, NLM_F_ACK as P_ACK, NLM_F_CREATE as P_CREATE, NLM_F_EXCL as P_EXCL,
    NLM_F_REQUEST as P_REQUEST,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoVeth, LinkAttribute, LinkInfo, LinkMessage,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

/// Reads a capture: hex bytes, `#` lines are comments.
pub fn fixture(name: &str) -> Vec<u8> {
    let p = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    s.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .map(|b| u8::from_str_radix(b, 16).expect("hex byte"))
        .collect()
}

fn seq_of(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[8], b[9], b[10], b[11]])
}

const P_FLAGS: u16 = P_REQUEST | P_ACK | P_CREATE | P_EXCL;

// ---- rtnl ------------------------------------------------------------------------

/// What the exchange does to an encoded request before sending it: `NLM_F_REQUEST |
/// NLM_F_ACK`, the sequence number, port id 0.
#[inline(always)]
fn stamp(m: &mut [u8], seq: u32) {
    patch_flags(m, 0, NLM_F_REQUEST | NLM_F_ACK).expect("flags");
    set_seq_pid(m, seq, 0).expect("seq");
}

/// The address request, the object opaque to its encoder (as inside `Handle::add`).
#[inline(never)]
fn rtnl_addr(buf: &mut [u8], seq: u32, index: u32, ip: Ipv4Addr) -> usize {
    let a = Address::new(index, IpAddr::V4(ip), 24);
    let n = black_box(&a).emit(Verb::Add, buf).expect("emit");
    stamp(&mut buf[..n], seq);
    n
}

/// The route request, the object opaque to its encoder.
#[inline(never)]
fn rtnl_route(buf: &mut [u8], seq: u32, gw: Ipv4Addr) -> usize {
    let r = Route::default_via(IpAddr::V4(gw));
    let n = black_box(&r).emit(Verb::Add, buf).expect("emit");
    stamp(&mut buf[..n], seq);
    n
}

/// The veth request, the object opaque to its encoder.
#[inline(never)]
fn rtnl_veth(buf: &mut [u8], seq: u32, name: &str, peer: &str) -> usize {
    let l = Link::veth(name, peer).expect("names");
    let n = black_box(&l).emit(Verb::Add, buf).expect("emit");
    stamp(&mut buf[..n], seq);
    n
}

/// The veth request in a function that propagates errors with `?`, the usual shape
/// of a caller (its own caller matches on the result).
#[inline(never)]
fn rtnl_veth_q(buf: &mut [u8], seq: u32, name: &str, peer: &str) -> rtnl::Result<usize> {
    let l = Link::veth(name, peer)?;
    let n = black_box(&l)
        .emit(Verb::Add, buf)
        .map_err(|source| rtnl::Error::Encode {
            op: "RTM_NEWLINK",
            source,
        })?;
    stamp(&mut buf[..n], seq);
    Ok(n)
}

/// The veth request in a function that gives up on an error with `let ... else`.
#[inline(never)]
fn rtnl_veth_let_else(buf: &mut [u8], seq: u32, name: &str, peer: &str) -> usize {
    let Ok(l) = Link::veth(name, peer) else {
        return 0;
    };
    let Ok(n) = black_box(&l).emit(Verb::Add, buf) else {
        return 0;
    };
    stamp(&mut buf[..n], seq);
    n
}

// ---- netlink-packet-route (built as a user of it builds a message) ----------------

fn finish(msg: RouteNetlinkMessage, buf: &mut [u8], seq: u32) -> usize {
    let mut m = NetlinkMessage::from(msg);
    m.header.flags = P_FLAGS;
    m.header.sequence_number = seq;
    m.finalize();
    let n = m.buffer_len();
    m.serialize(&mut buf[..n]);
    n
}

#[inline(never)]
fn npr_addr(buf: &mut [u8], seq: u32, index: u32, ip: Ipv4Addr) -> usize {
    let mut a = AddressMessage::default();
    a.header.family = AddressFamily::Inet;
    a.header.prefix_len = 24;
    a.header.index = index;
    a.attributes.push(AddressAttribute::Local(IpAddr::V4(ip)));
    a.attributes.push(AddressAttribute::Address(IpAddr::V4(ip)));
    finish(RouteNetlinkMessage::NewAddress(a), buf, seq)
}

#[inline(never)]
fn npr_route(buf: &mut [u8], seq: u32, gw: Ipv4Addr) -> usize {
    let mut r = RouteMessage::default();
    r.header.address_family = AddressFamily::Inet;
    r.header.table = RouteHeader::RT_TABLE_MAIN;
    r.header.protocol = RouteProtocol::Boot;
    r.header.scope = RouteScope::Universe;
    r.header.kind = RouteType::Unicast;
    r.attributes
        .push(RouteAttribute::Gateway(RouteAddress::Inet(gw)));
    finish(RouteNetlinkMessage::NewRoute(r), buf, seq)
}

#[inline(never)]
fn npr_veth(buf: &mut [u8], seq: u32, name: &str, peer: &str) -> usize {
    let mut p = LinkMessage::default();
    p.attributes.push(LinkAttribute::IfName(peer.to_string()));
    let mut l = LinkMessage::default();
    l.attributes.push(LinkAttribute::IfName(name.to_string()));
    l.attributes.push(LinkAttribute::LinkInfo(vec![
        LinkInfo::Kind(InfoKind::Veth),
        LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(p))),
    ]));
    finish(RouteNetlinkMessage::NewLink(l), buf, seq)
}

// ---- the floors -------------------------------------------------------------------

/// A variable-length copy through a call the compiler does not inline.
#[inline(never)]
fn floor(buf: &mut [u8], seq: u32, finished: &[u8]) -> usize {
    let n = finished.len();
    buf[..n].copy_from_slice(finished);
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    n
}

/// The tight floor: a fixed-size copy of the finished message and the sequence patch,
/// inlined into the loop (a handful of vector stores).
#[inline(always)]
fn tight<const N: usize>(buf: &mut [u8; 256], seq: u32, finished: &[u8; N]) -> usize {
    buf[..N].copy_from_slice(finished);
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    N
}

/// Runs the tight floor for the fixture `want`, whose length picks the array size.
fn tight_loop(k: u64, buf: &mut [u8; 256], seq: &mut u32, want: &[u8]) {
    macro_rules! sized {
        ($($n:literal)*) => {
            match want.len() {
                $($n => {
                    let f: [u8; $n] = want.try_into().expect("length");
                    for _ in 0..k {
                        *seq = seq.wrapping_add(1);
                        black_box(tight(black_box(&mut *buf), *seq, &f));
                    }
                })*
                n => panic!("no tight floor for a {n}-byte message"),
            }
        };
    }
    sized!(36 40 44 48 52 56 60 64 68 72 76 80 84 88 92 96 100 104 108 112 116 120);
}

struct Case {
    name: &'static str,
    fixture: &'static str,
    /// Minimum speed-up over netlink-packet-route.
    vs_npr: f64,
    /// Maximum ratio to the tight floor (`None`: reported, not a target).
    vs_tight: Option<f64>,
}

/// Runs target 1; prints a table and records the checks.
pub fn run(checks: &mut Checks, quick: bool) {
    println!("\n== 1. Encode one request (median ns per message; allocations per message)");
    let (rounds, iters) = if quick { (5, 2_000) } else { (41, 20_000) };
    let cases = [
        Case {
            name: "RTM_NEWADDR v4 (ip addr add 10.0.0.1/24 dev veth0)",
            fixture: "addr_add_v4.hex",
            vs_npr: 10.0,
            vs_tight: None,
        },
        Case {
            name: "RTM_NEWROUTE v4 (ip route add default via 10.0.0.254)",
            fixture: "route_add_default_gw.hex",
            vs_npr: 10.0,
            vs_tight: None,
        },
        Case {
            name: "RTM_NEWLINK veth pair (ip link add veth0 type veth peer name veth1)",
            fixture: "link_add_veth.hex",
            vs_npr: 20.0,
            vs_tight: Some(3.0),
        },
    ];
    println!(
        "{:<12} {:>10} {:>7} | {:>10} {:>7} | {:>8} {:>8} | {:>9} {:>9} {:>9}",
        "message",
        "rtnl",
        "allocs",
        "n-p-route",
        "allocs",
        "floor",
        "tight",
        "rtnl/flr",
        "rtnl/tght",
        "npr/rtnl"
    );
    for (ci, c) in cases.iter().enumerate() {
        let want = fixture(c.fixture);
        let fseq = seq_of(&want);
        let ip = Ipv4Addr::new(10, 0, 0, 1);
        let gw = Ipv4Addr::new(10, 0, 0, 254);
        let enc_rtnl = |buf: &mut [u8], seq: u32| match ci {
            0 => rtnl_addr(buf, seq, black_box(3), black_box(ip)),
            1 => rtnl_route(buf, seq, black_box(gw)),
            _ => rtnl_veth(buf, seq, black_box("veth0"), black_box("veth1")),
        };
        let enc_npr = |buf: &mut [u8], seq: u32| match ci {
            0 => npr_addr(buf, seq, black_box(3), black_box(ip)),
            1 => npr_route(buf, seq, black_box(gw)),
            _ => npr_veth(buf, seq, black_box("veth0"), black_box("veth1")),
        };
        // Byte-identical to iproute2?
        let mut b = [0xa5u8; 256];
        let n = enc_rtnl(&mut b, fseq);
        let rtnl_same = b[..n] == want[..];
        let mut b2 = [0xa5u8; 256];
        let n2 = enc_npr(&mut b2, fseq);
        let npr_same = b2[..n2] == want[..];
        if !rtnl_same {
            println!(
                "  rtnl bytes differ from {}:\n    got  {:02x?}\n    want {:02x?}",
                c.fixture,
                &b[..n],
                want
            );
        }

        let mut buf_a = [0u8; 256];
        let mut buf_b = [0u8; 256];
        let mut buf_c = [0u8; 256];
        let mut buf_d = [0u8; 256];
        let mut seq_a = 1u32;
        let mut seq_b = 1u32;
        let mut seq_c = 1u32;
        let mut seq_d = 1u32;
        let wref = &want;
        let mut variants: Vec<Micro<'_>> = vec![
            (
                "rtnl",
                Box::new(|k| {
                    for _ in 0..k {
                        seq_a = seq_a.wrapping_add(1);
                        black_box(enc_rtnl(black_box(&mut buf_a), seq_a));
                    }
                }),
            ),
            (
                "netlink-packet-route",
                Box::new(|k| {
                    for _ in 0..k {
                        seq_b = seq_b.wrapping_add(1);
                        black_box(enc_npr(black_box(&mut buf_b), seq_b));
                    }
                }),
            ),
            (
                "floor",
                Box::new(|k| {
                    for _ in 0..k {
                        seq_c = seq_c.wrapping_add(1);
                        black_box(floor(black_box(&mut buf_c), seq_c, black_box(wref)));
                    }
                }),
            ),
            (
                "tight floor",
                Box::new(|k| tight_loop(k, &mut buf_d, &mut seq_d, wref)),
            ),
        ];
        let s: Vec<Stat> = micro(rounds, iters, &mut variants);
        drop(variants);
        let short = ["addr v4", "route v4 gw", "veth pair"][ci];
        println!(
            "{:<12} {:>10} {:>7.2} | {:>10} {:>7.2} | {:>8} {:>8} | {:>8.2}x {:>8.2}x {:>8.1}x   ({} B; bytes == iproute2: rtnl {}, n-p-route {})",
            short,
            fmt_ns(s[0].ns),
            s[0].allocs,
            fmt_ns(s[1].ns),
            s[1].allocs,
            fmt_ns(s[2].ns),
            fmt_ns(s[3].ns),
            s[0].ns / s[2].ns,
            s[0].ns / s[3].ns,
            s[1].ns / s[0].ns,
            n,
            rtnl_same,
            npr_same
        );
        checks.check(
            &format!("{short}: rtnl allocations per message"),
            s[0].allocs,
            0.0,
            false,
        );
        checks.check(
            &format!("{short}: rtnl / memcpy floor"),
            s[0].ns / s[2].ns,
            2.5,
            false,
        );
        match c.vs_tight {
            Some(t) => checks.check(
                &format!("{short}: rtnl / tight floor"),
                s[0].ns / s[3].ns,
                t,
                false,
            ),
            None => println!(
                "{:<12} rtnl / tight floor: {:.2}x (reported)",
                short,
                s[0].ns / s[3].ns
            ),
        }
        checks.check(
            &format!("{short}: netlink-packet-route / rtnl"),
            s[1].ns / s[0].ns,
            c.vs_npr,
            true,
        );
        checks.check(
            &format!("{short}: bytes identical to {} (1 = yes)", c.fixture),
            rtnl_same as u8 as f64,
            1.0,
            true,
        );
        let _ = c.name;
    }
    caller_shapes(rounds, iters);
}

/// The veth request as three shapes of caller write it: `.expect()` (the figure
/// above), `?` in a function returning `rtnl::Result<usize>` whose caller matches on
/// it, and `let ... else`. Reported, not targets: how the compiler lays out the
/// caller moves the figure, not what rtnl does (BENCHMARKS.md, "Caller shapes").
fn caller_shapes(rounds: usize, iters: u64) {
    let want = fixture("link_add_veth.hex");
    let fseq = seq_of(&want);
    let mut b = [0u8; 256];
    let n_q = rtnl_veth_q(&mut b, fseq, "veth0", "veth1").expect("veth");
    assert_eq!(&b[..n_q], &want[..], "the ? shape sends iproute2's bytes");
    let n_le = rtnl_veth_let_else(&mut b, fseq, "veth0", "veth1");
    assert_eq!(
        &b[..n_le],
        &want[..],
        "the let-else shape sends iproute2's bytes"
    );
    let mut bufs = [[0u8; 256]; 4];
    let [buf_a, buf_b, buf_c, buf_d] = &mut bufs;
    let mut seqs = [1u32; 4];
    let [seq_a, seq_b, seq_c, seq_d] = &mut seqs;
    let wref = &want;
    let mut variants: Vec<Micro<'_>> = vec![
        (
            "expect",
            Box::new(|k| {
                for _ in 0..k {
                    *seq_a = seq_a.wrapping_add(1);
                    black_box(rtnl_veth(
                        black_box(&mut *buf_a),
                        *seq_a,
                        black_box("veth0"),
                        black_box("veth1"),
                    ));
                }
            }),
        ),
        (
            "?",
            Box::new(|k| {
                for _ in 0..k {
                    *seq_b = seq_b.wrapping_add(1);
                    match rtnl_veth_q(
                        black_box(&mut *buf_b),
                        *seq_b,
                        black_box("veth0"),
                        black_box("veth1"),
                    ) {
                        Ok(n) => {
                            black_box(n);
                        }
                        Err(e) => panic!("veth: {e}"),
                    }
                }
            }),
        ),
        (
            "let-else",
            Box::new(|k| {
                for _ in 0..k {
                    *seq_c = seq_c.wrapping_add(1);
                    black_box(rtnl_veth_let_else(
                        black_box(&mut *buf_c),
                        *seq_c,
                        black_box("veth0"),
                        black_box("veth1"),
                    ));
                }
            }),
        ),
        (
            "tight floor",
            Box::new(|k| tight_loop(k, buf_d, seq_d, wref)),
        ),
    ];
    let s: Vec<Stat> = micro(rounds, iters, &mut variants);
    drop(variants);
    println!(
        "veth pair by caller shape: .expect() {} ({:.2}x tight), ? {} ({:.2}x), let-else {} ({:.2}x); tight floor {}; allocations {:.2} / {:.2} / {:.2} (reported)",
        fmt_ns(s[0].ns),
        s[0].ns / s[3].ns,
        fmt_ns(s[1].ns),
        s[1].ns / s[3].ns,
        fmt_ns(s[2].ns),
        s[2].ns / s[3].ns,
        fmt_ns(s[3].ns),
        s[0].allocs,
        s[1].allocs,
        s[2].allocs,
    );
}
