//! Layer `wire`: every `RTM_*ROUTE` message. [`Route`] is the one owned route: what a
//! dump returns, and what `ip route add|replace|append|change|del` send ([`Object`]),
//! so that a dumped route can be handed back unchanged (to delete it, or to re-create
//! it). [`RouteMsg`] is its zero-copy view, for streaming dumps of any size;
//! [`RouteFilter`] asks for a dump the kernel filters.
//!
//! Nothing the kernel reports is lost: multipath next hops ([`Hop`]: gateway, device,
//! weight, flags), source prefixes, every `RTAX_*` metric, `rtm_flags` (`onlink`, ...),
//! the IPv6 router preference and expiry, tables above 255, and any attribute not
//! modelled ([`Route::other`], sent back as it came). Addresses are read by the
//! route's family: an `AF_MPLS` route's label is not an IP address and is kept raw.
//!
//! Attribute order follows iproute2's for `ip route add DST [from SRC] [via GW] [src
//! S] [pref P] [expires E] [metric M] [table T] [nhid N] [dev X] [METRICS...]
//! [nexthop ...]`: `RTA_DST`, `RTA_SRC`, `RTA_GATEWAY` (or `RTA_VIA` for a gateway of
//! the other family), `RTA_PREFSRC`, `RTA_PREF`, `RTA_EXPIRES`, `RTA_PRIORITY`,
//! `RTA_TABLE` (only for ids ≥ 256; smaller ids go in `rtm_table`), `RTA_NH_ID`,
//! `RTA_MARK`, `RTA_UID`, `RTA_IIF`, `RTA_OIF`, `RTA_METRICS`, `RTA_MULTIPATH`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{Family, Protocol, RouteFlags, RouteType, Scope};
use crate::wire::{
    emit_raw, Attr, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::net::IpAddr;

/// One next hop of a multipath route (`nexthop via GW dev X weight W`).
///
/// A next hop may carry attributes this crate does not model (a lightweight tunnel's
/// `RTA_ENCAP`, an MPLS `RTA_NEWDST`): a route with such a hop keeps its whole
/// `RTA_MULTIPATH` raw in [`Route::other`], where it is sent back as it came, and its
/// [`Route::multipath`] is left empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hop {
    /// `RTA_GATEWAY` (or `RTA_VIA` for the other family).
    pub gateway: Option<IpAddr>,
    /// `rtnh_ifindex`: the device (0: none).
    pub oif: u32,
    /// The share of traffic, 1 to 256 (`weight W`; the wire carries `W - 1`).
    pub weight: u16,
    /// `rtnh_flags` (`onlink`, `dead`, `linkdown`, ...).
    pub flags: RouteFlags,
    /// `RTA_FLOW`: the routing realms (`realms FROM/TO`).
    pub realms: Option<u32>,
}

/// One route metric of `RTA_METRICS` (`mtu 1400`, `advmss 1360`, `lock mtu`, ...):
/// an `RTAX_*` type and its value. `RTAX_CC_ALGO` (a name, not a number) is
/// [`Route::congctl`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Metric {
    /// `RTAX_MTU`, `RTAX_ADVMSS`, ... (`RTAX_LOCK` is a bit set of locked metrics).
    pub kind: u16,
    /// Its value.
    pub value: u32,
}

