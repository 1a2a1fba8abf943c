//! Layer `wire`: every `RTM_*NEXTHOP` message — nexthop objects (`ip nexthop`, Linux
//! 5.3+). [`Nexthop`] is the one owned nexthop, [`NexthopMsg`] its zero-copy view.
//! A route that names a nexthop object by id ([`crate::Route::nexthop_id`]) shares
//! it instead of carrying a gateway and device of its own: the kernel validates the
//! nexthop once, not once per route, which makes installing a large table about 1.5×
//! faster (BENCHMARKS.md).
//!
//! Attribute order follows iproute2's (`ip nexthop add id ID via GW dev DEV`, `ip
//! nexthop add id ID group A/B,W [type resilient buckets N idle_timer S
//! unbalanced_timer S]`): `NHA_ID`, `NHA_GATEWAY` or `NHA_BLACKHOLE` or `NHA_GROUP`,
//! `NHA_RES_GROUP`, `NHA_GROUP_TYPE`, `NHA_OIF`, `NHA_FDB`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{Family, Protocol, RouteFlags, Scope};
use crate::wire::{
    emit_raw, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::net::IpAddr;

/// One member of a nexthop group: another nexthop object's id and its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupMember {
    /// The member's id (a nexthop object that is not itself a group).
    pub id: u32,
    /// Its share of the traffic, 1 to 65535 (`ip nexthop ... group ID,WEIGHT`). The
    /// wire carries `weight - 1` in a byte, and since Linux 6.12 a second byte above it
    /// (`weight_high`): weights above 256 need such a kernel, older ones refuse them.
    pub weight: u32,
}

/// Bytes of one `struct nexthop_grp` in `NHA_GROUP`: `u32 id, u8 weight, u8
/// weight_high, u16`.
const GROUP_ENTRY: usize = 8;

/// `NEXTHOP_GRP_TYPE_MPATH`: a hash-threshold multipath group.
pub const GROUP_MPATH: u16 = 0;
/// `NEXTHOP_GRP_TYPE_RES`: a resilient group (buckets that move as little as possible
/// when members change).
pub const GROUP_RES: u16 = 1;

/// A resilient group's parameters (`type resilient buckets N idle_timer S
/// unbalanced_timer S`, `NHA_RES_GROUP`). Timers are in clock ticks (`USER_HZ`, 100
/// per second), as the kernel keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Resilient {
    /// `NHA_RES_GROUP_BUCKETS`: how many buckets (default 128).
    pub buckets: Option<u16>,
    /// `NHA_RES_GROUP_IDLE_TIMER`: how long a bucket must be idle before it moves.
    pub idle_timer: Option<u32>,
    /// `NHA_RES_GROUP_UNBALANCED_TIMER`: how long the group may stay unbalanced.
    pub unbalanced_timer: Option<u32>,
    /// `NHA_RES_GROUP_UNBALANCED_TIME` (reported): how long it has been unbalanced.
    pub unbalanced_time: Option<u64>,
}

/// A nexthop object (`ip nexthop show`), and what `ip nexthop add|replace|del` send.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Nexthop {
    /// `NHA_ID`; 0 is not sent (the kernel then picks one; rtnl refuses it for adds
    /// so that the caller can name what it made).
    pub id: u32,
    /// `nh_family`: `AF_INET`/`AF_INET6` for a nexthop, [`Family::UNSPEC`] for a
    /// group (as iproute2 sends it). Unset (`UNSPEC`) with a gateway: taken from it.
    pub family: Family,
    /// `nh_protocol`.
    pub protocol: Protocol,
    /// `nh_scope` (reported: host for a device-only nexthop, link with a gateway).
    pub scope: Scope,
    /// `nh_flags` (`onlink`, ...).
    pub flags: RouteFlags,
    /// `NHA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `NHA_OIF`: the device.
    pub oif: Option<u32>,
    /// `NHA_BLACKHOLE`: drop the packets (no gateway, no device).
    pub blackhole: bool,
    /// `NHA_FDB`: a nexthop for the bridge FDB (VXLAN), not for routes.
    pub fdb: bool,
    /// `NHA_GROUP`: a group of other nexthop objects (then no gateway, device or
    /// blackhole). Empty: not a group.
    pub group: Vec<GroupMember>,
    /// `NHA_GROUP_TYPE`: [`GROUP_MPATH`] (the default) or [`GROUP_RES`].
    pub group_type: Option<u16>,
    /// `NHA_RES_GROUP`: a resilient group's parameters.
    pub resilient: Option<Resilient>,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Nexthop {
    /// `ip nexthop add id ID [via GW] dev <oif>`.
    pub fn via(id: u32, gateway: Option<IpAddr>, oif: u32) -> Nexthop {
        Nexthop {
            id,
            gateway,
            oif: Some(oif),
            ..Default::default()
        }
    }

    /// `ip nexthop add id ID group A,WA/B,WB`.
    pub fn group(id: u32, members: &[GroupMember]) -> Nexthop {
        Nexthop {
            id,
            group: members.to_vec(),
            ..Default::default()
        }
    }

    /// The family a request sends: as set, else the gateway's, else `AF_INET` (as
    /// iproute2 defaults); a group stays `AF_UNSPEC`.
    fn wire_family(&self) -> Family {
        if self.family != Family::UNSPEC || !self.group.is_empty() {
            return self.family;
        }
        match self.gateway {
            Some(g) => Family::of(g),
            None => Family::INET,
        }
    }
}

