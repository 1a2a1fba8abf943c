//! Layer `wire`: every `RTM_*ROUTE` message — requests from a [`RouteRequest`],
//! replies read into a [`RouteMsg`].
//!
//! Attribute order follows iproute2's for the same command line (`ip route add DST
//! via GW src S metric M table T dev X`): `RTA_DST`, `RTA_GATEWAY`, `RTA_PREFSRC`,
//! `RTA_PRIORITY`, `RTA_TABLE` (only for ids ≥ 256; smaller ids go in `rtm_table`),
//! `RTA_NH_ID`, `RTA_OIF` last.

use crate::abi::*;
use crate::wire::{Message, MsgBuilder, WireError};
use std::net::IpAddr;

/// An `RTM_NEWROUTE`/`RTM_DELROUTE` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteRequest {
    /// `rtm_family` (`AF_INET`/`AF_INET6`).
    pub family: u8,
    /// `RTA_DST`; `None` for a default route (then `dst_len` is 0).
    pub dst: Option<IpAddr>,
    /// `rtm_dst_len`.
    pub dst_len: u8,
    /// `RTA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `RTA_PREFSRC`.
    pub prefsrc: Option<IpAddr>,
    /// `RTA_PRIORITY` (the metric).
    pub priority: Option<u32>,
    /// The table id: `rtm_table` below 256, else `RTA_TABLE` with `rtm_table` 0.
    pub table: u32,
    /// `rtm_protocol`.
    pub protocol: u8,
    /// `rtm_scope`.
    pub scope: u8,
    /// `rtm_type` (`RTN_*`).
    pub kind: u8,
    /// `RTA_OIF`.
    pub oif: Option<u32>,
    /// `RTA_NH_ID`: the route uses the nexthop object with this id (`ip route add
    /// DST nhid ID`; see [`crate::wire::nexthop`]) instead of a gateway and device of
    /// its own — the kernel refuses both together.
    pub nexthop_id: Option<u32>,
}

impl RouteRequest {
    /// What `ip route add` fills in before reading its arguments: main table,
    /// protocol `boot`, universe scope, unicast.
    pub const fn new(family: u8) -> Self {
        RouteRequest {
            family,
            dst: None,
            dst_len: 0,
            gateway: None,
            prefsrc: None,
            priority: None,
            table: RT_TABLE_MAIN as u32,
            protocol: RTPROT_BOOT,
            scope: RT_SCOPE_UNIVERSE,
            kind: RTN_UNICAST,
            oif: None,
            nexthop_id: None,
        }
    }

    /// Builds the message into `buf`; returns its length.
    #[inline]
    pub fn emit(&self, buf: &mut [u8], msg_type: u16, flags: u16) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, msg_type, flags)?;
        let small_table = self.table < 256;
        b.header(&RtMsg {
            rtm_family: self.family,
            rtm_dst_len: self.dst_len,
            rtm_src_len: 0,
            rtm_tos: 0,
            rtm_table: if small_table {
                self.table as u8
            } else {
                RT_TABLE_UNSPEC
            },
            rtm_protocol: self.protocol,
            rtm_scope: self.scope,
            rtm_type: self.kind,
            rtm_flags: 0,
        })?;
        if let Some(d) = self.dst {
            b.attr_ip(RTA_DST, d)?;
        }
        if let Some(g) = self.gateway {
            b.attr_ip(RTA_GATEWAY, g)?;
        }
        if let Some(s) = self.prefsrc {
            b.attr_ip(RTA_PREFSRC, s)?;
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
        if let Some(o) = self.oif {
            b.attr_u32(RTA_OIF, o)?;
        }
        b.finish()
    }
}

impl From<&RouteMsg> for RouteRequest {
    /// The request that re-creates a dumped route (`ip route save`/`restore`): every
    /// field the reply carries and a request can set.
    fn from(r: &RouteMsg) -> RouteRequest {
        RouteRequest {
            family: r.family,
            dst: r.dst,
            dst_len: r.dst_len,
            gateway: r.gateway,
            prefsrc: r.prefsrc,
            priority: r.priority,
            table: r.table,
            protocol: r.protocol,
            scope: r.scope,
            kind: r.kind,
            oif: r.oif,
            nexthop_id: r.nexthop_id,
        }
    }
}

/// Builds an `RTM_GETROUTE` dump request for `family`. With `table` or `oif` set, the
/// request carries them as attributes, and on a socket with `NETLINK_GET_STRICT_CHK`
/// the kernel filters the dump itself (the reply then has `NLM_F_DUMP_FILTERED`).
pub fn emit_dump(
    buf: &mut [u8],
    family: u8,
    table: Option<u32>,
    oif: Option<u32>,
) -> Result<usize, WireError> {
    let mut b = MsgBuilder::new(buf, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP)?;
    b.header(&RtMsg {
        rtm_family: family,
        rtm_table: match table {
            Some(t) if t < 256 => t as u8,
            _ => RT_TABLE_UNSPEC,
        },
        ..Default::default()
    })?;
    if let Some(t) = table {
        b.attr_u32(RTA_TABLE, t)?;
    }
    if let Some(o) = oif {
        b.attr_u32(RTA_OIF, o)?;
    }
    b.finish()
}

/// A route as the kernel describes it in `RTM_NEWROUTE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteMsg {
    /// `rtm_family`.
    pub family: u8,
    /// `RTA_DST`; `None` for a default route.
    pub dst: Option<IpAddr>,
    /// `rtm_dst_len`.
    pub dst_len: u8,
    /// `RTA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `RTA_OIF`.
    pub oif: Option<u32>,
    /// `RTA_PREFSRC`.
    pub prefsrc: Option<IpAddr>,
    /// `RTA_TABLE` when present, else `rtm_table`.
    pub table: u32,
    /// `rtm_protocol`.
    pub protocol: u8,
    /// `rtm_scope`.
    pub scope: u8,
    /// `rtm_type`.
    pub kind: u8,
    /// `RTA_PRIORITY`.
    pub priority: Option<u32>,
    /// `rtm_flags`.
    pub flags: u32,
    /// `RTA_NH_ID`: the nexthop object the route uses.
    pub nexthop_id: Option<u32>,
}

impl RouteMsg {
    /// Reads an `RTM_NEWROUTE` message. Unknown attributes are skipped.
    #[inline]
    pub fn parse(msg: &Message<'_>) -> Result<Self, WireError> {
        if msg.header.nlmsg_type != RTM_NEWROUTE {
            return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
        }
        let (h, attrs) = msg.split::<RtMsg>()?;
        let mut r = RouteMsg {
            family: h.rtm_family,
            dst: None,
            dst_len: h.rtm_dst_len,
            gateway: None,
            oif: None,
            prefsrc: None,
            table: h.rtm_table as u32,
            protocol: h.rtm_protocol,
            scope: h.rtm_scope,
            kind: h.rtm_type,
            priority: None,
            flags: h.rtm_flags,
            nexthop_id: None,
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                RTA_DST => r.dst = Some(a.ip()?),
                RTA_GATEWAY => r.gateway = Some(a.ip()?),
                RTA_OIF => r.oif = Some(a.u32()?),
                RTA_PREFSRC => r.prefsrc = Some(a.ip()?),
                RTA_TABLE => r.table = a.u32()?,
                RTA_PRIORITY => r.priority = Some(a.u32()?),
                RTA_NH_ID => r.nexthop_id = Some(a.u32()?),
                _ => {}
            }
        }
        Ok(r)
    }
}
