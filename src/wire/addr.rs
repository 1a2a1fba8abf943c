//! Layer `wire`: every `RTM_*ADDR` message. [`Address`] is the one owned address:
//! what a dump returns and what `ip addr add` / `ip addr del` send ([`Object`]).
//! [`AddrMsg`] is its zero-copy view; [`AddrFilter`] asks for a dump the kernel
//! filters (by family and by link).
//!
//! Requests carry `IFA_LOCAL` *and* `IFA_ADDRESS`, byte for byte as `ip addr add`
//! sends them. IPv4 needs both: on a link that is not point-to-point they are equal,
//! the kernel takes the interface's address from `IFA_LOCAL` and the prefix route
//! from `IFA_ADDRESS`; with a peer (`ip addr add A peer P/32`) `IFA_ADDRESS` is the
//! peer. IPv6 reads `IFA_ADDRESS` alone unless there is a peer. The low eight
//! `IFA_F_*` flags ride in `ifa_flags`; an `IFA_FLAGS` attribute carries all 32 when
//! any bit above 0xff is set.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{AddrFlags, Family, Scope};
use crate::validate::check_prefix;
use crate::wire::{
    emit_raw, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::net::IpAddr;

/// An address's lifetimes (`IFA_CACHEINFO`; `ip addr add ... valid_lft S
/// preferred_lft S`), in seconds; [`INFINITY_LIFE_TIME`] is `forever`. The creation
/// and update stamps are reported (hundredths of a second since boot), not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lifetimes {
    /// `preferred_lft`.
    pub preferred: u32,
    /// `valid_lft`.
    pub valid: u32,
    /// `cstamp` (reported).
    pub created: u32,
    /// `tstamp` (reported).
    pub updated: u32,
}

/// An IP address on a link (`ip addr show`), and what `ip addr add|del` send.
///
/// ```
/// use rtnl::{Address, AddrFlags};
/// // ip addr add 10.0.0.1/24 dev <3>
/// let a = Address::new(3, "10.0.0.1".parse().unwrap(), 24);
/// // ip addr add fd00::1/64 dev <3> nodad
/// let b = Address::new(3, "fd00::1".parse().unwrap(), 64).with_flags(AddrFlags::NODAD);
/// # let _ = (a, b);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    /// `ifa_index`: the link.
    pub index: u32,
    /// The interface's own address: `IFA_LOCAL` (IPv4, or IPv6 with a peer), else
    /// `IFA_ADDRESS`. Its family is the address's (`ifa_family`).
    pub address: IpAddr,
    /// `ifa_prefixlen`.
    pub prefix_len: u8,
    /// The other end of a point-to-point link (`peer P`): `IFA_ADDRESS` when it
    /// differs from the local address.
    pub peer: Option<IpAddr>,
    /// `IFA_BROADCAST` (IPv4).
    pub broadcast: Option<IpAddr>,
    /// `IFA_LABEL` (IPv4): `eth0` or `eth0:name`.
    pub label: Option<String>,
    /// `IFA_F_*` flags (`ifa_flags` and `IFA_FLAGS`).
    pub flags: AddrFlags,
    /// `ifa_scope`.
    pub scope: Scope,
    /// `IFA_CACHEINFO`: lifetimes.
    pub lifetimes: Option<Lifetimes>,
    /// `IFA_RT_PRIORITY`: the metric of the prefix route (`metric N`).
    pub metric: Option<u32>,
    /// `IFA_PROTO`: who added it (`proto N`).
    pub proto: Option<u8>,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Address {
    /// `address/prefix_len` on link `index`, as `ip addr add` sends it: no flags (so
    /// IPv6 goes through duplicate address detection, as the kernel does by default;
    /// add [`AddrFlags::NODAD`] to skip it), global scope.
    pub fn new(index: u32, address: IpAddr, prefix_len: u8) -> Address {
        Address {
            index,
            address,
            prefix_len,
            peer: None,
            broadcast: None,
            label: None,
            flags: AddrFlags::EMPTY,
            scope: Scope::UNIVERSE,
            lifetimes: None,
            metric: None,
            proto: None,
            other: RawAttrs::new(),
        }
    }

    /// The same with `flags` added.
    pub fn with_flags(mut self, flags: AddrFlags) -> Address {
        self.flags |= flags;
        self
    }

    /// The address's family.
    pub fn family(&self) -> Family {
        Family::of(self.address)
    }

    /// IPv6 duplicate address detection is still running (`tentative`).
    pub fn is_tentative(&self) -> bool {
        self.flags.contains(AddrFlags::TENTATIVE)
    }
}

