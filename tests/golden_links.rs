//! Golden bytes for every kind of link, alternative names, bridge ports and VLANs, and
//! tc: rtnl's encoders against what iproute2 6.1 (`ip`, `bridge`, `tc`) sent for the
//! same command line, captured with strace (`tests/fixtures/capture.sh`, the `links/`
//! section; the captures are in `tests/fixtures/links/`). The kernel here (6.18
//! without vlan, ipvlan, geneve, vrf, bond, wireguard or bridge VLAN filtering)
//! refused some of these commands: iproute2 had sent its bytes first.
//!
//! Every message is built into a buffer pre-filled with `0xa5` (a forgotten byte
//! shows); `nlmsg_seq` is masked (iproute2 seeds it from the clock); the exchange's
//! `NLM_F_REQUEST|NLM_F_ACK|NLM_F_DUMP` are added as `Conn` adds them.
//!
//! Then the kernel's replies (a link dump holding every kind this host has, a tap
//! looked up alone, tc qdisc and filter dumps) are decoded into the typed values,
//! re-encoded and decoded again (round trips), and truncated at every length and
//! flipped at every bit (`Ok` or `Err`, never a panic).

mod fixtures_util;

use fixtures_util as fx;
use rtnl::abi::*;
use rtnl::wire::bridge::VlanFilter;
use rtnl::wire::tc::{FilterFilter, FilterMsg, QdiscFilter, QdiscMsg};
use rtnl::wire::{patch_flags, Messages, WireError};
use rtnl::{
    Action, AltName, Bond, BondMode, Bridge, BridgePort, BridgeVlan, Decode, Filter, FilterKind,
    Geneve, HwAddr, IfName, Ipvlan, IpvlanFlags, IpvlanMode, Link, LinkKind, LinkRef, MacAddr,
    Macvlan, MacvlanMode, Matchall, Mirred, Netns, Object, PortChange, Qdisc, Request, TunMode,
    TunnelDf, U32Key, U32Sel, Verb, VethPeer, Vlan, VlanProtocol, VlanQos, Vxlan, U32,
};
use std::net::IpAddr;

const ACKED: u16 = NLM_F_REQUEST | NLM_F_ACK;
const DUMPED: u16 = NLM_F_REQUEST | NLM_F_DUMP;

// The indexes the captures document (`# ifindex:` lines): lo=1, veth1=2, veth0=3,
// br0 or tap0=4.
const VETH0: u32 = 3;
const BR0: u32 = 4;
const TAP0: u32 = 4;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn mac(s: &str) -> MacAddr {
    s.parse().unwrap()
}

/// Builds into a 0xa5-filled buffer; checks the length, that nothing past the message
/// was written and that the encoder left REQUEST/ACK to the exchange; then adds
/// `exchange`'s flags as `Conn` does.
fn sent(exchange: u16, emit: impl Fn(&mut [u8]) -> Result<usize, WireError>) -> Vec<u8> {
    let mut buf = [0xa5u8; 1024];
    let n = emit(&mut buf).expect("encode");
    assert_eq!(n % 4, 0);
    assert_eq!(
        u32::from_ne_bytes(buf[0..4].try_into().unwrap()) as usize,
        n,
        "nlmsg_len"
    );
    assert!(
        buf[n..].iter().all(|&b| b == 0xa5),
        "the encoder wrote past its message"
    );
    let flags = u16::from_ne_bytes([buf[6], buf[7]]);
    assert_eq!(flags & (NLM_F_REQUEST | NLM_F_ACK), 0, "flags {flags:#x}");
    let mut m = buf[..n].to_vec();
    patch_flags(&mut m, 0, exchange).unwrap();
    m
}

fn change<T: Object>(verb: Verb, obj: &T) -> Vec<u8> {
    sent(ACKED, |b| obj.emit(verb, b))
}

