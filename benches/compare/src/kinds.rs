//! Section `kinds` (issue 14): every new kind of link.
//!
//! 1. Encoding one `ip link add ... type KIND` request: rtnl's encoder (the `Link`
//!    built once, emitted per message) against the memcpy floors, and rtnl built +
//!    emitted per message (what a caller pays: names checked, a `Box` for a vxlan)
//!    against netlink-packet-route built + emitted; bytes checked against iproute2's
//!    captures in `tests/fixtures/links/`.
//! 2. Creating 1,000 macvlans, and 1,000 vxlans, in one namespace: rtnl in one batch
//!    (a result for each), `ip -batch`, and rtnetlink one by one.

use crate::encode::fixture;
use crate::harness::{fmt_ns, in_netns, micro, rate, Checks, Micro, Stat};
use rtnl::abi::*;
use rtnl::wire::{patch_flags, set_seq_pid};
use rtnl::{
    Bond, BondMode, Filter, Geneve, Handle, IpvlanMode, Link, MacvlanMode, Object, Verb, Vxlan,
};
use std::hint::black_box;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use netlink_packet_core::{
    NetlinkMessage, NLM_F_ACK as P_ACK, NLM_F_CREATE as P_CREATE, NLM_F_EXCL as P_EXCL,
    NLM_F_REQUEST as P_REQUEST,
};
use netlink_packet_route::link::{
    BondMode as PBondMode, InfoBond, InfoData, InfoGeneve, InfoIpVlan, InfoKind, InfoMacVlan,
    InfoMacVtap, InfoVlan, InfoVrf, InfoVxlan, IpVlanFlags, IpVlanMode, LinkAttribute, LinkInfo,
    LinkMessage, MacVlanMode as PMacVlanMode,
};
use netlink_packet_route::RouteNetlinkMessage;

const P_FLAGS: u16 = P_REQUEST | P_ACK | P_CREATE | P_EXCL;
const PARENT: u32 = 3;

#[inline(always)]
fn stamp(m: &mut [u8], seq: u32) {
    patch_flags(m, 0, NLM_F_REQUEST | NLM_F_ACK).expect("flags");
    set_seq_pid(m, seq, 0).expect("seq");
}

/// One case: the capture, how rtnl builds the link, how netlink-packet-route builds
/// the same message (or `None`).
struct Case {
    short: &'static str,
    fixture: &'static str,
    build: fn() -> Link,
    /// Built and emitted in one function, as a caller's code would; the encoder sees
    /// the link through an opaque reference, as inside `Handle::add`.
    build_emit: fn(&mut [u8], u32) -> usize,
    npr: Option<fn() -> LinkMessage>,
}

macro_rules! build_emit {
    ($($name:ident = $build:ident;)*) => {
        $(
            #[inline(never)]
            fn $name(buf: &mut [u8], seq: u32) -> usize {
                let l = $build();
                let n = black_box(&l).emit(Verb::Add, buf).expect("emit");
                stamp(&mut buf[..n], seq);
                n
            }
        )*
    };
}

build_emit! {
    be_vlan = r_vlan;
    be_macvlan = r_macvlan;
    be_macvtap = r_macvtap;
    be_ipvlan = r_ipvlan;
    be_vxlan = r_vxlan;
    be_geneve = r_geneve;
    be_vrf = r_vrf;
    be_bond = r_bond;
    be_ifb = r_ifb;
    be_wireguard = r_wireguard;
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("address")
}

// ---- rtnl: the links of the captures ------------------------------------------------

