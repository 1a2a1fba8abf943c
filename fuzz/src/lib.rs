//! What the fuzz targets check, as plain functions of bytes.
//!
//! Each function must return for every input, whatever it is; a panic (an `assert!`
//! here, or an out-of-bounds index or overflow inside `rtnl`) is a bug. The parsers
//! must give `Ok` or `Err`, never panic, and what they return must be consistent with
//! the bytes; the encoders must give `Ok` or `Err` for any field values and any buffer
//! size, and what they emit must parse back to the same values.
//!
//! This file has no dependency but `rtnl` so that the main crate's
//! `tests/fuzz_replay.rs` can include it and replay `fuzz/seeds/` and
//! `fuzz/regressions/` under stable `cargo test`.

use rtnl::abi::*;
use rtnl::wire::addr::{AddrMsg, AddrRequest};
use rtnl::wire::link::{LinkKind, LinkMsg, LinkRequest};
use rtnl::wire::nexthop::{GroupMember, NexthopMsg, NexthopRequest};
use rtnl::wire::route::{RouteMsg, RouteRequest};
use rtnl::wire::{parse_done, parse_error, Attr, Attrs, Message, Messages, WireError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How deep `attrs` recurses into nested attributes (every attribute is tried as a
/// nest: most are not, and fail fast).
const MAX_DEPTH: usize = 16;

/// True when `inner` lies inside `outer` (same allocation, in bounds).
fn within(outer: &[u8], inner: &[u8]) -> bool {
    let o = outer.as_ptr() as usize;
    let i = inner.as_ptr() as usize;
    i >= o && i + inner.len() <= o + outer.len()
}

/// Target `messages`: iterate over a datagram with [`Messages`], and walk every
/// message's payload as attributes (after each family header size the crate knows).
pub fn messages(data: &[u8]) {
    let mut it = Messages::new(data);
    let mut consumed = 0usize;
    while let Some(m) = it.next() {
        match m {
            Ok(m) => {
                let len = m.header.nlmsg_len as usize;
                assert!(len >= NlMsgHdr::LEN, "nlmsg_len {len} below the header");
                assert_eq!(m.payload.len(), len - NlMsgHdr::LEN);
                assert!(within(data, m.payload));
                assert!(consumed + len <= data.len());
                consumed += align4(len);
                for skip in [0, IfAddrMsg::LEN, RtMsg::LEN, IfInfoMsg::LEN, NlMsgErr::LEN] {
                    if let Some(p) = m.payload.get(skip..) {
                        walk(p, Attrs::new(p), 0);
                    }
                }
            }
            Err(_) => {
                // An error ends the iteration.
                assert!(it.next().is_none(), "Messages went on after an error");
                break;
            }
        }
    }
}

/// Target `attrs`: the first byte picks where the attribute run starts (so the
/// corpus can hold whole messages), the rest is walked as attributes, recursively.
pub fn attrs(data: &[u8]) {
    let Some((&skip, rest)) = data.split_first() else {
        return;
    };
    let p = rest.get(skip as usize..).unwrap_or(&[]);
    walk(p, Attrs::new(p), 0);
    // `find` agrees with iteration.
    for ty in [IFLA_IFNAME, IFLA_LINKINFO, RTA_DST, 0, NLA_TYPE_MASK] {
        let first = Attrs::new(p)
            .take_while(|a| a.is_ok())
            .flatten()
            .find(|a| a.ty == ty);
        match Attrs::new(p).find(ty) {
            Ok(Some(a)) => assert_eq!(Some(a), first),
            Ok(None) => assert_eq!(first, None),
            // An error before any match; a match may not come before it.
            Err(_) => assert_eq!(first, None),
        }
    }
}

fn walk(outer: &[u8], attrs: Attrs<'_>, depth: usize) {
    let mut it = attrs;
    while let Some(a) = it.next() {
        match a {
            Ok(a) => {
                assert!(within(outer, a.value));
                accessors(&a);
                if depth < MAX_DEPTH {
                    walk(a.value, a.nested(), depth + 1);
                }
            }
            Err(_) => {
                assert!(it.next().is_none(), "Attrs went on after an error");
                break;
            }
        }
    }
}

/// Every typed accessor agrees with the payload's length and content.
fn accessors(a: &Attr<'_>) {
    let n = a.value.len();
    assert_eq!(a.u8().is_ok(), n >= 1);
    assert_eq!(a.u16().is_ok(), n >= 2);
    assert_eq!(a.u32().is_ok(), n >= 4);
    assert_eq!(a.i32().is_ok(), n >= 4);
    assert_eq!(a.u64().is_ok(), n >= 8);
    assert_eq!(a.fixed::<16>().is_ok(), n >= 16);
    assert_eq!(a.ip().is_ok(), n == 4 || n == 16);
    if let Ok(s) = a.str() {
        assert!(s.len() <= n && !s.as_bytes().contains(&0));
        assert_eq!(s.as_bytes(), &a.value[..s.len()]);
    }
}

/// Target `ack`: every message of the datagram decoded as `NLMSG_ERROR` and as
/// `NLMSG_DONE`, whatever its type says.
pub fn ack(data: &[u8]) {
    for m in Messages::new(data) {
        let Ok(m) = m else { break };
        for as_type in [m.header.nlmsg_type, NLMSG_ERROR, NLMSG_DONE] {
            let mut m = m;
            m.header.nlmsg_type = as_type;
            check_ack(&m);
        }
    }
}

fn check_ack(m: &Message<'_>) {
    match parse_error(m) {
        Ok(a) => {
            let e = NlMsgErr::read_from(m.payload).expect("Ok needs a struct nlmsgerr");
            assert_eq!(a.error, e.error);
            assert_eq!(a.request, e.msg);
            // errno() never overflows, even for i32::MIN.
            let _ = a.errno();
            if let Some(t) = a.message {
                assert!(within(m.payload, t.as_bytes()));
            }
            if m.header.nlmsg_flags & NLM_F_ACK_TLVS == 0 {
                assert_eq!((a.message, a.offset, a.missing_type), (None, None, None));
            }
        }
        Err(e) => assert!(
            matches!(
                e,
                WireError::Truncated | WireError::BadLength | WireError::BadAttribute(_)
            ),
            "{e:?}"
        ),
    }
    match parse_done(m) {
        Ok(a) => {
            if m.payload.is_empty() {
                assert_eq!(a.error, 0);
            } else {
                let b: [u8; 4] = m.payload[..4].try_into().unwrap();
                assert_eq!(a.error, i32::from_ne_bytes(b));
            }
            assert_eq!(a.request, m.header);
            let _ = a.errno();
            if let Some(t) = a.message {
                assert!(within(m.payload, t.as_bytes()));
            }
        }
        Err(e) => assert!(
            matches!(
                e,
                WireError::Truncated | WireError::BadLength | WireError::BadAttribute(_)
            ),
            "{e:?}"
        ),
    }
}

/// Target `typed`: every message of the datagram read as a link, an address and a
/// route (its type patched so that each reader gets past the type check). What a
/// reader accepts is then re-encoded by the matching request encoder and read again:
/// the fields must survive the round trip.
pub fn typed(data: &[u8]) {
    for m in Messages::new(data) {
        let Ok(m) = m else { break };
        // The readers refuse other types.
        if m.header.nlmsg_type != RTM_NEWLINK {
            assert!(matches!(
                LinkMsg::parse(&m),
                Err(WireError::UnexpectedType(_))
            ));
        }
        let mut as_link = m;
        as_link.header.nlmsg_type = RTM_NEWLINK;
        if let Ok(l) = LinkMsg::parse(&as_link) {
            link_round_trip(&l, m.payload.len());
        }
        let mut as_addr = m;
        as_addr.header.nlmsg_type = RTM_NEWADDR;
        if let Ok(a) = AddrMsg::parse(&as_addr) {
            addr_round_trip(&a);
        }
        let mut as_route = m;
        as_route.header.nlmsg_type = RTM_NEWROUTE;
        if let Ok(r) = RouteMsg::parse(&as_route) {
            route_round_trip(&r);
        }
        let mut as_nexthop = m;
        as_nexthop.header.nlmsg_type = RTM_NEWNEXTHOP;
        if let Ok(n) = NexthopMsg::parse(&as_nexthop) {
            nexthop_round_trip(&n);
        }
    }
}

fn nexthop_round_trip(n: &NexthopMsg<'_>) {
    let members: Vec<GroupMember> = n.group_members().collect();
    let req = NexthopRequest {
        family: n.family,
        protocol: n.protocol,
        id: n.id,
        gateway: n.gateway,
        blackhole: n.blackhole,
        oif: n.oif,
        group: &members,
    };
    let mut buf = vec![0u8; 128 + 8 * members.len()];
    let len = req
        .emit(&mut buf, RTM_NEWNEXTHOP, NLM_F_REQUEST)
        .expect("decoded weights are 1..=256, so they encode");
    let back = NexthopMsg::parse(&only_message(&buf[..len])).expect("re-encoded nexthop parses");
    assert_eq!(
        (
            back.family,
            back.protocol,
            back.gateway,
            back.blackhole,
            back.oif
        ),
        (n.family, n.protocol, n.gateway, n.blackhole, n.oif)
    );
    // id 0 is not sent (the kernel picks one); anything else comes back.
    assert_eq!(back.id, n.id);
    // Members and weights come back (reserved bytes of the input are not kept).
    assert_eq!(back.group_members().collect::<Vec<_>>(), members);
    assert!(back.scope == 0 && back.flags == 0 && back.group_type.is_none());
}

fn only_message(buf: &[u8]) -> Message<'_> {
    let mut it = Messages::new(buf);
    let m = it
        .next()
        .expect("one message")
        .expect("emitted message parses");
    assert!(it.next().is_none(), "trailing bytes after the message");
    m
}

fn link_round_trip(l: &LinkMsg<'_>, payload_len: usize) {
    let kind = l.kind.map(|k| match k {
        "bridge" => LinkKind::Bridge {
            stp: l.bridge_stp.map(|s| s != 0),
        },
        k => LinkKind::Other(k),
    });
    let req = LinkRequest {
        index: l.index,
        flags: l.flags,
        change: 0,
        name: (!l.name.is_empty()).then_some(l.name),
        address: l.address,
        mtu: l.mtu,
        master: l.master,
        kind,
        ..Default::default()
    };
    // Re-encoding adds at most a NUL and padding per attribute it kept.
    let mut buf = vec![0u8; 2 * payload_len + 256];
    let n = req
        .emit(&mut buf, RTM_NEWLINK, NLM_F_REQUEST)
        .unwrap_or_else(|e| panic!("re-encoding a parsed link: {e:?}"));
    let back = LinkMsg::parse(&only_message(&buf[..n])).expect("re-encoded link parses");
    assert_eq!(
        (back.index, back.flags, back.name, back.address),
        (l.index, l.flags, l.name, l.address)
    );
    assert_eq!(
        (back.mtu, back.master, back.kind),
        (l.mtu, l.master, l.kind)
    );
    if l.kind == Some("bridge") {
        assert_eq!(back.bridge_stp, l.bridge_stp.map(|s| (s != 0) as u32));
    }
}

fn addr_round_trip(a: &AddrMsg) {
    let Some(address) = a.address else { return };
    let req = AddrRequest {
        index: a.index,
        address,
        prefix_len: a.prefix_len,
        flags: a.flags,
        scope: a.scope,
    };
    let mut buf = [0u8; 128];
    let n = req
        .emit(&mut buf, RTM_NEWADDR, NLM_F_REQUEST)
        .expect("an address always fits 128 bytes");
    let back = AddrMsg::parse(&only_message(&buf[..n])).expect("re-encoded address parses");
    assert_eq!(
        (back.index, back.address, back.peer, back.prefix_len),
        (a.index, Some(address), Some(address), a.prefix_len)
    );
    assert_eq!((back.flags, back.scope), (a.flags, a.scope));
    let family = if address.is_ipv4() { AF_INET } else { AF_INET6 };
    assert_eq!(back.family, family);
}

fn route_round_trip(r: &RouteMsg) {
    let req = RouteRequest::from(r);
    let mut buf = [0u8; 256];
    let n = req
        .emit(&mut buf, RTM_NEWROUTE, NLM_F_REQUEST)
        .expect("a route always fits 256 bytes");
    let back = RouteMsg::parse(&only_message(&buf[..n])).expect("re-encoded route parses");
    assert_eq!(
        RouteMsg {
            flags: r.flags,
            ..back
        },
        *r
    );
    assert_eq!(back.flags, 0);
}

/// Reads field values out of fuzz bytes; zeros once they run out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        h
    }
    fn u8(&mut self) -> u8 {
        self.bytes(1).first().copied().unwrap_or(0)
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    fn opt_u32(&mut self) -> Option<u32> {
        if self.bool() {
            Some(self.u32())
        } else {
            None
        }
    }
    /// A string of up to `max` bytes (lossy UTF-8; may contain NUL).
    fn string(&mut self, max: usize) -> String {
        let n = self.u8() as usize % (max + 1);
        String::from_utf8_lossy(self.bytes(n)).into_owned()
    }
    /// Up to `max` bytes.
    fn blob(&mut self, max: usize) -> &'a [u8] {
        let n = self.u16() as usize % (max + 1);
        self.bytes(n)
    }
    fn ip(&mut self) -> IpAddr {
        if self.bool() {
            let b: [u8; 4] = std::array::from_fn(|_| self.u8());
            IpAddr::V4(Ipv4Addr::from(b))
        } else {
            let b: [u8; 16] = std::array::from_fn(|_| self.u8());
            IpAddr::V6(Ipv6Addr::from(b))
        }
    }
    fn opt_ip(&mut self) -> Option<IpAddr> {
        if self.bool() {
            Some(self.ip())
        } else {
            None
        }
    }
}

