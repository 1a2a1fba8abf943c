//! Layer `operations`: waiting for the kernel — [`Monitor::wait_until`] over any
//! condition on the events, and the waits everyone writes by hand: a link appears
//! (by name, index or MAC) or is up, oper-up or has carrier
//! ([`Monitor::wait_link`]); an address finishes duplicate address detection
//! ([`Monitor::wait_dad`]); a route appears ([`Monitor::wait_route`]) or goes away
//! ([`Monitor::wait_route_gone`]).
//!
//! Each wait joins the group it needs, asks the kernel for the current state on the
//! monitor's own socket ([`Monitor::query`]) and reads the answer and the
//! notifications in the order the kernel queued them: a change that happens between
//! "look" and "listen" is never missed, and nothing sleeps. After an overrun the
//! wait asks again. A deadline that passes is [`Error::WaitTimeout`], naming what was
//! awaited and the last state seen. Events from other namespaces (a monitor with
//! [`crate::MonitorBuilder::all_nsid`]) are not considered.
//!
//! A wait consumes the events it reads: give it a monitor of its own
//! (`Monitor::new(&[])`: each wait joins what it needs).

use crate::abi::*;
use crate::error::{Error, Result};
use crate::ops::monitor::{Event, EventKind, Monitor};
use crate::socket::EventSource;
use crate::types::{AddrFlags, Family, LinkFlags, MacAddr, OperState};
use crate::validate::check_prefix;
use crate::wire::addr::{AddrFilter, Address};
use crate::wire::event::{Group, ObjectMsg};
use crate::wire::link::{Link, LinkFilter, LinkGet, LinkMsg, LinkRef};
use crate::wire::route::{Route, RouteFilter, RouteMsg};
use crate::wire::Request;
use std::fmt;
use std::net::IpAddr;
use std::time::Instant;

/// Which link a wait is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkMatch<'a> {
    /// By name (or alternative name, for the lookup).
    Name(&'a str),
    /// By index.
    Index(u32),
    /// By MAC address: the NIC a VM was given, whatever the kernel calls it.
    Mac(MacAddr),
    /// The first link that is not a loopback: a guest's only NIC.
    NotLoopback,
}

impl fmt::Display for LinkMatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkMatch::Name(n) => write!(f, "link {n}"),
            LinkMatch::Index(i) => write!(f, "link with index {i}"),
            LinkMatch::Mac(m) => write!(f, "link with MAC {m}"),
            LinkMatch::NotLoopback => f.write_str("a link other than loopback"),
        }
    }
}

impl LinkMatch<'_> {
    fn matches(&self, l: &LinkMsg<'_>) -> bool {
        match *self {
            LinkMatch::Name(n) => l.name == Some(n.as_bytes()),
            LinkMatch::Index(i) => l.index() == i,
            LinkMatch::Mac(m) => l.address == Some(&m.0[..]),
            LinkMatch::NotLoopback => {
                !l.flags().contains(LinkFlags::LOOPBACK) && l.header.ifi_type != 772
                // ARPHRD_LOOPBACK
            }
        }
    }
}

/// What a waited-for link must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkCondition {
    /// It exists.
    Exists,
    /// Administratively up (`IFF_UP`: `ip link set dev X up` was done).
    Up,
    /// Operationally up (`IFLA_OPERSTATE` is `UP`: usable, as `ip link` shows
    /// `state UP`).
    OperUp,
    /// Its carrier is on (`IFLA_CARRIER`, else `IFF_LOWER_UP`): the cable, or the
    /// other end of a veth, is there.
    Carrier,
}

impl LinkCondition {
    fn holds(self, l: &LinkMsg<'_>) -> bool {
        match self {
            LinkCondition::Exists => true,
            LinkCondition::Up => l.flags().contains(LinkFlags::UP),
            LinkCondition::OperUp => l.operstate == Some(IF_OPER_UP),
            LinkCondition::Carrier => match l.carrier {
                Some(c) => c != 0,
                None => l.flags().contains(LinkFlags::LOWER_UP),
            },
        }
    }
}

impl fmt::Display for LinkCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkCondition::Exists => "to exist",
            LinkCondition::Up => "to be up",
            LinkCondition::OperUp => "to be oper-up",
            LinkCondition::Carrier => "to have carrier",
        })
    }
}