/// A route (`ip route show`), and what `ip route add|del|...` send.
///
/// ```
/// use rtnl::{Route, RouteType};
/// // ip route add 10.1.0.0/16 via 10.0.0.254 table 300
/// let r = Route::to("10.1.0.0".parse().unwrap(), 16)?
///     .via("10.0.0.254".parse().unwrap())
///     .table(300);
/// // ip route add blackhole 10.9.0.0/16
/// let b = Route::to("10.9.0.0".parse().unwrap(), 16)?.of_type(RouteType::BLACKHOLE);
/// # let _ = (r, b);
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    /// `rtm_family`.
    pub family: Family,
    /// `RTA_DST`; `None` for a default route (then `dst_len` is 0), and for families
    /// whose destinations are not IP addresses (kept in [`other`](Self::other)).
    pub dst: Option<IpAddr>,
    /// `rtm_dst_len`.
    pub dst_len: u8,
    /// `RTA_SRC`: a source prefix (`from SRC/LEN`, IPv6 source routing).
    pub src: Option<IpAddr>,
    /// `rtm_src_len`.
    pub src_len: u8,
    /// `rtm_tos`.
    pub tos: u8,
    /// The table id: `rtm_table` below 256, else `RTA_TABLE` with `rtm_table` 0.
    pub table: u32,
    /// `rtm_protocol`.
    pub protocol: Protocol,
    /// `rtm_scope`.
    pub scope: Scope,
    /// `rtm_type`.
    pub kind: RouteType,
    /// `rtm_flags` (`onlink`, ...).
    pub flags: RouteFlags,
    /// `RTA_GATEWAY`, or `RTA_VIA` when its family differs from the route's (an IPv4
    /// route via an IPv6 gateway, Linux ≥ 5.2).
    pub gateway: Option<IpAddr>,
    /// `RTA_OIF`: the output device.
    pub oif: Option<u32>,
    /// `RTA_IIF`: the input device (`ip route get ... iif X`; policy routes).
    pub iif: Option<u32>,
    /// `RTA_PREFSRC`: the preferred source address (`src S`).
    pub prefsrc: Option<IpAddr>,
    /// `RTA_PRIORITY`: the metric (`metric M`).
    pub priority: Option<u32>,
    /// `RTA_NH_ID`: the nexthop object the route uses (`nhid N`) instead of a gateway
    /// and device of its own — the kernel refuses both together.
    pub nexthop_id: Option<u32>,
    /// `RTA_PREF`: the IPv6 router preference (`pref low|medium|high`:
    /// `ICMPV6_ROUTER_PREF_*`).
    pub pref: Option<u8>,
    /// Seconds until the route expires (`expires S`): sent as `RTA_EXPIRES`, read from
    /// `RTA_EXPIRES` or from `RTA_CACHEINFO`'s `rta_expires` (IPv6 routes learnt from
    /// router advertisements, or added with an expiry).
    pub expires: Option<u32>,
    /// `RTA_MARK` (`ip route get ... mark M`).
    pub mark: Option<u32>,
    /// `RTA_UID` (`ip route get ... uid U`).
    pub uid: Option<u32>,
    /// `RTA_METRICS`: every `RTAX_*` number, in order.
    pub metrics: Vec<Metric>,
    /// `RTA_METRICS` / `RTAX_CC_ALGO`: the congestion control algorithm (`congctl`).
    pub congctl: Option<String>,
    /// `RTA_MULTIPATH`: the next hops of a multipath route.
    pub multipath: Vec<Hop>,
    /// `RTA_CACHEINFO` (reported, never sent): use counters, the expiry in clock
    /// ticks, and the error of an unreachable IPv6 route (`rta_error`).
    pub cache: Option<RtaCacheInfo>,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Default for Route {
    fn default() -> Route {
        Route::new(Family::INET)
    }
}

impl Route {
    /// What `ip route add` fills in before reading its arguments: main table,
    /// protocol `boot`, universe scope, unicast, no destination (a default route).
    pub const fn new(family: Family) -> Route {
        Route {
            family,
            dst: None,
            dst_len: 0,
            src: None,
            src_len: 0,
            tos: 0,
            table: RT_TABLE_MAIN as u32,
            protocol: Protocol::BOOT,
            scope: Scope::UNIVERSE,
            kind: RouteType::UNICAST,
            flags: RouteFlags(0),
            gateway: None,
            oif: None,
            iif: None,
            prefsrc: None,
            priority: None,
            nexthop_id: None,
            pref: None,
            expires: None,
            mark: None,
            uid: None,
            metrics: Vec::new(),
            congctl: None,
            multipath: Vec::new(),
            cache: None,
            other: RawAttrs::new(),
        }
    }

    /// The route to `dst/dst_len` (`ip route add DST/LEN`), with the host bits of
    /// `dst` cleared as the kernel requires; a prefix past the family's maximum is
    /// refused. `dst_len` 0 is a default route.
    pub fn to(dst: IpAddr, dst_len: u8) -> Result<Route> {
        crate::validate::check_prefix(dst, dst_len)?;
        let mut r = Route::new(Family::of(dst));
        if dst_len > 0 {
            r.dst = Some(crate::validate::mask(dst, dst_len));
        }
        r.dst_len = dst_len;
        Ok(r)
    }

    /// `ip route add default via GW`: the family from `gateway`.
    pub fn default_via(gateway: IpAddr) -> Route {
        let mut r = Route::new(Family::of(gateway));
        r.gateway = Some(gateway);
        r
    }

    /// `via GW`.
    pub fn via(mut self, gateway: IpAddr) -> Route {
        self.gateway = Some(gateway);
        self
    }

    /// `dev X` by index; a route without a gateway is then in link scope, as `ip`
    /// chooses it.
    pub fn dev(mut self, oif: u32) -> Route {
        self.oif = Some(oif);
        if self.gateway.is_none() && self.kind == RouteType::UNICAST {
            self.scope = Scope::LINK;
        }
        self
    }

