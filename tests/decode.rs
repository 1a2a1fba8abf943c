//! The decoders on real kernel replies (Linux 6.18, captured while iproute2 6.1 ran;
//! see `tests/fixtures/README.md`): every decoded value checked against what the
//! capture holds; the same replies replayed through [`rtnl::Conn`] to check the
//! errors and dumps it makes of them; and every capture truncated at every length
//! and with every bit flipped, run through every reader: `Ok` or `Err`, never a panic.

mod fixtures_util;

use fixtures_util as fx;
use rtnl::abi::*;
use rtnl::wire::addr::AddrMsg;
use rtnl::wire::link::{LinkGet, LinkMsg};
use rtnl::wire::nexthop::NexthopMsg;
use rtnl::wire::route::RouteMsg;
use rtnl::wire::{fdb::FdbMsg, neigh::NeighbourMsg, rule::RuleMsg};
use rtnl::wire::{parse_done, parse_error, patch_flags, Attr, Attrs, Message, Messages, WireError};
use rtnl::{
    Address, Conn, Decode, Error, Family, GroupMember, Lifetimes, Link, LinkKind, Nexthop, Object,
    Protocol, Request, Route, RouteType, Scope, Transport, Verb,
};
use std::collections::VecDeque;
use std::io;
use std::net::IpAddr;

fn msgs(b: &[u8]) -> Vec<Message<'_>> {
    Messages::new(b)
        .collect::<Result<Vec<_>, _>>()
        .expect("the capture parses")
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// An encoder's message as the exchange sends it: the encoder leaves `NLM_F_REQUEST`
/// and `NLM_F_ACK` to `Conn`, which sets them (`exchange`) when it sends.
fn as_sent(exchange: u16, emit: impl Fn(&mut [u8]) -> Result<usize, WireError>) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    let n = emit(&mut b).unwrap();
    b.truncate(n);
    patch_flags(&mut b, 0, exchange).unwrap();
    b
}

// ------------------------------------------------------------ the captures

// Each file holds whole messages (README: byte count = sum of aligned nlmsg_len) and
// its `# seq=N pid=M` comment matches the first header; a check of the loader too.
#[test]
fn every_fixture_is_whole_messages_with_the_documented_seq() {
    let all = fx::all();
    assert!(all.len() >= 44, "found only {} fixtures", all.len());
    for f in &all {
        let ms = msgs(&f.bytes);
        assert!(!ms.is_empty(), "{}", f.name);
        let total: usize = ms.iter().map(|m| align4(m.header.nlmsg_len as usize)).sum();
        assert_eq!(total, f.bytes.len(), "{}", f.name);
        let line = f
            .comments
            .iter()
            .find(|c| c.starts_with("seq="))
            .unwrap_or_else(|| panic!("{}: no seq= comment", f.name));
        let mut it = line.split_whitespace();
        let seq: u32 = it.next().unwrap()[4..].parse().unwrap();
        let pid: u32 = it.next().unwrap()[4..].parse().unwrap();
        assert_eq!(ms[0].header.nlmsg_seq, seq, "{}", f.name);
        assert_eq!(ms[0].header.nlmsg_pid, pid, "{}", f.name);
    }
}

// -------------------------------------------------------------- link dumps

// reply_link_dump_1.hex + _2.hex: `ip -d link show` with lo up, a veth pair, br0 and
// veth0 enslaved to br0. Four RTM_NEWLINK (MULTI) in ifindex order, then NLMSG_DONE.
#[test]
fn link_dump() {
    let d1 = fx::bytes("reply_link_dump_1");
    let ms = msgs(&d1);
    assert_eq!(ms.len(), 4);
    for m in &ms {
        assert_eq!(m.header.nlmsg_type, RTM_NEWLINK);
        assert_eq!(m.header.nlmsg_flags, NLM_F_MULTI);
    }
    let l: Vec<LinkMsg<'_>> = ms.iter().map(|m| LinkMsg::decode(m).unwrap()).collect();
    // The owned links: the bridge options (IFLA_BR_STP_STATE) are read there.
    let owned: Vec<Link> = l.iter().map(Link::from).collect();

    let names: Vec<&str> = l.iter().map(|x| x.name_str().unwrap()).collect();
    assert_eq!(names, ["lo", "veth1", "veth0", "br0"]);
    let idx: Vec<u32> = l.iter().map(|x| x.index()).collect();
    assert_eq!(idx, [1, 2, 3, 4]);

    // lo: ARPHRD_LOOPBACK, UP|LOOPBACK|RUNNING|LOWER_UP, MTU 65536, no kind.
    assert_eq!(l[0].header.ifi_type, 772);
    assert_eq!(
        l[0].flags().0,
        IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP
    );
    assert_eq!(l[0].flags().0, 0x10049);
    assert_eq!(l[0].mtu, Some(65536));
    assert_eq!(l[0].address, Some(&[0u8; 6][..]));
    assert_eq!(l[0].operstate, Some(IF_OPER_UNKNOWN));
    assert_eq!((l[0].kind, l[0].master, l[0].link), (None, None, None));
    assert_eq!(owned[0].kind, None);

    // veth1: ARPHRD_ETHER, BROADCAST|MULTICAST (down), kind veth, peer = 3.
    assert_eq!(l[1].header.ifi_type, 1);
    assert_eq!(l[1].flags().0, IFF_BROADCAST | IFF_MULTICAST);
    assert_eq!(l[1].mtu, Some(1500));
    assert_eq!(l[1].operstate, Some(IF_OPER_DOWN));
    assert_eq!(l[1].kind_str(), Some("veth"));
    assert_eq!(l[1].link, Some(3));
    assert_eq!(l[1].master, None);
    assert_eq!(l[1].slave_kind, None);
    assert_eq!(l[1].address.map(<[u8]>::len), Some(6));

    // veth0: enslaved to br0 (IFLA_MASTER 4, INFO_SLAVE_KIND "bridge").
    assert_eq!(l[2].kind_str(), Some("veth"));
    assert_eq!(l[2].master, Some(4));
    assert_eq!(l[2].slave_kind, Some(&b"bridge"[..]));
    assert_eq!(l[2].link, Some(2));
    assert_eq!(l[2].mtu, Some(1500));
    // A veth, so no bridge options.
    assert!(
        matches!(owned[2].kind, Some(LinkKind::Veth(_))),
        "{:?}",
        owned[2].kind
    );
    assert_eq!(owned[2].port_kind.as_deref(), Some("bridge"));

    // br0: kind bridge, IFLA_BR_STP_STATE 0 inside INFO_DATA; takes veth0's MAC.
    assert_eq!(l[3].kind_str(), Some("bridge"));
    match &owned[3].kind {
        Some(LinkKind::Bridge(br)) => assert_eq!(br.stp, Some(false)),
        other => panic!("br0's kind: {other:?}"),
    }
    assert_eq!(l[3].master, None);
    assert_eq!(l[3].mtu, Some(1500));
    assert_eq!(l[3].address, l[2].address);

    // The public conversion to an owned Link.
    let o = &owned[2];
    assert_eq!(
        (o.index, o.name_str().as_str(), o.mtu),
        (3, "veth0", Some(1500))
    );
    assert_eq!(o.name.unwrap(), "veth0");
    assert_eq!(Link::decode(&ms[2]).unwrap(), *o);

    let d2 = fx::bytes("reply_link_dump_2");
    let done = msgs(&d2);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].header.nlmsg_type, NLMSG_DONE);
    assert_eq!(done[0].header.nlmsg_flags, NLM_F_MULTI);
    let a = parse_done(&done[0]).unwrap();
    assert_eq!((a.error, a.errno(), a.message), (0, 0, None));
}

