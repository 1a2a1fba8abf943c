//! What the fuzz targets check, as plain functions of bytes.
//!
//! Each function must return for every input, whatever it is; a panic (an `assert!`
//! here, or an out-of-bounds index or overflow inside `rtnl`) is a bug. The parsers
//! must give `Ok` or `Err`, never panic, and what they return must be consistent with
//! the bytes; the owned objects (`Link`, `Address`, `Route`, `Nexthop`: the one type
//! per object that both parses and emits) must agree with their views and re-encode
//! what they read; the encoders must give `Ok` or `Err` for any field values and any
//! buffer size, and what they emit must parse back to the same values.
//!
//! This file has no dependency but `rtnl` so that the main crate's
//! `tests/fuzz_replay.rs` can include it and replay `fuzz/seeds/` and
//! `fuzz/regressions/` under stable `cargo test`.

use rtnl::abi::*;
use rtnl::wire::addr::AddrMsg;
use rtnl::wire::link::LinkMsg;
use rtnl::wire::nexthop::NexthopMsg;
use rtnl::wire::route::RouteMsg;
use rtnl::wire::{fdb::FdbMsg, neigh::NeighbourMsg, rule::RuleMsg};
use rtnl::wire::{
    parse_done, parse_error, Attr, Attrs, Decode, Message, Messages, Object, RawAttrs, Verb,
    WireError,
};
use rtnl::{
    AddrFlags, Address, Bridge, Family, GroupMember, Hop, HwAddr, IfName, Lifetimes, Link,
    LinkFlags, LinkKind, Metric, Netns, Nexthop, OperState, Protocol, Resilient, Route, RouteFlags,
    RouteType, Scope, VethPeer,
};
use rtnl::{
    FdbEntry, FdbFilter, FdbFlush, FdbState, MacAddr, NeighExtFlags, NeighFilter, NeighFlags,
    NeighState, Neighbour, Op, Request, RouteGet, Rule, RuleAction, RuleFilter, RuleFlags,
};
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

/// Target `typed`: every message of the datagram read as a link, an address, a route
/// and a nexthop (its type patched so that each reader gets past the type check), by
/// the zero-copy view and by the owned object. What a reader accepts is then
/// re-encoded by the owned object (the one type that parses and emits) and read
/// again: what a request carries must survive the round trip.
pub fn typed(data: &[u8]) {
    for m in Messages::new(data) {
        let Ok(m) = m else { break };
        // The readers refuse other types.
        let ty = m.header.nlmsg_type;
        if ty != RTM_NEWLINK && ty != RTM_DELLINK {
            assert!(matches!(
                LinkMsg::decode(&m),
                Err(WireError::UnexpectedType(_))
            ));
            assert!(matches!(
                Link::decode(&m),
                Err(WireError::UnexpectedType(_))
            ));
        }
        if ty != RTM_NEWADDR && ty != RTM_DELADDR {
            assert!(matches!(
                AddrMsg::decode(&m),
                Err(WireError::UnexpectedType(_))
            ));
        }
        if ty != RTM_NEWROUTE && ty != RTM_DELROUTE {
            assert!(matches!(
                RouteMsg::decode(&m),
                Err(WireError::UnexpectedType(_))
            ));
        }
        if ty != RTM_NEWNEXTHOP && ty != RTM_DELNEXTHOP {
            assert!(matches!(
                NexthopMsg::decode(&m),
                Err(WireError::UnexpectedType(_))
            ));
        }
        let len = m.payload.len();
        let mut as_link = m;
        as_link.header.nlmsg_type = RTM_NEWLINK;
        let view = LinkMsg::decode(&as_link);
        assert_eq!(view.is_ok(), Link::decode(&as_link).is_ok());
        if let Ok(l) = view {
            link_round_trip(&l, len);
        }
        let mut as_addr = m;
        as_addr.header.nlmsg_type = RTM_NEWADDR;
        let view = AddrMsg::decode(&as_addr);
        if let Ok(a) = view {
            addr_round_trip(&a, len);
        }
        let mut as_route = m;
        as_route.header.nlmsg_type = RTM_NEWROUTE;
        let view = RouteMsg::decode(&as_route);
        assert_eq!(view.is_ok(), Route::decode(&as_route).is_ok());
        if let Ok(r) = view {
            route_round_trip(&r, len);
        }
        let mut as_nexthop = m;
        as_nexthop.header.nlmsg_type = RTM_NEWNEXTHOP;
        let view = NexthopMsg::decode(&as_nexthop);
        assert_eq!(view.is_ok(), Nexthop::decode(&as_nexthop).is_ok());
        if let Ok(n) = view {
            nexthop_round_trip(&n, len);
        }
        neigh_rule_typed(&m, len);
    }
}

/// Emits `obj` for `verb` into a buffer of `size` bytes and returns the message.
/// What an owned object read from `payload_len` bytes holds re-encodes, with one
/// exception: text read lossily (a name or kind that is not UTF-8) may grow up to
/// three-fold, and attributes that repeat are merged into one, so an attribute of a
/// message that large may outgrow its 16-bit length (`TooLong`): then `None`.
fn re_emit<T: Object>(obj: &T, verb: Verb, size: usize, payload_len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; size];
    match obj.emit(verb, &mut buf) {
        Ok(n) => {
            buf.truncate(n);
            Some(buf)
        }
        Err(WireError::TooLong) if 3 * payload_len + 64 > usize::from(u16::MAX) => None,
        Err(e) => panic!("re-encoding a parsed object ({payload_len} bytes): {e:?}"),
    }
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
    let owned = Link::from(l);
    // The owned link agrees with its view.
    assert_eq!(
        (
            owned.index,
            owned.flags,
            owned.mtu,
            owned.master,
            owned.link
        ),
        (l.index(), l.flags(), l.mtu, l.master, l.link)
    );
    assert_eq!(
        owned.name.as_ref().map(IfName::as_bytes),
        l.name.filter(|n| (1..=15).contains(&n.len()))
    );
    assert_eq!(
        owned.address.as_ref().map(HwAddr::as_bytes),
        l.address.filter(|a| a.len() <= 32)
    );
    assert_eq!(
        owned.kind_name().map(str::to_owned),
        l.kind.map(|k| String::from_utf8_lossy(k).into_owned())
    );

    // Re-encoding adds at most a NUL, padding and lossy text growth per attribute it
    // kept, and the veth peer's header.
    let Some(out) = re_emit(&owned, Verb::Change, 4 * payload_len + 1024, payload_len) else {
        return;
    };
    let m = only_message(&out);
    let back = LinkMsg::decode(&m).expect("re-encoded link parses");
    assert_eq!(
        (back.index(), back.flags(), back.name, back.address),
        (l.index(), l.flags(), l.name, l.address)
    );
    assert_eq!((back.mtu, back.master), (l.mtu, l.master));
    // The kind as the owned link holds it: text, read lossily.
    assert_eq!(
        back.kind.map(String::from_utf8_lossy),
        l.kind.map(String::from_utf8_lossy)
    );
    // Everything the owned link holds comes back but what the kernel only reports.
    // (An IFLA_LINKINFO with neither kind nor port kind is kept raw, and sent back
    // as it came: the port's options it holds are then read again.)
    let raw_linkinfo = owned.kind.is_none() && owned.port_kind.is_none();
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
        port_data: owned.port_data.clone().filter(|_| raw_linkinfo),
        kind: owned.kind.as_ref().map(sent_kind),
        ..owned
    };
    assert_eq!(Link::from(&back), want);
}

fn addr_round_trip(a: &AddrMsg<'_>, payload_len: usize) {
    let owned = match Address::try_from(a) {
        Ok(o) => o,
        Err(e) => {
            // Only a message that carries no address of its family is refused.
            assert_eq!(a.address, None);
            assert_eq!(e, WireError::BadAttribute(IFA_ADDRESS));
            return;
        }
    };
    assert_eq!(
        (
            owned.index,
            Some(owned.address),
            owned.peer,
            owned.prefix_len,
            owned.flags,
            owned.scope.0
        ),
        (
            a.index(),
            a.address,
            a.peer,
            a.header.ifa_prefixlen,
            a.flags(),
            a.header.ifa_scope
        )
    );
    assert_eq!(owned.family().0, a.header.ifa_family);
    let Some(out) = re_emit(&owned, Verb::Add, 4 * payload_len + 256, payload_len) else {
        return;
    };
    let m = only_message(&out);
    let back = AddrMsg::decode(&m).expect("re-encoded address parses");
    assert_eq!(
        (
            back.index(),
            back.address,
            back.peer,
            back.header.ifa_prefixlen
        ),
        (a.index(), a.address, a.peer, a.header.ifa_prefixlen)
    );
    assert_eq!(
        (back.flags(), back.header.ifa_scope),
        (a.flags(), a.header.ifa_scope)
    );
    assert_eq!(back.header.ifa_family, a.header.ifa_family);
    // Everything the owned address holds comes back but the creation and update
    // stamps of IFA_CACHEINFO (reported, not sent).
    let want = Address {
        lifetimes: owned.lifetimes.map(|l| Lifetimes {
            created: 0,
            updated: 0,
            ..l
        }),
        ..owned
    };
    assert_eq!(Address::try_from(&back).as_ref(), Ok(&want));
}