#[inline(always)]
fn r_vlan() -> Link {
    Link::vlan("v0", PARENT, 5).expect("vlan")
}
#[inline(always)]
fn r_macvlan() -> Link {
    Link::macvlan("m0", PARENT, MacvlanMode::Bridge).expect("macvlan")
}
#[inline(always)]
fn r_macvtap() -> Link {
    Link::macvtap("mt0", PARENT, MacvlanMode::Vepa).expect("macvtap")
}
#[inline(always)]
fn r_ipvlan() -> Link {
    Link::ipvlan("i0", PARENT, IpvlanMode::L2).expect("ipvlan")
}
#[inline(always)]
fn r_vxlan() -> Link {
    let v = Vxlan {
        link: Some(PARENT),
        ttl: Some(64),
        remote: Some(ip("10.0.0.2")),
        local: Some(ip("10.0.0.1")),
        port: Some(4789),
        learning: Some(false),
        ..Vxlan::new(42)
    };
    Link::vxlan("vx0", v).expect("vxlan")
}
#[inline(always)]
fn r_geneve() -> Link {
    let g = Geneve {
        ttl: Some(64),
        port: Some(6081),
        ..Geneve::new(5, ip("10.0.0.2"))
    };
    Link::geneve("g0", g).expect("geneve")
}
#[inline(always)]
fn r_vrf() -> Link {
    Link::vrf("vrf0", 10).expect("vrf")
}
#[inline(always)]
fn r_bond() -> Link {
    let b = Bond {
        miimon: Some(100),
        ..Bond::new(BondMode::ActiveBackup)
    };
    Link::bond("b0", b).expect("bond")
}
#[inline(always)]
fn r_ifb() -> Link {
    Link::ifb("ifb0").expect("ifb")
}
#[inline(always)]
fn r_wireguard() -> Link {
    Link::wireguard("wg0").expect("wireguard")
}

// ---- netlink-packet-route: the same messages ----------------------------------------