impl Object for Nexthop {
    const NEW: u16 = RTM_NEWNEXTHOP;
    const DEL: u16 = RTM_DELNEXTHOP;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Replace, Verb::Delete];

    /// Refuses what the kernel would refuse anyway, before any syscall: id 0, a
    /// blackhole with a gateway or device, a nexthop with neither, a group with
    /// anything else or with a member id 0 (or its own) or a weight outside
    /// 1..=65535 (the wire could say 65536, `0xffff`, but the kernel refuses it: the
    /// weight is a `u16` there), a gateway of another family than the nexthop's.
    fn check(&self, verb: Verb) -> Result<()> {
        if self.id == 0 {
            return Err(Error::invalid("nexthop id", 0, "0 is not an id"));
        }
        if verb == Verb::Delete {
            return Ok(());
        }
        if !self.group.is_empty() {
            if self.blackhole || self.gateway.is_some() || self.oif.is_some() {
                return Err(Error::invalid(
                    "nexthop group",
                    self.id,
                    "a group has members only: no gateway, device or blackhole",
                ));
            }
            for m in &self.group {
                if m.id == 0 || m.id == self.id {
                    return Err(Error::invalid(
                        "nexthop group member",
                        m.id,
                        "not an id of another nexthop",
                    ));
                }
                if !(1..=65535).contains(&m.weight) {
                    return Err(Error::invalid(
                        "nexthop group weight",
                        m.weight,
                        "weights go from 1 to 65535",
                    ));
                }
            }
            return Ok(());
        }
        if self.resilient.is_some() {
            return Err(Error::invalid(
                "nexthop",
                self.id,
                "resilient parameters belong to a group",
            ));
        }
        if self.blackhole && (self.gateway.is_some() || self.oif.is_some()) {
            return Err(Error::invalid(
                "nexthop",
                self.id,
                "a blackhole has no gateway and no device",
            ));
        }
        if !self.blackhole && self.gateway.is_none() && self.oif.is_none() && !self.fdb {
            return Err(Error::invalid(
                "nexthop",
                self.id,
                "needs a gateway, a device or blackhole",
            ));
        }
        if let Some(g) = self.gateway {
            if Family::of(g) != self.wire_family() {
                return Err(Error::invalid(
                    "nexthop gateway",
                    g,
                    "its family differs from the nexthop's",
                ));
            }
        }
        Ok(())
    }

    fn emit_body(&self, verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&NhMsg {
            nh_family: if verb == Verb::Delete {
                AF_UNSPEC
            } else {
                self.wire_family().0
            },
            nh_protocol: self.protocol.0,
            nh_flags: self.flags.0,
            ..Default::default()
        })?;
        if self.id != 0 {
            b.attr_u32(NHA_ID, self.id)?;
        }
        if verb == Verb::Delete {
            return Ok(());
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
            for m in &self.group {
                let w = match m.weight {
                    1..=65536 => m.weight - 1,
                    _ => return Err(WireError::BadAttribute(NHA_GROUP)),
                };
                let mut e = [0u8; GROUP_ENTRY];
                e[0..4].copy_from_slice(&m.id.to_ne_bytes());
                e[4] = w as u8;
                e[5] = (w >> 8) as u8;
                b.raw(&e)?;
            }
            b.end_nested(g)?;
        }
        if let Some(r) = self.resilient {
            let n = b.begin_nested_flagged(NHA_RES_GROUP)?;
            if let Some(v) = r.buckets {
                b.attr_u16(NHA_RES_GROUP_BUCKETS, v)?;
            }
            if let Some(v) = r.idle_timer {
                b.attr_u32(NHA_RES_GROUP_IDLE_TIMER, v)?;
            }
            if let Some(v) = r.unbalanced_timer {
                b.attr_u32(NHA_RES_GROUP_UNBALANCED_TIMER, v)?;
            }
            b.end_nested(n)?;
        }
        if let Some(t) = self.group_type {
            b.attr_u16(NHA_GROUP_TYPE, t)?;
        }
        if let Some(o) = self.oif {
            b.attr_u32(NHA_OIF, o)?;
        }
        if self.fdb {
            b.attr_flag(NHA_FDB)?;
        }
        emit_raw(b, &self.other)
    }
}