fn route_round_trip(r: &RouteMsg<'_>, payload_len: usize) {
    let owned = Route::from(r);
    // The owned route agrees with its view.
    assert_eq!(
        (
            owned.family.0,
            owned.dst,
            owned.dst_len,
            owned.gateway,
            owned.oif
        ),
        (r.header.rtm_family, r.dst, r.dst_len(), r.gateway, r.oif)
    );
    assert_eq!(
        (owned.prefsrc, owned.table, owned.priority, owned.nexthop_id),
        (r.prefsrc, r.table, r.priority, r.nexthop_id)
    );
    assert_eq!(
        (owned.protocol.0, owned.scope.0, owned.kind.0, owned.flags.0),
        (
            r.header.rtm_protocol,
            r.header.rtm_scope,
            r.header.rtm_type,
            r.header.rtm_flags
        )
    );
    let Some(out) = re_emit(&owned, Verb::Add, 4 * payload_len + 512, payload_len) else {
        return;
    };
    let m = only_message(&out);
    let back = RouteMsg::decode(&m).expect("re-encoded route parses");
    // The view's fields all come back: the table in rtm_table below 256, else in
    // RTA_TABLE (with rtm_table 0); multipath and the raw attributes are compared
    // through the owned route below.
    // `dead` and `linkdown` are the kernel's report, never sent back in an add.
    let reported = (RouteFlags::DEAD | RouteFlags::LINKDOWN).0;
    assert_eq!(back.header.rtm_flags, r.header.rtm_flags & !reported);
    let header = RtMsg {
        rtm_table: r.header.rtm_table,
        rtm_flags: r.header.rtm_flags,
        ..back.header
    };
    assert_eq!(
        RouteMsg {
            header,
            attrs: r.attrs,
            multipath: r.multipath,
            ..back
        },
        *r
    );
    assert_eq!(
        u32::from(back.header.rtm_table),
        if r.table < 256 { r.table } else { 0 }
    );
    // Everything the owned route holds comes back but RTA_CACHEINFO (reported).
    let want = Route {
        cache: None,
        flags: RouteFlags(owned.flags.0 & !reported),
        multipath: (owned.multipath.iter())
            .map(|h| rtnl::Hop {
                flags: RouteFlags(h.flags.0 & !reported),
                ..*h
            })
            .collect(),
        ..owned
    };
    assert_eq!(Route::from(&back), want);
}

fn nexthop_round_trip(n: &NexthopMsg<'_>, payload_len: usize) {
    let owned = Nexthop::from(n);
    let members: Vec<GroupMember> = n.group_members().collect();
    assert_eq!(
        (
            owned.id,
            owned.family.0,
            owned.gateway,
            owned.oif,
            owned.blackhole,
            &owned.group
        ),
        (
            n.id,
            n.header.nh_family,
            n.gateway,
            n.oif,
            n.blackhole,
            &members
        )
    );
    // Decoded weights are 1..=65536, so they encode.
    let out = re_emit(&owned, Verb::Add, 2 * payload_len + 256, payload_len)
        .expect("a parsed nexthop re-encodes");
    let m = only_message(&out);
    let back = NexthopMsg::decode(&m).expect("re-encoded nexthop parses");
    assert_eq!(
        (
            back.header.nh_protocol,
            back.header.nh_flags,
            back.gateway,
            back.blackhole,
            back.oif,
            back.group_type
        ),
        (
            n.header.nh_protocol,
            n.header.nh_flags,
            n.gateway,
            n.blackhole,
            n.oif,
            n.group_type
        )
    );
    // id 0 is not sent (the kernel picks one); anything else comes back.
    assert_eq!(back.id, n.id);
    // Members and weights come back (reserved bytes of the input are not kept).
    assert_eq!(back.group_members().collect::<Vec<_>>(), members);
    // nh_scope is reported, not sent.
    assert_eq!(back.header.nh_scope, 0);
    // The family as a request sends it: unset (AF_UNSPEC) on a nexthop that is not a
    // group, it is the gateway's, else AF_INET (a gateway always has the family of
    // the message it was read from).
    let family = if owned.family == Family::UNSPEC && owned.group.is_empty() {
        owned.gateway.map_or(Family::INET, Family::of)
    } else {
        owned.family
    };
    assert_eq!(back.header.nh_family, family.0);
    let want = Nexthop {
        family,
        scope: Scope::UNIVERSE,
        resilient: owned.resilient.map(|r| Resilient {
            unbalanced_time: None,
            ..r
        }),
        ..owned
    };
    assert_eq!(Nexthop::from(&back), want);
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
    fn opt_u8(&mut self) -> Option<u8> {
        if self.bool() {
            Some(self.u8())
        } else {
            None
        }
    }
    /// Up to `max` raw bytes, length first (names are bytes: may hold NUL or bytes
    /// that are not UTF-8).
    fn text_bytes(&mut self, max: usize) -> &'a [u8] {
        let n = self.u8() as usize % (max + 1);
        self.bytes(n)
    }
    /// A string of up to `max` bytes (lossy UTF-8; may contain NUL).
    fn string(&mut self, max: usize) -> String {
        String::from_utf8_lossy(self.text_bytes(max)).into_owned()
    }
    /// Up to `max` bytes.
    fn blob(&mut self, max: usize) -> &'a [u8] {
        let n = self.u16() as usize % (max + 1);
        self.bytes(n)
    }
    fn ip(&mut self) -> IpAddr {
        if self.bool() {
            self.ipv4()
        } else {
            self.ipv6()
        }
    }
    fn ipv4(&mut self) -> IpAddr {
        let b: [u8; 4] = std::array::from_fn(|_| self.u8());
        IpAddr::V4(Ipv4Addr::from(b))
    }
    fn ipv6(&mut self) -> IpAddr {
        let b: [u8; 16] = std::array::from_fn(|_| self.u8());
        IpAddr::V6(Ipv6Addr::from(b))
    }
    fn opt_ip(&mut self) -> Option<IpAddr> {
        if self.bool() {
            Some(self.ip())
        } else {
            None
        }
    }
    /// An address of the same family as `a`, or none.
    fn opt_ip_like(&mut self, a: IpAddr) -> Option<IpAddr> {
        match (self.bool(), a) {
            (false, _) => None,
            (true, IpAddr::V4(_)) => Some(self.ipv4()),
            (true, IpAddr::V6(_)) => Some(self.ipv6()),
        }
    }
    fn verb(&mut self, verbs: &[Verb]) -> Verb {
        verbs[self.u8() as usize % verbs.len()]
    }
}

/// Emits with `emit` into a buffer of `size` bytes (filled with 0xa5, so forgotten
/// fields would show) and into a big one. The encoder must never panic; it may fail
/// in the small buffer only with `BufferTooSmall` where the big one says it needs
/// more room, and both must agree byte for byte when both succeed. In the big buffer
/// it may fail only with one of the errors in `may_fail` (the ones the caller's
/// values call for). Returns the big emission when it succeeded.
fn emit_both(
    size: usize,
    may_fail: &[WireError],
    emit: impl Fn(&mut [u8]) -> Result<usize, WireError>,
) -> Option<Vec<u8>> {
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
            assert!(may_fail.contains(&b), "{b:?}, expected one of {may_fail:?}");
            None
        }
        (Ok(n), Err(e)) => panic!("fits {n} bytes in {size} but fails in 16 KiB: {e:?}"),
        (Err(e), Ok(m)) => panic!("{e:?} in {size} bytes, though {m} bytes were enough"),
    }
}

/// Target `encoders`: a `Link`, an `Address`, a `Route` or a `Nexthop` with fuzzed
/// field values, emitted for a fuzzed verb into a fuzzed-size buffer, and read back.
pub fn encoders(data: &[u8]) {
    let mut i = Input(data);
    let size = i.u16() as usize % 2048;
    match i.u8() % 8 {
        0 => link_encoder(&mut i, size),
        1 => addr_encoder(&mut i, size),
        2 => route_encoder(&mut i, size),
        3 => nexthop_encoder(&mut i, size),
        4 => neighbour_encoder(&mut i, size),
        5 => fdb_encoder(&mut i, size),
        6 => rule_encoder(&mut i, size),
        _ => lookup_encoders(&mut i, size),
    }
}

/// A message's type and flags, as `verb` on an object of type `T` sends them (before
/// the exchange adds `NLM_F_REQUEST` and `NLM_F_ACK`).
fn check_header<T: Object>(m: &Message<'_>, verb: Verb) {
    assert_eq!(
        (m.header.nlmsg_type, m.header.nlmsg_flags),
        (T::msg_type(verb), T::flags(verb))
    );
}