// The kernel sets NLA_F_NESTED on some attributes (IFLA_DEVLINK_PORT = 0x803e,
// IFLA_DPLL_PIN = 0x8041, both empty): the reader masks the flag off and reports it.
#[test]
fn nested_flag_is_masked_off_attribute_types() {
    let d = fx::bytes("reply_link_dump_1");
    let m = msgs(&d)[0];
    let (_, attrs) = m.split::<IfInfoMsg>().unwrap();
    let attrs: Vec<Attr<'_>> = attrs.collect::<Result<_, _>>().unwrap();
    let flagged: Vec<(u16, usize)> = attrs
        .iter()
        .filter(|a| a.nested_flag)
        .map(|a| (a.ty, a.value.len()))
        .collect();
    assert_eq!(flagged, [(62, 0), (65, 0)]);
    // Types out of numeric order are all there: NETNS_IMMUTABLE(67) right after
    // LINKMODE(17).
    let pos = |t: u16| attrs.iter().position(|a| a.ty == t).unwrap();
    assert_eq!(pos(67), pos(IFLA_LINKMODE) + 1);
}

// u64 payloads in IFLA_BR_* are only 4-byte aligned (len 12): read unaligned.
#[test]
fn bridge_u64_timers_read_unaligned() {
    let d = fx::bytes("reply_link_dump_1");
    let br = msgs(&d)[3];
    let (_, attrs) = br.split::<IfInfoMsg>().unwrap();
    let info = attrs.find(IFLA_LINKINFO).unwrap().unwrap();
    let data = info.nested().find(IFLA_INFO_DATA).unwrap().unwrap();
    let mut u64s = 0;
    for a in data.nested() {
        let a = a.unwrap();
        if matches!(
            a.ty,
            IFLA_BR_HELLO_TIMER
                | IFLA_BR_TCN_TIMER
                | IFLA_BR_TOPOLOGY_CHANGE_TIMER
                | IFLA_BR_GC_TIMER
        ) {
            assert_eq!(a.value.len(), 8);
            let off = a.value.as_ptr() as usize - d.as_ptr() as usize;
            assert_eq!(off % 4, 0);
            a.u64().unwrap();
            u64s += 1;
        }
    }
    assert_eq!(u64s, 4);
    let fd = data.nested().find(IFLA_BR_FORWARD_DELAY).unwrap().unwrap();
    assert_eq!(fd.u32().unwrap(), 1500); // 15 s in centiseconds
}

// reply_getlink.hex: the answer to the RTM_GETLINK lookup by name — one RTM_NEWLINK
// with nlmsg_flags 0, veth0 (index 3), kind veth, peer 2, qdisc noop.
#[test]
fn getlink_reply() {
    let d = fx::bytes("reply_getlink");
    let ms = msgs(&d);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].header.nlmsg_flags, 0);
    let l = LinkMsg::decode(&ms[0]).unwrap();
    assert_eq!(
        (l.name_str(), l.index(), l.header.ifi_type),
        (Some("veth0"), 3, 1)
    );
    assert_eq!(l.flags().0, IFF_BROADCAST | IFF_MULTICAST);
    assert_eq!(
        (l.mtu, l.kind_str(), l.link),
        (Some(1500), Some("veth"), Some(2))
    );
    assert_eq!((l.master, l.slave_kind), (None, None));
    // A veth: no bridge options.
    assert!(matches!(Link::from(&l).kind, Some(LinkKind::Veth(_))));
    assert_eq!(l.operstate, Some(IF_OPER_DOWN));
    let (_, attrs) = ms[0].split::<IfInfoMsg>().unwrap();
    let q = attrs.find(IFLA_QDISC).unwrap().unwrap();
    assert_eq!(q.str().unwrap(), "noop");
    // A reply of another type is refused by each typed parser, not misread.
    assert!(AddrMsg::decode(&ms[0]).is_err());
    assert!(RouteMsg::decode(&ms[0]).is_err());
    assert!(NexthopMsg::decode(&ms[0]).is_err());
}

// ---------------------------------------------------------------- addresses

