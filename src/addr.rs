//! Operations layer: addresses — `ip addr show/add/del/flush`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::oneshot::with_thread_handle;
use crate::validate::{check_ifname, check_prefix};
use crate::wire::addr::{emit_dump, AddrMsg, AddrRequest};
use std::net::IpAddr;

/// An address as the kernel reports it (`ip addr show`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    /// The link's index.
    pub index: u32,
    /// The address (IPv4: `IFA_LOCAL`; IPv6: `IFA_ADDRESS`).
    pub address: IpAddr,
    /// The prefix length.
    pub prefix_len: u8,
    /// `IFA_F_*` flags (`IFA_F_PERMANENT`, `IFA_F_NODAD`, ...).
    pub flags: u32,
    /// `RT_SCOPE_*` (`RT_SCOPE_HOST` for 127.0.0.1, `RT_SCOPE_LINK` for fe80::/64).
    pub scope: u8,
}

impl Address {
    /// Converts a parsed message; `None` when it carries no address.
    pub fn from_msg(m: &AddrMsg) -> Option<Address> {
        Some(Address {
            index: m.index,
            address: m.address?,
            prefix_len: m.prefix_len,
            flags: m.flags,
            scope: m.scope,
        })
    }
}

/// The request for `addr/prefix_len` on link `index`, as `ip addr add` builds it:
/// `IFA_LOCAL` and `IFA_ADDRESS` (IPv4 needs both); for IPv6 also `IFA_F_NODAD`, so the
/// address is usable at once, without duplicate address detection.
pub fn request(index: u32, addr: IpAddr, prefix_len: u8) -> AddrRequest {
    AddrRequest {
        index,
        address: addr,
        prefix_len,
        flags: if addr.is_ipv6() { IFA_F_NODAD } else { 0 },
        scope: RT_SCOPE_UNIVERSE,
    }
}

impl Handle {
    /// Visits every address of `family` (`AF_UNSPEC` for both) without collecting.
    pub fn for_each_address(&mut self, family: u8, mut f: impl FnMut(&AddrMsg)) -> Result<()> {
        let op = "RTM_GETADDR";
        let n = emit_dump(&mut self.tx, family).map_err(|source| Error::Encode { op, source })?;
        self.conn.dump(op, &mut self.tx[..n], |m| {
            let a = AddrMsg::parse(m).map_err(|source| Error::Malformed { op, source })?;
            f(&a);
            Ok(())
        })
    }

    /// Every address, IPv4 and IPv6 (`ip addr show`).
    pub fn addresses(&mut self) -> Result<Vec<Address>> {
        let op = "RTM_GETADDR";
        let n =
            emit_dump(&mut self.tx, AF_UNSPEC).map_err(|source| Error::Encode { op, source })?;
        self.conn.dump_collect(op, &mut self.tx[..n], |m| {
            let a = AddrMsg::parse(m).map_err(|source| Error::Malformed { op, source })?;
            Ok(Address::from_msg(&a))
        })
    }

    /// The addresses of the link called `name` (`ip addr show dev NAME`).
    pub fn addresses_of(&mut self, name: &str) -> Result<Vec<Address>> {
        let index = self.link_index(name)?;
        Ok(self
            .addresses()?
            .into_iter()
            .filter(|a| a.index == index)
            .collect())
    }

    /// `ip addr add ADDR/PREFIX dev <index>`. An existing address is an error for
    /// which [`Error::is_exists`] is true.
    #[doc(alias = "RTM_NEWADDR")]
    pub fn add_address(&mut self, index: u32, addr: IpAddr, prefix_len: u8) -> Result<()> {
        check_prefix(addr, prefix_len)?;
        let req = request(index, addr, prefix_len);
        self.ack_with("RTM_NEWADDR", |b| {
            req.emit(
                b,
                RTM_NEWADDR,
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            )
        })
    }

    /// `ip addr add ADDR/PREFIX dev NAME` (looks the link up first).
    pub fn add_address_by_name(&mut self, name: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
        check_ifname(name)?;
        check_prefix(addr, prefix_len)?;
        let index = self.link_index(name)?;
        self.add_address(index, addr, prefix_len)
    }

    /// `ip addr del ADDR/PREFIX dev <index>`.
    #[doc(alias = "RTM_DELADDR")]
    pub fn delete_address(&mut self, index: u32, addr: IpAddr, prefix_len: u8) -> Result<()> {
        check_prefix(addr, prefix_len)?;
        let req = request(index, addr, prefix_len);
        self.ack_with("RTM_DELADDR", |b| {
            req.emit(b, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK)
        })
    }

    /// `ip addr flush dev NAME`: removes every IPv4 and IPv6 address of the link, in
    /// one batch. Returns how many were removed.
    pub fn flush_addresses(&mut self, name: &str) -> Result<usize> {
        check_ifname(name)?;
        let index = self.link_index(name)?;
        let addrs: Vec<Address> = self
            .addresses()?
            .into_iter()
            .filter(|a| a.index == index)
            .collect();
        let mut first_err = None;
        let mut removed = 0;
        let mut b = self.batch(|_, r: Result<()>| match r {
            Ok(()) => removed += 1,
            // Already gone (e.g. a secondary removed with its primary): fine.
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        });
        for a in &addrs {
            b.delete_address(&AddrRequest {
                index,
                address: a.address,
                prefix_len: a.prefix_len,
                flags: 0,
                scope: 0,
            })?;
        }
        b.finish()?;
        match first_err {
            Some(e) => Err(e),
            None => Ok(removed),
        }
    }
}

/// `ip addr add ADDR/PREFIX dev NAME`. IPv4 sends `IFA_LOCAL` and `IFA_ADDRESS`; IPv6
/// sends `IFA_ADDRESS` (and `IFA_LOCAL`, as iproute2 does) with `IFA_F_NODAD`. An
/// existing address gives an error for which [`Error::is_exists`] is true; an absent
/// link is [`Error::NotFound`].
pub fn add_address_to_link_by_name(name: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
    check_ifname(name)?;
    check_prefix(addr, prefix_len)?;
    with_thread_handle(|h| h.add_address_by_name(name, addr, prefix_len))
}

/// The same as [`add_address_to_link_by_name`].
pub fn add_address_to_link(name: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
    add_address_to_link_by_name(name, addr, prefix_len)
}

/// `ip addr flush dev NAME`: removes every IPv4 and IPv6 address of the link; an
/// absent link is `Ok`.
pub fn flush_addresses_on_link_by_name(name: &str) -> Result<()> {
    check_ifname(name)?;
    match with_thread_handle(|h| h.flush_addresses(name)) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}