    /// `table T`.
    pub fn table(mut self, table: u32) -> Route {
        self.table = table;
        self
    }

    /// `metric M`.
    pub fn metric(mut self, metric: u32) -> Route {
        self.priority = Some(metric);
        self
    }

    /// `src S`.
    pub fn src(mut self, prefsrc: IpAddr) -> Route {
        self.prefsrc = Some(prefsrc);
        self
    }

    /// `blackhole`, `unreachable`, `prohibit`, `throw`, ...: the route's type.
    pub fn of_type(mut self, kind: RouteType) -> Route {
        self.kind = kind;
        self
    }

    /// The value of metric `kind` (`RTAX_MTU`, ...), if set.
    pub fn metric_value(&self, kind: u16) -> Option<u32> {
        self.metrics
            .iter()
            .find(|m| m.kind == kind)
            .map(|m| m.value)
    }

    /// True for a default route (`dst_len` 0).
    pub fn is_default(&self) -> bool {
        self.dst_len == 0
    }

    #[inline(always)]
    fn emit_gateway(b: &mut MsgBuilder<'_>, family: Family, gw: IpAddr) -> Result<(), WireError> {
        if Family::of(gw) == family {
            return b.attr_ip(RTA_GATEWAY, gw);
        }
        // struct rtvia: a 16-bit family, then the address.
        let mut v = [0u8; 18];
        let fam = u16::from(Family::of(gw).0);
        v[..2].copy_from_slice(&fam.to_ne_bytes());
        let n = match gw {
            IpAddr::V4(a) => {
                v[2..6].copy_from_slice(&a.octets());
                6
            }
            IpAddr::V6(a) => {
                v[2..18].copy_from_slice(&a.octets());
                18
            }
        };
        b.attr_bytes(RTA_VIA, &v[..n])
    }
}