fn named(name: &str, parent: Option<u32>, info: Vec<LinkInfo>) -> LinkMessage {
    let mut l = LinkMessage::default();
    if let Some(p) = parent {
        l.attributes.push(LinkAttribute::Link(p));
    }
    l.attributes.push(LinkAttribute::IfName(name.to_string()));
    l.attributes.push(LinkAttribute::LinkInfo(info));
    l
}
fn n_vlan() -> LinkMessage {
    named(
        "v0",
        Some(PARENT),
        vec![
            LinkInfo::Kind(InfoKind::Vlan),
            LinkInfo::Data(InfoData::Vlan(vec![InfoVlan::Id(5)])),
        ],
    )
}
fn n_macvlan() -> LinkMessage {
    named(
        "m0",
        Some(PARENT),
        vec![
            LinkInfo::Kind(InfoKind::MacVlan),
            LinkInfo::Data(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                PMacVlanMode::Bridge,
            )])),
        ],
    )
}
fn n_macvtap() -> LinkMessage {
    named(
        "mt0",
        Some(PARENT),
        vec![
            LinkInfo::Kind(InfoKind::MacVtap),
            LinkInfo::Data(InfoData::MacVtap(vec![InfoMacVtap::Mode(
                PMacVlanMode::Vepa,
            )])),
        ],
    )
}
fn n_ipvlan() -> LinkMessage {
    named(
        "i0",
        Some(PARENT),
        vec![
            LinkInfo::Kind(InfoKind::IpVlan),
            LinkInfo::Data(InfoData::IpVlan(vec![
                InfoIpVlan::Mode(IpVlanMode::L2),
                InfoIpVlan::Flags(IpVlanFlags::empty()),
            ])),
        ],
    )
}
fn n_vxlan() -> LinkMessage {
    named(
        "vx0",
        None,
        vec![
            LinkInfo::Kind(InfoKind::Vxlan),
            LinkInfo::Data(InfoData::Vxlan(vec![
                InfoVxlan::Link(PARENT),
                InfoVxlan::Ttl(64),
                InfoVxlan::Id(42),
                InfoVxlan::Local(Ipv4Addr::new(10, 0, 0, 1)),
                InfoVxlan::Group(Ipv4Addr::new(10, 0, 0, 2)),
                InfoVxlan::Learning(false),
                InfoVxlan::Port(4789),
            ])),
        ],
    )
}
fn n_geneve() -> LinkMessage {
    named(
        "g0",
        None,
        vec![
            LinkInfo::Kind(InfoKind::Geneve),
            LinkInfo::Data(InfoData::Geneve(vec![
                InfoGeneve::Id(5),
                InfoGeneve::Remote(Ipv4Addr::new(10, 0, 0, 2)),
                InfoGeneve::Label(0),
                InfoGeneve::Ttl(64),
                InfoGeneve::Tos(0),
                InfoGeneve::Port(6081),
            ])),
        ],
    )
}
fn n_vrf() -> LinkMessage {
    named(
        "vrf0",
        None,
        vec![
            LinkInfo::Kind(InfoKind::Vrf),
            LinkInfo::Data(InfoData::Vrf(vec![InfoVrf::TableId(10)])),
        ],
    )
}
fn n_bond() -> LinkMessage {
    named(
        "b0",
        None,
        vec![
            LinkInfo::Kind(InfoKind::Bond),
            LinkInfo::Data(InfoData::Bond(vec![
                InfoBond::Mode(PBondMode::ActiveBackup),
                InfoBond::MiiMon(100),
            ])),
        ],
    )
}
fn n_ifb() -> LinkMessage {
    named("ifb0", None, vec![LinkInfo::Kind(InfoKind::Ifb)])
}
fn n_wireguard() -> LinkMessage {
    named("wg0", None, vec![LinkInfo::Kind(InfoKind::Wireguard)])
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            short: "vlan",
            fixture: "links/vlan.hex",
            build: r_vlan,
            build_emit: be_vlan,
            npr: Some(n_vlan),
        },
        Case {
            short: "macvlan",
            fixture: "links/macvlan_bridge.hex",
            build: r_macvlan,
            build_emit: be_macvlan,
            npr: Some(n_macvlan),
        },
        Case {
            short: "macvtap",
            fixture: "links/macvtap_vepa.hex",
            build: r_macvtap,
            build_emit: be_macvtap,
            npr: Some(n_macvtap),
        },
        Case {
            short: "ipvlan",
            fixture: "links/ipvlan_l2.hex",
            build: r_ipvlan,
            build_emit: be_ipvlan,
            npr: Some(n_ipvlan),
        },
        Case {
            short: "vxlan",
            fixture: "links/vxlan.hex",
            build: r_vxlan,
            build_emit: be_vxlan,
            npr: Some(n_vxlan),
        },
        Case {
            short: "geneve",
            fixture: "links/geneve.hex",
            build: r_geneve,
            build_emit: be_geneve,
            npr: Some(n_geneve),
        },
        Case {
            short: "vrf",
            fixture: "links/vrf.hex",
            build: r_vrf,
            build_emit: be_vrf,
            npr: Some(n_vrf),
        },
        Case {
            short: "bond",
            fixture: "links/bond.hex",
            build: r_bond,
            build_emit: be_bond,
            npr: Some(n_bond),
        },
        Case {
            short: "ifb",
            fixture: "links/ifb.hex",
            build: r_ifb,
            build_emit: be_ifb,
            npr: Some(n_ifb),
        },
        Case {
            short: "wireguard",
            fixture: "links/wireguard.hex",
            build: r_wireguard,
            build_emit: be_wireguard,
            npr: Some(n_wireguard),
        },
    ]
}

#[inline(never)]
fn rtnl_emit(l: &Link, buf: &mut [u8], seq: u32) -> usize {
    let n = l.emit(Verb::Add, buf).expect("emit");
    stamp(&mut buf[..n], seq);
    n
}

#[inline(never)]
fn npr_emit(build: fn() -> LinkMessage, buf: &mut [u8], seq: u32) -> usize {
    let mut m = NetlinkMessage::from(RouteNetlinkMessage::NewLink(build()));
    m.header.flags = P_FLAGS;
    m.header.sequence_number = seq;
    m.finalize();
    let n = m.buffer_len();
    m.serialize(&mut buf[..n]);
    n
}

#[inline(never)]
fn floor(buf: &mut [u8], seq: u32, finished: &[u8]) -> usize {
    let n = finished.len();
    buf[..n].copy_from_slice(finished);
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    n
}