/// Emits with `emit` into a buffer of `size` bytes (filled with 0xa5, so forgotten
/// fields would show) and into a big one. The encoder must never panic; it may fail
/// in the small buffer only with `BufferTooSmall`/`TooLong` where the big one says it
/// needs more room, and both must agree byte for byte when both succeed. Returns the
/// big emission when it succeeded.
fn emit_both(size: usize, emit: impl Fn(&mut [u8]) -> Result<usize, WireError>) -> Option<Vec<u8>> {
    let mut small = vec![0xa5u8; size];
    let mut big = vec![0xa5u8; 16 << 10];
    let rs = emit(&mut small);
    let rb = emit(&mut big);
    match (rs, rb) {
        (Ok(n), Ok(m)) => {
            assert_eq!(n, m);
            assert!(n <= size && n >= NlMsgHdr::LEN && n % 4 == 0);
            assert_eq!(small[..n], big[..m], "output depends on the buffer size");
            big.truncate(m);
            Some(big)
        }
        (Err(WireError::BufferTooSmall), Ok(m)) => {
            assert!(m > size, "BufferTooSmall, yet {m} bytes fit in {size}");
            None
        }
        (Err(a), Err(b)) => {
            // Small buffers may run out first; otherwise both fail alike.
            assert!(a == b || a == WireError::BufferTooSmall, "{a:?} vs {b:?}");
            assert!(
                matches!(b, WireError::InteriorNul | WireError::TooLong),
                "{b:?}"
            );
            None
        }
        (Ok(n), Err(e)) => panic!("fits {n} bytes in {size} but fails in 16 KiB: {e:?}"),
        (Err(e), Ok(m)) => panic!("{e:?} in {size} bytes, though {m} bytes were enough"),
    }
}

