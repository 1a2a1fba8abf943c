//! Target 1 — encoding one request: rtnl vs netlink-packet-route vs the floor (a
//! memcpy of the finished bytes plus the sequence-number patch). Output checked
//! byte for byte against iproute2's captures in tests/fixtures.

use crate::harness::{fmt_ns, micro, Checks, Micro, Stat};
use rtnl::abi::*;
use rtnl::wire::addr::AddrRequest;
use rtnl::wire::link::{LinkKind, LinkRequest};
use rtnl::wire::route::RouteRequest;
use rtnl::wire::set_seq_pid;
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

const CREATE: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
const P_FLAGS: u16 = P_REQUEST | P_ACK | P_CREATE | P_EXCL;

// ---- rtnl ------------------------------------------------------------------------

#[inline(never)]
fn rtnl_addr(buf: &mut [u8], seq: u32, index: u32, ip: Ipv4Addr) -> usize {
    let req = AddrRequest {
        index,
        address: IpAddr::V4(ip),
        prefix_len: 24,
        flags: 0,
        scope: RT_SCOPE_UNIVERSE,
    };
    let n = req.emit(buf, RTM_NEWADDR, CREATE).expect("emit");
    set_seq_pid(&mut buf[..n], seq, 0).expect("seq");
    n
}

#[inline(never)]
fn rtnl_route(buf: &mut [u8], seq: u32, gw: Ipv4Addr) -> usize {
    let mut r = RouteRequest::new(AF_INET);
    r.gateway = Some(IpAddr::V4(gw));
    let n = r.emit(buf, RTM_NEWROUTE, CREATE).expect("emit");
    set_seq_pid(&mut buf[..n], seq, 0).expect("seq");
    n
}

#[inline(never)]
fn rtnl_veth(buf: &mut [u8], seq: u32, name: &str, peer: &str) -> usize {
    let req = LinkRequest {
        name: Some(name),
        kind: Some(LinkKind::Veth {
            peer,
            peer_netns_fd: None,
        }),
        ..Default::default()
    };
    let n = req.emit(buf, RTM_NEWLINK, CREATE).expect("emit");
    set_seq_pid(&mut buf[..n], seq, 0).expect("seq");
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

// ---- the floor --------------------------------------------------------------------

#[inline(never)]
fn floor(buf: &mut [u8], seq: u32, finished: &[u8]) -> usize {
    let n = finished.len();
    buf[..n].copy_from_slice(finished);
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    n
}

struct Case {
    name: &'static str,
    fixture: &'static str,
    /// Minimum speed-up over netlink-packet-route.
    vs_npr: f64,
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
        },
        Case {
            name: "RTM_NEWROUTE v4 (ip route add default via 10.0.0.254)",
            fixture: "route_add_default_gw.hex",
            vs_npr: 10.0,
        },
        Case {
            name: "RTM_NEWLINK veth pair (ip link add veth0 type veth peer name veth1)",
            fixture: "link_add_veth.hex",
            vs_npr: 20.0,
        },
    ];
    println!(
        "{:<12} {:>10} {:>7} | {:>10} {:>7} | {:>8} | {:>9} {:>9}",
        "message", "rtnl", "allocs", "n-p-route", "allocs", "floor", "rtnl/flr", "npr/rtnl"
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
        let mut seq_a = 1u32;
        let mut seq_b = 1u32;
        let mut seq_c = 1u32;
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
        ];
        let s: Vec<Stat> = micro(rounds, iters, &mut variants);
        drop(variants);
        let short = ["addr v4", "route v4 gw", "veth pair"][ci];
        println!(
            "{:<12} {:>10} {:>7.2} | {:>10} {:>7.2} | {:>8} | {:>8.2}x {:>8.1}x   ({} B; bytes == iproute2: rtnl {}, n-p-route {})",
            short,
            fmt_ns(s[0].ns),
            s[0].allocs,
            fmt_ns(s[1].ns),
            s[1].allocs,
            fmt_ns(s[2].ns),
            s[0].ns / s[2].ns,
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
}