fn link_encoder(i: &mut Input<'_>, size: usize) {
    let name = i.text_bytes(40);
    let peer = i.text_bytes(40);
    let kind_name = i.string(16);
    let addr = i.blob(40);
    let has_name = i.bool();
    let has_addr = i.bool();
    let kind = match i.u8() % 4 {
        0 => None,
        1 => Some(LinkKind::Veth(VethPeer {
            name: IfName::from_kernel(peer),
            netns: i.opt_u32().map(|v| Netns::Fd(v as i32)),
            mtu: i.opt_u32(),
            txqlen: i.opt_u32(),
            address: if i.bool() {
                HwAddr::new(i.blob(40))
            } else {
                None
            },
        })),
        2 => Some(LinkKind::Bridge(Bridge {
            stp: if i.bool() { Some(i.bool()) } else { None },
            ..Default::default()
        })),
        _ => Some(LinkKind::Other {
            kind: kind_name,
            data: if i.bool() {
                Some(i.blob(64).to_vec())
            } else {
                None
            },
        }),
    };
    let l = Link {
        index: i.u32(),
        flags: LinkFlags(i.u32()),
        change: LinkFlags(i.u32()),
        name: if has_name {
            IfName::from_kernel(name)
        } else {
            None
        },
        address: if has_addr { HwAddr::new(addr) } else { None },
        mtu: i.opt_u32(),
        master: i.opt_u32(),
        netns: match i.u8() % 3 {
            0 => None,
            1 => Some(Netns::Fd(i.u32() as i32)),
            _ => Some(Netns::Pid(i.u32())),
        },
        txqlen: i.opt_u32(),
        family: Family(i.u8()),
        broadcast: if i.bool() {
            HwAddr::new(i.blob(40))
        } else {
            None
        },
        group: i.opt_u32(),
        alias: if i.bool() { Some(i.string(40)) } else { None },
        operstate: i.opt_u8().map(OperState::from),
        linkmode: i.opt_u8(),
        link: i.opt_u32(),
        link_netnsid: i.opt_u32().map(|v| v as i32),
        num_tx_queues: i.opt_u32(),
        num_rx_queues: i.opt_u32(),
        kind,
        ..Default::default()
    };
    let verb = i.verb(Link::VERBS);
    // Names, kinds and aliases are sent as text: one holding NUL is refused.
    if let Some(out) = emit_both(size, &[WireError::InteriorNul], |b| l.emit(verb, b)) {
        check_link_request(&l, verb, &out);
    }
}

fn check_link_request(l: &Link, verb: Verb, out: &[u8]) {
    let m = only_message(out);
    check_header::<Link>(&m, verb);
    let (ifi, attrs) = m.split::<IfInfoMsg>().expect("ifinfomsg");
    assert_eq!(
        (
            ifi.ifi_family,
            ifi.ifi_index as u32,
            ifi.ifi_flags,
            ifi.ifi_change
        ),
        (l.family.0, l.index, l.flags.0, l.change.0)
    );
    let back = Link::decode(&m).expect("emitted link parses");
    if verb == Verb::Delete {
        // `ip link del`: the link by index, or by name without one; nothing else.
        let selector = Link {
            family: l.family,
            index: l.index,
            flags: l.flags,
            change: l.change,
            name: if l.index == 0 { l.name } else { None },
            ..Default::default()
        };
        assert_eq!(back, selector);
        return;
    }
    let find = |ty: u16| attrs.clone().find(ty).expect("emitted attributes parse");
    // Requests only (the reader does not model them): where the link goes.
    let (fd, pid) = match l.netns {
        Some(Netns::Fd(fd)) => (Some(fd), None),
        Some(Netns::Pid(p)) => (None, Some(p)),
        None => (None, None),
    };
    assert_eq!(find(IFLA_NET_NS_FD).map(|a| a.i32().unwrap()), fd);
    assert_eq!(find(IFLA_NET_NS_PID).map(|a| a.u32().unwrap()), pid);
    // The veth peer, read raw: its own ifinfomsg, then its attributes.
    if let Some(LinkKind::Veth(p)) = &l.kind {
        let info = find(IFLA_LINKINFO).unwrap().nested();
        let data = info.find(IFLA_INFO_DATA).unwrap().unwrap().nested();
        let peer = data.find(VETH_INFO_PEER).unwrap().unwrap();
        assert_eq!(peer.value[..IfInfoMsg::LEN], [0; IfInfoMsg::LEN]);
        let inner = Attrs::new(&peer.value[IfInfoMsg::LEN..]);
        let get = |ty: u16| inner.clone().find(ty).unwrap();
        assert_eq!(
            get(IFLA_IFNAME).map(|a| a.bytes_z()),
            p.name.as_ref().map(IfName::as_bytes)
        );
        assert_eq!(
            get(IFLA_ADDRESS).map(|a| a.value),
            p.address.as_ref().map(HwAddr::as_bytes)
        );
        assert_eq!(get(IFLA_MTU).map(|a| a.u32().unwrap()), p.mtu);
        assert_eq!(get(IFLA_TXQLEN).map(|a| a.u32().unwrap()), p.txqlen);
        let fd = p.netns.map(|n| match n {
            Netns::Fd(fd) => fd,
            Netns::Pid(_) => unreachable!("the fuzzer gives a peer an fd"),
        });
        assert_eq!(get(IFLA_NET_NS_FD).map(|a| a.i32().unwrap()), fd);
    }
    // The reader sees the rest: everything but the veth peer (checked raw above);
    // the namespace, which it does not model, as a raw attribute.
    let mut want = l.clone();
    want.netns = None;
    match (fd, pid) {
        (Some(fd), _) => want.other.push(IFLA_NET_NS_FD, &fd.to_ne_bytes()).unwrap(),
        (_, Some(pid)) => want
            .other
            .push(IFLA_NET_NS_PID, &pid.to_ne_bytes())
            .unwrap(),
        _ => {}
    }
    if let Some(LinkKind::Veth(_)) = want.kind {
        want.kind = Some(LinkKind::Veth(VethPeer::default()));
    }
    // A kind named "veth", "bridge" or one of the typed kinds ("vlan", "tun", ...)
    // reads back as that kind.
    if let Some(LinkKind::Other { kind, .. }) = &want.kind {
        if !matches!(back.kind, Some(LinkKind::Other { .. })) {
            assert_eq!(back.kind_name(), Some(kind.as_str()));
            want.kind = back.kind.clone();
        }
    }
    assert_eq!(back, want);
    // The view agrees.
    let v = LinkMsg::decode(&m).unwrap();
    assert_eq!(v.name, l.name.as_ref().map(IfName::as_bytes));
    assert_eq!(
        (v.address, v.mtu, v.master),
        (l.address.as_ref().map(HwAddr::as_bytes), l.mtu, l.master)
    );
    assert_eq!(v.kind_str(), l.kind_name());
}

fn addr_encoder(i: &mut Input<'_>, size: usize) {
    let address = i.ip();
    let mut a = Address::new(i.u32(), address, i.u8());
    a.flags = AddrFlags(i.u32());
    a.scope = Scope(i.u8());
    a.peer = i.opt_ip_like(address);
    a.broadcast = i.opt_ip_like(address);
    a.label = if i.bool() { Some(i.string(20)) } else { None };
    a.metric = i.opt_u32();
    a.proto = i.opt_u8();
    a.lifetimes = if i.bool() {
        Some(Lifetimes {
            preferred: i.u32(),
            valid: i.u32(),
            created: 0,
            updated: 0,
        })
    } else {
        None
    };
    let verb = i.verb(Address::VERBS);
    // A label is text: one holding NUL is refused.
    let Some(out) = emit_both(size, &[WireError::InteriorNul], |b| a.emit(verb, b)) else {
        return;
    };
    let m = only_message(&out);
    check_header::<Address>(&m, verb);
    // A peer equal to the address is no peer: IFA_ADDRESS is then the address itself.
    let peer = a.peer.filter(|p| *p != address);
    let v = AddrMsg::decode(&m).expect("emitted address parses");
    assert_eq!(
        (
            v.index(),
            v.address,
            v.peer,
            v.header.ifa_prefixlen,
            v.flags(),
            v.header.ifa_scope
        ),
        (
            a.index,
            Some(address),
            peer,
            a.prefix_len,
            a.flags,
            a.scope.0
        )
    );
    assert_eq!(v.header.ifa_family, Family::of(address).0);
    // The low eight flags in ifa_flags, or all of them in IFA_FLAGS and none there.
    if a.flags.0 > 0xff {
        assert_eq!((v.header.ifa_flags, v.flags32), (0, Some(a.flags.0)));
    } else {
        assert_eq!(
            (u32::from(v.header.ifa_flags), v.flags32),
            (a.flags.0, None)
        );
    }
    let want = Address { peer, ..a };
    assert_eq!(Address::decode(&m), Ok(want));
}