impl Object for Route {
    const NEW: u16 = RTM_NEWROUTE;
    const DEL: u16 = RTM_DELROUTE;
    const VERBS: &'static [Verb] = &[
        Verb::Add,
        Verb::Replace,
        Verb::Change,
        Verb::Append,
        Verb::Prepend,
        Verb::Delete,
    ];

    /// Refuses what the kernel would refuse anyway: prefixes past the family's
    /// maximum, addresses of the wrong family, weights outside 1..=256, a nexthop
    /// object together with a gateway, device or next hops, table 0 for an add.
    fn check(&self, verb: Verb) -> Result<()> {
        let max = self.family.max_prefix();
        for (what, a, len) in [
            ("route destination", self.dst, self.dst_len),
            ("route source prefix", self.src, self.src_len),
        ] {
            if let Some(max) = max {
                if len > max {
                    return Err(Error::invalid(
                        "prefix length",
                        len,
                        if max == 32 {
                            "IPv4 prefixes are at most 32"
                        } else {
                            "IPv6 prefixes are at most 128"
                        },
                    ));
                }
            }
            if let Some(a) = a {
                if Family::of(a) != self.family {
                    return Err(Error::wrong_family(
                        what,
                        a,
                        "address family differs from the route's",
                    ));
                }
            }
        }
        if let Some(s) = self.prefsrc {
            if Family::of(s) != self.family {
                return Err(Error::wrong_family(
                    "preferred source",
                    s,
                    "address family differs from the route's",
                ));
            }
        }
        for h in &self.multipath {
            if !(1..=256).contains(&h.weight) {
                return Err(Error::invalid(
                    "next hop weight",
                    h.weight,
                    "weights go from 1 to 256",
                ));
            }
        }
        if self.nexthop_id.is_some()
            && (self.gateway.is_some() || self.oif.is_some() || !self.multipath.is_empty())
        {
            return Err(Error::invalid(
                "route",
                format!("nhid {}", self.nexthop_id.unwrap_or(0)),
                "a route with a nexthop object has no gateway, device or next hops of its own",
            ));
        }
        if self.table == 0 && verb != Verb::Delete {
            return Err(Error::invalid(
                "route table",
                0,
                "table 0 is not a table (RT_TABLE_UNSPEC)",
            ));
        }
        Ok(())
    }

    #[inline]
    fn emit_body(&self, verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        let small_table = self.table < 256;
        // `dead` and `linkdown` are the kernel's report of a device's state, never a
        // request: it refuses them in one ("Invalid rtm_flags - can not contain DEAD or
        // LINKDOWN"), so a route dumped while its device had no carrier is re-created
        // without them (the kernel sets them again). A delete sends them as they came.
        let reported = if verb == Verb::Delete {
            0
        } else {
            (RouteFlags::DEAD | RouteFlags::LINKDOWN).0
        };
        b.header(&RtMsg {
            rtm_family: self.family.0,
            rtm_dst_len: self.dst_len,
            rtm_src_len: self.src_len,
            rtm_tos: self.tos,
            rtm_table: if small_table {
                self.table as u8
            } else {
                RT_TABLE_UNSPEC
            },
            rtm_protocol: self.protocol.0,
            rtm_scope: self.scope.0,
            rtm_type: self.kind.0,
            rtm_flags: self.flags.0 & !reported,
        })?;
        if let Some(d) = self.dst {
            b.attr_ip(RTA_DST, d)?;
        }
        if let Some(s) = self.src {
            b.attr_ip(RTA_SRC, s)?;
        }
        if let Some(g) = self.gateway {
            Route::emit_gateway(b, self.family, g)?;
        }
        if let Some(s) = self.prefsrc {
            b.attr_ip(RTA_PREFSRC, s)?;
        }
        if let Some(p) = self.pref {
            b.attr_u8(RTA_PREF, p)?;
        }
        if let Some(e) = self.expires {
            b.attr_u32(RTA_EXPIRES, e)?;
        }
        if let Some(p) = self.priority {
            b.attr_u32(RTA_PRIORITY, p)?;
        }
        if !small_table {
            b.attr_u32(RTA_TABLE, self.table)?;
        }
        if let Some(id) = self.nexthop_id {
            b.attr_u32(RTA_NH_ID, id)?;
        }
        if let Some(m) = self.mark {
            b.attr_u32(RTA_MARK, m)?;
        }
        if let Some(u) = self.uid {
            b.attr_u32(RTA_UID, u)?;
        }
        if let Some(i) = self.iif {
            b.attr_u32(RTA_IIF, i)?;
        }
        if let Some(o) = self.oif {
            b.attr_u32(RTA_OIF, o)?;
        }
        if !self.metrics.is_empty() || self.congctl.is_some() {
            let m = b.begin_nested(RTA_METRICS)?;
            for x in &self.metrics {
                b.attr_u32(x.kind, x.value)?;
            }
            if let Some(c) = &self.congctl {
                b.attr_str(RTAX_CC_ALGO, c)?;
            }
            b.end_nested(m)?;
        }
        if !self.multipath.is_empty() {
            let mp = b.begin_nested(RTA_MULTIPATH)?;
            for h in &self.multipath {
                let w = match h.weight {
                    1..=256 => (h.weight - 1) as u8,
                    _ => return Err(WireError::BadAttribute(RTA_MULTIPATH)),
                };
                let at = b.begin_sized(&RtNexthop {
                    rtnh_len: 0,
                    rtnh_flags: (h.flags.0 & !reported) as u8,
                    rtnh_hops: w,
                    rtnh_ifindex: h.oif as i32,
                })?;
                if let Some(g) = h.gateway {
                    Route::emit_gateway(b, self.family, g)?;
                }
                if let Some(r) = h.realms {
                    b.attr_u32(RTA_FLOW, r)?;
                }
                b.end_sized(at)?;
            }
            b.end_nested(mp)?;
        }
        emit_raw(b, &self.other)
    }
}

/// Reads `RTA_GATEWAY` (an address of `family`) or `RTA_VIA` (`struct rtvia`).
fn gateway_of(a: &Attr<'_>, family: u8) -> Option<IpAddr> {
    match a.ty {
        RTA_GATEWAY => a.ip_of(family).ok(),
        RTA_VIA => {
            let fam = u16::from_ne_bytes(a.value.get(..2)?.try_into().ok()?);
            let addr = Attr {
                value: a.value.get(2..)?,
                ..*a
            };
            addr.ip_of(u8::try_from(fam).ok()?).ok()
        }
        _ => None,
    }
}