impl Object for Address {
    const NEW: u16 = RTM_NEWADDR;
    const DEL: u16 = RTM_DELADDR;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Replace, Verb::Change, Verb::Delete];

    fn check(&self, _verb: Verb) -> Result<()> {
        check_prefix(self.address, self.prefix_len)?;
        for (what, a) in [
            ("peer address", self.peer),
            ("broadcast address", self.broadcast),
        ] {
            if let Some(a) = a {
                if a.is_ipv4() != self.address.is_ipv4() {
                    return Err(Error::wrong_family(
                        what,
                        a,
                        "address family differs from the address's",
                    ));
                }
            }
        }
        if let Some(l) = &self.label {
            if l.is_empty() || l.len() > 15 || l.contains('\0') {
                return Err(Error::invalid(
                    "address label",
                    l,
                    "1 to 15 bytes without NUL (IFNAMSIZ - 1)",
                ));
            }
        }
        Ok(())
    }

    #[inline]
    fn emit_body(&self, _verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        // As iproute2: the low flags in `ifa_flags`, or all of them in `IFA_FLAGS`
        // (and none in the header) when a bit above 0xff is set.
        let wide = self.flags.0 > 0xff;
        b.header(&IfAddrMsg {
            ifa_family: Family::of(self.address).0,
            ifa_prefixlen: self.prefix_len,
            ifa_flags: if wide { 0 } else { self.flags.0 as u8 },
            ifa_scope: self.scope.0,
            ifa_index: self.index,
        })?;
        b.attr_ip(IFA_LOCAL, self.address)?;
        b.attr_ip(IFA_ADDRESS, self.peer.unwrap_or(self.address))?;
        if let Some(br) = self.broadcast {
            b.attr_ip(IFA_BROADCAST, br)?;
        }
        if let Some(l) = &self.label {
            b.attr_str(IFA_LABEL, l)?;
        }
        if let Some(m) = self.metric {
            b.attr_u32(IFA_RT_PRIORITY, m)?;
        }
        if wide {
            b.attr_u32(IFA_FLAGS, self.flags.0)?;
        }
        if let Some(lt) = self.lifetimes {
            let mut v = [0u8; IfaCacheInfo::LEN];
            IfaCacheInfo {
                ifa_prefered: lt.preferred,
                ifa_valid: lt.valid,
                cstamp: 0,
                tstamp: 0,
            }
            .write_to(&mut v);
            b.attr_bytes(IFA_CACHEINFO, &v)?;
        }
        if let Some(p) = self.proto {
            b.attr_u8(IFA_PROTO, p)?;
        }
        emit_raw(b, &self.other)
    }
}

impl TryFrom<&AddrMsg<'_>> for Address {
    type Error = WireError;

    /// The owned address; [`WireError::BadAttribute`] when the message carries no
    /// address of its family (`IFA_LOCAL`/`IFA_ADDRESS`).
    fn try_from(m: &AddrMsg<'_>) -> Result<Address, WireError> {
        let h = m.header;
        let address = m.address.ok_or(WireError::BadAttribute(IFA_ADDRESS))?;
        let mut a = Address::new(h.ifa_index, address, h.ifa_prefixlen);
        a.peer = m.peer;
        a.flags = m.flags();
        a.scope = Scope(h.ifa_scope);
        for at in Attrs::new(m.attrs).flatten() {
            match at.ty {
                IFA_LOCAL | IFA_ADDRESS | IFA_FLAGS if m.address.is_some() => {}
                IFA_BROADCAST if at.ip_of(h.ifa_family).is_ok() => {
                    a.broadcast = at.ip_of(h.ifa_family).ok()
                }
                IFA_LABEL => a.label = Some(String::from_utf8_lossy(at.bytes_z()).into_owned()),
                IFA_CACHEINFO if IfaCacheInfo::read_from(at.value).is_some() => {
                    a.lifetimes = IfaCacheInfo::read_from(at.value).map(|c| Lifetimes {
                        preferred: c.ifa_prefered,
                        valid: c.ifa_valid,
                        created: c.cstamp,
                        updated: c.tstamp,
                    })
                }
                IFA_RT_PRIORITY if at.u32().is_ok() => a.metric = at.u32().ok(),
                IFA_PROTO if at.u8().is_ok() => a.proto = at.u8().ok(),
                _ => a.other.push_attr(&at),
            }
        }
        Ok(a)
    }
}