fn route_encoder(i: &mut Input<'_>, size: usize) {
    let family = Family(i.u8());
    let mut r = Route::new(family);
    r.dst = i.opt_ip();
    r.dst_len = i.u8();
    r.gateway = i.opt_ip();
    r.prefsrc = i.opt_ip();
    r.priority = i.opt_u32();
    r.table = i.u32();
    r.protocol = Protocol(i.u8());
    r.scope = Scope(i.u8());
    r.kind = RouteType(i.u8());
    r.oif = i.opt_u32();
    r.nexthop_id = i.opt_u32();
    r.flags = RouteFlags(i.u32());
    r.src = i.opt_ip();
    r.src_len = i.u8();
    r.tos = i.u8();
    r.iif = i.opt_u32();
    r.pref = i.opt_u8();
    r.expires = i.opt_u32();
    r.mark = i.opt_u32();
    r.uid = i.opt_u32();
    for _ in 0..i.u8() % 4 {
        // RTAX_* numbers but RTAX_CC_ALGO (a name: `congctl`).
        let kind = 1 + u16::from(i.u8() % 15);
        r.metrics.push(Metric {
            kind,
            value: i.u32(),
        });
    }
    r.congctl = if i.bool() { Some(i.string(16)) } else { None };
    for _ in 0..i.u8() % 4 {
        r.multipath.push(Hop {
            gateway: i.opt_ip(),
            oif: i.u32(),
            // 1..=256 is a weight; 0 and 257 are not.
            weight: i.u16() % 258,
            flags: RouteFlags(u32::from(i.u8())),
            realms: i.opt_u32(),
        });
    }
    let verb = i.verb(Route::VERBS);
    let mut may_fail = Vec::new();
    if r.congctl.as_ref().is_some_and(|c| c.contains('\0')) {
        may_fail.push(WireError::InteriorNul);
    }
    if r.multipath.iter().any(|h| !(1..=256).contains(&h.weight)) {
        may_fail.push(WireError::BadAttribute(RTA_MULTIPATH));
    }
    let Some(out) = emit_both(size, &may_fail, |b| r.emit(verb, b)) else {
        return;
    };
    let m = only_message(&out);
    check_header::<Route>(&m, verb);
    // What goes on the wire: `dead` and `linkdown` (the kernel's report of a device's
    // state) are sent back only in a delete.
    let mut sent = r.clone();
    if verb != Verb::Delete {
        let reported = (RouteFlags::DEAD | RouteFlags::LINKDOWN).0;
        sent.flags.0 &= !reported;
        for h in &mut sent.multipath {
            h.flags.0 &= !reported;
        }
    }
    let v = RouteMsg::decode(&m).expect("emitted route parses");
    // Addresses are read by the route's family: one of the other family is not read
    // (and is kept raw by the owned route); a gateway of the other family goes as
    // RTA_VIA, and is read.
    let same = |a: Option<IpAddr>| a.filter(|a| Family::of(*a) == family);
    assert_eq!(
        (
            v.header.rtm_family,
            v.dst,
            v.dst_len(),
            v.gateway,
            v.prefsrc
        ),
        (family.0, same(r.dst), r.dst_len, r.gateway, same(r.prefsrc))
    );
    assert_eq!(
        (
            v.priority,
            v.table,
            v.header.rtm_protocol,
            v.header.rtm_scope,
            v.header.rtm_type,
            v.oif,
            v.header.rtm_flags
        ),
        (
            r.priority,
            r.table,
            r.protocol.0,
            r.scope.0,
            r.kind.0,
            r.oif,
            sent.flags.0
        )
    );
    assert_eq!(
        (v.nexthop_id, v.header.rtm_tos, v.header.rtm_src_len),
        (r.nexthop_id, r.tos, r.src_len)
    );
    assert_eq!(v.hops(), sent.multipath);
    // The owned route: everything, the addresses of the other family kept raw, in
    // the order they were sent.
    let mut want = sent.clone();
    for (ty, field) in [
        (RTA_DST, &mut want.dst),
        (RTA_SRC, &mut want.src),
        (RTA_PREFSRC, &mut want.prefsrc),
    ] {
        if let Some(a) = field.take() {
            if Family::of(a) == family {
                *field = Some(a);
            } else {
                let value = match a {
                    IpAddr::V4(x) => x.octets().to_vec(),
                    IpAddr::V6(x) => x.octets().to_vec(),
                };
                want.other.push(ty, &value).unwrap();
            }
        }
    }
    assert_eq!(Route::decode(&m), Ok(want));
}

fn nexthop_encoder(i: &mut Input<'_>, size: usize) {
    let mut n = Nexthop {
        id: i.u32(),
        family: Family(i.u8()),
        protocol: Protocol(i.u8()),
        flags: RouteFlags(i.u32()),
        gateway: i.opt_ip(),
        oif: i.opt_u32(),
        blackhole: i.bool(),
        fdb: i.bool(),
        group_type: if i.bool() { Some(i.u16()) } else { None },
        ..Default::default()
    };
    for _ in 0..i.u8() % 4 {
        n.group.push(GroupMember {
            id: i.u32(),
            // 1..=65536 is a weight; 0 and 65537 are not.
            weight: i.u32() % 65538,
        });
    }
    if i.bool() {
        n.resilient = Some(Resilient {
            buckets: if i.bool() { Some(i.u16()) } else { None },
            idle_timer: i.opt_u32(),
            unbalanced_timer: i.opt_u32(),
            unbalanced_time: None,
        });
    }
    let verb = i.verb(Nexthop::VERBS);
    let bad_weight =
        verb != Verb::Delete && n.group.iter().any(|m| !(1..=65536).contains(&m.weight));
    let may_fail: &[WireError] = if bad_weight {
        &[WireError::BadAttribute(NHA_GROUP)]
    } else {
        &[]
    };
    let Some(out) = emit_both(size, may_fail, |b| n.emit(verb, b)) else {
        return;
    };
    let m = only_message(&out);
    check_header::<Nexthop>(&m, verb);
    let (h, _) = m.split::<NhMsg>().expect("nhmsg");
    if verb == Verb::Delete {
        // `ip nexthop del id ID`: AF_UNSPEC and the id, nothing else.
        let back = Nexthop::decode(&m).expect("emitted nexthop parses");
        let want = Nexthop {
            id: n.id,
            protocol: n.protocol,
            flags: n.flags,
            ..Default::default()
        };
        assert_eq!(back, want);
        return;
    }
    // The family a request sends: as set, else the gateway's, else AF_INET; a group
    // stays AF_UNSPEC.
    let family = if n.family == Family::UNSPEC && n.group.is_empty() {
        n.gateway.map_or(Family::INET, Family::of)
    } else {
        n.family
    };
    assert_eq!(h.nh_family, family.0);
    match Nexthop::decode(&m) {
        Ok(back) => {
            let want = Nexthop {
                family,
                ..n.clone()
            };
            if family != Family::UNSPEC && n.gateway.is_some_and(|g| Family::of(g) != family) {
                // A gateway of another family than the message's is not read (with
                // the family unset, a group's, it is read by its length).
                assert_eq!(back.gateway, None);
                assert_eq!(
                    Nexthop {
                        gateway: n.gateway,
                        other: RawAttrs::new(),
                        ..back
                    },
                    want
                );
            } else {
                assert_eq!(back, want);
            }
        }
        // The view refuses a gateway that is not an address of the message's family.
        Err(e) => {
            assert_eq!(e, WireError::BadAttribute(NHA_GATEWAY));
            assert!(n.gateway.is_some_and(|g| Family::of(g) != family));
        }
    }
}

// ------------------------------------------------------ neighbours, FDB, rules

/// The readers of issue 15 on one message: as a neighbour, an FDB entry and a rule
/// (the type patched so that each reader gets past its type check), views and owned
/// objects agreeing, and every object read re-encoded and read back.
fn neigh_rule_typed(m: &Message<'_>, len: usize) {
    let ty = m.header.nlmsg_type;
    if !matches!(ty, RTM_NEWNEIGH | RTM_DELNEIGH | RTM_GETNEIGH) {
        assert!(matches!(
            NeighbourMsg::decode(m),
            Err(WireError::UnexpectedType(_))
        ));
        assert!(matches!(
            FdbMsg::decode(m),
            Err(WireError::UnexpectedType(_))
        ));
    }
    if ty != RTM_NEWRULE && ty != RTM_DELRULE {
        assert!(matches!(
            RuleMsg::decode(m),
            Err(WireError::UnexpectedType(_))
        ));
    }
    let mut as_neigh = *m;
    as_neigh.header.nlmsg_type = RTM_NEWNEIGH;
    // A message is a neighbour or an FDB entry, never both (AF_BRIDGE decides).
    let n = NeighbourMsg::decode(&as_neigh);
    let f = FdbMsg::decode(&as_neigh);
    assert!(
        n.is_err() || f.is_err(),
        "read as a neighbour and an FDB entry"
    );
    assert_eq!(n.is_ok(), Neighbour::decode(&as_neigh).is_ok());
    assert_eq!(f.is_ok(), FdbEntry::decode(&as_neigh).is_ok());
    if let Ok(v) = n {
        neighbour_round_trip(&v, len);
    }
    if let Ok(v) = f {
        fdb_round_trip(&v, len);
    }
    let mut as_rule = *m;
    as_rule.header.nlmsg_type = RTM_NEWRULE;
    let r = RuleMsg::decode(&as_rule);
    assert_eq!(r.is_ok(), Rule::decode(&as_rule).is_ok());
    if let Ok(v) = r {
        rule_round_trip(&v, len);
    }
}

fn neighbour_round_trip(v: &NeighbourMsg<'_>, payload_len: usize) {
    let owned = Neighbour::from(v);
    assert_eq!(
        (
            owned.family,
            owned.ifindex,
            owned.dst,
            owned.state,
            owned.flags
        ),
        (v.family(), v.ifindex(), v.dst, v.state(), v.flags())
    );
    assert_eq!(owned.lladdr.as_ref().map(HwAddr::as_bytes), v.lladdr);
    let Some(out) = re_emit(&owned, Verb::Add, 2 * payload_len + 256, payload_len) else {
        return;
    };
    let m = only_message(&out);
    // Probes and cache info are reported, never sent.
    let want = Neighbour {
        probes: None,
        cache: None,
        ..owned
    };
    assert_eq!(
        Neighbour::decode(&m).expect("re-encoded neighbour parses"),
        want
    );
}