impl From<&RouteMsg<'_>> for Route {
    /// Everything the view's message holds, owned.
    fn from(m: &RouteMsg<'_>) -> Route {
        let h = m.header;
        let family = h.rtm_family;
        let mut r = Route {
            family: Family(family),
            dst: m.dst,
            dst_len: h.rtm_dst_len,
            src_len: h.rtm_src_len,
            tos: h.rtm_tos,
            table: m.table,
            protocol: Protocol(h.rtm_protocol),
            scope: Scope(h.rtm_scope),
            kind: RouteType(h.rtm_type),
            flags: RouteFlags(h.rtm_flags),
            gateway: m.gateway,
            oif: m.oif,
            prefsrc: m.prefsrc,
            priority: m.priority,
            nexthop_id: m.nexthop_id,
            ..Route::new(Family(family))
        };
        for a in Attrs::new(m.attrs).flatten() {
            let u32v = a.u32();
            match a.ty {
                RTA_DST if r.dst.is_some() => {}
                RTA_GATEWAY | RTA_VIA if r.gateway.is_some() => {}
                RTA_OIF if r.oif.is_some() => {}
                RTA_PREFSRC if r.prefsrc.is_some() => {}
                RTA_PRIORITY if r.priority.is_some() => {}
                RTA_NH_ID if r.nexthop_id.is_some() => {}
                RTA_TABLE if u32v.is_ok() => {}
                RTA_SRC if a.ip_of(family).is_ok() => r.src = a.ip_of(family).ok(),
                RTA_IIF if u32v.is_ok() => r.iif = u32v.ok(),
                RTA_MARK if u32v.is_ok() => r.mark = u32v.ok(),
                RTA_UID if u32v.is_ok() => r.uid = u32v.ok(),
                RTA_PREF if !a.value.is_empty() => r.pref = a.u8().ok(),
                RTA_EXPIRES if u32v.is_ok() => r.expires = u32v.ok(),
                RTA_CACHEINFO if RtaCacheInfo::read_from(a.value).is_some() => {
                    // The expiry is a property of the route (sent back as
                    // RTA_EXPIRES); the rest are counters, reported only.
                    let ci = RtaCacheInfo::read_from(a.value).unwrap_or_default();
                    if ci.rta_expires > 0 && r.expires.is_none() {
                        r.expires = Some(ci.rta_expires as u32 / USER_HZ);
                    }
                    r.cache = Some(ci);
                }
                RTA_METRICS if metrics_ok(a.value) => read_metrics(a.value, &mut r),
                RTA_MULTIPATH if hops_ok(a.value, family) => {
                    read_hops(a.value, family, &mut r.multipath)
                }
                _ => r.other.push_attr(&a),
            }
        }
        r
    }
}

fn metrics_ok(v: &[u8]) -> bool {
    Attrs::new(v).all(|a| a.is_ok())
}

fn read_metrics(v: &[u8], r: &mut Route) {
    for m in Attrs::new(v).flatten() {
        match (m.ty, m.u32()) {
            (RTAX_CC_ALGO, _) => {
                r.congctl = Some(String::from_utf8_lossy(m.bytes_z()).into_owned())
            }
            (kind, Ok(value)) => r.metrics.push(Metric { kind, value }),
            _ => {}
        }
    }
}

/// Walks `struct rtnexthop`s: `f(header, its attributes)`; false at the first one
/// whose length is wrong.
fn each_hop<'a>(v: &'a [u8], mut f: impl FnMut(RtNexthop, &'a [u8])) -> bool {
    let mut at = 0;
    while at < v.len() {
        let Some(h) = RtNexthop::read_from(&v[at..]) else {
            return false;
        };
        let len = usize::from(h.rtnh_len);
        if len < RtNexthop::LEN || at + len > v.len() {
            return false;
        }
        f(h, &v[at + RtNexthop::LEN..at + len]);
        at += align4(len);
    }
    true
}

/// Whether every next hop of `v` is well formed and carries only what [`Hop`]
/// models (one gateway, realms): then the hops are decoded; else `RTA_MULTIPATH` is
/// kept raw.
fn hops_ok(v: &[u8], family: u8) -> bool {
    let mut ok = true;
    let lens_ok = each_hop(v, |_, attrs| {
        let (mut gw, mut flow) = (0, 0);
        for a in Attrs::new(attrs) {
            match a {
                Ok(a) if gateway_of(&a, family).is_some() => gw += 1,
                Ok(a) if a.ty == RTA_FLOW && a.u32().is_ok() => flow += 1,
                _ => ok = false,
            }
        }
        ok &= gw <= 1 && flow <= 1;
    });
    lens_ok && ok
}

fn read_hops(v: &[u8], family: u8, out: &mut Vec<Hop>) {
    each_hop(v, |h, attrs| {
        let mut hop = Hop {
            gateway: None,
            oif: h.rtnh_ifindex as u32,
            weight: u16::from(h.rtnh_hops) + 1,
            flags: RouteFlags(u32::from(h.rtnh_flags)),
            realms: None,
        };
        for a in Attrs::new(attrs).flatten() {
            if a.ty == RTA_FLOW {
                hop.realms = a.u32().ok();
            } else if let Some(g) = gateway_of(&a, family) {
                hop.gateway = Some(g);
            }
        }
        out.push(hop);
    });
}

impl<'a> Decode<'a> for Route {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        RouteMsg::decode(msg).map(|v| Route::from(&v))
    }
}