// reply_addr_dump_1.hex + _2: `ip addr show` with 10.0.0.1/24 and fd00::1/64 nodad on
// veth0 (index 3). IPv4 has IFA_LOCAL; IPv6 only IFA_ADDRESS.
#[test]
fn addr_dump() {
    let d = fx::bytes("reply_addr_dump_1");
    let ms = msgs(&d);
    assert_eq!(ms.len(), 6);
    let a: Vec<AddrMsg> = ms
        .iter()
        .map(|m| {
            assert_eq!(m.header.nlmsg_flags, NLM_F_MULTI);
            AddrMsg::decode(m).unwrap()
        })
        .collect();
    // (family, index, prefix length), (scope, flags)
    let id = |a: &AddrMsg| (a.header.ifa_family, a.index(), a.header.ifa_prefixlen);
    let scope_flags = |a: &AddrMsg| (a.header.ifa_scope, a.flags().0);
    // The raw IFA_ADDRESS / IFA_LOCAL attributes.
    let raw = |a: &AddrMsg, ty: u16| {
        Attrs::new(a.attrs)
            .find(ty)
            .unwrap()
            .map(|x| x.ip().unwrap())
    };

    // The view reports a `peer` only where IFA_ADDRESS differs from IFA_LOCAL (a
    // point-to-point address); here both are the address itself, so no peer, and the
    // prefix address IFA_ADDRESS is the address.
    let lo4 = &a[0];
    assert_eq!(id(lo4), (AF_INET, 1, 8));
    assert_eq!(scope_flags(lo4), (RT_SCOPE_HOST, IFA_F_PERMANENT));
    assert_eq!(lo4.address, Some(ip("127.0.0.1")));
    assert_eq!(lo4.peer, None);
    assert_eq!(raw(lo4, IFA_ADDRESS), Some(ip("127.0.0.1")));
    assert_eq!(raw(lo4, IFA_LOCAL), Some(ip("127.0.0.1")));

    let v4 = &a[1];
    assert_eq!(id(v4), (AF_INET, 3, 24));
    assert_eq!(scope_flags(v4), (RT_SCOPE_UNIVERSE, IFA_F_PERMANENT));
    assert_eq!(v4.address, Some(ip("10.0.0.1")));

    let lo6 = &a[2];
    assert_eq!(id(lo6), (AF_INET6, 1, 128));
    assert_eq!(
        (lo6.header.ifa_scope, lo6.address),
        (RT_SCOPE_HOST, Some(ip("::1")))
    );

    // fe80::/64 on veth1, tentative (the link is down).
    let ll1 = &a[3];
    assert_eq!(
        (ll1.index(), ll1.header.ifa_prefixlen, ll1.header.ifa_scope),
        (2, 64, RT_SCOPE_LINK)
    );
    assert_eq!(ll1.flags().0, IFA_F_PERMANENT | IFA_F_TENTATIVE);
    match ll1.address {
        Some(IpAddr::V6(x)) => assert_eq!(x.segments()[..4], [0xfe80, 0, 0, 0]),
        other => panic!("{other:?}"),
    }

    // IPv6: IFA_ADDRESS only, no IFA_LOCAL; so no peer either.
    let v6 = &a[4];
    assert_eq!(id(v6), (AF_INET6, 3, 64));
    assert_eq!(v6.flags().0, IFA_F_PERMANENT | IFA_F_NODAD);
    assert_eq!(v6.address, Some(ip("fd00::1")));
    assert_eq!(v6.peer, None);
    assert_eq!(raw(v6, IFA_ADDRESS), v6.address);
    assert_eq!(raw(v6, IFA_LOCAL), None);

    let ll0 = &a[5];
    assert_eq!((ll0.index(), ll0.header.ifa_scope), (3, RT_SCOPE_LINK));

    // The public conversion.
    let owned = Address::try_from(v6).unwrap();
    assert_eq!((owned.address, owned.prefix_len), (ip("fd00::1"), 64));
    assert_eq!(
        (owned.peer, owned.flags.0),
        (None, IFA_F_PERMANENT | IFA_F_NODAD)
    );
    assert_eq!(Address::decode(&ms[4]).unwrap(), owned);

    let d2 = fx::bytes("reply_addr_dump_2");
    let done = msgs(&d2);
    assert_eq!(done[0].header.nlmsg_type, NLMSG_DONE);
    assert_eq!(parse_done(&done[0]).unwrap().error, 0);
}

// ------------------------------------------------------------------ nexthops

// reply_nexthop_dump.hex: `ip nexthop show` after `ip nexthop add id 7 via 10.0.0.254
// dev veth0`, `... id 8 dev veth0`, `... id 9 blackhole` and `... id 3 group 7/8,5`:
// four RTM_NEWNEXTHOP (the group first) and NLMSG_DONE in one datagram.
#[test]
fn nexthop_dump() {
    let d = fx::bytes("reply_nexthop_dump");
    let ms = msgs(&d);
    assert_eq!(ms.len(), 5);
    let n: Vec<NexthopMsg> = ms[..4]
        .iter()
        .map(|m| NexthopMsg::decode(m).unwrap())
        .collect();
    // The group: family AF_UNSPEC, NHA_GROUP_TYPE 0 (multipath), members 7 (weight 1)
    // and 8 (weight 5, sent as 4).
    assert_eq!(
        (n[0].id, n[0].header.nh_family, n[0].group_type),
        (3, AF_UNSPEC, Some(0))
    );
    assert_eq!(
        n[0].group_members().collect::<Vec<_>>(),
        vec![
            GroupMember { id: 7, weight: 1 },
            GroupMember { id: 8, weight: 5 }
        ]
    );
    assert_eq!(
        (n[0].gateway, n[0].oif, n[0].blackhole),
        (None, None, false)
    );
    // The view, all but its raw attributes (checked through the owned value below).
    let hdr = |family, scope| NhMsg {
        nh_family: family,
        nh_scope: scope,
        ..Default::default()
    };
    assert_eq!(
        NexthopMsg { attrs: &[], ..n[1] },
        NexthopMsg {
            header: hdr(AF_INET, RT_SCOPE_LINK),
            id: 7,
            gateway: Some(ip("10.0.0.254")),
            oif: Some(3),
            ..Default::default()
        }
    );
    assert_eq!(
        NexthopMsg { attrs: &[], ..n[2] },
        NexthopMsg {
            header: hdr(AF_INET, RT_SCOPE_HOST),
            id: 8,
            oif: Some(3),
            ..Default::default()
        }
    );
    assert_eq!(
        NexthopMsg { attrs: &[], ..n[3] },
        NexthopMsg {
            header: hdr(AF_INET, 0),
            id: 9,
            blackhole: true,
            ..Default::default()
        }
    );
    assert!(n[1..].iter().all(|x| x.group.is_empty()));
    // The owned nexthops: the same, and nothing else (no attribute left unread).
    let owned: Vec<Nexthop> = n.iter().map(Nexthop::from).collect();
    assert_eq!(
        owned[1..],
        [
            Nexthop {
                family: Family::INET,
                scope: Scope::LINK,
                ..Nexthop::via(7, Some(ip("10.0.0.254")), 3)
            },
            Nexthop {
                family: Family::INET,
                scope: Scope::HOST,
                ..Nexthop::via(8, None, 3)
            },
            Nexthop {
                family: Family::INET,
                id: 9,
                blackhole: true,
                ..Default::default()
            },
        ]
    );
    // The group: its members and type; the kernel's attribute 14 (newer than these
    // headers) is kept raw, to be sent back as it came.
    assert_eq!(
        (owned[0].id, owned[0].family, owned[0].group_type),
        (3, Family::UNSPEC, Some(0))
    );
    assert_eq!(owned[0].group, n[0].group_members().collect::<Vec<_>>());
    assert_eq!(
        owned[0]
            .other
            .iter()
            .flatten()
            .map(|a| a.ty)
            .collect::<Vec<_>>(),
        [14]
    );
    assert_eq!(ms[4].header.nlmsg_type, NLMSG_DONE);
    // Not a nexthop: refused by type.
    assert!(NexthopMsg::decode(&ms[4]).is_err());
}