fn encode(checks: &mut Checks, quick: bool) {
    println!("\n== kinds 1. Encode one `ip link add ... type KIND` (median ns per message; allocations per message)");
    let (rounds, iters) = if quick { (5, 2_000) } else { (31, 20_000) };
    println!(
        "{:<10} {:>9} {:>6} | {:>11} {:>6} | {:>10} {:>6} | {:>8} | {:>8} {:>9}",
        "kind",
        "encode",
        "allocs",
        "build+enc",
        "allocs",
        "n-p-route",
        "allocs",
        "floor",
        "enc/flr",
        "npr/rtnl"
    );
    for c in cases() {
        let want = fixture(c.fixture);
        let fseq = u32::from_ne_bytes([want[8], want[9], want[10], want[11]]);
        let link = (c.build)();
        let mut b = [0xa5u8; 512];
        let n = rtnl_emit(&link, &mut b, fseq);
        let same = b[..n] == want[..];
        let npr_same = c.npr.map(|f| {
            let mut b2 = [0u8; 512];
            let n2 = npr_emit(f, &mut b2, fseq);
            b2[..n2] == want[..]
        });
        let (mut ba, mut bb, mut bc, mut bd) = ([0u8; 512], [0u8; 512], [0u8; 512], [0u8; 512]);
        let (mut sa, mut sb, mut sc, mut sd) = (1u32, 1u32, 1u32, 1u32);
        let lref = &link;
        let wref = &want;
        let build_emit = c.build_emit;
        let npr = c.npr;
        let mut variants: Vec<Micro<'_>> = vec![
            (
                "rtnl encode",
                Box::new(|k| {
                    for _ in 0..k {
                        sa = sa.wrapping_add(1);
                        black_box(rtnl_emit(black_box(lref), black_box(&mut ba), sa));
                    }
                }),
            ),
            (
                "rtnl build+encode",
                Box::new(|k| {
                    for _ in 0..k {
                        sb = sb.wrapping_add(1);
                        black_box(build_emit(black_box(&mut bb), sb));
                    }
                }),
            ),
            (
                "floor",
                Box::new(|k| {
                    for _ in 0..k {
                        sc = sc.wrapping_add(1);
                        black_box(floor(black_box(&mut bc), sc, black_box(wref)));
                    }
                }),
            ),
        ];
        if let Some(f) = npr {
            variants.push((
                "netlink-packet-route",
                Box::new(move |k| {
                    for _ in 0..k {
                        sd = sd.wrapping_add(1);
                        black_box(npr_emit(black_box(f), black_box(&mut bd), sd));
                    }
                }),
            ));
        }
        let s: Vec<Stat> = micro(rounds, iters, &mut variants);
        drop(variants);
        let (npr_ns, npr_allocs) = s.get(3).map_or((f64::NAN, f64::NAN), |x| (x.ns, x.allocs));
        println!(
            "{:<10} {:>9} {:>6.2} | {:>11} {:>6.2} | {:>10} {:>6.2} | {:>8} | {:>7.2}x {:>8.1}x   ({n} B; == iproute2: rtnl {same}, n-p-route {})",
            c.short,
            fmt_ns(s[0].ns),
            s[0].allocs,
            fmt_ns(s[1].ns),
            s[1].allocs,
            fmt_ns(npr_ns),
            npr_allocs,
            fmt_ns(s[2].ns),
            s[0].ns / s[2].ns,
            npr_ns / s[1].ns,
            npr_same.map_or("-".to_string(), |b| b.to_string()),
        );
        if !same {
            println!(
                "  rtnl bytes differ from {}:\n    got  {:02x?}\n    want {:02x?}",
                c.fixture,
                &b[..n],
                want
            );
        }
        let short = c.short;
        checks.check(
            &format!("kinds {short}: encode allocations"),
            s[0].allocs,
            0.0,
            false,
        );
        checks.check(
            &format!("kinds {short}: encode / memcpy floor"),
            s[0].ns / s[2].ns,
            2.5,
            false,
        );
        if npr.is_some() {
            checks.check(
                &format!("kinds {short}: netlink-packet-route / rtnl (both build + encode)"),
                npr_ns / s[1].ns,
                20.0,
                true,
            );
        }
        checks.check(
            &format!("kinds {short}: bytes identical to {} (1 = yes)", c.fixture),
            same as u8 as f64,
            1.0,
            true,
        );
    }

    // The tap–NIC redirect filter (tc), reported.
    let f = Filter::redirect(3, 0xffff_0000, 4);
    let want = fixture("links/tc_u32_replace.hex");
    let mut b = [0u8; 512];
    let n = f.emit(Verb::Replace, &mut b).expect("emit");
    patch_flags(&mut b[..n], 0, NLM_F_REQUEST | NLM_F_ACK).expect("flags");
    let same = b[..n] == want[..] || {
        let mut w = want.clone();
        w[8..12].copy_from_slice(&[0; 4]);
        b[..n] == w[..]
    };
    let (mut ba, mut bc) = ([0u8; 512], [0u8; 512]);
    let (mut sa, mut sc) = (1u32, 1u32);
    let fref = &f;
    let wref = &want;
    let mut variants: Vec<Micro<'_>> = vec![
        (
            "rtnl",
            Box::new(|k| {
                for _ in 0..k {
                    sa = sa.wrapping_add(1);
                    let n = black_box(fref).emit(Verb::Replace, &mut ba).expect("emit");
                    stamp(&mut ba[..n], sa);
                    black_box(n);
                }
            }),
        ),
        (
            "floor",
            Box::new(|k| {
                for _ in 0..k {
                    sc = sc.wrapping_add(1);
                    black_box(floor(black_box(&mut bc), sc, black_box(wref)));
                }
            }),
        ),
    ];
    let s = micro(rounds, iters, &mut variants);
    drop(variants);
    println!(
        "{:<10} {:>9} {:>6.2} |  tc filter replace ... u32 match u32 0 0 action mirred egress redirect: floor {}, {:.2}x ({n} B; == tc: {same})",
        "u32+mirred",
        fmt_ns(s[0].ns),
        s[0].allocs,
        fmt_ns(s[1].ns),
        s[0].ns / s[1].ns
    );
}