/// A route as the kernel describes it in `RTM_NEWROUTE`/`RTM_DELROUTE`, borrowing the
/// datagram: the fields most dumps are read for, in one pass (a million routes
/// stream at the speed of a hand-written parser). [`Route::from`] gives everything.
/// Addresses are read by the route's family; one of the wrong size is left out here
/// and kept raw in the owned [`Route`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteMsg<'a> {
    /// The message's `rtmsg`.
    pub header: RtMsg,
    /// `RTA_DST` (IP families only).
    pub dst: Option<IpAddr>,
    /// `RTA_GATEWAY` or `RTA_VIA`.
    pub gateway: Option<IpAddr>,
    /// `RTA_OIF`.
    pub oif: Option<u32>,
    /// `RTA_PREFSRC`.
    pub prefsrc: Option<IpAddr>,
    /// `RTA_TABLE` when present, else `rtm_table`.
    pub table: u32,
    /// `RTA_PRIORITY`.
    pub priority: Option<u32>,
    /// `RTA_NH_ID`.
    pub nexthop_id: Option<u32>,
    /// `RTA_MULTIPATH`'s payload (read it with [`hops`](Self::hops)).
    pub multipath: Option<&'a [u8]>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl<'a> RouteMsg<'a> {
    /// `rtm_family`.
    #[inline]
    pub fn family(&self) -> Family {
        Family(self.header.rtm_family)
    }

    /// `rtm_dst_len`.
    #[inline]
    pub fn dst_len(&self) -> u8 {
        self.header.rtm_dst_len
    }

    /// The next hops of a multipath route.
    pub fn hops(&self) -> Vec<Hop> {
        let mut v = Vec::new();
        if let Some(mp) = self.multipath {
            read_hops(mp, self.header.rtm_family, &mut v);
        }
        v
    }
}

impl<'a> Decode<'a> for RouteMsg<'a> {
    /// Reads an `RTM_NEWROUTE` or `RTM_DELROUTE` message. Unknown attributes are
    /// skipped; a broken attribute chain is an error.
    #[inline]
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWROUTE && ty != RTM_DELROUTE {
            return Err(WireError::UnexpectedType(ty));
        }
        let (h, attrs) = msg.split::<RtMsg>()?;
        let family = h.rtm_family;
        let mut r = RouteMsg {
            header: h,
            dst: None,
            gateway: None,
            oif: None,
            prefsrc: None,
            table: u32::from(h.rtm_table),
            priority: None,
            nexthop_id: None,
            multipath: None,
            attrs: msg.payload.get(align4(RtMsg::LEN)..).unwrap_or(&[]),
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                RTA_DST => r.dst = a.ip_of(family).ok(),
                RTA_GATEWAY | RTA_VIA => r.gateway = gateway_of(&a, family),
                RTA_OIF => r.oif = a.u32().ok(),
                RTA_PREFSRC => r.prefsrc = a.ip_of(family).ok(),
                RTA_TABLE => {
                    if let Ok(t) = a.u32() {
                        r.table = t
                    }
                }
                RTA_PRIORITY => r.priority = a.u32().ok(),
                RTA_NH_ID => r.nexthop_id = a.u32().ok(),
                RTA_MULTIPATH => r.multipath = Some(a.value),
                _ => {}
            }
        }
        Ok(r)
    }
}

/// An `RTM_GETROUTE` dump (`ip [-6] route show [table T] [dev X] [proto P] [type
/// T]`), filtered by the kernel with strict checking (Linux ≥ 4.20): by table, output
/// device, protocol and type. [`matches`](Self::matches) checks again, for kernels
/// that ignore the filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteFilter {
    /// `AF_INET`, `AF_INET6`, or [`Family::UNSPEC`] for both.
    pub family: Family,
    /// Only this table (`None`: every table).
    pub table: Option<u32>,
    /// Only routes out of this link index.
    pub oif: Option<u32>,
    /// Only routes of this protocol.
    pub protocol: Option<Protocol>,
    /// Only routes of this type.
    pub kind: Option<RouteType>,
}

crate::wire::dump_filter!(RouteFilter, RouteMsg);

impl RouteFilter {
    /// Every route of `family` in every table.
    pub fn family(family: Family) -> RouteFilter {
        RouteFilter {
            family,
            ..Default::default()
        }
    }

    /// Whether `r` passes (checked here as well as by the kernel: older kernels ignore
    /// dump filters).
    #[inline]
    pub fn matches(&self, r: &RouteMsg<'_>) -> bool {
        (self.family == Family::UNSPEC || self.family.0 == r.header.rtm_family)
            && self.table.map_or(true, |t| t == r.table)
            && self.oif.map_or(true, |o| Some(o) == r.oif)
            && self.protocol.map_or(true, |p| p.0 == r.header.rtm_protocol)
            && self.kind.map_or(true, |k| k.0 == r.header.rtm_type)
    }
}