fn fdb_round_trip(v: &FdbMsg<'_>, payload_len: usize) {
    let owned = FdbEntry::from(v);
    assert_eq!(
        (
            owned.ifindex,
            owned.mac,
            owned.dst,
            owned.vlan,
            owned.master
        ),
        (v.ifindex(), v.mac, v.dst, v.vlan, v.master)
    );
    assert_eq!(owned.state, v.state());
    let Some(out) = re_emit(&owned, Verb::Add, 2 * payload_len + 256, payload_len) else {
        return;
    };
    let m = only_message(&out);
    // The master, the namespace id, the extended flags and cache info are reported.
    let want = FdbEntry {
        master: None,
        link_netnsid: None,
        ext_flags: NeighExtFlags::EMPTY,
        cache: None,
        ..owned
    };
    assert_eq!(
        FdbEntry::decode(&m).expect("re-encoded FDB entry parses"),
        want
    );
}

fn rule_round_trip(v: &RuleMsg<'_>, payload_len: usize) {
    let owned = Rule::from(v);
    assert_eq!(
        (
            owned.family,
            owned.priority,
            owned.table,
            owned.src,
            owned.dst
        ),
        (v.family(), v.priority, v.table, v.src, v.dst)
    );
    assert_eq!(owned.action, v.action());
    let Some(out) = re_emit(&owned, Verb::Add, 2 * payload_len + 256, payload_len) else {
        return;
    };
    let m = only_message(&out);
    let back = Rule::decode(&m).expect("re-encoded rule parses");
    if owned.family == Family::UNSPEC {
        // A request without a family says IPv4 (as `ip rule` does): prefixes kept raw
        // for want of a family are then read as addresses.
        assert_eq!(back.family, Family::INET);
        return;
    }
    assert_eq!(back, owned);
}

fn neighbour_encoder(i: &mut Input<'_>, size: usize) {
    let n = Neighbour {
        family: Family(i.u8() % 12),
        ifindex: i.u32(),
        dst: i.opt_ip(),
        lladdr: if i.bool() {
            HwAddr::new(i.blob(40))
        } else {
            None
        },
        state: NeighState(i.u16()),
        flags: NeighFlags(i.u8()),
        ext_flags: NeighExtFlags(i.u32()),
        protocol: i.opt_u8().map(Protocol),
        kind: i.u8(),
        ..Default::default()
    };
    let verb = i.verb(Neighbour::VERBS);
    let Some(out) = emit_both(size, &[], |b| n.emit(verb, b)) else {
        return;
    };
    let m = only_message(&out);
    check_header::<Neighbour>(&m, verb);
    let (h, _) = m.split::<NdMsg>().expect("ndmsg");
    assert_eq!(
        (h.ndm_ifindex as u32, h.ndm_state, h.ndm_flags),
        (n.ifindex, n.state.0, n.flags.0)
    );
    if Op::new(verb, &n).check().is_err() {
        return;
    }
    // What passes the checks reads back as it was (a delete sends the address only).
    let back = Neighbour::decode(&m).expect("a checked neighbour parses");
    let want = if verb == Verb::Delete {
        Neighbour {
            family: back.family,
            lladdr: None,
            ext_flags: NeighExtFlags::EMPTY,
            protocol: None,
            ..n
        }
    } else {
        Neighbour {
            family: back.family,
            ..n
        }
    };
    assert_eq!(back, want);
    assert!(back.family.is_ip());
}

fn fdb_encoder(i: &mut Input<'_>, size: usize) {
    let b6: [u8; 6] = std::array::from_fn(|_| i.u8());
    let e = FdbEntry {
        ifindex: i.u32(),
        mac: if i.bool() { Some(MacAddr(b6)) } else { None },
        state: match i.u8() % 5 {
            0 => FdbState::Permanent,
            1 => FdbState::Static,
            2 => FdbState::Dynamic,
            3 => FdbState::Stale,
            _ => FdbState::Other(i.u16()),
        },
        flags: NeighFlags(i.u8()),
        vlan: if i.bool() { Some(i.u16()) } else { None },
        dst: i.opt_ip(),
        port: if i.bool() { Some(i.u16()) } else { None },
        vni: i.opt_u32(),
        src_vni: i.opt_u32(),
        via: i.opt_u32(),
        nexthop_id: i.opt_u32(),
        ..Default::default()
    };
    let verb = i.verb(FdbEntry::VERBS);
    let Some(out) = emit_both(size, &[], |b| e.emit(verb, b)) else {
        return;
    };
    let m = only_message(&out);
    check_header::<FdbEntry>(&m, verb);
    let (h, _) = m.split::<NdMsg>().expect("ndmsg");
    assert_eq!(h.ndm_family, AF_BRIDGE, "an FDB entry is always AF_BRIDGE");
    assert_eq!(h.ndm_state, e.state.to_ndm());
    // Never a neighbour.
    assert!(Neighbour::decode(&m).is_err());
    let back = FdbEntry::decode(&m).expect("an FDB entry parses");
    let want = FdbEntry {
        state: FdbState::from_ndm(e.state.to_ndm()),
        ..e
    };
    assert_eq!(back, want);
}

fn rule_encoder(i: &mut Input<'_>, size: usize) {
    let family = if i.bool() {
        Family::INET
    } else {
        Family::INET6
    };
    let prefix = |i: &mut Input<'_>| -> (Option<IpAddr>, u8) {
        if i.bool() {
            let a = if family == Family::INET {
                i.ipv4()
            } else {
                i.ipv6()
            };
            (Some(a), i.u8())
        } else {
            (None, 0)
        }
    };
    let (src, src_len) = prefix(i);
    let (dst, dst_len) = prefix(i);
    let range16 = |i: &mut Input<'_>| {
        if i.bool() {
            Some((i.u16(), i.u16()))
        } else {
            None
        }
    };
    let r = Rule {
        family: if i.u8() & 7 == 0 {
            Family::UNSPEC
        } else {
            family
        },
        priority: i.opt_u32(),
        src,
        src_len,
        dst,
        dst_len,
        tos: i.u8(),
        fwmark: i.opt_u32(),
        fwmask: i.opt_u32(),
        realms: i.opt_u32(),
        protocol: i.opt_u8().map(Protocol),
        tun_id: if i.bool() {
            Some(u64::from(i.u32()) << 32 | u64::from(i.u32()))
        } else {
            None
        },
        table: i.u32(),
        suppress_prefixlength: i.opt_u32(),
        suppress_ifgroup: i.opt_u32(),
        iif: if i.bool() {
            IfName::from_kernel(i.text_bytes(20))
        } else {
            None
        },
        oif: if i.bool() {
            IfName::from_kernel(i.text_bytes(20))
        } else {
            None
        },
        l3mdev: i.bool(),
        uid_range: if i.bool() {
            Some((i.u32(), i.u32()))
        } else {
            None
        },
        ip_proto: i.opt_u8(),
        sport: range16(i),
        dport: range16(i),
        action: RuleAction(i.u8() % 10),
        goto: i.opt_u32(),
        flags: RuleFlags(i.u32()),
        other: RawAttrs::new(),
    };
    let verb = i.verb(Rule::VERBS);
    let Some(out) = emit_both(size, &[], |b| r.emit(verb, b)) else {
        return;
    };
    let m = only_message(&out);
    check_header::<Rule>(&m, verb);
    let (h, _) = m.split::<FibRuleHdr>().expect("fib_rule_hdr");
    assert_eq!(
        (h.src_len, h.dst_len, h.tos, h.action, h.flags),
        (r.src_len, r.dst_len, r.tos, r.action.0, r.flags.0)
    );
    assert_eq!(u32::from(h.table), if r.table < 256 { r.table } else { 0 });
    if Op::new(verb, &r).check().is_err() {
        return;
    }
    // Checked: the family is IPv4/IPv6 and the prefixes are of it; what reads back is
    // what was sent (an l3mdev flag of 0 is not sent, and reads back false).
    let back = Rule::decode(&m).expect("a checked rule parses");
    let want = Rule {
        family: back.family,
        ..r
    };
    assert_eq!(back, want);
}