/// Target `encoders`: `LinkRequest`, `AddrRequest` and `RouteRequest` with fuzzed
/// field values, emitted into a fuzzed-size buffer, and read back.
pub fn encoders(data: &[u8]) {
    let mut i = Input(data);
    let size = i.u16() as usize % 2048;
    match i.u8() % 3 {
        0 => {
            let name = i.string(40);
            let peer = i.string(40);
            let kind_name = i.string(16);
            let addr = i.blob(300);
            let has_name = i.bool();
            let has_addr = i.bool();
            let kind = match i.u8() % 4 {
                0 => None,
                1 => Some(LinkKind::Veth {
                    peer: &peer,
                    peer_netns_fd: i.opt_u32().map(|v| v as i32),
                }),
                2 => Some(LinkKind::Bridge {
                    stp: if i.bool() { Some(i.bool()) } else { None },
                }),
                _ => Some(LinkKind::Other(&kind_name)),
            };
            let req = LinkRequest {
                index: i.u32(),
                flags: i.u32(),
                change: i.u32(),
                name: has_name.then_some(name.as_str()),
                address: has_addr.then_some(addr),
                mtu: i.opt_u32(),
                master: i.opt_u32(),
                netns_fd: i.opt_u32().map(|v| v as i32),
                netns_pid: i.opt_u32(),
                ext_mask: i.opt_u32(),
                kind,
            };
            let ty = [RTM_NEWLINK, RTM_GETLINK, RTM_DELLINK, RTM_SETLINK][i.u8() as usize % 4];
            let flags = i.u16();
            if let Some(out) = emit_both(size, |b| req.emit(b, ty, flags)) {
                check_link_request(&req, &out, ty, flags);
            }
        }
        1 => {
            let req = AddrRequest {
                address: i.ip(),
                index: i.u32(),
                prefix_len: i.u8(),
                flags: i.u32(),
                scope: i.u8(),
            };
            let flags = i.u16();
            if let Some(out) = emit_both(size, |b| req.emit(b, RTM_NEWADDR, flags)) {
                let m = only_message(&out);
                assert_eq!(
                    (m.header.nlmsg_type, m.header.nlmsg_flags),
                    (RTM_NEWADDR, flags)
                );
                let a = AddrMsg::parse(&m).expect("emitted address parses");
                assert_eq!(
                    (a.index, a.address, a.peer, a.prefix_len, a.flags, a.scope),
                    (
                        req.index,
                        Some(req.address),
                        Some(req.address),
                        req.prefix_len,
                        req.flags,
                        req.scope
                    )
                );
            }
        }
        _ => {
            let req = RouteRequest {
                family: i.u8(),
                dst: i.opt_ip(),
                dst_len: i.u8(),
                gateway: i.opt_ip(),
                prefsrc: i.opt_ip(),
                priority: i.opt_u32(),
                table: i.u32(),
                protocol: i.u8(),
                scope: i.u8(),
                kind: i.u8(),
                oif: i.opt_u32(),
                nexthop_id: i.opt_u32(),
            };
            let flags = i.u16();
            if let Some(out) = emit_both(size, |b| req.emit(b, RTM_NEWROUTE, flags)) {
                let m = only_message(&out);
                assert_eq!(m.header.nlmsg_flags, flags);
                let r = RouteMsg::parse(&m).expect("emitted route parses");
                assert_eq!(
                    (r.family, r.dst, r.dst_len, r.gateway, r.prefsrc),
                    (req.family, req.dst, req.dst_len, req.gateway, req.prefsrc)
                );
                assert_eq!(
                    (r.priority, r.table, r.protocol, r.scope, r.kind, r.oif, r.flags),
                    (
                        req.priority,
                        req.table,
                        req.protocol,
                        req.scope,
                        req.kind,
                        req.oif,
                        0
                    )
                );
                assert_eq!(r.nexthop_id, req.nexthop_id);
            }
        }
    }
}