/// What a link looked like, for a timeout's "last seen".
fn describe_link(l: &LinkMsg<'_>) -> String {
    let name = l
        .name
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let oper = l
        .operstate
        .map(|s| OperState::from(s).to_string())
        .unwrap_or_else(|| "?".into());
    let carrier = match l.carrier {
        Some(0) => "no carrier",
        Some(_) => "carrier",
        None if l.flags().contains(LinkFlags::LOWER_UP) => "carrier",
        None => "no carrier",
    };
    format!(
        "link {name} (index {}): {}, state {oper}, {carrier}",
        l.index(),
        if l.flags().contains(LinkFlags::UP) {
            "up"
        } else {
            "down"
        }
    )
}

/// Which routes a wait is about: a destination prefix in a table, and optionally
/// the device, gateway and metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RouteMatch {
    /// The family.
    pub family: Family,
    /// The destination (`None`: the default route).
    pub dst: Option<IpAddr>,
    /// Its prefix length.
    pub dst_len: u8,
    /// The table (main: 254).
    pub table: u32,
    /// Only through this device.
    pub oif: Option<u32>,
    /// Only via this gateway.
    pub gateway: Option<IpAddr>,
    /// Only with this metric.
    pub priority: Option<u32>,
}

impl RouteMatch {
    /// Routes to `dst/dst_len` in the main table; host bits set are refused.
    pub fn to(dst: IpAddr, dst_len: u8) -> Result<RouteMatch> {
        check_prefix(dst, dst_len)?;
        let r = Route::to(dst, dst_len)?;
        if r.dst != Some(dst) && dst_len != 0 {
            return Err(Error::invalid(
                "route destination",
                format!("{dst}/{dst_len}"),
                "host bits set",
            ));
        }
        Ok(RouteMatch {
            family: Family::of(dst),
            dst: r.dst,
            dst_len,
            table: u32::from(RT_TABLE_MAIN),
            oif: None,
            gateway: None,
            priority: None,
        })
    }

    /// The default route of `family` in the main table.
    pub fn default_route(family: Family) -> RouteMatch {
        RouteMatch {
            family,
            dst: None,
            dst_len: 0,
            table: u32::from(RT_TABLE_MAIN),
            oif: None,
            gateway: None,
            priority: None,
        }
    }

    /// In table `table`.
    pub fn table(mut self, table: u32) -> RouteMatch {
        self.table = table;
        self
    }

    /// Only through device `oif`.
    pub fn dev(mut self, oif: u32) -> RouteMatch {
        self.oif = Some(oif);
        self
    }

    /// Only via `gateway`.
    pub fn via(mut self, gateway: IpAddr) -> RouteMatch {
        self.gateway = Some(gateway);
        self
    }

    /// Only with metric `priority`.
    pub fn metric(mut self, priority: u32) -> RouteMatch {
        self.priority = Some(priority);
        self
    }

    /// Whether `r` is one of the routes.
    pub fn matches(&self, r: &RouteMsg<'_>) -> bool {
        let unspecified = |d: Option<IpAddr>| d.filter(|a| !a.is_unspecified());
        r.header.rtm_family == self.family.0
            && r.header.rtm_flags & RTM_F_CLONED == 0
            && r.dst_len() == self.dst_len
            && unspecified(r.dst) == unspecified(self.dst)
            && r.table == self.table
            && self.oif.map_or(true, |o| r.oif == Some(o))
            && self.gateway.map_or(true, |g| r.gateway == Some(g))
            && self.priority.map_or(true, |p| r.priority.unwrap_or(0) == p)
    }

    fn group(&self) -> Group {
        if self.family == Family::INET6 {
            Group::IPV6_ROUTE
        } else {
            Group::IPV4_ROUTE
        }
    }

    fn filter(&self) -> RouteFilter {
        RouteFilter {
            family: self.family,
            table: Some(self.table),
            oif: self.oif,
            ..Default::default()
        }
    }
}

