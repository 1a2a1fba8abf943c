//! Layer `wire`: every `RTM_*ADDR` message — requests from an [`AddrRequest`],
//! replies read into an [`AddrMsg`] (which owns nothing and borrows nothing: an
//! address is a few fixed-size fields).
//!
//! Requests carry `IFA_LOCAL` *and* `IFA_ADDRESS`, byte for byte as `ip addr add`
//! sends them. IPv4 needs both: on a link that is not point-to-point they are equal,
//! the kernel takes the interface's address from `IFA_LOCAL` and the prefix route
//! from `IFA_ADDRESS`. IPv6 reads `IFA_ADDRESS` (and `IFA_LOCAL` when equal to it), so
//! sending both is what iproute2 does and changes nothing. `IFA_F_NODAD` and the other
//! low flags ride in `ifa_flags`; an `IFA_FLAGS` attribute only for bits above 0xff.

use crate::abi::*;
use crate::wire::{Message, MsgBuilder, WireError};
use std::net::IpAddr;

/// An `RTM_NEWADDR`/`RTM_DELADDR` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrRequest {
    /// `ifa_index`: the link.
    pub index: u32,
    /// The address; its family sets `ifa_family`.
    pub address: IpAddr,
    /// `ifa_prefixlen`; the caller checks it against the family.
    pub prefix_len: u8,
    /// `IFA_F_*` flags; the low eight bits go in `ifa_flags`, and an `IFA_FLAGS`
    /// attribute carries the rest when any bit above 0xff is set.
    pub flags: u32,
    /// `ifa_scope`.
    pub scope: u8,
}

impl AddrRequest {
    /// Builds the message into `buf`; returns its length.
    #[inline]
    pub fn emit(&self, buf: &mut [u8], msg_type: u16, flags: u16) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, msg_type, flags)?;
        let family = match self.address {
            IpAddr::V4(_) => AF_INET,
            IpAddr::V6(_) => AF_INET6,
        };
        b.header(&IfAddrMsg {
            ifa_family: family,
            ifa_prefixlen: self.prefix_len,
            ifa_flags: (self.flags & 0xff) as u8,
            ifa_scope: self.scope,
            ifa_index: self.index,
        })?;
        b.attr_ip(IFA_LOCAL, self.address)?;
        b.attr_ip(IFA_ADDRESS, self.address)?;
        if self.flags > 0xff {
            b.attr_u32(IFA_FLAGS, self.flags)?;
        }
        b.finish()
    }
}

/// Builds an `RTM_GETADDR` dump request for `family` (`AF_UNSPEC` for all).
pub fn emit_dump(buf: &mut [u8], family: u8) -> Result<usize, WireError> {
    let mut b = MsgBuilder::new(buf, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP)?;
    b.header(&IfAddrMsg {
        ifa_family: family,
        ..Default::default()
    })?;
    b.finish()
}

/// An address as the kernel describes it in `RTM_NEWADDR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrMsg {
    /// `ifa_family`.
    pub family: u8,
    /// `ifa_prefixlen`.
    pub prefix_len: u8,
    /// `IFA_FLAGS` when present, else `ifa_flags`.
    pub flags: u32,
    /// `ifa_scope`.
    pub scope: u8,
    /// `ifa_index`.
    pub index: u32,
    /// The interface's own address: `IFA_LOCAL` when present (IPv4), else `IFA_ADDRESS`.
    pub address: Option<IpAddr>,
    /// `IFA_ADDRESS` (the peer on point-to-point links).
    pub peer: Option<IpAddr>,
}

impl AddrMsg {
    /// Reads an `RTM_NEWADDR` message. Unknown attributes are skipped.
    pub fn parse(msg: &Message<'_>) -> Result<Self, WireError> {
        if msg.header.nlmsg_type != RTM_NEWADDR {
            return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
        }
        let (h, attrs) = msg.split::<IfAddrMsg>()?;
        let mut a = AddrMsg {
            family: h.ifa_family,
            prefix_len: h.ifa_prefixlen,
            flags: h.ifa_flags as u32,
            scope: h.ifa_scope,
            index: h.ifa_index,
            address: None,
            peer: None,
        };
        let mut local = None;
        for attr in attrs {
            let attr = attr?;
            match attr.ty {
                IFA_LOCAL => local = Some(attr.ip()?),
                IFA_ADDRESS => a.peer = Some(attr.ip()?),
                IFA_FLAGS => a.flags = attr.u32()?,
                _ => {}
            }
        }
        a.address = local.or(a.peer);
        Ok(a)
    }
}