// ------------------------------------------------------------------ routes

// reply_route_dump_1.hex + _2: `ip -4 route show table all`, strict checking on, so
// every message has MULTI|DUMP_FILTERED.
#[test]
fn route_dump_v4() {
    let d = fx::bytes("reply_route_dump_1");
    let ms = msgs(&d);
    assert_eq!(ms.len(), 7);
    let r: Vec<RouteMsg> = ms
        .iter()
        .map(|m| {
            assert_eq!(m.header.nlmsg_flags, NLM_F_MULTI | NLM_F_DUMP_FILTERED);
            RouteMsg::decode(m).unwrap()
        })
        .collect();

    // default via 10.0.0.254 dev veth0, proto boot.
    let def = &r[0];
    assert_eq!(
        (def.header.rtm_family, def.dst, def.dst_len()),
        (AF_INET, None, 0)
    );
    assert_eq!(def.gateway, Some(ip("10.0.0.254")));
    assert_eq!((def.oif, def.prefsrc, def.priority), (Some(3), None, None));
    assert_eq!(def.table, RT_TABLE_MAIN as u32);
    assert_eq!(
        (
            def.header.rtm_protocol,
            def.header.rtm_scope,
            def.header.rtm_type
        ),
        (RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST)
    );

    // 10.0.0.0/24 dev veth0 proto kernel scope link src 10.0.0.1
    let net = &r[1];
    assert_eq!((net.dst, net.dst_len()), (Some(ip("10.0.0.0")), 24));
    assert_eq!((net.gateway, net.prefsrc), (None, Some(ip("10.0.0.1"))));
    assert_eq!(
        (
            net.header.rtm_protocol,
            net.header.rtm_scope,
            net.header.rtm_type,
            net.table
        ),
        (RTPROT_KERNEL, RT_SCOPE_LINK, RTN_UNICAST, 254)
    );

    // The local table.
    let local: Vec<(IpAddr, u8, u8, u8, u32)> = r[2..]
        .iter()
        .map(|x| {
            (
                x.dst.unwrap(),
                x.dst_len(),
                x.header.rtm_type,
                x.header.rtm_scope,
                x.oif.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        local,
        [
            (ip("10.0.0.1"), 32, RTN_LOCAL, RT_SCOPE_HOST, 3),
            (ip("10.0.0.255"), 32, RTN_BROADCAST, RT_SCOPE_LINK, 3),
            (ip("127.0.0.0"), 8, RTN_LOCAL, RT_SCOPE_HOST, 1),
            (ip("127.0.0.1"), 32, RTN_LOCAL, RT_SCOPE_HOST, 1),
            (ip("127.255.255.255"), 32, RTN_BROADCAST, RT_SCOPE_LINK, 1),
        ]
    );
    assert!(r[2..].iter().all(|x| x.table == RT_TABLE_LOCAL as u32));

    let owned = Route::from(def);
    assert_eq!((owned.gateway, owned.dst_len), (Some(ip("10.0.0.254")), 0));
    assert_eq!(
        owned,
        Route {
            oif: Some(3),
            ..Route::default_via(ip("10.0.0.254"))
        },
        "nothing but what `ip route add default via 10.0.0.254` set"
    );

    let d2 = fx::bytes("reply_route_dump_2");
    assert_eq!(parse_done(&msgs(&d2)[0]).unwrap().error, 0);
}

// reply_route6_dump_1.hex + _2: `ip -6 route show table all`.
#[test]
fn route_dump_v6() {
    let d = fx::bytes("reply_route6_dump_1");
    let r: Vec<RouteMsg> = msgs(&d)
        .iter()
        .map(|m| RouteMsg::decode(m).unwrap())
        .collect();
    assert_eq!(r.len(), 8);
    assert!(r.iter().all(|x| x.family() == Family::INET6));
    type Summary = (Option<IpAddr>, u8, u32, u8, Option<u32>, Option<u32>);
    let summary: Vec<Summary> = r
        .iter()
        .map(|x| {
            (
                x.dst,
                x.dst_len(),
                x.table,
                x.header.rtm_type,
                x.oif,
                x.priority,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some(ip("fd00::")), 64, 254, RTN_UNICAST, Some(3), Some(256)),
            (Some(ip("fe80::")), 64, 254, RTN_UNICAST, Some(2), Some(256)),
            (Some(ip("fe80::")), 64, 254, RTN_UNICAST, Some(3), Some(256)),
            (None, 0, 254, RTN_UNICAST, Some(3), Some(1024)),
            (Some(ip("::1")), 128, 255, RTN_LOCAL, Some(1), Some(0)),
            (Some(ip("fd00::1")), 128, 255, RTN_LOCAL, Some(3), Some(0)),
            (
                Some(ip("ff00::")),
                8,
                255,
                RTN_MULTICAST,
                Some(2),
                Some(256)
            ),
            (
                Some(ip("ff00::")),
                8,
                255,
                RTN_MULTICAST,
                Some(3),
                Some(256)
            ),
        ]
    );
    // Only the default route has a gateway, and it came from `ip` (proto boot).
    let gws: Vec<_> = r.iter().map(|x| x.gateway).collect();
    assert_eq!(gws.iter().flatten().count(), 1);
    assert_eq!(r[3].gateway, Some(ip("fd00::fe")));
    assert_eq!(r[3].header.rtm_protocol, RTPROT_BOOT);
    assert!(r
        .iter()
        .enumerate()
        .all(|(i, x)| i == 3 || x.header.rtm_protocol == RTPROT_KERNEL));

    let d2 = fx::bytes("reply_route6_dump_2");
    assert_eq!(parse_done(&msgs(&d2)[0]).unwrap().error, 0);
}

// ------------------------------------------------------------ ACKs and errors

// reply_ack.hex: the ACK of `ip link set dev veth0 up` — NLMSG_ERROR 0 with
// NLM_F_CAPPED, echoing only the request's 16-byte header.
#[test]
fn ack() {
    let d = fx::bytes("reply_ack");
    let ms = msgs(&d);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].header.nlmsg_type, NLMSG_ERROR);
    assert_eq!(ms[0].header.nlmsg_flags, NLM_F_CAPPED);
    let a = parse_error(&ms[0]).unwrap();
    assert_eq!(
        (a.error, a.errno(), a.message, a.offset),
        (0, 0, None, None)
    );
    assert_eq!(a.request.nlmsg_len, 32);
    assert_eq!(a.request.nlmsg_type, RTM_NEWLINK);
    assert_eq!(a.request.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    assert_eq!(a.request.nlmsg_seq, ms[0].header.nlmsg_seq);
}

// reply_error_extack.hex: `ip link add d0 type dummy` on a kernel without dummy —
// -EOPNOTSUPP, flags ACK_TLVS (not capped: the whole request is echoed), then
// NLMSGERR_ATTR_MSG "Unknown device type".
#[test]
fn error_with_extack() {
    let d = fx::bytes("reply_error_extack");
    let ms = msgs(&d);
    assert_eq!(ms[0].header.nlmsg_flags, NLM_F_ACK_TLVS);
    let a = parse_error(&ms[0]).unwrap();
    assert_eq!((a.error, a.errno()), (-95, libc::EOPNOTSUPP));
    assert_eq!(a.message, Some("Unknown device type"));
    assert_eq!(a.missing_type, None);
    assert_eq!(a.request.nlmsg_len, 56);
    assert_eq!(a.request.nlmsg_type, RTM_NEWLINK);
    assert_eq!(
        a.request.nlmsg_flags,
        NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    );
    // The echoed request is what rtnl's encoder builds for the same link, as the
    // exchange sends it (modulo seq).
    let echoed = &ms[0].payload[4..4 + 56];
    let ours = dummy_link_add();
    assert_eq!(ours.len(), 56);
    assert_eq!((&echoed[..8], &echoed[16..]), (&ours[..8], &ours[16..]));
}

// reply_error_plain.hex: `ip route del 10.99.0.0/16 dev veth0` — -ESRCH, no TLVs, the
// whole 44-byte RTM_DELROUTE echoed (equal to rtnl's encoding of that request).
#[test]
fn error_plain() {
    let d = fx::bytes("reply_error_plain");
    let ms = msgs(&d);
    assert_eq!(ms[0].header.nlmsg_flags, 0);
    let a = parse_error(&ms[0]).unwrap();
    assert_eq!((a.error, a.errno()), (-3, libc::ESRCH));
    assert_eq!((a.message, a.offset, a.missing_type), (None, None, None));
    assert_eq!(a.request.nlmsg_type, RTM_DELROUTE);
    let echoed = &ms[0].payload[4..4 + 44];
    let ours = route_del();
    assert_eq!(ours.len(), 44);
    assert_eq!((&echoed[..8], &echoed[16..]), (&ours[..8], &ours[16..]));
}

// reply_error_getlink_enodev.hex: the lookup for `ip link del nosuchlink` — -ENODEV;
// the echoed RTM_GETLINK carries IFLA_EXT_MASK 9 and IFLA_IFNAME "nosuchlink".
#[test]
fn error_getlink_enodev() {
    let d = fx::bytes("reply_error_getlink_enodev");
    let ms = msgs(&d);
    let a = parse_error(&ms[0]).unwrap();
    assert_eq!((a.error, a.errno()), (-19, libc::ENODEV));
    assert_eq!(a.message, None);
    assert_eq!(a.request.nlmsg_type, RTM_GETLINK);
    assert_eq!(a.request.nlmsg_flags, NLM_F_REQUEST);
    let echoed = &ms[0].payload[4..4 + 56];
    let inner = msgs(echoed);
    let (ifi, attrs) = inner[0].split::<IfInfoMsg>().unwrap();
    assert_eq!(ifi.ifi_index, 0);
    let attrs: Vec<Attr<'_>> = attrs.collect::<Result<_, _>>().unwrap();
    assert_eq!(attrs[0].ty, IFLA_EXT_MASK);
    assert_eq!(
        attrs[0].u32().unwrap(),
        RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS
    );
    assert_eq!(
        (attrs[1].ty, attrs[1].str().unwrap()),
        (IFLA_IFNAME, "nosuchlink")
    );
}

// ------------------------------------------------ replayed through Conn

/// A transport that answers each request with the next captured datagrams, rewriting
/// every message's seq and pid to the request's seq and our port id.
struct Replay {
    script: VecDeque<Vec<u8>>,
    seq: u32,
}

const PORT: u32 = 777;

impl Replay {
    fn new(files: &[&str]) -> Self {
        Replay {
            script: files.iter().map(|f| fx::bytes(f)).collect(),
            seq: 0,
        }
    }
}

impl Transport for Replay {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        self.seq = u32::from_ne_bytes(buf[8..12].try_into().unwrap());
        Ok(())
    }
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let mut d = self
            .script
            .pop_front()
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EAGAIN))?;
        let mut off = 0;
        while off + 16 <= d.len() {
            let len = u32::from_ne_bytes(d[off..off + 4].try_into().unwrap()) as usize;
            d[off + 8..off + 12].copy_from_slice(&self.seq.to_ne_bytes());
            d[off + 12..off + 16].copy_from_slice(&PORT.to_ne_bytes());
            off += align4(len).max(16);
        }
        if buf.len() < d.len() {
            buf.resize(d.len(), 0);
        }
        buf[..d.len()].copy_from_slice(&d);
        Ok(d.len())
    }
    fn port_id(&self) -> u32 {
        PORT
    }
}