impl Request for RouteFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETROUTE, 0)?;
        b.header(&RtMsg {
            rtm_family: self.family.0,
            rtm_table: match self.table {
                Some(t) if t < 256 => t as u8,
                _ => RT_TABLE_UNSPEC,
            },
            rtm_protocol: self.protocol.map_or(0, |p| p.0),
            rtm_type: self.kind.map_or(0, |k| k.0),
            ..Default::default()
        })?;
        if let Some(t) = self.table {
            b.attr_u32(RTA_TABLE, t)?;
        }
        if let Some(o) = self.oif {
            b.attr_u32(RTA_OIF, o)?;
        }
        b.finish()
    }
}

/// One route lookup (`ip route get [fibmatch] DST [from SRC] [uid U] [ipproto P]
/// [sport S] [dport D] [iif X] [oif Y] [mark M] [tos T]`): one `RTM_GETROUTE`, not a
/// dump. The kernel answers with the route it would use — gateway, device, preferred
/// source, table (`RTM_F_LOOKUP_TABLE` is set for IPv4, as iproute2 sets it) — or,
/// with [`fib_match`](Self::fib_match), the FIB entry that matched (`ip route get
/// fibmatch`). Read the answer with [`crate::Handle::route_get`].
///
/// Attribute order follows iproute2's for that command line: `RTA_DST`, `RTA_SRC`,
/// `RTA_UID`, `RTA_IP_PROTO`, `RTA_SPORT`, `RTA_DPORT` (ports in network order), then
/// `RTA_IIF`, `RTA_OIF`, `RTA_MARK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteGet {
    /// The destination (`rtm_dst_len` is the address's full length).
    pub dst: IpAddr,
    /// `from SRC`: the source address (of the other family: refused).
    pub src: Option<IpAddr>,
    /// `iif X`: as if the packet arrived on this device (a forwarding lookup; needs
    /// `src`).
    pub iif: Option<u32>,
    /// `oif X`: as if sent out of this device.
    pub oif: Option<u32>,
    /// `mark M`: the packet's firewall mark (for `fwmark` rules).
    pub mark: Option<u32>,
    /// `uid U`: the sending socket's owner (for `uidrange` rules).
    pub uid: Option<u32>,
    /// `tos T`.
    pub tos: u8,
    /// `ipproto P` (for `ipproto` rules and multipath hashing).
    pub ip_proto: Option<u8>,
    /// `sport S`.
    pub sport: Option<u16>,
    /// `dport D`.
    pub dport: Option<u16>,
    /// `fibmatch`: answer with the FIB entry that matched rather than the resolved
    /// route (`RTM_F_FIB_MATCH`, Linux ≥ 4.13).
    pub fib_match: bool,
}

impl RouteGet {
    /// `ip route get DST`.
    pub fn to(dst: IpAddr) -> RouteGet {
        RouteGet {
            dst,
            src: None,
            iif: None,
            oif: None,
            mark: None,
            uid: None,
            tos: 0,
            ip_proto: None,
            sport: None,
            dport: None,
            fib_match: false,
        }
    }

    /// `ip route get fibmatch DST`.
    pub fn fibmatch(dst: IpAddr) -> RouteGet {
        RouteGet {
            fib_match: true,
            ..RouteGet::to(dst)
        }
    }

    /// `from SRC`.
    pub fn from(mut self, src: IpAddr) -> RouteGet {
        self.src = Some(src);
        self
    }

    /// `oif X`.
    pub fn oif(mut self, oif: u32) -> RouteGet {
        self.oif = Some(oif);
        self
    }

    /// `iif X`.
    pub fn iif(mut self, iif: u32) -> RouteGet {
        self.iif = Some(iif);
        self
    }

    /// `mark M`.
    pub fn mark(mut self, mark: u32) -> RouteGet {
        self.mark = Some(mark);
        self
    }

    /// `uid U`.
    pub fn uid(mut self, uid: u32) -> RouteGet {
        self.uid = Some(uid);
        self
    }
}

