//! Operations layer: nexthop objects — `ip nexthop add/replace/del/show` (Linux 5.3+).
//!
//! A nexthop object is a gateway and/or device (or a blackhole, or a weighted group of
//! other nexthop objects: multipath) with an id; routes
//! name it with [`RouteRequest::nexthop_id`] (`ip route add DST nhid ID`). Many routes
//! through the same next hop then share one validated object: installing a full
//! table this way costs the kernel about two thirds of what routes that each carry
//! their own gateway and device cost (BENCHMARKS.md, "Scale"). Deleting a nexthop
//! object deletes the routes that use it.
//!
//! [`RouteRequest::nexthop_id`]: crate::wire::route::RouteRequest::nexthop_id

use crate::abi::*;
use crate::error::{Error, Result};
use crate::handle::{Batch, Handle};
use crate::validate::check_ifname;
use crate::wire::nexthop::{emit_dump, GroupMember, NexthopMsg, NexthopRequest};
use std::net::IpAddr;

const CREATE: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
const REPLACE: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;

/// A nexthop object, as [`Handle::nexthops`] lists it (`ip nexthop show`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nexthop {
    /// Its id.
    pub id: u32,
    /// `AF_INET`/`AF_INET6`; `AF_UNSPEC` for a group.
    pub family: u8,
    /// The gateway, if any.
    pub gateway: Option<IpAddr>,
    /// The device's index, if any.
    pub oif: Option<u32>,
    /// A blackhole.
    pub blackhole: bool,
    /// A group's members (empty: not a group).
    pub group: Vec<GroupMember>,
    /// `nh_protocol`.
    pub protocol: u8,
    /// `nh_scope` (host for a device-only nexthop, link with a gateway).
    pub scope: u8,
    /// `nh_flags` (`RTNH_F_*`).
    pub flags: u32,
}

impl Nexthop {
    /// Copies a decoded reply.
    pub fn from_msg(m: &NexthopMsg<'_>) -> Nexthop {
        Nexthop {
            id: m.id,
            family: m.family,
            gateway: m.gateway,
            oif: m.oif,
            blackhole: m.blackhole,
            group: m.group_members().collect(),
            protocol: m.protocol,
            scope: m.scope,
            flags: m.flags,
        }
    }
}

/// A nexthop object's family: its gateway's, else `AF_INET` (as iproute2 defaults).
fn family_of(gateway: Option<IpAddr>) -> u8 {
    match gateway {
        Some(IpAddr::V6(_)) => AF_INET6,
        _ => AF_INET,
    }
}

/// Refuses what the kernel would refuse anyway, before any syscall: id 0 (the kernel
/// would pick one, and the caller could not name it), a blackhole with a gateway or
/// device, a nexthop with neither, a group with anything else or with a member id 0
/// or a weight outside 1..=256.
fn check(r: &NexthopRequest<'_>) -> Result<()> {
    if r.id == 0 {
        return Err(Error::invalid("nexthop id", 0, "0 is not an id"));
    }
    if !r.group.is_empty() {
        if r.blackhole || r.gateway.is_some() || r.oif.is_some() {
            return Err(Error::invalid(
                "nexthop group",
                r.id,
                "a group has members only: no gateway, device or blackhole",
            ));
        }
        for m in r.group {
            if m.id == 0 || m.id == r.id {
                return Err(Error::invalid(
                    "nexthop group member",
                    m.id,
                    "not an id of another nexthop",
                ));
            }
            if !(1..=256).contains(&m.weight) {
                return Err(Error::invalid(
                    "nexthop group weight",
                    m.weight,
                    "weights go from 1 to 256",
                ));
            }
        }
        return Ok(());
    }
    if r.blackhole && (r.gateway.is_some() || r.oif.is_some()) {
        return Err(Error::invalid(
            "nexthop",
            r.id,
            "a blackhole has no gateway and no device",
        ));
    }
    if !r.blackhole && r.gateway.is_none() && r.oif.is_none() {
        return Err(Error::invalid(
            "nexthop",
            r.id,
            "needs a gateway, a device or blackhole",
        ));
    }
    Ok(())
}