/// `ip link add d0 type dummy`, as the exchange sends it (the request of
/// reply_error_extack.hex).
fn dummy_link_add() -> Vec<u8> {
    let l = Link::of_kind("d0", "dummy").unwrap();
    as_sent(NLM_F_REQUEST | NLM_F_ACK, |b| l.emit(Verb::Add, b))
}

/// `ip route del 10.99.0.0/16 dev <3>`, as the exchange sends it (the request of
/// reply_error_plain.hex), built as rtnl::delete_route_via_dev builds it.
fn route_del() -> Vec<u8> {
    let mut r = Route::to(ip("10.99.0.0"), 16).unwrap();
    r.protocol = Protocol::UNSPEC;
    r.scope = Scope::NOWHERE;
    r.kind = RouteType::UNSPEC;
    r.oif = Some(3);
    as_sent(NLM_F_REQUEST | NLM_F_ACK, |b| r.emit(Verb::Delete, b))
}

/// The lookup Handle::get_link sends for `name` (the kind of request of
/// reply_error_getlink_enodev.hex and reply_getlink.hex).
fn link_get(name: &str) -> Vec<u8> {
    let g = LinkGet {
        link: name.into(),
        stats: false,
    };
    as_sent(NLM_F_REQUEST, |b| g.emit(b))
}