impl From<&NexthopMsg<'_>> for Nexthop {
    fn from(m: &NexthopMsg<'_>) -> Nexthop {
        let h = m.header;
        let mut n = Nexthop {
            id: m.id,
            family: Family(h.nh_family),
            protocol: Protocol(h.nh_protocol),
            scope: Scope(h.nh_scope),
            flags: RouteFlags(h.nh_flags),
            gateway: m.gateway,
            oif: m.oif,
            blackhole: m.blackhole,
            group: m.group_members().collect(),
            group_type: m.group_type,
            ..Default::default()
        };
        for a in Attrs::new(m.attrs).flatten() {
            match a.ty {
                NHA_BLACKHOLE => {}
                NHA_ID if a.u32().is_ok() => {}
                NHA_GROUP_TYPE if a.u16().is_ok() => {}
                NHA_GATEWAY if n.gateway.is_some() => {}
                NHA_OIF if n.oif.is_some() => {}
                NHA_GROUP if !m.group.is_empty() => {}
                NHA_FDB => n.fdb = true,
                NHA_RES_GROUP => {
                    let mut r = Resilient::default();
                    for x in a.nested().flatten() {
                        match x.ty {
                            NHA_RES_GROUP_BUCKETS => r.buckets = x.u16().ok(),
                            NHA_RES_GROUP_IDLE_TIMER => r.idle_timer = x.u32().ok(),
                            NHA_RES_GROUP_UNBALANCED_TIMER => r.unbalanced_timer = x.u32().ok(),
                            NHA_RES_GROUP_UNBALANCED_TIME => r.unbalanced_time = x.u64().ok(),
                            _ => {}
                        }
                    }
                    n.resilient = Some(r);
                }
                _ => n.other.push_attr(&a),
            }
        }
        n
    }
}

impl<'a> Decode<'a> for Nexthop {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        NexthopMsg::decode(msg).map(|v| Nexthop::from(&v))
    }
}

/// A nexthop object as the kernel describes it in `RTM_NEWNEXTHOP`/`RTM_DELNEXTHOP`,
/// borrowing the datagram (for its group entries).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NexthopMsg<'a> {
    /// The message's `nhmsg`.
    pub header: NhMsg,
    /// `NHA_ID`.
    pub id: u32,
    /// `NHA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `NHA_BLACKHOLE`.
    pub blackhole: bool,
    /// `NHA_OIF`.
    pub oif: Option<u32>,
    /// `NHA_GROUP`'s entries, raw (a whole number of 8-byte `struct nexthop_grp`);
    /// read them with [`group_members`](Self::group_members). Empty: not a group.
    pub group: &'a [u8],
    /// `NHA_GROUP_TYPE`, when sent.
    pub group_type: Option<u16>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl<'a> NexthopMsg<'a> {
    /// The group's members, weights as `ip` prints them (1 to 65536).
    pub fn group_members(&self) -> impl Iterator<Item = GroupMember> + 'a {
        self.group.chunks_exact(GROUP_ENTRY).map(|e| GroupMember {
            id: u32::from_ne_bytes([e[0], e[1], e[2], e[3]]),
            weight: (u32::from(e[5]) << 8 | u32::from(e[4])) + 1,
        })
    }
}