// ---- creating 1,000 links -------------------------------------------------------------

fn ip_batch(lines: impl Iterator<Item = String>) -> Duration {
    let path = std::env::temp_dir().join(format!("rtnl-bench-kinds-{}.batch", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("batch file"));
        for l in lines {
            writeln!(f, "{l}").expect("write");
        }
    }
    let t = Instant::now();
    let out = Command::new("ip")
        .arg("-batch")
        .arg(&path)
        .stdout(Stdio::null())
        .output()
        .expect("ip -batch");
    let d = t.elapsed();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "ip -batch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn link_count() -> usize {
    let mut h = Handle::new().expect("handle");
    let mut n = 0;
    h.for_each_link(&rtnl::LinkFilter::default(), |_| n += 1)
        .expect("dump");
    n
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Macvlan,
    Vxlan,
}

fn rtnl_link(k: Kind, i: usize, parent: u32) -> Link {
    match k {
        Kind::Macvlan => Link::macvlan(&format!("mv{i}"), parent, MacvlanMode::Bridge).expect("l"),
        Kind::Vxlan => Link::vxlan(
            &format!("vx{i}"),
            Vxlan {
                port: Some(4789),
                ..Vxlan::new(1000 + i as u32)
            },
        )
        .expect("l"),
    }
}

fn parent(h: &mut Handle) -> u32 {
    h.add(&Link::veth("par0", "par1").expect("veth"))
        .expect("veth");
    h.link_index("par0").expect("index")
}

/// rtnl: every link in one `Handle::batch` (one result each).
fn rtnl_create(k: Kind, n: usize) -> (Duration, usize) {
    in_netns(|| {
        let mut h = Handle::new().expect("handle");
        let p = parent(&mut h);
        let links: Vec<Link> = (0..n).map(|i| rtnl_link(k, i, p)).collect();
        let t = Instant::now();
        let mut ok = 0;
        {
            let mut b = h.batch(|_, r| ok += r.is_ok() as usize);
            for l in &links {
                b.add(l).expect("queue");
            }
            b.finish().expect("batch");
        }
        let d = t.elapsed();
        assert_eq!(link_count(), n + 3, "links made");
        (d, ok)
    })
}