/// A dump request of each family the replies below answer.
fn dump_request(ty: u16) -> Vec<u8> {
    as_sent(NLM_F_REQUEST | NLM_F_DUMP, |b| match ty {
        RTM_GETLINK => rtnl::LinkFilter::default().emit(b),
        RTM_GETADDR => rtnl::AddrFilter::default().emit(b),
        RTM_GETROUTE => rtnl::RouteFilter::default().emit(b),
        _ => rtnl::NexthopFilter::default().emit(b),
    })
}

// The kernel's refusal becomes Error::Kernel with errno and extended-ACK text, named
// after the refused request's message type.
#[test]
fn replayed_extack_error_becomes_a_typed_error() {
    let mut c = Conn::new(Replay::new(&["reply_error_extack"]));
    let e = c.ack(&mut dummy_link_add()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type"
    );
    assert_eq!(e.errno(), Some(95));
    assert_eq!(e.kernel_message(), Some("Unknown device type"));
    assert!(!e.is_exists() && !e.is_not_found());

    let mut c = Conn::new(Replay::new(&["reply_error_plain"]));
    let e = c.ack(&mut route_del()).unwrap_err();
    assert_eq!(e.to_string(), "RTM_DELROUTE: No such process (os error 3)");
    assert!(e.is_not_found());
    assert_eq!(e.kernel_message(), None);

    let mut c = Conn::new(Replay::new(&["reply_error_getlink_enodev"]));
    let e = c.get(&mut link_get("nosuchlink"), |_| Ok(())).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Kernel {
                op: "RTM_GETLINK",
                errno: 19,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_not_found());
    let mut c = Conn::new(Replay::new(&["reply_error_getlink_enodev"]));
    let e = c.ack(&mut link_get("nosuchlink")).unwrap_err();
    assert!(matches!(e, Error::Kernel { errno: 19, .. }), "{e:?}");
    assert!(e.is_not_found());

    let mut c = Conn::new(Replay::new(&["reply_ack"]));
    c.ack(&mut dummy_link_add()).unwrap();
}