fn check_link_request(req: &LinkRequest<'_>, out: &[u8], ty: u16, flags: u16) {
    let mut m = only_message(out);
    assert_eq!((m.header.nlmsg_type, m.header.nlmsg_flags), (ty, flags));
    let (ifi, attrs) = m.split::<IfInfoMsg>().expect("ifinfomsg");
    assert_eq!(
        (ifi.ifi_index as u32, ifi.ifi_flags, ifi.ifi_change),
        (req.index, req.flags, req.change)
    );
    let find = |ty: u16| attrs.clone().find(ty).expect("emitted attributes parse");
    assert_eq!(find(IFLA_NET_NS_FD).map(|a| a.i32().unwrap()), req.netns_fd);
    assert_eq!(
        find(IFLA_NET_NS_PID).map(|a| a.u32().unwrap()),
        req.netns_pid
    );
    assert_eq!(find(IFLA_EXT_MASK).map(|a| a.u32().unwrap()), req.ext_mask);
    // The typed reader sees the rest.
    m.header.nlmsg_type = RTM_NEWLINK;
    let l = LinkMsg::parse(&m).expect("emitted link parses");
    assert_eq!(l.name, req.name.unwrap_or(""));
    assert_eq!(
        (l.address, l.mtu, l.master),
        (req.address, req.mtu, req.master)
    );
    match req.kind {
        None => assert_eq!(l.kind, None),
        Some(LinkKind::Veth {
            peer,
            peer_netns_fd,
        }) => {
            assert_eq!(l.kind, Some("veth"));
            let info = find(IFLA_LINKINFO).unwrap().nested();
            let data = info.find(IFLA_INFO_DATA).unwrap().unwrap().nested();
            let p = data.find(VETH_INFO_PEER).unwrap().unwrap();
            let inner = Attrs::new(&p.value[IfInfoMsg::LEN..]);
            let name = inner.clone().find(IFLA_IFNAME).unwrap().unwrap();
            assert_eq!(name.str().unwrap(), peer);
            let fd = inner
                .find(IFLA_NET_NS_FD)
                .unwrap()
                .map(|a| a.i32().unwrap());
            assert_eq!(fd, peer_netns_fd);
        }
        Some(LinkKind::Bridge { stp }) => {
            assert_eq!(l.kind, Some("bridge"));
            assert_eq!(l.bridge_stp, stp.map(u32::from));
        }
        Some(LinkKind::Other(k)) => {
            assert_eq!(l.kind, Some(k));
            assert_eq!(l.bridge_stp, None);
        }
    }
}