impl<'a> Decode<'a> for NexthopMsg<'a> {
    /// Reads an `RTM_NEWNEXTHOP` or `RTM_DELNEXTHOP` message. Unknown attributes are
    /// skipped; one whose payload has the wrong size for its type (a group that is not
    /// a whole number of entries) is left out here and kept raw in the owned
    /// [`Nexthop`]; a broken attribute chain is an error.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWNEXTHOP && ty != RTM_DELNEXTHOP {
            return Err(WireError::UnexpectedType(ty));
        }
        let (h, attrs) = msg.split::<NhMsg>()?;
        let mut n = NexthopMsg {
            header: h,
            attrs: msg.payload.get(align4(NhMsg::LEN)..).unwrap_or(&[]),
            ..Default::default()
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                // A malformed repeat does not undo a well-formed value (the owned
                // copy keeps it raw, after the typed one).
                NHA_ID => n.id = a.u32().unwrap_or(n.id),
                // An unset family (as a request may carry it) takes the
                // gateway's from its length, as `Nexthop::emit_body` does.
                NHA_GATEWAY if h.nh_family == AF_UNSPEC => n.gateway = a.ip().ok().or(n.gateway),
                NHA_GATEWAY => n.gateway = a.ip_of(h.nh_family).ok().or(n.gateway),
                NHA_BLACKHOLE => n.blackhole = true,
                NHA_OIF => n.oif = a.u32().ok().or(n.oif),
                NHA_GROUP if a.value.len() % GROUP_ENTRY == 0 => n.group = a.value,
                NHA_GROUP_TYPE => n.group_type = a.u16().ok().or(n.group_type),
                _ => {}
            }
        }
        Ok(n)
    }
}

/// An `RTM_GETNEXTHOP` dump (`ip nexthop show [id ID] [dev X] [groups] [fdb]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NexthopFilter {
    /// Only nexthops out of this device (`NHA_OIF`).
    pub oif: Option<u32>,
    /// Only groups (`NHA_GROUPS`).
    pub groups: bool,
}

impl Request for NexthopFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETNEXTHOP, 0)?;
        b.header(&NhMsg::default())?;
        if let Some(o) = self.oif {
            b.attr_u32(NHA_OIF, o)?;
        }
        if self.groups {
            b.attr_flag(NHA_GROUPS)?;
        }
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;
    use std::net::Ipv4Addr;

    fn round_trip(n: &Nexthop) -> Nexthop {
        let mut buf = [0xa5u8; 128];
        let len = n.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..len]).next().unwrap().unwrap();
        Nexthop::decode(&m).unwrap()
    }

    #[test]
    fn nexthops_round_trip_through_the_reply_parser() {
        for mut n in [
            Nexthop::via(7, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 254))), 3),
            Nexthop::via(8, Some("fe80::1".parse().unwrap()), 3),
            Nexthop {
                id: 9,
                blackhole: true,
                ..Default::default()
            },
        ] {
            let back = round_trip(&n);
            n.family = n.wire_family();
            assert_eq!(back, n);
        }
    }

    #[test]
    fn groups_round_trip_with_weights_up_to_65536() {
        let members = [
            GroupMember { id: 1, weight: 1 },
            GroupMember { id: 2, weight: 256 },
            GroupMember { id: 3, weight: 257 },
            GroupMember {
                id: 70000,
                weight: 65536,
            },
        ];
        let mut n = Nexthop::group(9, &members);
        n.group_type = Some(GROUP_RES);
        n.resilient = Some(Resilient {
            buckets: Some(8),
            idle_timer: Some(6000),
            unbalanced_timer: Some(3000),
            unbalanced_time: None,
        });
        assert_eq!(round_trip(&n), n);
        // 65536 encodes (0xffff) but the kernel refuses it: refused before a syscall.
        assert!(Nexthop::group(
            3,
            &[GroupMember {
                id: 1,
                weight: 65536
            }]
        )
        .check(Verb::Add)
        .is_err());
        for bad in [0, 65537] {
            let n = Nexthop::group(3, &[GroupMember { id: 1, weight: bad }]);
            assert!(n.check(Verb::Add).is_err());
            let mut buf = [0u8; 64];
            assert_eq!(
                n.emit(Verb::Add, &mut buf),
                Err(WireError::BadAttribute(NHA_GROUP))
            );
        }
    }
}