impl fmt::Display for RouteMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.dst {
            Some(d) => write!(f, "route {d}/{}", self.dst_len)?,
            None => write!(f, "{} default route", self.family)?,
        }
        if let Some(g) = self.gateway {
            write!(f, " via {g}")?;
        }
        if let Some(o) = self.oif {
            write!(f, " dev {o}")?;
        }
        write!(f, " table {}", self.table)?;
        if let Some(p) = self.priority {
            write!(f, " metric {p}")?;
        }
        Ok(())
    }
}

/// A route's identity, as the kernel tells routes apart, for "gone" waits.
type RouteKey = (
    Option<IpAddr>,
    u8,
    u8,
    u32,
    Option<u32>,
    Option<u32>,
    Option<IpAddr>,
);

fn route_key(r: &RouteMsg<'_>) -> RouteKey {
    (
        r.dst,
        r.dst_len(),
        r.header.rtm_tos,
        r.table,
        r.priority,
        r.oif,
        r.gateway,
    )
}

fn describe_route(r: &RouteMsg<'_>) -> String {
    let mut s = match r.dst {
        Some(d) => format!("{d}/{}", r.dst_len()),
        None => "default".to_string(),
    };
    if let Some(g) = r.gateway {
        s.push_str(&format!(" via {g}"));
    }
    if let Some(o) = r.oif {
        s.push_str(&format!(" dev {o}"));
    }
    s.push_str(&format!(" table {}", r.table));
    if let Some(p) = r.priority {
        s.push_str(&format!(" metric {p}"));
    }
    s
}

/// What a wait's step function is told.
enum Seen<'e, 'a> {
    /// An event of the monitor's own namespace.
    Event(&'e Event<'a>),
    /// The wait's own query ended: the current state is known.
    Known,
    /// The wait's own query begins: what the wait knew is to be forgotten.
    Restart,
}