impl<'a> Decode<'a> for Address {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        Address::try_from(&AddrMsg::decode(msg)?)
    }
}

/// An address as the kernel describes it in `RTM_NEWADDR`/`RTM_DELADDR`, borrowing
/// the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrMsg<'a> {
    /// The message's `ifaddrmsg`.
    pub header: IfAddrMsg,
    /// The interface's own address: `IFA_LOCAL` when present, else `IFA_ADDRESS`.
    pub address: Option<IpAddr>,
    /// `IFA_ADDRESS` when it differs from `IFA_LOCAL`: the peer of a point-to-point
    /// address.
    pub peer: Option<IpAddr>,
    /// `IFA_FLAGS`, when present (all 32 bits).
    pub flags32: Option<u32>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl AddrMsg<'_> {
    /// `ifa_index`.
    #[inline]
    pub fn index(&self) -> u32 {
        self.header.ifa_index
    }

    /// `IFA_FLAGS` when present, else `ifa_flags`.
    #[inline]
    pub fn flags(&self) -> AddrFlags {
        AddrFlags(self.flags32.unwrap_or(u32::from(self.header.ifa_flags)))
    }
}

impl<'a> Decode<'a> for AddrMsg<'a> {
    /// Reads an `RTM_NEWADDR` or `RTM_DELADDR` message. Unknown attributes are skipped;
    /// an address of the wrong size for the family is left out.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWADDR && ty != RTM_DELADDR {
            return Err(WireError::UnexpectedType(ty));
        }
        let (h, attrs) = msg.split::<IfAddrMsg>()?;
        let mut local = None;
        let mut address = None;
        let mut flags32 = None;
        for a in attrs {
            let a = a?;
            match a.ty {
                IFA_LOCAL => local = a.ip_of(h.ifa_family).ok(),
                IFA_ADDRESS => address = a.ip_of(h.ifa_family).ok(),
                IFA_FLAGS => flags32 = a.u32().ok(),
                _ => {}
            }
        }
        Ok(AddrMsg {
            header: h,
            address: local.or(address),
            peer: address.filter(|p| local.is_some_and(|l| l != *p)),
            flags32,
            attrs: msg.payload.get(align4(IfAddrMsg::LEN)..).unwrap_or(&[]),
        })
    }
}

/// An `RTM_GETADDR` dump (`ip addr show [dev X]`), filtered by the kernel (with strict
/// checking, Linux ≥ 4.20) by family and by link: flushing one link's addresses on a
/// host with 10,000 links reads that link's addresses, not all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddrFilter {
    /// `AF_INET`, `AF_INET6`, or [`Family::UNSPEC`] for both.
    pub family: Family,
    /// Only the addresses of this link (`ifa_index`).
    pub index: Option<u32>,
}

crate::wire::dump_filter!(AddrFilter, AddrMsg);

impl AddrFilter {
    /// Whether `a` passes (checked here too: older kernels ignore the filter).
    pub fn matches(&self, a: &AddrMsg<'_>) -> bool {
        (self.family == Family::UNSPEC || self.family.0 == a.header.ifa_family)
            && self.index.map_or(true, |i| i == a.header.ifa_index)
    }
}

impl Request for AddrFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETADDR, 0)?;
        b.header(&IfAddrMsg {
            ifa_family: self.family.0,
            ifa_index: self.index.unwrap_or(0),
            ..Default::default()
        })?;
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    #[test]
    fn point_to_point_addresses_keep_their_peer_both_ways() {
        let mut a = Address::new(3, "10.0.0.1".parse().unwrap(), 32);
        a.peer = Some("10.0.0.2".parse().unwrap());
        a.label = Some("eth0:p".into());
        a.lifetimes = Some(Lifetimes {
            preferred: 60,
            valid: 120,
            created: 0,
            updated: 0,
        });
        a.flags = AddrFlags::NOPREFIXROUTE;
        let mut buf = [0xa5u8; 256];
        let n = a.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let v = AddrMsg::decode(&m).unwrap();
        assert_eq!(v.address, Some(a.address));
        assert_eq!(v.peer, a.peer);
        let back = Address::try_from(&v).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn family_mismatches_are_refused() {
        let mut a = Address::new(3, "10.0.0.1".parse().unwrap(), 24);
        a.peer = Some("fd00::1".parse().unwrap());
        assert!(a.check(Verb::Add).unwrap_err().is_invalid_input());
        let a = Address::new(3, "10.0.0.1".parse().unwrap(), 33);
        assert!(a.check(Verb::Add).unwrap_err().is_invalid_input());
    }
}