/// The requests that are not objects: dump filters, lookups, the FDB bulk delete.
fn lookup_encoders(i: &mut Input<'_>, size: usize) {
    let dst = i.ip();
    let g = RouteGet {
        dst,
        src: i.opt_ip(),
        iif: i.opt_u32(),
        oif: i.opt_u32(),
        mark: i.opt_u32(),
        uid: i.opt_u32(),
        tos: i.u8(),
        ip_proto: i.opt_u8(),
        sport: if i.bool() { Some(i.u16()) } else { None },
        dport: if i.bool() { Some(i.u16()) } else { None },
        fib_match: i.bool(),
    };
    if let Some(out) = emit_both(size, &[], |b| g.emit(b)) {
        let m = only_message(&out);
        let (h, attrs) = m.split::<RtMsg>().expect("rtmsg");
        assert_eq!(m.header.nlmsg_type, RTM_GETROUTE);
        assert_eq!(h.rtm_family, Family::of(dst).0);
        let back = attrs.find(RTA_DST).unwrap().unwrap();
        assert_eq!(back.ip().unwrap(), dst);
        assert_eq!(h.rtm_flags & RTM_F_FIB_MATCH != 0, g.fib_match);
    }
    let nf = NeighFilter {
        family: Family(i.u8() % 12),
        ifindex: i.opt_u32(),
        master: i.opt_u32(),
        proxy: i.bool(),
        states: None,
    };
    if let Some(out) = emit_both(size, &[], |b| nf.emit(b)) {
        let m = only_message(&out);
        let (h, _) = m.split::<NdMsg>().expect("ndmsg");
        assert_eq!(
            (h.ndm_family, h.ndm_flags & NTF_PROXY != 0),
            (nf.family.0, nf.proxy)
        );
    }
    let ff = FdbFilter {
        port: i.opt_u32(),
        bridge: i.opt_u32(),
        vlan: None,
    };
    if let Some(out) = emit_both(size, &[], |b| ff.emit(b)) {
        let (h, _) = only_message(&out).split::<NdMsg>().expect("ndmsg");
        assert_eq!(h.ndm_family, AF_BRIDGE);
    }
    let fl = FdbFlush {
        dev: i.u32(),
        table: NeighFlags(i.u8()),
        port: i.opt_u32(),
        vlan: if i.bool() { Some(i.u16()) } else { None },
        state: match i.u8() % 4 {
            0 => None,
            1 => Some(FdbState::Permanent),
            2 => Some(FdbState::Static),
            _ => Some(FdbState::Dynamic),
        },
        with: NeighFlags(i.u8()),
        without: NeighFlags(i.u8()),
    };
    if let Some(out) = emit_both(size, &[], |b| fl.emit(b)) {
        let m = only_message(&out);
        assert_eq!(
            (m.header.nlmsg_type, m.header.nlmsg_flags),
            (RTM_DELNEIGH, NLM_F_BULK)
        );
    }
    let rf = RuleFilter::family(Family(i.u8()));
    if let Some(out) = emit_both(size, &[], |b| rf.emit(b)) {
        // Nothing but the family: the kernel refuses any other filter.
        assert_eq!(out.len(), NlMsgHdr::LEN + FibRuleHdr::LEN);
    }
}

/// What of a kind a request carries: the fields the kernel only reports are never
/// sent (a macvlan's source count and used queue length, a tun's whole data), and a
/// UDP port of 0 is not sent (as `ip`'s `dstport 0`).
pub fn sent_kind(k: &LinkKind) -> LinkKind {
    let mut k = k.clone();
    match &mut k {
        LinkKind::Macvlan(m) | LinkKind::Macvtap(m) => {
            m.source_count = None;
            m.bc_queue_len_used = None;
        }
        LinkKind::Tun(t) => *t = Default::default(),
        LinkKind::Vxlan(v) => v.port = v.port.filter(|&p| p != 0),
        LinkKind::Geneve(g) => g.port = g.port.filter(|&p| p != 0),
        _ => {}
    }
    k
}

/// Target `kinds`: the first byte chooses. Even: the rest is a datagram, every
/// message of which is read as a link (typed kinds, bridge port options), a qdisc, a
/// tc filter, and a bridge's VLAN list, by views and owned objects; what the owned
/// objects read re-encodes and reads back the same. Odd: the rest gives field values
/// for a typed kind, a qdisc, a filter, a bridge VLAN, an alternative name or a
/// bridge port change, emitted into a fuzzed-size buffer and read back.
pub fn kinds(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    if sel % 2 == 0 {
        kinds_decode(rest);
    } else {
        kinds_encode(rest);
    }
}

fn kinds_decode(data: &[u8]) {
    use rtnl::wire::tc::{FilterMsg, QdiscMsg};
    use rtnl::{Filter, Qdisc};
    for m in Messages::new(data) {
        let Ok(m) = m else { break };
        let len = m.payload.len();
        let mut as_link = m;
        as_link.header.nlmsg_type = RTM_NEWLINK;
        if let Ok(l) = LinkMsg::decode(&as_link) {
            link_round_trip(&l, len);
            let owned = Link::from(&l);
            let _ = owned.bridge_port();
            let _ = owned.allmulti_count();
            let mut v = Vec::new();
            if rtnl::wire::bridge::decode_vlans(&as_link, &mut v).is_ok() {
                // One entry per VLAN or range; a range ends above where it starts
                // only if the kernel said so: nothing to assume but the index.
                assert!(v.iter().all(|x| x.index == l.index()));
            }
        }
        let mut as_qdisc = m;
        as_qdisc.header.nlmsg_type = RTM_NEWQDISC;
        let view = QdiscMsg::decode(&as_qdisc);
        assert_eq!(view.is_ok(), Qdisc::decode(&as_qdisc).is_ok());
        if let Ok(q) = view {
            let owned = Qdisc::from(&q);
            assert_eq!(
                (owned.ifindex, owned.handle, owned.parent),
                (
                    q.header.tcm_ifindex as u32,
                    q.header.tcm_handle,
                    q.header.tcm_parent
                )
            );
            if let Some(out) = re_emit(&owned, Verb::Replace, 4 * len + 1024, len) {
                let back = Qdisc::decode(&only_message(&out)).expect("re-encoded qdisc parses");
                let want = Qdisc {
                    reported: RawAttrs::new(),
                    ..owned
                };
                assert_eq!(back, want);
            }
        }
        let mut as_filter = m;
        as_filter.header.nlmsg_type = RTM_NEWTFILTER;
        let view = FilterMsg::decode(&as_filter);
        assert_eq!(view.is_ok(), Filter::decode(&as_filter).is_ok());
        if let Ok(f) = view {
            let owned = Filter::from(&f);
            assert_eq!(
                (owned.priority, owned.protocol),
                (f.priority(), f.protocol())
            );
            if let Some(out) = re_emit(&owned, Verb::Replace, 4 * len + 4096, len) {
                let back = Filter::decode(&only_message(&out)).expect("re-encoded filter parses");
                assert_eq!(back, filter_sent(&owned));
            }
        }
    }
}

/// What of a filter a request carries: everything but what the kernel only reports.
fn filter_sent(f: &rtnl::Filter) -> rtnl::Filter {
    let mut f = f.clone();
    f.reported = RawAttrs::new();
    let actions = match &mut f.kind {
        rtnl::FilterKind::U32(u) => {
            u.reported = RawAttrs::new();
            &mut u.actions
        }
        rtnl::FilterKind::Matchall(m) => {
            m.reported = RawAttrs::new();
            &mut m.actions
        }
        _ => return f,
    };
    for a in actions {
        a.reported = RawAttrs::new();
    }
    f
}

