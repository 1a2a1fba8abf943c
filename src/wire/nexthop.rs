//! Layer `wire`: every `RTM_*NEXTHOP` message — nexthop objects (`ip nexthop`,
//! Linux 5.3+). A route that names a nexthop object by id (`RTA_NH_ID`, see
//! [`crate::wire::route::RouteRequest::nexthop_id`]) shares it instead of carrying a
//! gateway and device of its own: the kernel validates the nexthop once, not once per
//! route, which makes installing a large table about 1.5× faster (BENCHMARKS.md).
//!
//! Attribute order follows iproute2's (`ip nexthop add id ID via GW dev DEV`):
//! `NHA_ID`, `NHA_GATEWAY` or `NHA_BLACKHOLE`, `NHA_OIF`.

use crate::abi::*;
use crate::wire::{Message, MsgBuilder, WireError};
use std::net::IpAddr;

/// An `RTM_NEWNEXTHOP`/`RTM_DELNEXTHOP`/`RTM_GETNEXTHOP` request. Fields left at their
/// default are not sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NexthopRequest {
    /// `nh_family`: `AF_INET`/`AF_INET6` for a nexthop (iproute2 sends `AF_INET`
    /// unless told `-6`; a gateway's family must match), `AF_UNSPEC` to delete.
    pub family: u8,
    /// `nh_protocol` (0: iproute2's default).
    pub protocol: u8,
    /// `NHA_ID`; 0 is not sent (the kernel then picks one on creation).
    pub id: u32,
    /// `NHA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `NHA_BLACKHOLE`: drop the packets (no gateway, no device).
    pub blackhole: bool,
    /// `NHA_OIF`: the device.
    pub oif: Option<u32>,
}

impl NexthopRequest {
    /// Builds the message into `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8], msg_type: u16, flags: u16) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, msg_type, flags)?;
        b.header(&NhMsg {
            nh_family: self.family,
            nh_protocol: self.protocol,
            ..Default::default()
        })?;
        if self.id != 0 {
            b.attr_u32(NHA_ID, self.id)?;
        }
        if let Some(g) = self.gateway {
            b.attr_ip(NHA_GATEWAY, g)?;
        }
        if self.blackhole {
            b.attr_flag(NHA_BLACKHOLE)?;
        }
        if let Some(o) = self.oif {
            b.attr_u32(NHA_OIF, o)?;
        }
        b.finish()
    }
}

/// Builds an `RTM_GETNEXTHOP` dump request (`ip nexthop show`).
pub fn emit_dump(buf: &mut [u8]) -> Result<usize, WireError> {
    NexthopRequest::default().emit(buf, RTM_GETNEXTHOP, NLM_F_REQUEST | NLM_F_DUMP)
}

/// A nexthop object as the kernel describes it in `RTM_NEWNEXTHOP`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NexthopMsg {
    /// `nh_family`.
    pub family: u8,
    /// `nh_scope` (`RT_SCOPE_HOST` for a device-only nexthop, `RT_SCOPE_LINK` with a
    /// gateway).
    pub scope: u8,
    /// `nh_protocol`.
    pub protocol: u8,
    /// `nh_flags` (`RTNH_F_*`).
    pub flags: u32,
    /// `NHA_ID`.
    pub id: u32,
    /// `NHA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `NHA_BLACKHOLE`.
    pub blackhole: bool,
    /// `NHA_OIF`.
    pub oif: Option<u32>,
    /// `NHA_GROUP` is present: a group of nexthops (its members are not decoded).
    pub group: bool,
}

impl NexthopMsg {
    /// Reads an `RTM_NEWNEXTHOP` message. Unknown attributes are skipped.
    pub fn parse(msg: &Message<'_>) -> Result<Self, WireError> {
        if msg.header.nlmsg_type != RTM_NEWNEXTHOP {
            return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
        }
        let (h, attrs) = msg.split::<NhMsg>()?;
        let mut n = NexthopMsg {
            family: h.nh_family,
            scope: h.nh_scope,
            protocol: h.nh_protocol,
            flags: h.nh_flags,
            ..Default::default()
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                NHA_ID => n.id = a.u32()?,
                NHA_GATEWAY => n.gateway = Some(a.ip()?),
                NHA_BLACKHOLE => n.blackhole = true,
                NHA_OIF => n.oif = Some(a.u32()?),
                NHA_GROUP => n.group = true,
                _ => {}
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;
    use std::net::Ipv4Addr;

    #[test]
    fn requests_round_trip_through_the_reply_parser() {
        let reqs = [
            NexthopRequest {
                family: AF_INET,
                id: 7,
                gateway: Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 254))),
                oif: Some(3),
                ..Default::default()
            },
            NexthopRequest {
                family: AF_INET6,
                id: 8,
                gateway: Some("fe80::1".parse().unwrap()),
                oif: Some(3),
                ..Default::default()
            },
            NexthopRequest {
                family: AF_INET,
                id: 9,
                blackhole: true,
                ..Default::default()
            },
        ];
        for r in reqs {
            let mut buf = [0xa5u8; 64];
            let n = r.emit(&mut buf, RTM_NEWNEXTHOP, NLM_F_REQUEST).unwrap();
            let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
            let back = NexthopMsg::parse(&m).unwrap();
            assert_eq!(
                (back.family, back.id, back.gateway, back.blackhole, back.oif),
                (r.family, r.id, r.gateway, r.blackhole, r.oif)
            );
        }
    }
}