impl<S: EventSource> Monitor<S> {
    /// Waits until `done` returns `Some` for an event, and returns that. Every event
    /// read (notifications, snapshot items, overruns) is shown to `done`, in order;
    /// events of other namespaces too (see [`Event::nsid`]). Nothing is queried: take
    /// a [`snapshot`](Self::snapshot) or a [`query`](Self::query) first to see the
    /// current state as well. At `deadline`, [`Error::WaitTimeout`] names `awaited`
    /// and the last event read.
    pub fn wait_until<T>(
        &mut self,
        awaited: &str,
        deadline: Instant,
        mut done: impl FnMut(&Event<'_>) -> Option<T>,
    ) -> Result<T> {
        let started = Instant::now();
        let mut last: Option<String> = None;
        loop {
            match self.recv(Some(deadline))? {
                Some(ev) => {
                    if let Some(t) = done(&ev) {
                        return Ok(t);
                    }
                    last = Some(ev.describe());
                }
                None => {
                    return Err(Error::WaitTimeout {
                        awaited: awaited.to_owned(),
                        last_seen: last.unwrap_or_else(|| "no event".into()),
                        waited: started.elapsed(),
                    })
                }
            }
        }
    }

    /// The loop of the typed waits: joins `group`, queries with `query`, and shows
    /// `step` every event of this namespace, the start of its own query's answer
    /// ([`Seen::Restart`]) and its end ([`Seen::Known`]). An overrun queries again.
    /// `Ok(None)` at the deadline.
    fn wait_loop<T>(
        &mut self,
        group: Group,
        deadline: Instant,
        query: &dyn Fn(&mut Self) -> Result<u64>,
        mut step: impl FnMut(Seen<'_, '_>) -> Option<Result<T>>,
    ) -> Result<Option<T>> {
        self.join(group)?;
        let mut id = query(self)?;
        loop {
            let mut again = false;
            match self.recv(Some(deadline))? {
                None => return Ok(None),
                Some(ev) => {
                    let seen = match ev.kind {
                        EventKind::SnapshotStart(s) if s.id == id => Some(Seen::Restart),
                        EventKind::SnapshotEnd(s) if s.id == id => Some(Seen::Known),
                        EventKind::Overrun { .. } => {
                            again = true;
                            None
                        }
                        _ if ev.nsid.is_some() => None,
                        _ => Some(Seen::Event(&ev)),
                    };
                    if let Some(seen) = seen {
                        if let Some(r) = step(seen) {
                            return r.map(Some);
                        }
                    }
                }
            }
            if again {
                id = query(self)?;
            }
        }
    }

    /// Waits until the link `link` satisfies `condition` and returns it as it was
    /// then: a NIC that appears (hot-plug, a driver still probing: by name, or by
    /// MAC whatever it is called), a veth that is up, oper-up, has carrier. It
    /// looks up the link first (one `RTM_GETLINK` by name or index; a dump for a MAC
    /// or `NotLoopback`) on the monitor's socket, after joining `RTNLGRP_LINK`, so a
    /// change in between is not missed. Replaces loops of `ip link show` and
    /// sleeps. [`Error::WaitTimeout`] at `deadline`, with the link's last state.
    pub fn wait_link(
        &mut self,
        link: LinkMatch<'_>,
        condition: LinkCondition,
        deadline: Instant,
    ) -> Result<Link> {
        fn get(link: LinkRef<'_>) -> LinkGet<'_> {
            LinkGet { link, stats: false }
        }
        if let LinkMatch::Name(n) = link {
            get(LinkRef::from(n)).check()?;
        }
        if link == LinkMatch::Index(0) {
            return Err(Error::invalid("link index", 0, "0 is no link"));
        }
        let query = move |m: &mut Self| match link {
            LinkMatch::Name(n) => m.query(&get(LinkRef::from(n)), false),
            LinkMatch::Index(i) => m.query(&get(LinkRef::Index(i)), false),
            LinkMatch::Mac(_) | LinkMatch::NotLoopback => m.query(&LinkFilter::default(), true),
        };
        let started = Instant::now();
        let mut tracked: Option<u32> = None;
        let mut last: Option<String> = None;
        let r = self.wait_loop(Group::LINK, deadline, &query, |seen| {
            let ev = match seen {
                Seen::Restart => {
                    tracked = None;
                    return None;
                }
                Seen::Known => {
                    if tracked.is_none() {
                        last.get_or_insert_with(|| "absent".into());
                    }
                    return None;
                }
                Seen::Event(ev) => ev,
            };
            let Some(ObjectMsg::Link(l)) = ev.object() else {
                return None;
            };
            let matches = link.matches(l);
            let was = tracked == Some(l.index());
            match ev.exists() {
                Some(true) if matches => {
                    tracked = Some(l.index());
                    if condition.holds(l) {
                        return Some(Ok(Link::from(l)));
                    }
                    last = Some(describe_link(l));
                }
                Some(true) if was => {
                    tracked = None;
                    last = Some(format!("absent ({} no longer matches)", describe_link(l)));
                }
                Some(false) if matches || was => {
                    tracked = None;
                    last = Some(format!("absent (deleted: {})", describe_link(l)));
                }
                _ => {}
            }
            None
        })?;
        r.ok_or_else(|| Error::WaitTimeout {
            awaited: format!("{link} {condition}"),
            last_seen: last.unwrap_or_else(|| "nothing yet (no answer to the lookup)".into()),
            waited: started.elapsed(),
        })
    }

    /// Waits until `address` on link `index` has finished duplicate address
    /// detection — it is there and no longer `tentative` — and returns it. An IPv6
    /// address the kernel flags `dadfailed` (another node uses it) is
    /// [`Error::DadFailed`] naming it. An IPv4 address (no DAD) only has to be
    /// there. Replaces re-reading the addresses every 50 ms until none is
    /// tentative. [`Error::WaitTimeout`] at `deadline`, with the address's last
    /// flags.
    pub fn wait_dad(&mut self, index: u32, address: IpAddr, deadline: Instant) -> Result<Address> {
        if index == 0 {
            return Err(Error::invalid("link index", 0, "0 is no link"));
        }
        let family = Family::of(address);
        let group = if address.is_ipv6() {
            Group::IPV6_IFADDR
        } else {
            Group::IPV4_IFADDR
        };
        let filter = AddrFilter {
            family,
            index: Some(index),
        };
        let query = move |m: &mut Self| m.query(&filter, true);
        let started = Instant::now();
        let mut last: Option<String> = None;
        let r = self.wait_loop(group, deadline, &query, |seen| {
            let ev = match seen {
                Seen::Restart => return None,
                Seen::Known => {
                    last.get_or_insert_with(|| "absent".into());
                    return None;
                }
                Seen::Event(ev) => ev,
            };
            let Some(ObjectMsg::Address(a)) = ev.object() else {
                return None;
            };
            if a.index() != index || a.address != Some(address) {
                return None;
            }
            let flags = a.flags();
            match ev.exists() {
                Some(true) if flags.contains(AddrFlags::DADFAILED) => {
                    Some(Err(Error::dad_failed(address, index)))
                }
                Some(true) if !flags.contains(AddrFlags::TENTATIVE) => {
                    Some(Address::try_from(a).map_err(|source| Error::Malformed {
                        op: "RTM_NEWADDR",
                        source,
                    }))
                }
                Some(true) => {
                    last = Some(format!(
                        "present, flags {}",
                        flags.names().collect::<Vec<_>>().join(" ")
                    ));
                    None
                }
                _ => {
                    last = Some("absent (deleted)".into());
                    None
                }
            }
        })?;
        r.ok_or_else(|| Error::WaitTimeout {
            awaited: format!("{address} on link {index} to finish duplicate address detection"),
            last_seen: last.unwrap_or_else(|| "nothing yet (no answer to the dump)".into()),
            waited: started.elapsed(),
        })
    }

    /// Waits until a route `route` matches is there, and returns it (the first seen).
    /// Replaces polling `ip route show`. [`Error::WaitTimeout`] at `deadline`.
    pub fn wait_route(&mut self, route: &RouteMatch, deadline: Instant) -> Result<Route> {
        let filter = route.filter();
        filter.check()?;
        let query = move |m: &mut Self| m.query(&filter, true);
        let started = Instant::now();
        let mut last: Option<String> = None;
        let r = self.wait_loop(route.group(), deadline, &query, |seen| {
            let ev = match seen {
                Seen::Restart => return None,
                Seen::Known => {
                    last.get_or_insert_with(|| "no such route".into());
                    return None;
                }
                Seen::Event(ev) => ev,
            };
            let Some(ObjectMsg::Route(r)) = ev.object() else {
                return None;
            };
            if !route.matches(r) {
                return None;
            }
            match ev.exists() {
                Some(true) => Some(Ok(Route::from(r))),
                _ => {
                    last = Some(format!("deleted: {}", describe_route(r)));
                    None
                }
            }
        })?;
        r.ok_or_else(|| Error::WaitTimeout {
            awaited: format!("{route} to appear"),
            last_seen: last.unwrap_or_else(|| "nothing yet (no answer to the dump)".into()),
            waited: started.elapsed(),
        })
    }

    /// Waits until no route `route` matches is left (returns at once when there is
    /// none). [`Error::WaitTimeout`] at `deadline`, naming what is still there.
    pub fn wait_route_gone(&mut self, route: &RouteMatch, deadline: Instant) -> Result<()> {
        let filter = route.filter();
        filter.check()?;
        let query = move |m: &mut Self| m.query(&filter, true);
        let started = Instant::now();
        let mut present: Vec<(RouteKey, String)> = Vec::new();
        let mut known = false;
        let r = self.wait_loop(route.group(), deadline, &query, |seen| {
            match seen {
                Seen::Restart => {
                    present.clear();
                    known = false;
                }
                Seen::Known => known = true,
                Seen::Event(ev) => {
                    let Some(ObjectMsg::Route(r)) = ev.object() else {
                        return None;
                    };
                    if !route.matches(r) {
                        return None;
                    }
                    let key = route_key(r);
                    present.retain(|(k, _)| *k != key);
                    if ev.exists() == Some(true) {
                        present.push((key, describe_route(r)));
                    }
                }
            }
            (known && present.is_empty()).then_some(Ok(()))
        })?;
        r.ok_or_else(|| Error::WaitTimeout {
            awaited: format!("{route} to go away"),
            last_seen: match present.first() {
                Some((_, d)) if present.len() == 1 => format!("still there: {d}"),
                Some((_, d)) => format!("{} still there, first: {d}", present.len()),
                None => "nothing yet (no answer to the dump)".into(),
            },
            waited: started.elapsed(),
        })
    }
}