impl Request for RouteGet {
    /// Refuses a source address of the other family.
    fn check(&self) -> Result<()> {
        if let Some(s) = self.src {
            if Family::of(s) != Family::of(self.dst) {
                return Err(Error::wrong_family(
                    "route lookup source",
                    s,
                    "address family differs from the destination's",
                ));
            }
        }
        Ok(())
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let family = Family::of(self.dst);
        let full = if family == Family::INET { 32 } else { 128 };
        let mut flags = 0;
        if family == Family::INET {
            flags |= RTM_F_LOOKUP_TABLE;
        }
        if self.fib_match {
            flags |= RTM_F_FIB_MATCH;
        }
        let mut b = MsgBuilder::new(buf, RTM_GETROUTE, 0)?;
        b.header(&RtMsg {
            rtm_family: family.0,
            rtm_dst_len: full,
            rtm_src_len: if self.src.is_some() { full } else { 0 },
            rtm_tos: self.tos,
            rtm_flags: flags,
            ..Default::default()
        })?;
        b.attr_ip(RTA_DST, self.dst)?;
        if let Some(s) = self.src {
            b.attr_ip(RTA_SRC, s)?;
        }
        if let Some(u) = self.uid {
            b.attr_u32(RTA_UID, u)?;
        }
        if let Some(p) = self.ip_proto {
            b.attr_u8(RTA_IP_PROTO, p)?;
        }
        if let Some(p) = self.sport {
            b.attr_bytes(RTA_SPORT, &p.to_be_bytes())?;
        }
        if let Some(p) = self.dport {
            b.attr_bytes(RTA_DPORT, &p.to_be_bytes())?;
        }
        if let Some(i) = self.iif {
            b.attr_u32(RTA_IIF, i)?;
        }
        if let Some(o) = self.oif {
            b.attr_u32(RTA_OIF, o)?;
        }
        if let Some(m) = self.mark {
            b.attr_u32(RTA_MARK, m)?;
        }
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    fn round_trip(r: &Route) -> Route {
        let mut buf = [0xa5u8; 512];
        let n = r.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        Route::decode(&m).unwrap()
    }

    #[test]
    fn rich_routes_round_trip() {
        let mut r = Route::to("10.3.0.0".parse().unwrap(), 16).unwrap();
        r.table = 1000;
        r.flags = RouteFlags::ONLINK;
        r.metrics = vec![
            Metric {
                kind: RTAX_MTU,
                value: 1400,
            },
            Metric {
                kind: RTAX_ADVMSS,
                value: 1360,
            },
        ];
        r.congctl = Some("cubic".into());
        r.multipath = vec![
            Hop {
                gateway: Some("10.0.0.2".parse().unwrap()),
                oif: 3,
                weight: 2,
                ..Default::default()
            },
            Hop {
                gateway: Some("fe80::1".parse().unwrap()),
                oif: 4,
                weight: 256,
                flags: RouteFlags::ONLINK,
                ..Default::default()
            },
        ];
        assert_eq!(round_trip(&r), r);

        let mut r6 = Route::to("2001:db8::".parse().unwrap(), 64).unwrap();
        r6.src = Some("2001:db8:1::".parse().unwrap());
        r6.src_len = 64;
        r6.pref = Some(ICMPV6_ROUTER_PREF_HIGH);
        r6.expires = Some(300);
        r6.gateway = Some("fe80::1".parse().unwrap());
        r6.oif = Some(3);
        r6.other.push(999, &[1, 2, 3]).unwrap();
        assert_eq!(round_trip(&r6), r6);
    }

    #[test]
    fn mpls_destinations_are_not_ip_addresses() {
        let mut buf = [0u8; 64];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWROUTE, 0).unwrap();
        b.header(&RtMsg {
            rtm_family: AF_MPLS,
            rtm_dst_len: 20,
            rtm_table: RT_TABLE_MAIN,
            ..Default::default()
        })
        .unwrap();
        b.attr_bytes(RTA_DST, &[0, 1, 0x41, 0]).unwrap(); // label 20, bottom of stack
        let n = b.finish().unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let v = RouteMsg::decode(&m).unwrap();
        assert_eq!(v.dst, None);
        let r = Route::from(&v);
        assert_eq!(r.dst, None);
        let dst = r.other.get(RTA_DST).unwrap();
        assert_eq!(dst.value, [0, 1, 0x41, 0]);
    }

    #[test]
    fn mistakes_are_refused() {
        let mut r = Route::to("10.0.0.0".parse().unwrap(), 8).unwrap();
        r.nexthop_id = Some(1);
        r.oif = Some(2);
        assert!(r.check(Verb::Add).is_err());
        let r = Route::new(Family::INET).table(0);
        assert!(r.check(Verb::Add).is_err());
        assert!(r.check(Verb::Delete).is_ok());
        assert!(Route::to("10.0.0.0".parse().unwrap(), 33).is_err());
        let mut r = Route::new(Family::INET);
        r.prefsrc = Some("fd00::1".parse().unwrap());
        assert!(r.check(Verb::Add).is_err());
    }
}