fn hex(b: &[u8]) -> String {
    b.chunks(16)
        .enumerate()
        .map(|(i, c)| {
            let h: Vec<String> = c.iter().map(|x| format!("{x:02x}")).collect();
            format!("{:04x}: {}", i * 16, h.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares with `tests/fixtures/links/NAME.hex`, masking seq and `extra`.
fn golden(name: &str, got: &[u8], extra: &[(usize, usize)]) {
    let want = fx::bytes(&format!("links/{name}"));
    assert_eq!(&got[8..16], &[0; 8], "{name}: seq/pid are the transport's");
    let masked = |i: usize| (8..12).contains(&i) || extra.iter().any(|&(a, b)| (a..b).contains(&i));
    if let Some(i) =
        (0..got.len().max(want.len())).find(|&i| !masked(i) && got.get(i) != want.get(i))
    {
        panic!(
            "{name}: bytes differ at offset {i}\ngot ({}):\n{}\nwant ({}):\n{}",
            got.len(),
            hex(got),
            want.len(),
            hex(&want)
        );
    }
}

#[test]
fn the_captures_use_the_documented_indexes() {
    let dir = fx::dir().join("links");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let Some(name) = name.strip_suffix(".hex") else {
            continue;
        };
        let f = fx::load(&format!("links/{name}"));
        for (link, idx, field) in f.ifindexes() {
            let want = match (name, link.as_str()) {
                // br0 alone in its namespace.
                ("bridge_vlan_self", "br0") => 2,
                (_, "veth1") => 2,
                (_, "veth0") => 3,
                (_, "br0" | "tap0") => 4,
                (_, other) => panic!("{name}: undocumented link {other} ({field})"),
            };
            assert_eq!(idx, want, "{name}: {link} ({field})");
        }
        n += 1;
    }
    assert!(n >= 50, "only {n} captures in links/");
}

// ------------------------------------------------------------ kinds

fn on_veth0(l: Link) -> Link {
    l
}

// `ip link add link veth0 name v0 type vlan id 5`
#[test]
fn vlan() {
    let l = Link::vlan("v0", VETH0, 5).unwrap();
    golden("vlan", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name v0 type vlan protocol 802.1ad id 4094 reorder_hdr off
// gvrp on mvrp on loose_binding on bridge_binding on`: IFLA_VLAN_FLAGS {0x1e, 0x1f}.
#[test]
fn vlan_full() {
    let v = Vlan {
        protocol: Some(VlanProtocol::Dot1Ad),
        reorder_hdr: Some(false),
        gvrp: Some(true),
        mvrp: Some(true),
        loose_binding: Some(true),
        bridge_binding: Some(true),
        ..Vlan::new(4094)
    };
    let l = Link {
        kind: Some(LinkKind::Vlan(v)),
        ..Link::vlan("v0", VETH0, 1).unwrap()
    };
    golden("vlan_full", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name v0 type vlan id 10 ingress-qos-map 1:2 3:4
// egress-qos-map 5:6 7:1 reorder_hdr off`: IFLA_VLAN_ID, the ingress map, the egress
// map (each a nest of 8-byte IFLA_VLAN_QOS_MAPPING), then IFLA_VLAN_FLAGS.
#[test]
fn vlan_qos() {
    let v = Vlan {
        reorder_hdr: Some(false),
        ingress_qos: vec![VlanQos::new(1, 2), VlanQos::new(3, 4)],
        egress_qos: vec![VlanQos::new(5, 6), VlanQos::new(7, 1)],
        ..Vlan::new(10)
    };
    let l = Link {
        kind: Some(LinkKind::Vlan(v.clone())),
        ..Link::vlan("v0", VETH0, 1).unwrap()
    };
    let bytes = change(Verb::Add, &l);
    golden("vlan_qos", &bytes, &[]);
    // And read back: the maps come back typed, nothing left raw.
    let m = Messages::new(&bytes).next().unwrap().unwrap();
    let back = Link::from(&rtnl::wire::link::LinkMsg::decode(&m).unwrap());
    assert_eq!(back.kind, Some(LinkKind::Vlan(v)));
}

// A VLAN priority is 0 to 7: the kernel would keep only the low 3 bits of 9.
#[test]
fn vlan_qos_priorities_above_7_are_refused() {
    for v in [
        Vlan {
            ingress_qos: vec![VlanQos::new(9, 1)],
            ..Vlan::new(10)
        },
        Vlan {
            egress_qos: vec![VlanQos::new(100, 8)],
            ..Vlan::new(10)
        },
    ] {
        let l = Link {
            kind: Some(LinkKind::Vlan(v)),
            ..Link::vlan("v0", VETH0, 1).unwrap()
        };
        let e = rtnl::wire::Op::new(Verb::Add, &l).check().unwrap_err();
        assert!(e.to_string().contains("0 to 7"), "{e}");
    }
}

// `ip link add link veth0 name m0 type macvlan mode bridge`
#[test]
fn macvlan_bridge() {
    let l = Link::macvlan("m0", VETH0, MacvlanMode::Bridge).unwrap();
    golden("macvlan_bridge", &change(Verb::Add, &on_veth0(l)), &[]);
}

// `ip link add link veth0 name m0 type macvlan mode passthru nopromisc`:
// IFLA_MACVLAN_FLAGS is a u16.
#[test]
fn macvlan_passthru() {
    let m = Macvlan {
        flags: Some(rtnl::MacvlanFlags {
            nopromisc: true,
            ..Default::default()
        }),
        ..Macvlan::new(MacvlanMode::Passthru)
    };
    let l = Link {
        kind: Some(LinkKind::Macvlan(m)),
        ..Link::macvlan("m0", VETH0, MacvlanMode::Passthru).unwrap()
    };
    golden("macvlan_passthru", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name m0 type macvlan macaddr set 02:00:00:00:00:01
// 02:00:00:00:00:02 bcqueuelen 500 mode source nodst`
#[test]
fn macvlan_source() {
    let m = Macvlan {
        source_macs: Some(vec![mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")]),
        bc_queue_len: Some(500),
        flags: Some(rtnl::MacvlanFlags {
            nodst: true,
            ..Default::default()
        }),
        ..Macvlan::new(MacvlanMode::Source)
    };
    let l = Link {
        kind: Some(LinkKind::Macvlan(m)),
        ..Link::macvlan("m0", VETH0, MacvlanMode::Source).unwrap()
    };
    golden("macvlan_source", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name mt0 type macvtap mode vepa`
#[test]
fn macvtap_vepa() {
    let l = Link::macvtap("mt0", VETH0, MacvlanMode::Vepa).unwrap();
    golden("macvtap_vepa", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name eth0 netns rtnltest type macvlan mode bridge`: created
// in the target under its final name, the parent resolved here. Bytes 36..40 are
// IFLA_NET_NS_FD's value, an fd inside `ip` (4): the same fd number matches.
#[test]
fn macvlan_netns() {
    let l = Link::macvlan("eth0", VETH0, MacvlanMode::Bridge)
        .unwrap()
        .netns(Netns::Fd(4));
    golden("macvlan_netns", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name i0 type ipvlan mode l3s private`
#[test]
fn ipvlan_l3s_private() {
    let v = Ipvlan {
        flags: Some(IpvlanFlags::Private),
        ..Ipvlan::new(IpvlanMode::L3s)
    };
    let l = Link {
        kind: Some(LinkKind::Ipvlan(v)),
        ..Link::ipvlan("i0", VETH0, IpvlanMode::L3s).unwrap()
    };
    golden("ipvlan_l3s_private", &change(Verb::Add, &l), &[]);
}

// `ip link add link veth0 name i0 type ipvlan mode l2`: `ip` sends the flags (0,
// bridge) though none were given.
#[test]
fn ipvlan_l2() {
    let l = Link::ipvlan("i0", VETH0, IpvlanMode::L2).unwrap();
    golden("ipvlan_l2", &change(Verb::Add, &l), &[]);
}

// `ip link add vx0 type vxlan id 42 dev veth0 ttl 64 remote 10.0.0.2 local 10.0.0.1
// dstport 4789 nolearning`: LINK and TTL as read, then ID, LOCAL, GROUP, LEARNING,
// PORT (big-endian).
#[test]
fn vxlan() {
    let v = Vxlan {
        link: Some(VETH0),
        ttl: Some(64),
        remote: Some(ip("10.0.0.2")),
        local: Some(ip("10.0.0.1")),
        port: Some(4789),
        learning: Some(false),
        ..Vxlan::new(42)
    };
    golden(
        "vxlan",
        &change(Verb::Add, &Link::vxlan("vx0", v).unwrap()),
        &[],
    );
}

// `ip link add vx0 type vxlan id 16777215 group 239.1.1.1 dev veth0 dstport 0`:
// port 0 sends no IFLA_VXLAN_PORT.
#[test]
fn vxlan_group() {
    let v = Vxlan {
        link: Some(VETH0),
        remote: Some(ip("239.1.1.1")),
        port: Some(0),
        ..Vxlan::new(16_777_215)
    };
    golden(
        "vxlan_group",
        &change(Verb::Add, &Link::vxlan("vx0", v).unwrap()),
        &[],
    );
}

// `ip link add vx0 type vxlan id 7 remote fd00::2 local fd00::1 dstport 4789`
#[test]
fn vxlan6() {
    let v = Vxlan {
        remote: Some(ip("fd00::2")),
        local: Some(ip("fd00::1")),
        port: Some(4789),
        ..Vxlan::new(7)
    };
    golden(
        "vxlan6",
        &change(Verb::Add, &Link::vxlan("vx0", v).unwrap()),
        &[],
    );
}

// `ip link add vx0 type vxlan id 10 dev veth0 ttl 10 tos inherit df set flowlabel 5
// ageing 300 maxaddress 100 srcport 1000 2000 proxy rsc l2miss l3miss udpcsum
// udp6zerocsumtx udp6zerocsumrx gbp remote 10.0.0.2 dstport 4789`
#[test]
fn vxlan_full() {
    let v = Vxlan {
        link: Some(VETH0),
        ttl: Some(10),
        tos: Some(1),
        df: Some(TunnelDf::Set),
        label: Some(5),
        ageing: Some(300),
        limit: Some(100),
        port_range: Some((1000, 2000)),
        proxy: Some(true),
        rsc: Some(true),
        l2miss: Some(true),
        l3miss: Some(true),
        udp_csum: Some(true),
        udp_zero_csum6_tx: Some(true),
        udp_zero_csum6_rx: Some(true),
        gbp: true,
        remote: Some(ip("10.0.0.2")),
        port: Some(4789),
        ..Vxlan::new(10)
    };
    golden(
        "vxlan_full",
        &change(Verb::Add, &Link::vxlan("vx0", v).unwrap()),
        &[],
    );
}

// `ip link add g0 type geneve id 5 remote 10.0.0.2 ttl 64 dstport 6081`: `ip` sends
// the flow label, TTL and TOS always.
#[test]
fn geneve() {
    let g = Geneve {
        ttl: Some(64),
        port: Some(6081),
        ..Geneve::new(5, ip("10.0.0.2"))
    };
    golden(
        "geneve",
        &change(Verb::Add, &Link::geneve("g0", g).unwrap()),
        &[],
    );
}

// `ip link add g0 type geneve ttl inherit df inherit id 16777215 remote fd00::2
// flowlabel 7 tos 0x10 innerprotoinherit udpcsum`
#[test]
fn geneve6() {
    let g = Geneve {
        ttl_inherit: Some(true),
        df: Some(TunnelDf::Inherit),
        label: Some(7),
        tos: Some(0x10),
        inner_proto_inherit: true,
        udp_csum: Some(true),
        ..Geneve::new(16_777_215, ip("fd00::2"))
    };
    golden(
        "geneve6",
        &change(Verb::Add, &Link::geneve("g0", g).unwrap()),
        &[],
    );
}

// `ip link add vrf0 type vrf table 10`
#[test]
fn vrf() {
    golden(
        "vrf",
        &change(Verb::Add, &Link::vrf("vrf0", 10).unwrap()),
        &[],
    );
}

// `ip link add b0 type bond mode active-backup miimon 100`
#[test]
fn bond() {
    let b = Bond {
        miimon: Some(100),
        ..Bond::new(BondMode::ActiveBackup)
    };
    golden(
        "bond",
        &change(Verb::Add, &Link::bond("b0", b).unwrap()),
        &[],
    );
}

// `ip link add b0 type bond mode 802.3ad miimon 100 updelay 200 downdelay 200
// use_carrier 1 xmit_hash_policy layer3+4 min_links 1 lacp_rate fast ad_select
// bandwidth`
#[test]
fn bond_lacp() {
    let b = Bond {
        miimon: Some(100),
        updelay: Some(200),
        downdelay: Some(200),
        use_carrier: Some(true),
        xmit_hash_policy: Some(1),
        min_links: Some(1),
        lacp_rate: Some(1),
        ad_select: Some(1),
        ..Bond::new(BondMode::Lacp)
    };
    golden(
        "bond_lacp",
        &change(Verb::Add, &Link::bond("b0", b).unwrap()),
        &[],
    );
}

// `ip link add b0 type bond mode active-backup arp_interval 100 arp_ip_target
// 10.0.0.1,10.0.0.2 arp_validate all arp_all_targets all`: the targets nested, each
// an attribute whose type is its position.
#[test]
fn bond_arp() {
    let b = Bond {
        arp_interval: Some(100),
        arp_ip_targets: Some(vec![
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
        ]),
        arp_validate: Some(rtnl::BondArpValidate::All),
        arp_all_targets: Some(rtnl::BondArpAllTargets::All),
        ..Bond::new(BondMode::ActiveBackup)
    };
    let l = Link::bond("b0", b.clone()).unwrap();
    let bytes = change(Verb::Add, &l);
    golden("bond_arp", &bytes, &[]);
    let m = Messages::new(&bytes).next().unwrap().unwrap();
    let back = Link::from(&rtnl::wire::link::LinkMsg::decode(&m).unwrap());
    assert_eq!(
        back.kind,
        Some(LinkKind::Bond(Box::new(b))),
        "read back whole"
    );
}

// Refused before the kernel sees them: 17 targets, a broadcast target.
#[test]
fn bond_arp_mistakes_are_refused() {
    let many = Bond {
        arp_ip_targets: Some(
            (1..=17)
                .map(|i| std::net::Ipv4Addr::new(10, 0, 0, i))
                .collect(),
        ),
        ..Bond::new(BondMode::ActiveBackup)
    };
    let bcast = Bond {
        arp_ip_targets: Some(vec![std::net::Ipv4Addr::BROADCAST]),
        ..Bond::new(BondMode::ActiveBackup)
    };
    for (b, says) in [(many, "at most 16"), (bcast, "not a unicast")] {
        let l = Link::bond("b0", b).unwrap();
        let e = rtnl::wire::Op::new(Verb::Add, &l).check().unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
    }
}

// `ip link add ifb0 type ifb`, `ip link add wg0 type wireguard`
#[test]
fn ifb_and_wireguard() {
    golden("ifb", &change(Verb::Add, &Link::ifb("ifb0").unwrap()), &[]);
    golden(
        "wireguard",
        &change(Verb::Add, &Link::wireguard("wg0").unwrap()),
        &[],
    );
}

// `ip link add veth0 address 02:00:00:00:00:01 mtu 1400 txqueuelen 500 type veth peer
// name veth1 address 02:00:00:00:00:02 mtu 1400 txqueuelen 600 netns rtnltest`: the
// peer's own ifinfomsg, then its address, MTU, txqueuelen, namespace (fd 4 in `ip`)
// and name.
#[test]
fn veth_peer_fd() {
    let l = Link {
        address: Some(HwAddr::from(mac("02:00:00:00:00:01"))),
        mtu: Some(1400),
        txqlen: Some(500),
        kind: Some(LinkKind::Veth(VethPeer {
            name: Some(IfName::new("veth1").unwrap()),
            address: Some(HwAddr::from(mac("02:00:00:00:00:02"))),
            mtu: Some(1400),
            txqlen: Some(600),
            netns: Some(Netns::Fd(4)),
        })),
        ..Link::named("veth0").unwrap()
    };
    golden("veth_peer_fd", &change(Verb::Add, &l), &[]);
}

// `ip link add veth0 type veth peer name veth1 netns 999999999`: by pid.
#[test]
fn veth_peer_pid() {
    let l = Link::veth("veth0", "veth1")
        .unwrap()
        .peer_netns(Netns::Pid(999_999_999));
    golden("veth_peer_pid", &change(Verb::Add, &l), &[]);
}

// ------------------------------------------------------------ link set

// `ip link set dev veth0 address 02:11:22:33:44:55 mtu 1400 txqueuelen 500 group 5
// alias mylink promisc on allmulticast on arp off master br0`: one RTM_NEWLINK;
// the three flags in ifi_flags/ifi_change (0x380).
#[test]
fn set_combo() {
    let l = Link::with_index(VETH0)
        .address(mac("02:11:22:33:44:55"))
        .mtu(1400)
        .txqlen(500)
        .group(5)
        .alias("mylink")
        .promisc(true)
        .allmulti(true)
        .arp(false)
        .master(BR0);
    golden("set_combo", &change(Verb::Change, &l), &[]);
}

// `ip link set dev veth0 up promisc off group 5 master br0 arp on name renamed`
#[test]
fn set_combo_rename() {
    let l = Link {
        name: Some(IfName::new("renamed").unwrap()),
        ..Link::with_index(VETH0)
            .up()
            .promisc(false)
            .group(5)
            .master(BR0)
            .arp(true)
    };
    golden("set_combo_rename", &change(Verb::Change, &l), &[]);
}

// `ip link property add|del dev veth0 altname a-very-long-alternative-name-for-veth0`
#[test]
fn altnames() {
    let a = AltName::new(VETH0, "a-very-long-alternative-name-for-veth0");
    golden("altname_add", &change(Verb::Add, &a), &[]);
    golden("altname_del", &change(Verb::Delete, &a), &[]);
    // Mistakes are refused before anything is sent.
    assert!(AltName::new(VETH0, &"x".repeat(128))
        .check(Verb::Add)
        .is_err());
    assert!(AltName::new(VETH0, "a b").check(Verb::Add).is_err());
    assert!(AltName::new(0u32, "ok").check(Verb::Add).is_err());
    // By name, the selector rides along.
    let by_name = AltName {
        link: LinkRef::from("veth0"),
        name: b"alt",
    };
    let m = change(Verb::Add, &by_name);
    assert!(m.windows(6).any(|w| w == b"veth0\0"));
}

// ------------------------------------------------------------ bridges

// `ip link add br0 type bridge vlan_filtering 1 vlan_default_pvid 10`
#[test]
fn bridge_vlan_filtering() {
    let l = Link {
        kind: Some(LinkKind::Bridge(Bridge {
            vlan_filtering: Some(true),
            default_pvid: Some(10),
            ..Default::default()
        })),
        ..Link::bridge("br0").unwrap()
    };
    golden("bridge_vlan_filtering", &change(Verb::Add, &l), &[]);
    let bad = Link {
        kind: Some(LinkKind::Bridge(Bridge {
            default_pvid: Some(4095),
            ..Default::default()
        })),
        ..Link::bridge("br0").unwrap()
    };
    assert!(bad.check(Verb::Add).unwrap_err().is_invalid_input());
}

// `bridge link set dev veth0 guard on hairpin on flood off learning off isolated on`
// (veth0 a port of br0): RTM_SETLINK, AF_BRIDGE, IFLA_PROTINFO|NLA_F_NESTED.
#[test]
fn bridge_port() {
    let port = BridgePort {
        guard: Some(true),
        hairpin: Some(true),
        flooding: Some(false),
        learning: Some(false),
        isolated: Some(true),
        ..Default::default()
    };
    let req = PortChange {
        index: VETH0,
        port: &port,
    };
    golden("bridge_port", &sent(ACKED, |b| req.emit(b)), &[]);
    let bad = BridgePort {
        state: Some(5),
        ..Default::default()
    };
    assert!(PortChange {
        index: VETH0,
        port: &bad
    }
    .check()
    .is_err());
}

// `bridge vlan add dev veth0 vid 10 pvid untagged`, `... vid 20-30 untagged`,
// `bridge vlan add dev br0 vid 10 self`, `bridge vlan del dev veth0 vid 10`,
// `bridge vlan show`.
#[test]
fn bridge_vlans() {
    let v = BridgeVlan {
        pvid: true,
        untagged: true,
        ..BridgeVlan::new(VETH0, 10)
    };
    golden("bridge_vlan_add", &change(Verb::Add, &v), &[]);
    let r = BridgeVlan {
        vid_end: Some(30),
        untagged: true,
        ..BridgeVlan::new(VETH0, 20)
    };
    golden("bridge_vlan_range", &change(Verb::Add, &r), &[]);
    let s = BridgeVlan {
        self_: true,
        ..BridgeVlan::new(2, 10) // br0, alone in its namespace
    };
    golden("bridge_vlan_self", &change(Verb::Add, &s), &[]);
    golden(
        "bridge_vlan_del",
        &change(Verb::Delete, &BridgeVlan::new(VETH0, 10)),
        &[],
    );
    golden(
        "bridge_vlan_dump",
        &sent(DUMPED, |b| VlanFilter::default().emit(b)),
        &[],
    );
    for bad in [
        BridgeVlan::new(VETH0, 0),
        BridgeVlan::new(VETH0, 4095),
        BridgeVlan {
            vid_end: Some(10),
            ..BridgeVlan::new(VETH0, 10)
        },
        BridgeVlan {
            vid_end: Some(20),
            pvid: true,
            ..BridgeVlan::new(VETH0, 10)
        },
        BridgeVlan::new(0, 10),
    ] {
        assert!(bad.check(Verb::Add).is_err(), "{bad:?}");
    }
}

// ------------------------------------------------------------ tc

// `tc qdisc add|replace|del dev veth0 ingress`, `tc qdisc add dev veth0 clsact`:
// TCA_KIND with its NUL.
#[test]
fn qdiscs() {
    golden(
        "tc_ingress",
        &change(Verb::Add, &Qdisc::ingress(VETH0)),
        &[],
    );
    golden(
        "tc_ingress_replace",
        &change(Verb::Replace, &Qdisc::ingress(VETH0)),
        &[],
    );
    golden("tc_clsact", &change(Verb::Add, &Qdisc::clsact(VETH0)), &[]);
    golden(
        "tc_ingress_del",
        &change(Verb::Delete, &Qdisc::ingress(VETH0)),
        &[],
    );
    golden(
        "tc_qdisc_dump",
        &sent(DUMPED, |b| QdiscFilter { ifindex: VETH0 }.emit(b)),
        &[],
    );
}

// `tc filter add dev veth0 parent ffff: protocol all u32 match u32 0 0 action mirred
// egress redirect dev tap0` — and kata's `match u8 0 0`, the same bytes.
#[test]
fn u32_redirect() {
    let f = Filter::u32(
        VETH0,
        0xffff_0000,
        U32::match_all(vec![Action::from(Mirred::redirect(TAP0))]),
    );
    golden("tc_u32_redirect", &change(Verb::Add, &f), &[]);
    golden("tc_u32_kata", &change(Verb::Add, &f), &[]);
}

// `tc filter add dev veth0 parent ffff: protocol all matchall action mirred egress
// redirect dev tap0`: TCA_OPTIONS holds only TCA_MATCHALL_ACT (this host's kernel has
// no matchall; tc sends the bytes, the kernel answers ENOENT). Read back whole.
#[test]
fn tc_matchall_redirect() {
    let f = Filter::matchall(
        VETH0,
        0xffff_0000,
        Matchall::new(vec![Action::from(Mirred::redirect(TAP0))]),
    );
    let bytes = change(Verb::Add, &f);
    golden("tc_matchall_redirect", &bytes, &[]);
    let m = Messages::new(&bytes).next().unwrap().unwrap();
    let back = Filter::from(&FilterMsg::decode(&m).unwrap());
    assert_eq!(back.kind, f.kind);
    assert_eq!(
        back.mirred().map(|m| m.ifindex).collect::<Vec<_>>(),
        vec![TAP0]
    );
    // A mirred action without its target is refused, as for u32.
    let bad = Filter::matchall(
        VETH0,
        0xffff_0000,
        Matchall::new(vec![Action::from(Mirred::redirect(0))]),
    );
    assert!(rtnl::Op::new(Verb::Add, &bad).check().is_err());
}

// `tc filter replace dev veth0 parent ffff: protocol all prio 1 handle 800::800 u32
// match u32 0 0 action mirred egress redirect dev tap0`: `replace` is NLM_F_CREATE
// alone. And the same under clsact's ingress hook (`ingress` = ffff:fff2).
#[test]
fn u32_replace() {
    golden(
        "tc_u32_replace",
        &change(Verb::Replace, &Filter::redirect(VETH0, 0xffff_0000, TAP0)),
        &[],
    );
    golden(
        "tc_clsact_u32",
        &change(Verb::Replace, &Filter::redirect(VETH0, 0xffff_fff2, TAP0)),
        &[],
    );
    golden(
        "tc_filter_del",
        &change(Verb::Delete, &Filter::redirect(VETH0, 0xffff_0000, TAP0)),
        &[],
    );
    golden(
        "tc_filter_dump",
        &sent(DUMPED, |b| {
            FilterFilter {
                ifindex: VETH0,
                parent: 0xffff_0000,
            }
            .emit(b)
        }),
        &[],
    );
}

// `tc filter add dev veth0 parent ffff: protocol ip prio 7 u32 match u32 0x0a000001
// 0xffffffff at 16 action mirred ingress mirror dev tap0`
#[test]
fn u32_mirror_ip() {
    let mut m = Mirred::mirror(TAP0);
    m.direction = rtnl::Direction::Ingress;
    let f = Filter {
        priority: 7,
        protocol: ETH_P_IP,
        kind: FilterKind::U32(U32 {
            actions: vec![Action::from(m)],
            sel: Some(U32Sel {
                flags: TC_U32_TERMINAL,
                keys: vec![U32Key {
                    mask: 0xffff_ffff,
                    val: 0x0a00_0001,
                    off: 16,
                    offmask: 0,
                }],
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Filter::u32(VETH0, 0xffff_0000, U32::default())
    };
    golden("tc_u32_mirror_ip", &change(Verb::Add, &f), &[]);
}

// ------------------------------------------------------------ replies

fn kinds_dump() -> Vec<Link> {
    let b = fx::bytes("links/reply_link_dump_kinds");
    Messages::new(&b)
        .map(|m| m.unwrap())
        .filter(|m| m.header.nlmsg_type == RTM_NEWLINK)
        .map(|m| Link::decode(&m).unwrap())
        .collect()
}

fn find<'a>(links: &'a [Link], name: &str) -> &'a Link {
    links
        .iter()
        .find(|l| l.name.is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("no {name}"))
}

// `ip -d link show` after: a bridge br0 with port veth0 (hairpin on, isolated on,
// learning off), macvlan m0 (bridge) and macvtap mt0 (source, one MAC) on veth1,
// vxlan vx0 (id 42 dev veth1 remote 10.0.0.2 local 10.0.0.1 dstport 4789 srcport
// 1000 2000 ttl 64), ifb0, tap0 (vnet_hdr multi_queue user 1000 group 1000), veth1
// with an alternative name, alias "peer", promisc, allmulticast, txqueuelen 777,
// group 3 (see the capture's setup lines).
#[test]
fn a_link_dump_reads_back_every_kind_whole() {
    let links = kinds_dump();
    assert_eq!(links.len(), 9);
    let veth1 = find(&links, "veth1");
    assert_eq!(veth1.alias.as_deref(), Some("peer"));
    assert_eq!(veth1.alt_names, ["a-very-long-alternative-name-for-veth1"]);
    assert!(veth1.is_promisc() && veth1.is_allmulti());
    assert_eq!(veth1.allmulti_count(), Some(1));
    assert_eq!((veth1.txqlen, veth1.group), (Some(777), Some(3)));
    assert_eq!(veth1.link, Some(3));
    // `ip -d link show` asks for statistics: the 64-bit counters are read.
    let stats = veth1.stats.as_ref().expect("IFLA_STATS64");
    assert!(stats.tx_packets <= stats.tx_bytes);

    let veth0 = find(&links, "veth0");
    assert_eq!(veth0.master, Some(4));
    let port = veth0.bridge_port().expect("a bridge port");
    assert_eq!(port.hairpin, Some(true));
    assert_eq!(port.isolated, Some(true));
    assert_eq!(port.learning, Some(false));
    assert_eq!(port.flooding, Some(true));
    assert!(find(&links, "br0").bridge_port().is_none());

    let m0 = find(&links, "m0");
    assert_eq!(m0.link, Some(2));
    match &m0.kind {
        Some(LinkKind::Macvlan(m)) => assert_eq!(m.mode, Some(MacvlanMode::Bridge)),
        k => panic!("m0: {k:?}"),
    }
    match &find(&links, "mt0").kind {
        Some(LinkKind::Macvtap(m)) => {
            assert_eq!(m.mode, Some(MacvlanMode::Source));
            assert_eq!(m.source_macs, Some(vec![mac("02:00:00:00:00:01")]));
            assert_eq!(m.source_count, Some(1));
        }
        k => panic!("mt0: {k:?}"),
    }
    match &find(&links, "vx0").kind {
        Some(LinkKind::Vxlan(v)) => {
            assert_eq!(v.vni, Some(42));
            assert_eq!(v.link, Some(2));
            assert_eq!(v.remote, Some(ip("10.0.0.2")));
            assert_eq!(v.local, Some(ip("10.0.0.1")));
            assert_eq!(v.port, Some(4789));
            assert_eq!(v.port_range, Some((1000, 2000)));
            assert_eq!(v.ttl, Some(64));
            assert_eq!(v.learning, Some(true));
        }
        k => panic!("vx0: {k:?}"),
    }
    assert_eq!(find(&links, "ifb0").kind, Some(LinkKind::Ifb));
    match &find(&links, "tap0").kind {
        Some(LinkKind::Tun(t)) => {
            assert_eq!(t.mode, Some(TunMode::Tap));
            assert_eq!(t.vnet_hdr, Some(true));
            assert_eq!(t.multi_queue, Some(true));
            assert_eq!(t.persist, Some(true));
            assert_eq!(t.owner, Some(1000));
            assert_eq!(t.group, Some(1000));
            assert_eq!(t.pi, Some(false));
        }
        k => panic!("tap0: {k:?}"),
    }
    match &find(&links, "br0").kind {
        Some(LinkKind::Bridge(b)) => {
            assert_eq!(b.vlan_filtering, Some(false));
            // Reported only by kernels with bridge VLAN filtering (not this one).
            assert_eq!(b.default_pvid, None);
            assert_eq!(b.stp, Some(false));
        }
        k => panic!("br0: {k:?}"),
    }
}

// `ip -d link show dev tap0`: one RTM_NEWLINK for a tap made with `ip tuntap add`.
#[test]
fn a_tap_looked_up_alone_reads_back_as_its_kind() {
    let b = fx::bytes("links/reply_getlink_tap");
    let m = Messages::new(&b).next().unwrap().unwrap();
    let l = Link::decode(&m).unwrap();
    assert_eq!(l.kind_name(), Some("tun"));
    let Some(LinkKind::Tun(t)) = &l.kind else {
        panic!("{:?}", l.kind)
    };
    assert_eq!((t.mode, t.num_queues), (Some(TunMode::Tap), Some(0)));
}

// Every kind re-encoded (as a request would carry it) decodes to the same value; a
// tun's data is never sent (the kernel takes none).
#[test]
fn decoded_kinds_round_trip() {
    for l in kinds_dump() {
        let Some(kind) = &l.kind else { continue };
        let req = Link {
            kind: Some(kind.clone()),
            ..Link::named("x0").unwrap()
        };
        let mut buf = vec![0u8; 4096];
        let n = req.emit(Verb::Change, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let mut back = Link::decode(&m).unwrap();
        back.flags = rtnl::LinkFlags::EMPTY;
        // What is only reported is not sent.
        let mut kind = kind.clone();
        if let LinkKind::Macvlan(m) | LinkKind::Macvtap(m) = &mut kind {
            m.source_count = None;
            m.bc_queue_len_used = None;
        }
        match &kind {
            LinkKind::Tun(_) => assert_eq!(back.kind, Some(LinkKind::Tun(Default::default()))),
            LinkKind::Veth(_) => assert_eq!(back.kind_name(), Some("veth")),
            k => assert_eq!(back.kind.as_ref(), Some(k), "{}", l.name_str()),
        }
    }
    // Typed kinds built by hand round-trip too.
    let built = [
        Link::vlan("v0", 3, 7).unwrap(),
        Link::macvlan("m0", 3, MacvlanMode::Private).unwrap(),
        Link::ipvlan("i0", 3, IpvlanMode::L3).unwrap(),
        Link::vrf("vrf0", 42).unwrap(),
        Link::bond("b0", Bond::new(BondMode::BalanceXor)).unwrap(),
        Link::geneve("g0", Geneve::new(9, ip("192.0.2.1"))).unwrap(),
        Link::dummy("d0").unwrap(),
        Link::wireguard("wg0").unwrap(),
    ];
    for l in built {
        let mut buf = vec![0u8; 1024];
        let n = l.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let back = Link::decode(&m).unwrap();
        assert_eq!(back.kind, l.kind);
        assert_eq!(back.link, l.link);
    }
}

// `tc qdisc show dev veth0` with an ingress qdisc; `tc filter show dev veth0 parent
// ffff:` with the redirect (prio 1, handle 800::800) to tap0.
#[test]
fn tc_dumps_read_back() {
    let b = fx::bytes("links/reply_tc_qdisc_dump");
    let qs: Vec<Qdisc> = Messages::new(&b)
        .map(|m| m.unwrap())
        .filter(|m| m.header.nlmsg_type == RTM_NEWQDISC)
        .map(|m| Qdisc::decode(&m).unwrap())
        .collect();
    let ingress = qs
        .iter()
        .find(|q| q.kind == rtnl::QdiscKind::Ingress)
        .expect("the ingress qdisc");
    assert_eq!(
        (ingress.ifindex, ingress.handle, ingress.parent),
        (3, 0xffff_0000, TC_H_INGRESS)
    );
    assert!(ingress.other.is_empty(), "{:?}", ingress.other);

    let b = fx::bytes("links/reply_tc_filter_dump");
    let fs: Vec<Filter> = Messages::new(&b)
        .map(|m| m.unwrap())
        .filter(|m| m.header.nlmsg_type == RTM_NEWTFILTER)
        .map(|m| Filter::decode(&m).unwrap())
        .collect();
    let f = fs
        .iter()
        .find(|f| f.as_u32().is_some_and(|u| u.sel.is_some()))
        .expect("the filter with a selector");
    assert_eq!(
        (f.ifindex, f.parent, f.handle),
        (3, 0xffff_0000, 0x8000_0800)
    );
    assert_eq!((f.priority, f.protocol, f.chain), (1, ETH_P_ALL, Some(0)));
    let m = f.mirred().next().expect("a mirred action");
    assert_eq!(m.ifindex, 4);
    assert_eq!(m.action, rtnl::MirredAction::Redirect);
    assert_eq!(m.verdict, TC_ACT_STOLEN);
    let u = f.as_u32().unwrap();
    assert_eq!(u.sel.as_ref().unwrap().keys, vec![U32Key::default()]);
    // Re-sent as a replace, it is the filter rtnl builds, but for what the kernel
    // filled in (the action's index, the hash table, the not-in-hw flag, the chain).
    let mut want = Filter::redirect(3, 0xffff_0000, 4);
    want.chain = Some(0);
    let FilterKind::U32(w) = &mut want.kind else {
        unreachable!()
    };
    w.hash = u.hash;
    w.flags = u.flags;
    w.actions[0] = Action::from(Mirred {
        index: m.index,
        ..Mirred::redirect(4)
    });
    w.actions[0].other = u.actions[0].other.clone();
    let mut got = f.clone();
    got.reported = Default::default();
    let FilterKind::U32(g) = &mut got.kind else {
        unreachable!()
    };
    g.reported = Default::default();
    g.actions[0].reported = Default::default();
    assert_eq!(got, want);
    // The views agree.
    for m in Messages::new(&b).map(|m| m.unwrap()) {
        if m.header.nlmsg_type == RTM_NEWTFILTER {
            let v = FilterMsg::decode(&m).unwrap();
            assert_eq!(v.kind, Some(&b"u32"[..]));
            assert_eq!(v.priority(), 1);
        }
        if m.header.nlmsg_type == RTM_NEWQDISC {
            assert!(QdiscMsg::decode(&m).is_ok());
        }
    }
}

/// Runs every reader of this file on `b`: only `Ok` or `Err`.
fn read_all(b: &[u8]) {
    for m in Messages::new(b) {
        let Ok(m) = m else { continue };
        let _ = Link::decode(&m).map(|l| (l.bridge_port(), l.allmulti_count()));
        let _ = Qdisc::decode(&m);
        let _ = Filter::decode(&m);
        let mut v = Vec::new();
        let _ = rtnl::wire::bridge::decode_vlans(&m, &mut v);
    }
}

#[test]
fn every_truncation_and_bit_flip_is_ok_or_err() {
    for name in [
        "reply_getlink_tap",
        "reply_tc_qdisc_dump",
        "reply_tc_filter_dump",
    ] {
        let b = fx::bytes(&format!("links/{name}"));
        for n in 0..=b.len() {
            read_all(&b[..n]);
        }
        for i in 0..b.len() {
            for bit in 0..8 {
                let mut c = b.clone();
                c[i] ^= 1 << bit;
                read_all(&c);
            }
        }
    }
    // The big dump: every truncation, and a flip of every bit of its typed parts
    // (the kinds' IFLA_LINKINFO), which is where the new decoders are.
    let b = fx::bytes("links/reply_link_dump_kinds");
    for n in (0..=b.len()).step_by(3) {
        read_all(&b[..n]);
    }
    let mut spans = Vec::new();
    for m in Messages::new(&b).flatten() {
        let start = m.payload.as_ptr() as usize - b.as_ptr() as usize;
        if let Ok((_, attrs)) = m.split::<IfInfoMsg>() {
            for a in attrs.flatten() {
                if a.ty == IFLA_LINKINFO {
                    let off = a.value.as_ptr() as usize - b.as_ptr() as usize;
                    spans.push((off, off + a.value.len()));
                }
            }
        }
        let _ = start;
    }
    assert!(spans.len() >= 8, "{spans:?}");
    for (from, to) in spans {
        for i in from..to {
            for bit in 0..8 {
                let mut c = b.clone();
                c[i] ^= 1 << bit;
                read_all(&c);
            }
        }
    }
}

// Mistakes in typed kinds are refused before anything is sent.
#[test]
fn bad_values_are_refused_before_any_syscall() {
    let refused = |l: Link| {
        let e = l.check(Verb::Add).unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        e.to_string()
    };
    assert!(refused(Link::vlan("v0", 3, 0).unwrap()).contains("VLAN id"));
    refused(Link::vlan("v0", 3, 4095).unwrap());
    refused(Link::vlan("v0", 0, 5).unwrap());
    let mut no_parent = Link::macvlan("m0", 3, MacvlanMode::Bridge).unwrap();
    no_parent.link = None;
    assert!(refused(no_parent).contains("parent"));
    refused(Link {
        kind: Some(LinkKind::Vlan(Vlan {
            protocol: Some(VlanProtocol::Other(0x0800)),
            ..Vlan::new(5)
        })),
        ..Link::vlan("v0", 3, 5).unwrap()
    });
    refused(Link::macvlan("m0", 3, MacvlanMode::Other(3)).unwrap());
    refused(Link {
        kind: Some(LinkKind::Macvlan(Macvlan {
            source_macs: Some(vec![mac("01:00:5e:00:00:01")]),
            ..Macvlan::new(MacvlanMode::Source)
        })),
        ..Link::macvlan("m0", 3, MacvlanMode::Source).unwrap()
    });
    refused(Link::ipvlan("i0", 3, IpvlanMode::Other(7)).unwrap());
    assert!(refused(Link::vxlan("vx0", Vxlan::new(1 << 24)).unwrap()).contains("24 bits"));
    refused(Link::vxlan("vx0", Vxlan::default()).unwrap());
    refused(
        Link::vxlan(
            "vx0",
            Vxlan {
                remote: Some(ip("239.1.1.1")),
                ..Vxlan::new(1)
            },
        )
        .unwrap(),
    );
    refused(
        Link::vxlan(
            "vx0",
            Vxlan {
                remote: Some(ip("fd00::1")),
                local: Some(ip("10.0.0.1")),
                ..Vxlan::new(1)
            },
        )
        .unwrap(),
    );
    refused(
        Link::vxlan(
            "vx0",
            Vxlan {
                port_range: Some((2000, 1000)),
                ..Vxlan::new(1)
            },
        )
        .unwrap(),
    );
    refused(
        Link::vxlan(
            "vx0",
            Vxlan {
                label: Some(1 << 20),
                ..Vxlan::new(1)
            },
        )
        .unwrap(),
    );
    refused(
        Link::vxlan(
            "vx0",
            Vxlan {
                external: Some(true),
                ..Vxlan::new(1)
            },
        )
        .unwrap(),
    );
    refused(Link::geneve("g0", Geneve::new(1 << 24, ip("10.0.0.1"))).unwrap());
    refused(Link::geneve("g0", Geneve::new(1, ip("224.0.0.1"))).unwrap());
    refused(Link::vrf("vrf0", 0).unwrap());
    refused(Link::bond("b0", Bond::new(BondMode::Other(9))).unwrap());
    refused(Link {
        kind: Some(LinkKind::Tun(Default::default())),
        ..Link::named("tap0").unwrap()
    });
    // The same values are fine in a change that does not create.
    let mut change = Link::with_index(9);
    change.kind = Some(LinkKind::Vxlan(Box::default()));
    change.check(Verb::Change).unwrap();
}