fn ip_create(k: Kind, n: usize) -> Duration {
    in_netns(|| {
        let mut h = Handle::new().expect("handle");
        parent(&mut h);
        let d = ip_batch((0..n).map(|i| match k {
            Kind::Macvlan => format!("link add link par0 name mv{i} type macvlan mode bridge"),
            Kind::Vxlan => format!("link add vx{i} type vxlan id {} dstport 4789", 1000 + i),
        }));
        assert_eq!(link_count(), n + 3, "links made");
        d
    })
}

fn rtnetlink_create(k: Kind, n: usize) -> Duration {
    in_netns(|| {
        let mut h = Handle::new().expect("handle");
        let p = parent(&mut h);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("rt");
        let d = rt.block_on(async {
            let (conn, rh, _) = rtnetlink::new_connection().expect("connection");
            tokio::spawn(conn);
            let t = Instant::now();
            for i in 0..n {
                let m = match k {
                    Kind::Macvlan => {
                        rtnetlink::LinkMacVlan::new(&format!("mv{i}"), p, PMacVlanMode::Bridge)
                            .build()
                    }
                    Kind::Vxlan => rtnetlink::LinkVxlan::new(&format!("vx{i}"), 1000 + i as u32)
                        .port(4789)
                        .build(),
                };
                rh.link().add(m).execute().await.expect("link add");
            }
            t.elapsed()
        });
        assert_eq!(link_count(), n + 3, "links made");
        d
    })
}

fn scale(checks: &mut Checks, quick: bool) {
    let n = crate::harness::env_usize("RTNL_BENCH_KIND_LINKS", if quick { 100 } else { 1_000 });
    let reps = if quick { 1 } else { 3 };
    println!("\n== kinds 2. Create {n} links in one namespace ({reps} repetitions, medians)");
    println!(
        "{:<58} {:>10} {:>10} {:>8}",
        "variant", "time", "rate", "vs rtnl"
    );
    for (k, what) in [(Kind::Macvlan, "macvlan"), (Kind::Vxlan, "vxlan")] {
        let mut tr = Vec::new();
        let mut ti = Vec::new();
        let mut tn = Vec::new();
        let mut oks = 0;
        for _ in 0..reps {
            let (d, ok) = rtnl_create(k, n);
            tr.push(d.as_secs_f64());
            oks = ok;
            ti.push(ip_create(k, n).as_secs_f64());
            tn.push(rtnetlink_create(k, n).as_secs_f64());
        }
        let med = |v: &mut Vec<f64>| crate::harness::median(v);
        let (r, i, nn) = (med(&mut tr), med(&mut ti), med(&mut tn));
        let rr = rate(n, Duration::from_secs_f64(r));
        for (name, t) in [
            (
                format!("rtnl Handle::batch add Link::{what} ({oks}/{n} ok)"),
                r,
            ),
            (format!("`ip -batch` link add ... type {what}"), i),
            (
                "rtnetlink link().add().execute().await, one by one".to_string(),
                nn,
            ),
        ] {
            let x = rate(n, Duration::from_secs_f64(t));
            println!(
                "{name:<58} {:>8.3} s {:>10} {:>7.2}x",
                t,
                crate::harness::fmt_rate(x),
                rr / x
            );
        }
        checks.check(
            &format!("kinds: {n} {what}s, every result reported ok"),
            oks as f64,
            n as f64,
            true,
        );
        checks.check(
            &format!("kinds: {n} {what}s, rtnl batch / ip -batch (speed)"),
            i / r,
            1.0,
            true,
        );
        checks.check(
            &format!("kinds: {n} {what}s, rtnl batch / rtnetlink (speed)"),
            nn / r,
            1.0,
            true,
        );
    }
}

/// Runs the section.
pub fn run(checks: &mut Checks, quick: bool) {
    encode(checks, quick);
    scale(checks, quick);
}