fn kinds_encode(data: &[u8]) {
    use rtnl::{
        Action, AltName, BondMode, BridgeVlan, Filter, Geneve, IpvlanFlags, IpvlanMode, Macvlan,
        MacvlanMode, Mirred, Qdisc, TunnelDf, U32Key, U32Sel, Vlan, VlanProtocol, Vxlan, U32,
    };
    let mut i = Input(data);
    let size = i.u16() as usize % 2048;
    match i.u8() % 6 {
        0 => {
            // A typed kind with fuzzed options, on a link with a fuzzed parent.
            let kind = match i.u8() % 8 {
                0 => LinkKind::Vlan(Vlan {
                    id: i.opt_u32().map(|v| v as u16),
                    protocol: i.opt_u32().map(|v| VlanProtocol::from_value(v as u16)),
                    reorder_hdr: i.opt_u8().map(|v| v & 1 == 1),
                    gvrp: i.opt_u8().map(|v| v & 1 == 1),
                    mvrp: i.opt_u8().map(|v| v & 1 == 1),
                    loose_binding: i.opt_u8().map(|v| v & 1 == 1),
                    bridge_binding: i.opt_u8().map(|v| v & 1 == 1),
                    ingress_qos: (0..i.u8() % 4)
                        .map(|_| rtnl::VlanQos::new(i.u32(), i.u32()))
                        .collect(),
                    egress_qos: (0..i.u8() % 4)
                        .map(|_| rtnl::VlanQos::new(i.u32(), i.u32()))
                        .collect(),
                    other: RawAttrs::new(),
                }),
                1 => LinkKind::Macvlan(Macvlan {
                    mode: i.opt_u32().map(MacvlanMode::from_value),
                    flags: i.opt_u32().map(|v| rtnl::MacvlanFlags::from_bits(v as u16)),
                    source_macs: if i.bool() {
                        Some(
                            i.blob(60)
                                .chunks_exact(6)
                                .map(|c| rtnl::MacAddr(c.try_into().unwrap()))
                                .collect(),
                        )
                    } else {
                        None
                    },
                    bc_queue_len: i.opt_u32(),
                    ..Default::default()
                }),
                2 => LinkKind::Ipvlan(rtnl::Ipvlan {
                    mode: i.opt_u32().map(|v| IpvlanMode::from_value(v as u16)),
                    flags: i.opt_u32().map(|v| IpvlanFlags::from_value(v as u16)),
                    other: RawAttrs::new(),
                }),
                3 => LinkKind::Vxlan(Box::new(Vxlan {
                    vni: i.opt_u32(),
                    local: i.opt_ip(),
                    remote: i.opt_ip(),
                    link: i.opt_u32(),
                    port: i.opt_u32().map(|v| v as u16),
                    port_range: if i.bool() {
                        Some((i.u16(), i.u16()))
                    } else {
                        None
                    },
                    ttl: i.opt_u8(),
                    ttl_inherit: i.bool(),
                    tos: i.opt_u8(),
                    df: i.opt_u8().map(TunnelDf::from_value),
                    label: i.opt_u32(),
                    learning: i.opt_u8().map(|v| v & 1 == 1),
                    ageing: i.opt_u32(),
                    limit: i.opt_u32(),
                    proxy: i.opt_u8().map(|v| v & 1 == 1),
                    udp_csum: i.opt_u8().map(|v| v & 1 == 1),
                    external: i.opt_u8().map(|v| v & 1 == 1),
                    gbp: i.bool(),
                    gpe: i.bool(),
                    ..Default::default()
                })),
                4 => LinkKind::Geneve(Geneve {
                    vni: i.opt_u32(),
                    remote: i.opt_ip(),
                    ttl: i.opt_u8(),
                    ttl_inherit: i.opt_u8().map(|v| v & 1 == 1),
                    tos: i.opt_u8(),
                    df: i.opt_u8().map(TunnelDf::from_value),
                    label: i.opt_u32(),
                    port: i.opt_u32().map(|v| v as u16),
                    external: i.bool(),
                    inner_proto_inherit: i.bool(),
                    udp_csum: i.opt_u8().map(|v| v & 1 == 1),
                    ..Default::default()
                }),
                5 => LinkKind::Vrf(rtnl::Vrf {
                    table: i.opt_u32(),
                    other: RawAttrs::new(),
                }),
                6 => LinkKind::Bond(Box::new(rtnl::Bond {
                    mode: i.opt_u8().map(BondMode::from_value),
                    miimon: i.opt_u32(),
                    updelay: i.opt_u32(),
                    primary: i.opt_u32(),
                    xmit_hash_policy: i.opt_u8(),
                    lacp_rate: i.opt_u8(),
                    arp_interval: i.opt_u32(),
                    arp_ip_targets: if i.bool() {
                        Some(
                            (0..i.u8() % 20)
                                .map(|_| std::net::Ipv4Addr::from(i.u32()))
                                .collect(),
                        )
                    } else {
                        None
                    },
                    arp_validate: i.opt_u32().map(rtnl::BondArpValidate::from_value),
                    arp_all_targets: i.opt_u32().map(rtnl::BondArpAllTargets::from_value),
                    ..Default::default()
                })),
                _ => [LinkKind::Dummy, LinkKind::Ifb, LinkKind::Wireguard][i.u8() as usize % 3]
                    .clone(),
            };
            let l = Link {
                index: i.u32(),
                link: i.opt_u32(),
                name: IfName::from_kernel(i.text_bytes(20)),
                kind: Some(kind),
                ..Default::default()
            };
            let verb = i.verb(Link::VERBS);
            let _ = l.check(verb);
            if let Some(out) = emit_both(size, &[WireError::InteriorNul], |b| l.emit(verb, b)) {
                let m = only_message(&out);
                check_header::<Link>(&m, verb);
                let back = Link::decode(&m).expect("emitted link parses");
                if verb != Verb::Delete {
                    assert_eq!(back.kind, l.kind.as_ref().map(sent_kind));
                    assert_eq!(back.link, l.link);
                }
            }
        }
        1 => {
            let q = if i.bool() {
                Qdisc::ingress(i.u32())
            } else {
                Qdisc::clsact(i.u32())
            };
            let verb = i.verb(Qdisc::VERBS);
            let _ = q.check(verb);
            if let Some(out) = emit_both(size, &[], |b| q.emit(verb, b)) {
                let m = only_message(&out);
                check_header::<Qdisc>(&m, verb);
                assert_eq!(Qdisc::decode(&m).expect("qdisc parses"), q);
            }
        }
        2 => {
            let mut f = Filter::redirect(i.u32(), i.u32(), i.u32());
            f.handle = i.u32();
            f.priority = i.u16();
            f.protocol = i.u16();
            f.chain = i.opt_u32();
            let keys = (0..i.u8() % 8)
                .map(|_| U32Key {
                    mask: i.u32(),
                    val: i.u32(),
                    off: i.u32() as i32,
                    offmask: i.u32() as i32,
                })
                .collect();
            let mut m = Mirred::redirect(i.u32());
            if i.bool() {
                m = Mirred::mirror(m.ifindex);
            }
            if i.bool() {
                m.direction = rtnl::Direction::Ingress;
            }
            m.verdict = i.u32() as i32;
            m.index = i.u32();
            f.kind = rtnl::FilterKind::U32(U32 {
                classid: i.opt_u32(),
                actions: vec![Action::from(m); usize::from(i.u8() % 4)],
                hash: i.opt_u32(),
                sel: Some(U32Sel {
                    flags: i.u8(),
                    offshift: i.u8(),
                    offmask: i.u16(),
                    off: i.u16(),
                    offoff: i.u16() as i16,
                    hoff: i.u16() as i16,
                    hmask: i.u32(),
                    keys,
                }),
                flags: i.opt_u32(),
                divisor: i.opt_u32(),
                ..Default::default()
            });
            if i.bool() {
                // The same actions under `matchall` instead.
                f.kind = rtnl::FilterKind::Matchall(rtnl::Matchall {
                    classid: i.opt_u32(),
                    actions: f.actions().to_vec(),
                    flags: i.opt_u32(),
                    ..Default::default()
                });
            }
            let verb = i.verb(Filter::VERBS);
            let _ = f.check(verb);
            if let Some(out) = emit_both(size, &[], |b| f.emit(verb, b)) {
                let m = only_message(&out);
                check_header::<Filter>(&m, verb);
                let back = Filter::decode(&m).expect("filter parses");
                if verb != Verb::Delete {
                    assert_eq!(back, f);
                }
            }
        }
        3 => {
            let v = BridgeVlan {
                index: i.u32(),
                vid: i.u16(),
                vid_end: i.opt_u32().map(|v| v as u16),
                pvid: i.bool(),
                untagged: i.bool(),
                master: i.bool(),
                self_: i.bool(),
                brentry: false,
            };
            let verb = i.verb(BridgeVlan::VERBS);
            let _ = v.check(verb);
            if let Some(out) = emit_both(size, &[], |b| v.emit(verb, b)) {
                let mut m = only_message(&out);
                check_header::<BridgeVlan>(&m, verb);
                m.header.nlmsg_type = RTM_NEWLINK;
                let mut got = Vec::new();
                rtnl::wire::bridge::decode_vlans(&m, &mut got).expect("vlans parse");
                let want = BridgeVlan {
                    master: false,
                    self_: false,
                    ..v
                };
                assert_eq!(got, vec![want]);
            }
        }
        4 => {
            let name = i.text_bytes(140);
            let sel = i.text_bytes(140);
            let a = AltName {
                link: if i.bool() {
                    rtnl::LinkRef::Index(i.u32())
                } else {
                    rtnl::LinkRef::Name(sel)
                },
                name,
            };
            let verb = i.verb(AltName::VERBS);
            let _ = a.check(verb);
            if let Some(out) = emit_both(size, &[WireError::InteriorNul, WireError::TooLong], |b| {
                a.emit(verb, b)
            }) {
                let m = only_message(&out);
                check_header::<AltName>(&m, verb);
                let (_, attrs) = m.split::<IfInfoMsg>().unwrap();
                let list = attrs
                    .clone()
                    .find(IFLA_PROP_LIST)
                    .unwrap()
                    .expect("the property list");
                let alt = list.nested().find(IFLA_ALT_IFNAME).unwrap().unwrap();
                assert_eq!(alt.bytes_z(), name);
            }
        }
        _ => {
            let port = rtnl::BridgePort {
                guard: i.opt_u8().map(|v| v & 1 == 1),
                hairpin: i.opt_u8().map(|v| v & 1 == 1),
                fast_leave: i.opt_u8().map(|v| v & 1 == 1),
                root_block: i.opt_u8().map(|v| v & 1 == 1),
                flooding: i.opt_u8().map(|v| v & 1 == 1),
                mcast_flood: i.opt_u8().map(|v| v & 1 == 1),
                bcast_flood: i.opt_u8().map(|v| v & 1 == 1),
                learning: i.opt_u8().map(|v| v & 1 == 1),
                cost: i.opt_u32(),
                priority: i.opt_u32().map(|v| v as u16),
                state: i.opt_u8(),
                neigh_suppress: i.opt_u8().map(|v| v & 1 == 1),
                isolated: i.opt_u8().map(|v| v & 1 == 1),
                other: RawAttrs::new(),
            };
            let req = rtnl::PortChange {
                index: i.u32(),
                port: &port,
            };
            use rtnl::Request;
            let _ = req.check();
            if let Some(out) = emit_both(size, &[], |b| req.emit(b)) {
                let m = only_message(&out);
                let (ifi, attrs) = m.split::<IfInfoMsg>().unwrap();
                assert_eq!(
                    (ifi.ifi_family, ifi.ifi_index as u32),
                    (AF_BRIDGE, req.index)
                );
                let p = attrs.clone().find(IFLA_PROTINFO).unwrap().unwrap();
                assert_eq!(rtnl::BridgePort::decode(p.value), port);
            }
        }
    }
}

// ---- target `events` -----------------------------------------------------------------

/// The port id of the fuzzed monitor's socket.
const EVENT_PID: u32 = 4242;
/// A reply's sequence number in the input: replaced by the last request's (so that
/// the fuzzer can write answers without knowing the monitor's seed).
const LAST_SEQ: u32 = 0xdead_beef;