impl Handle {
    /// `ip nexthop add id ID [via GW] [dev DEV] | blackhole | group A/WA,B/WB`:
    /// `RTM_NEWNEXTHOP` with `NLM_F_CREATE|NLM_F_EXCL`. An existing id gives an error
    /// for which [`Error::is_exists`] is true. With `family` 0 it is taken from the
    /// gateway (`AF_INET` without one; a group stays `AF_UNSPEC`, as iproute2 sends it).
    #[doc(alias = "RTM_NEWNEXTHOP")]
    pub fn add_nexthop(&mut self, r: &NexthopRequest<'_>) -> Result<()> {
        let r = with_family(r)?;
        self.ack_with("RTM_NEWNEXTHOP", |b| r.emit(b, RTM_NEWNEXTHOP, CREATE))
    }

    /// `ip nexthop replace id ID ...`: creates or replaces; routes using the id follow
    /// the new next hop.
    pub fn replace_nexthop(&mut self, r: &NexthopRequest<'_>) -> Result<()> {
        let r = with_family(r)?;
        self.ack_with("RTM_NEWNEXTHOP", |b| r.emit(b, RTM_NEWNEXTHOP, REPLACE))
    }

    /// `ip nexthop add id ID via GW dev DEV` with the device by name (one lookup).
    pub fn add_nexthop_via(&mut self, id: u32, gateway: Option<IpAddr>, dev: &str) -> Result<()> {
        check_ifname(dev)?;
        let oif = self.link_index(dev)?;
        self.add_nexthop(&NexthopRequest {
            id,
            gateway,
            oif: Some(oif),
            ..Default::default()
        })
    }

    /// `ip nexthop del id ID`: also deletes every route that uses it. An absent id
    /// gives an error for which [`Error::is_not_found`] is true.
    #[doc(alias = "RTM_DELNEXTHOP")]
    pub fn delete_nexthop(&mut self, id: u32) -> Result<()> {
        if id == 0 {
            return Err(Error::invalid("nexthop id", 0, "0 is not an id"));
        }
        let r = NexthopRequest {
            id,
            ..Default::default()
        };
        self.ack_with("RTM_DELNEXTHOP", |b| {
            r.emit(b, RTM_DELNEXTHOP, NLM_F_REQUEST | NLM_F_ACK)
        })
    }

    /// `ip nexthop show`: every nexthop object, collected.
    #[doc(alias = "RTM_GETNEXTHOP")]
    pub fn nexthops(&mut self) -> Result<Vec<Nexthop>> {
        let op = "RTM_GETNEXTHOP";
        let n = emit_dump(&mut self.tx).map_err(|source| Error::Encode { op, source })?;
        self.conn.dump_collect(op, &mut self.tx[..n], |m| {
            NexthopMsg::parse(m)
                .map(|n| Some(Nexthop::from_msg(&n)))
                .map_err(|source| Error::Malformed { op, source })
        })
    }
}

fn with_family<'a>(r: &NexthopRequest<'a>) -> Result<NexthopRequest<'a>> {
    check(r)?;
    let mut r = *r;
    if r.family == AF_UNSPEC && r.group.is_empty() {
        r.family = family_of(r.gateway);
    }
    if let Some(g) = r.gateway {
        if family_of(Some(g)) != r.family {
            return Err(Error::invalid(
                "nexthop gateway",
                g,
                "its family differs from the nexthop's",
            ));
        }
    }
    Ok(r)
}

impl<F: FnMut(usize, Result<()>)> Batch<'_, F> {
    /// Queues an `RTM_NEWNEXTHOP` (`ip nexthop add`), checked as
    /// [`Handle::add_nexthop`] checks it. Routes queued after it in the same batch
    /// may use it: the kernel handles a datagram's requests in order.
    pub fn add_nexthop(&mut self, r: &NexthopRequest<'_>) -> Result<usize> {
        let r = with_family(r)?;
        self.push(|b| r.emit(b, RTM_NEWNEXTHOP, CREATE & !NLM_F_ACK))
    }
}
