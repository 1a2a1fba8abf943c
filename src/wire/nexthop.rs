//! Layer `wire`: every `RTM_*NEXTHOP` message — nexthop objects (`ip nexthop`,
//! Linux 5.3+). A route that names a nexthop object by id (`RTA_NH_ID`, see
//! [`crate::wire::route::RouteRequest::nexthop_id`]) shares it instead of carrying a
//! gateway and device of its own: the kernel validates the nexthop once, not once per
//! route, which makes installing a large table about 1.5× faster (BENCHMARKS.md).
//!
//! Attribute order follows iproute2's (`ip nexthop add id ID via GW dev DEV`, `ip
//! nexthop add id ID group A/B,W`): `NHA_ID`, `NHA_GATEWAY` or `NHA_BLACKHOLE` or
//! `NHA_GROUP`, `NHA_OIF`. Groups are multipath (hash-threshold) groups; resilient
//! groups (`type resilient`) are not built here.

use crate::abi::*;
use crate::wire::{Message, MsgBuilder, WireError};
use std::net::IpAddr;

/// One member of a nexthop group: another nexthop object's id and its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupMember {
    /// The member's id (a nexthop object that is not itself a group).
    pub id: u32,
    /// Its share of the traffic, 1 to 256 (`ip nexthop ... group ID/WEIGHT`; the wire
    /// carries `weight - 1` in a byte, as the kernel adds the 1 back).
    pub weight: u16,
}

/// Bytes of one `struct nexthop_grp` in `NHA_GROUP`: `u32 id, u8 weight, u8, u16`.
const GROUP_ENTRY: usize = 8;

/// An `RTM_NEWNEXTHOP`/`RTM_DELNEXTHOP`/`RTM_GETNEXTHOP` request. Fields left at their
/// default are not sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NexthopRequest<'a> {
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
    /// `NHA_GROUP`: a multipath group of other nexthop objects (then no gateway,
    /// device or blackhole; iproute2 sends family `AF_UNSPEC`). Empty: not a group.
    pub group: &'a [GroupMember],
}

impl NexthopRequest<'_> {
    /// Builds the message into `buf`; returns its length. A group member's weight
    /// outside 1..=256 is [`WireError::BadAttribute`]`(NHA_GROUP)`.
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
        if !self.group.is_empty() {
            // An attribute header, then the entries; the length is patched at the end.
            let g = b.begin_nested(NHA_GROUP)?;
            for m in self.group {
                let w = match m.weight {
                    1..=256 => (m.weight - 1) as u8,
                    _ => return Err(WireError::BadAttribute(NHA_GROUP)),
                };
                let mut e = [0u8; GROUP_ENTRY];
                e[0..4].copy_from_slice(&m.id.to_ne_bytes());
                e[4] = w;
                b.raw(&e)?;
            }
            b.end_nested(g)?;
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

/// A nexthop object as the kernel describes it in `RTM_NEWNEXTHOP`, borrowing the
/// datagram (for its group entries).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NexthopMsg<'a> {
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
    /// `NHA_GROUP`'s entries, raw (a whole number of 8-byte `struct nexthop_grp`,
    /// checked by [`parse`](Self::parse)); read them with
    /// [`group_members`](Self::group_members). Empty: not a group.
    pub group: &'a [u8],
    /// `NHA_GROUP_TYPE` (`NEXTHOP_GRP_TYPE_MPATH` 0, `_RES` 1), when sent.
    pub group_type: Option<u16>,
}

impl<'a> NexthopMsg<'a> {
    /// The group's members, weights as `ip` prints them (1 to 256).
    pub fn group_members(&self) -> impl Iterator<Item = GroupMember> + 'a {
        self.group.chunks_exact(GROUP_ENTRY).map(|e| GroupMember {
            id: u32::from_ne_bytes([e[0], e[1], e[2], e[3]]),
            weight: u16::from(e[4]) + 1,
        })
    }

    /// Reads an `RTM_NEWNEXTHOP` message. Unknown attributes are skipped.
    pub fn parse(msg: &Message<'a>) -> Result<Self, WireError> {
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
                NHA_GROUP if a.value.len() % GROUP_ENTRY == 0 => n.group = a.value,
                NHA_GROUP => return Err(WireError::BadAttribute(NHA_GROUP)),
                NHA_GROUP_TYPE => n.group_type = Some(a.u16()?),
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

    #[test]
    fn groups_round_trip_with_weights_one_to_256() {
        let members = [
            GroupMember { id: 1, weight: 1 },
            GroupMember { id: 2, weight: 256 },
            GroupMember {
                id: 70000,
                weight: 5,
            },
        ];
        let r = NexthopRequest {
            id: 3,
            group: &members,
            ..Default::default()
        };
        let mut buf = [0xa5u8; 64];
        let n = r.emit(&mut buf, RTM_NEWNEXTHOP, NLM_F_REQUEST).unwrap();
        assert_eq!(n, 16 + 8 + 8 + 4 + 3 * 8);
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let back = NexthopMsg::parse(&m).unwrap();
        assert_eq!(back.group_members().collect::<Vec<_>>(), members);
        for bad in [0, 257] {
            let members = [GroupMember { id: 1, weight: bad }];
            let r = NexthopRequest {
                id: 3,
                group: &members,
                ..Default::default()
            };
            assert_eq!(
                r.emit(&mut buf, RTM_NEWNEXTHOP, NLM_F_REQUEST),
                Err(WireError::BadAttribute(NHA_GROUP))
            );
        }
    }
}