/// Target `events`: the event decoder (`rtnl::wire::event`) on every message of the
/// datagram — `Ok` or `Err`, consistent with the header, the owned conversion never
/// panicking; the kernel filter's program (run by a classic-BPF interpreter with the
/// kernel's semantics) agreeing with its user-space test on every message; and the
/// monitor's state machine driven by the bytes as a script (datagrams, `ENOBUFS`,
/// `EAGAIN`, a datagram too large, snapshots and lookups asked for) without a panic,
/// its count of pending snapshots coming back to 0.
pub fn events(data: &[u8]) {
    use rtnl::wire::event::{Change, ObjectMsg};
    let filters = [
        rtnl::EventFilter::default().index(3),
        rtnl::EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]).index(2),
        rtnl::EventFilter::types(&[RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWNEXTHOP])
            .index(7)
            .family(Family::INET6),
        rtnl::EventFilter::default().family(Family::INET),
    ];
    static PROGRAMS: std::sync::OnceLock<Vec<Vec<SockFilter>>> = std::sync::OnceLock::new();
    let programs = PROGRAMS.get_or_init(|| {
        filters
            .iter()
            .map(|f| f.program(EVENT_PID).expect("a small program"))
            .collect()
    });
    for m in Messages::new(data).map_while(|m| m.ok()) {
        let ty = m.header.nlmsg_type;
        match ObjectMsg::decode(&m) {
            Ok(Some((change, o))) => {
                let new = matches!(
                    ty,
                    RTM_NEWLINK
                        | RTM_NEWADDR
                        | RTM_NEWROUTE
                        | RTM_NEWNEXTHOP
                        | RTM_NEWNEIGH
                        | RTM_NEWRULE
                );
                assert_eq!(change == Change::New, new, "type {ty}");
                if let ObjectMsg::Link(l) = &o {
                    assert_eq!(o.index(), Some(l.header.ifi_index as u32));
                }
                let _ = o.kind();
                let _ = o.to_owned();
            }
            Ok(None) => assert!(
                !matches!(
                    ty,
                    RTM_NEWLINK
                        | RTM_DELLINK
                        | RTM_NEWADDR
                        | RTM_DELADDR
                        | RTM_NEWROUTE
                        | RTM_DELROUTE
                        | RTM_NEWNEXTHOP
                        | RTM_DELNEXTHOP
                        | RTM_NEWNEIGH
                        | RTM_DELNEIGH
                        | RTM_NEWRULE
                        | RTM_DELRULE
                ),
                "a modelled type {ty} decoded as unmodelled"
            ),
            Err(_) => {}
        }
        // The message's own bytes, as the kernel's filter sees a notification.
        let start = m.payload.as_ptr() as usize - data.as_ptr() as usize - NlMsgHdr::LEN;
        let bytes = &data[start..start + NlMsgHdr::LEN + m.payload.len()];
        for (f, p) in filters.iter().zip(programs) {
            let kernel = bpf_run(p, bytes) != 0;
            let user = m.header.nlmsg_pid == EVENT_PID || f.matches(&m);
            assert_eq!(kernel, user, "{f:?} on {bytes:02x?}");
        }
    }
    // The state machine is driven by short scripts (what the fuzzer explores): a
    // long capture is a poor script and costs the replay of every mutation.
    if data.len() <= 512 {
        monitor_script(data);
    }
}

/// A classic-BPF interpreter for what `EventFilter::program` emits, with the
/// kernel's semantics: big-endian loads, a load out of bounds ends with 0,
/// `SKF_AD_NLATTR` as `nla_find`.
fn bpf_run(prog: &[SockFilter], pkt: &[u8]) -> u32 {
    let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
    let load = |at: usize, n: usize| -> Option<u32> {
        let b = pkt.get(at..at.checked_add(n)?)?;
        Some(b.iter().fold(0u32, |v, &c| v << 8 | u32::from(c)))
    };
    for _ in 0..BPF_MAXINSNS {
        let i = prog[pc];
        pc += 1;
        let size = match i.code & 0x18 {
            BPF_W => 4,
            BPF_H => 2,
            _ => 1,
        };
        match i.code {
            c if c == BPF_LD | BPF_W | BPF_ABS && i.k == SKF_AD_OFF + SKF_AD_NLATTR => {
                let start = a as usize;
                a = 0;
                if pkt.len() >= 4 && start <= pkt.len() - 4 {
                    let mut off = start;
                    for at in Attrs::new(&pkt[start..]).map_while(|r| r.ok()) {
                        if at.ty == x as u16 {
                            a = off as u32;
                            break;
                        }
                        off += align4(at.value.len() + 4);
                    }
                }
            }
            c if c & 0x07 == BPF_LD && c & 0xe0 == BPF_ABS => match load(i.k as usize, size) {
                Some(v) => a = v,
                None => return 0,
            },
            c if c & 0x07 == BPF_LD && c & 0xe0 == BPF_IND => {
                match load(x as usize + i.k as usize, size) {
                    Some(v) => a = v,
                    None => return 0,
                }
            }
            c if c == BPF_LD | BPF_IMM => a = i.k,
            c if c == BPF_LDX | BPF_W | BPF_IMM => x = i.k,
            c if c == BPF_MISC | BPF_TAX => x = a,
            c if c == BPF_JMP | BPF_JEQ | BPF_K => {
                pc += usize::from(if a == i.k { i.jt } else { i.jf })
            }
            c if c == BPF_RET | BPF_K => return i.k,
            c => panic!("instruction {c:#x} is not one the generator emits"),
        }
    }
    panic!("the program did not end")
}

/// An event source whose datagrams and errors come from the fuzzer's bytes.
struct Script<'a> {
    data: &'a [u8],
    last_seq: u32,
}

impl rtnl::Transport for Script<'_> {
    fn send(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(h) = NlMsgHdr::read_from(buf) {
            self.last_seq = h.nlmsg_seq;
        }
        Ok(())
    }
    fn recv(&mut self, _buf: &mut Vec<u8>) -> std::io::Result<usize> {
        Err(std::io::Error::from_raw_os_error(libc_eagain()))
    }
    fn port_id(&self) -> u32 {
        EVENT_PID
    }
}

fn libc_eagain() -> i32 {
    11
}

impl rtnl::EventSource for Script<'_> {
    fn join(&mut self, _group: u32) -> std::io::Result<()> {
        Ok(())
    }
    fn leave(&mut self, _group: u32) -> std::io::Result<()> {
        Ok(())
    }
    fn recv_event(
        &mut self,
        buf: &mut [u8],
        _wait: rtnl::socket::Wait,
    ) -> std::io::Result<rtnl::socket::RecvMeta> {
        let Some((&op, rest)) = self.data.split_first() else {
            return Err(std::io::Error::from_raw_os_error(libc_eagain()));
        };
        self.data = rest;
        match op % 8 {
            // ENOBUFS (105): notifications were dropped.
            4 => Err(std::io::Error::from_raw_os_error(105)),
            5 => Err(std::io::Error::from_raw_os_error(libc_eagain())),
            _ => {
                let len = usize::from(*self.data.first().unwrap_or(&0)) * 4;
                let take = len.min(self.data.len().saturating_sub(1));
                let d = self.data.get(1..1 + take).unwrap_or(&[]);
                self.data = &self.data[(1 + take).min(self.data.len())..];
                let mut v = d.to_vec();
                // Answers to "the last request": its seq, our port id.
                let mut off = 0;
                while off + 16 <= v.len() {
                    let h = NlMsgHdr::read_from(&v[off..]).expect("16 bytes");
                    if h.nlmsg_seq == LAST_SEQ {
                        v[off + 8..off + 12].copy_from_slice(&self.last_seq.to_ne_bytes());
                        v[off + 12..off + 16].copy_from_slice(&EVENT_PID.to_ne_bytes());
                    }
                    let len = h.nlmsg_len as usize;
                    if len < 16 || len > v.len() - off {
                        break;
                    }
                    off += align4(len);
                }
                let truncated = op % 8 == 6 || v.len() > buf.len();
                let n = v.len().min(buf.len());
                buf[..n].copy_from_slice(&v[..n]);
                Ok(rtnl::socket::RecvMeta {
                    len: if op % 8 == 6 { buf.len() + 1 } else { v.len() },
                    truncated,
                    nsid: (op % 8 == 7).then_some(i32::from(op >> 3)),
                    group: None,
                })
            }
        }
    }
    fn drops(&self) -> Option<u32> {
        Some(self.data.len() as u32)
    }
}

fn monitor_script(data: &[u8]) {
    use rtnl::{Group, Monitor};
    let mut m = Monitor::from_source(Script { data, last_seq: 0 });
    let _ = m.join(Group::LINK);
    let _ = m.join(Group::IPV4_ROUTE);
    m.set_resync(data.first().is_some_and(|b| b & 1 != 0));
    if data.get(1).is_some_and(|b| b & 1 != 0) {
        let _ = m.snapshot();
    }
    if data.get(2).is_some_and(|b| b & 1 != 0) {
        let _ = m.set_filter(Some(rtnl::EventFilter::default().index(2)));
    }
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 1_000_000, "the monitor does not come to rest");
        match m.try_recv() {
            Ok(Some(ev)) => {
                let _ = ev.describe();
                let _ = ev.to_owned();
                let _ = (ev.object(), ev.exists(), ev.is_notification());
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    // Snapshots pending: at most the one asked for and one resync per overrun.
    assert!(m.snapshots_pending() as u64 <= 1 + m.stats().overruns);
}