// A GET's reply followed by the ACK; a dump in two datagrams ending with DONE.
#[test]
fn replayed_get_and_dumps_deliver_every_message() {
    let mut c = Conn::new(Replay::new(&["reply_getlink", "reply_ack"]));
    let mut names = Vec::new();
    c.request(&mut link_get("veth0"), |m| {
        names.push(LinkMsg::decode(m).unwrap().name_str().unwrap().to_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(names, ["veth0"]);
    // As Handle::get_link asks: one reply, no ACK.
    let mut c = Conn::new(Replay::new(&["reply_getlink"]));
    let mut got = None;
    c.get(&mut link_get("veth0"), |m| {
        got = Some(Link::decode(m).unwrap());
        Ok(())
    })
    .unwrap();
    assert_eq!(got.and_then(|l| l.name).unwrap(), "veth0");
    assert!(c.transport().script.is_empty());

    for (files, want, ty) in [
        (
            &["reply_link_dump_1", "reply_link_dump_2"][..],
            4,
            RTM_GETLINK,
        ),
        (&["reply_addr_dump_1", "reply_addr_dump_2"], 6, RTM_GETADDR),
        (
            &["reply_route_dump_1", "reply_route_dump_2"],
            7,
            RTM_GETROUTE,
        ),
        (
            &["reply_route6_dump_1", "reply_route6_dump_2"],
            8,
            RTM_GETROUTE,
        ),
        // One datagram: four nexthops and the DONE.
        (&["reply_nexthop_dump"], 4, RTM_GETNEXTHOP),
    ] {
        let mut c = Conn::new(Replay::new(files));
        let mut n = 0;
        c.dump(&mut dump_request(ty), |m| {
            match m.header.nlmsg_type {
                RTM_NEWLINK => drop(LinkMsg::decode(m).unwrap()),
                RTM_NEWADDR => drop(AddrMsg::decode(m).unwrap()),
                RTM_NEWROUTE => drop(RouteMsg::decode(m).unwrap()),
                RTM_NEWNEXTHOP => drop(NexthopMsg::decode(m).unwrap()),
                t => panic!("type {t}"),
            }
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, want, "{files:?}");
        assert!(c.transport().script.is_empty(), "{files:?}: read to DONE");
    }
}

// ------------------------------------------------------------- round trips

/// Emits `obj` as an `ip X add` would and reads the message back.
fn re_emit<'b, T: Object>(obj: &T, buf: &'b mut [u8]) -> Message<'b> {
    let n = obj
        .emit(Verb::Add, buf)
        .expect("a parsed object re-encodes");
    let mut it = Messages::new(&buf[..n]);
    let m = it.next().unwrap().unwrap();
    assert!(it.next().is_none());
    m
}

// Addresses and routes read from the kernel, turned into requests (the owned object
// is the request) and parsed back: the fields a request carries survive.
#[test]
fn parsed_addresses_and_routes_round_trip_through_requests() {
    let d = fx::bytes("reply_addr_dump_1");
    for m in msgs(&d) {
        let a = AddrMsg::decode(&m).unwrap();
        let req = Address::try_from(&a).unwrap();
        let mut buf = [0u8; 256];
        let back_msg = re_emit(&req, &mut buf);
        let back = AddrMsg::decode(&back_msg).unwrap();
        assert_eq!(
            (
                back.index(),
                back.address,
                back.peer,
                back.header.ifa_prefixlen,
                back.header.ifa_scope,
                back.flags()
            ),
            (
                a.index(),
                a.address,
                a.peer,
                a.header.ifa_prefixlen,
                a.header.ifa_scope,
                a.flags()
            )
        );
        // Everything the owned address holds comes back, but the creation and update
        // stamps of IFA_CACHEINFO (reported, not sent).
        let mut want = req.clone();
        want.lifetimes = want.lifetimes.map(|l| Lifetimes {
            created: 0,
            updated: 0,
            ..l
        });
        assert_eq!(Address::decode(&back_msg).unwrap(), want);
    }
    for f in ["reply_route_dump_1", "reply_route6_dump_1"] {
        let d = fx::bytes(f);
        for m in msgs(&d) {
            let r = RouteMsg::decode(&m).unwrap();
            let req = Route::from(&r);
            let mut buf = [0u8; 256];
            // Emitted as RTM_NEWROUTE so the reply parser accepts it.
            let back_msg = re_emit(&req, &mut buf);
            let back = RouteMsg::decode(&back_msg).unwrap();
            // Every field of the view (its raw attributes aside: RTA_TABLE below 256
            // and RTA_CACHEINFO's counters are not sent).
            assert_eq!(
                RouteMsg {
                    attrs: r.attrs,
                    ..back
                },
                r,
                "{f}"
            );
            // The owned route too, but RTA_CACHEINFO (reported, never sent).
            let want = Route { cache: None, ..req };
            assert_eq!(Route::decode(&back_msg).unwrap(), want, "{f}");
        }
    }
}

// Links and nexthops read from the kernel, re-sent as they came and parsed back: what a
// request carries survives (attributes not modelled included, sent back raw); what the
// kernel only reports (counters, carrier, MTU range, ...) is not sent.
#[test]
fn parsed_links_and_nexthops_round_trip_through_requests() {
    let mut n = 0;
    for f in ["reply_link_dump_1", "reply_getlink"] {
        let d = fx::bytes(f);
        for m in msgs(&d) {
            let l = Link::decode(&m).unwrap();
            let mut buf = vec![0u8; 4096];
            let back = Link::decode(&re_emit(&l, &mut buf)).unwrap();
            let want = Link {
                link_type: 0,
                carrier: None,
                promiscuity: None,
                min_mtu: None,
                max_mtu: None,
                perm_address: None,
                alt_names: Vec::new(),
                stats: None,
                port_kind: None,
                port_data: None,
                ..l.clone()
            };
            assert_eq!(back, want, "{f}: {}", l.name_str());
            n += 1;
        }
    }
    let d = fx::bytes("reply_nexthop_dump");
    for m in &msgs(&d)[..4] {
        let nh = Nexthop::decode(m).unwrap();
        let mut buf = [0u8; 256];
        let back = Nexthop::decode(&re_emit(&nh, &mut buf)).unwrap();
        // nh_scope is the kernel's (link with a gateway, host for a device).
        assert_eq!(
            back,
            Nexthop {
                scope: Scope::UNIVERSE,
                ..nh
            }
        );
        n += 1;
    }
    assert_eq!(n, 9);
}

// --------------------------------------------------------------- robustness

/// Every typed accessor of an attribute.
fn poke(a: &Attr<'_>) -> usize {
    let mut ok = 0;
    ok += a.u8().is_ok() as usize;
    ok += a.u16().is_ok() as usize;
    ok += a.u32().is_ok() as usize;
    ok += a.i32().is_ok() as usize;
    ok += a.u64().is_ok() as usize;
    ok += a.fixed::<6>().is_ok() as usize;
    ok += a.str().is_ok() as usize;
    ok += a.ip().is_ok() as usize;
    ok
}

/// Walks a run of attributes, and every payload again as nested attributes (and at
/// VETH_INFO_PEER's depth, as an ifinfomsg followed by attributes), to depth 4.
fn walk_attrs(attrs: Attrs<'_>, depth: u32) -> usize {
    let mut n = 0;
    for a in attrs {
        let Ok(a) = a else { break };
        n += 1 + poke(&a);
        if depth < 4 && !a.value.is_empty() {
            n += walk_attrs(a.nested(), depth + 1);
            let _ = a.nested().find(IFLA_BR_STP_STATE);
        }
        // IFLA_LINKINFO / IFLA_INFO_DATA / VETH_INFO_PEER sits at depth 2.
        if depth == 2 {
            if let Some(rest) = a.value.get(IfInfoMsg::LEN..) {
                n += walk_attrs(Attrs::new(rest), depth + 1);
            }
        }
    }
    n
}

/// Runs every reader on every message of `buf`: the typed views (also with the
/// message type forced to each one's type, so they get past the type check) and the
/// owned objects read through them, the family headers + attributes,
/// parse_error/parse_done, and an error's echoed request.
fn run_all_readers(buf: &[u8], depth: u32) -> usize {
    let mut n = 0;
    for m in Messages::new(buf) {
        let Ok(m) = m else { break };
        n += 1;
        n += LinkMsg::decode(&m).is_ok() as usize;
        n += AddrMsg::decode(&m).is_ok() as usize;
        n += RouteMsg::decode(&m).is_ok() as usize;
        n += NexthopMsg::decode(&m).is_ok() as usize;
        n += neigh_rule_readers(&m);
        for ty in [RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEXTHOP] {
            let mut h = m.header;
            h.nlmsg_type = ty;
            let forced = Message {
                header: h,
                payload: m.payload,
            };
            n += LinkMsg::decode(&forced)
                .map(|l| l.name.map_or(0, <[u8]>::len))
                .unwrap_or(0);
            n += AddrMsg::decode(&forced).is_ok() as usize;
            n += RouteMsg::decode(&forced).is_ok() as usize;
            n += NexthopMsg::decode(&forced).map_or(0, |x| x.id as usize % 7);
            // The owned objects (each reads its view, then every attribute again).
            n += Link::decode(&forced).map_or(0, |l| l.other.len());
            n += Address::decode(&forced).is_ok() as usize;
            n += Route::decode(&forced).map_or(0, |r| r.other.len() + r.multipath.len());
            n += Nexthop::decode(&forced).map_or(0, |x| x.group.len());
        }
        // As an error / a DONE, with every flag combination that changes parsing.
        for flags in [
            0,
            NLM_F_CAPPED,
            NLM_F_ACK_TLVS,
            NLM_F_CAPPED | NLM_F_ACK_TLVS,
        ] {
            let mut h = m.header;
            h.nlmsg_flags = flags;
            let forced = Message {
                header: h,
                payload: m.payload,
            };
            n += parse_error(&forced).is_ok() as usize;
            n += parse_done(&forced).is_ok() as usize;
        }
        if let Ok(a) = parse_error(&m) {
            n += a.message.map_or(0, str::len) + a.errno() as usize % 7;
        }
        let _ = parse_done(&m);
        if let Ok((_, attrs)) = m.split::<IfInfoMsg>() {
            n += walk_attrs(attrs, 0);
        }
        if let Ok((_, attrs)) = m.split::<IfAddrMsg>() {
            n += walk_attrs(attrs, 0);
        }
        if let Ok((_, attrs)) = m.split::<RtMsg>() {
            n += walk_attrs(attrs, 0);
        }
        // An error's echoed request is itself a message.
        if depth == 0 {
            if let Some(echo) = m.payload.get(4..) {
                n += run_all_readers(echo, 1);
            }
        }
    }
    n
}

/// The readers of issue 15 (neighbours, FDB entries, rules), views and owned
/// objects, also with the message type forced to each one's.
fn neigh_rule_readers(m: &Message<'_>) -> usize {
    let mut n = 0;
    for ty in [m.header.nlmsg_type, RTM_NEWNEIGH, RTM_NEWRULE] {
        let mut h = m.header;
        h.nlmsg_type = ty;
        let forced = Message {
            header: h,
            payload: m.payload,
        };
        n += NeighbourMsg::decode(&forced).is_ok() as usize;
        n += FdbMsg::decode(&forced).is_ok() as usize;
        n += RuleMsg::decode(&forced).is_ok() as usize;
        n += rtnl::Neighbour::decode(&forced).map_or(0, |x| x.other.len());
        n += rtnl::FdbEntry::decode(&forced).map_or(0, |x| x.other.len());
        n += rtnl::Rule::decode(&forced).map_or(0, |x| x.other.len());
    }
    n
}

/// The distinct captures (the unnumbered reply files repeat part 1).
fn distinct_fixtures() -> Vec<fx::Fixture> {
    let mut seen = std::collections::HashSet::new();
    fx::all()
        .into_iter()
        .filter(|f| seen.insert(f.bytes.clone()))
        .collect()
}

// Truncated at every length: never a panic; cut inside a message the datagram reader
// reports an error, cut at a message boundary it reads the whole messages before it.
#[test]
fn every_truncation_is_ok_or_err() {
    for f in distinct_fixtures() {
        let b = &f.bytes;
        let mut boundaries = vec![0usize];
        for m in msgs(b) {
            let last = *boundaries.last().unwrap();
            boundaries.push(last + align4(m.header.nlmsg_len as usize));
        }
        for len in 0..=b.len() {
            let cut = &b[..len];
            run_all_readers(cut, 0);
            let results: Vec<_> = Messages::new(cut).collect();
            let errors = results.iter().filter(|r| r.is_err()).count();
            if boundaries.contains(&len) {
                assert_eq!(errors, 0, "{} cut at boundary {len}", f.name);
                assert_eq!(
                    results.len(),
                    boundaries.iter().position(|&x| x == len).unwrap()
                );
            } else {
                assert_eq!(errors, 1, "{} cut at {len}", f.name);
            }
        }
    }
}

// Every single bit of every capture flipped: never a panic from any reader.
//
// The readers are pure functions of the bytes they are given, and the datagram
// iterator reaches message k the same way whatever message k holds. So for a flip in
// message k the readers run on message k alone (its bytes, flipped) — or on message k
// and everything after it when the flip is in its nlmsg_len, which moves the messages
// that follow — while the unchanged messages around it are the untouched capture,
// read once for each fixture below. That is the whole datagram's walk, without
// re-reading the same unchanged bytes 8 × len times.
#[test]
fn every_bit_flip_is_ok_or_err() {
    let fixtures = distinct_fixtures();
    for f in &fixtures {
        assert!(run_all_readers(&f.bytes, 0) > 0, "{}", f.name);
    }
    // (fixture, byte, start of its message, end of its message)
    let mut items: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (fi, f) in fixtures.iter().enumerate() {
        let mut start = 0;
        for m in msgs(&f.bytes) {
            let end = start + align4(m.header.nlmsg_len as usize);
            items.extend((start..end).map(|i| (fi, i, start, end)));
            start = end;
        }
        assert_eq!(start, f.bytes.len());
    }
    let total_bytes: usize = fixtures.iter().map(|f| f.bytes.len()).sum();
    assert_eq!(items.len(), total_bytes);
    // Work handed out in chunks to two threads (the machine has two cores).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let run = || {
        let mut variants = 0usize;
        let mut buf = Vec::new();
        loop {
            let k = next.fetch_add(64, std::sync::atomic::Ordering::Relaxed);
            if k >= items.len() {
                return variants;
            }
            for &(fi, i, start, end) in &items[k..(k + 64).min(items.len())] {
                let bytes = &fixtures[fi].bytes;
                let end = if i - start < 4 { bytes.len() } else { end };
                buf.clear();
                buf.extend_from_slice(&bytes[start..end]);
                for bit in 0..8 {
                    buf[i - start] ^= 1 << bit;
                    run_all_readers(&buf, 0);
                    buf[i - start] ^= 1 << bit;
                    variants += 1;
                }
            }
        }
    };
    let variants = std::thread::scope(|s| {
        let ha = s.spawn(run);
        let hb = s.spawn(run);
        ha.join().unwrap() + hb.join().unwrap()
    });
    assert_eq!(variants, total_bytes * 8);
}

// The documented fixtures parse with no reader error at all (the robustness walk above
// relies on them being valid input to begin with).
#[test]
fn untouched_replies_parse_without_errors() {
    for f in distinct_fixtures()
        .iter()
        .filter(|f| f.name.starts_with("reply_"))
    {
        for m in msgs(&f.bytes) {
            match m.header.nlmsg_type {
                RTM_NEWLINK => drop(Link::from(&LinkMsg::decode(&m).unwrap())),
                RTM_NEWADDR => drop(Address::try_from(&AddrMsg::decode(&m).unwrap()).unwrap()),
                RTM_NEWROUTE => drop(Route::from(&RouteMsg::decode(&m).unwrap())),
                RTM_NEWNEXTHOP => drop(Nexthop::from(&NexthopMsg::decode(&m).unwrap())),
                RTM_NEWNEIGH if m.payload.first() == Some(&AF_BRIDGE) => {
                    drop(rtnl::FdbEntry::from(&FdbMsg::decode(&m).unwrap()))
                }
                RTM_NEWNEIGH => drop(rtnl::Neighbour::from(&NeighbourMsg::decode(&m).unwrap())),
                RTM_NEWRULE => drop(rtnl::Rule::from(&RuleMsg::decode(&m).unwrap())),
                NLMSG_ERROR => drop(parse_error(&m).unwrap()),
                NLMSG_DONE => drop(parse_done(&m).unwrap()),
                t => panic!("{}: type {t}", f.name),
            }
        }
    }
}
