//! Layer `operations`: addresses — `ip addr show|add|del|flush` on a [`Handle`], and
//! the one-shot free functions of the seed API.

use crate::error::{Error, Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::ops::oneshot::with_thread_handle;
use crate::types::{check_ifname, AddrFlags, Family};
use crate::validate::check_prefix;
use crate::wire::addr::{AddrFilter, AddrMsg, Address};
use crate::wire::link::LinkRef;
use std::net::IpAddr;

impl Handle {
    /// Every address, IPv4 and IPv6 (`ip addr show`).
    pub fn addresses(&mut self) -> Result<Listing<Address>> {
        self.addresses_matching(&AddrFilter::default())
    }

    /// The addresses that pass `filter`, which the kernel applies (`ip -4 addr show
    /// dev X`): one link's addresses cost a dump of that link's addresses.
    pub fn addresses_matching(&mut self, filter: &AddrFilter) -> Result<Listing<Address>> {
        self.collect_matching(filter, |v| Address::try_from(v))
    }

    /// The addresses of one link (`ip addr show dev NAME`): a lookup, then a dump the
    /// kernel filters by the link's index. [`Error::NotFound`] when the link is absent.
    pub fn addresses_of<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<Listing<Address>> {
        let index = self.link_index(link)?;
        self.addresses_matching(&AddrFilter {
            family: Family::UNSPEC,
            index: Some(index),
        })
    }

    /// Visits the addresses that pass `filter` without collecting them.
    pub fn for_each_address(
        &mut self,
        filter: &AddrFilter,
        f: impl FnMut(&AddrMsg<'_>),
    ) -> Result<()> {
        self.for_each_matching(filter, f)
    }

    /// `ip addr flush dev NAME`: removes every IPv4 and IPv6 address of the link —
    /// point-to-point ones too, each deleted as it was dumped (with its peer) — in one
    /// batch after one dump the kernel filters by the link. Returns how many were
    /// removed. A secondary address the kernel removed with its primary is not an
    /// error; an address still there afterwards is: the link is dumped again, and
    /// what remains is reported as the kernel's refusal of its delete, or as
    /// [`Error::Kernel`] `EBUSY` ("address still present after flush").
    pub fn flush_addresses<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<usize> {
        let index = self.link_index(link)?;
        let filter = AddrFilter {
            family: Family::UNSPEC,
            index: Some(index),
        };
        let addrs = self.addresses_matching(&filter)?.into_vec();
        if addrs.is_empty() {
            return Ok(0);
        }
        let mut refused = Vec::new();
        let mut b = self.batch(|i, r: Result<()>| {
            if let Err(e) = r {
                refused.push((i, e));
            }
        });
        for a in &addrs {
            b.delete(a)?;
        }
        b.finish()?;
        let left = self.addresses_matching(&filter)?.into_vec();
        if let Some(a) = left.first() {
            // Name the refusal of this address's own delete if there was one.
            let why = addrs
                .iter()
                .position(|x| x.address == a.address && x.prefix_len == a.prefix_len)
                .and_then(|i| refused.iter().position(|(j, _)| *j == i))
                .map(|k| refused.swap_remove(k).1);
            return Err(why.unwrap_or_else(|| Error::Kernel {
                op: "RTM_DELADDR",
                errno: libc::EBUSY,
                message: Some(format!(
                    "address {}/{} still present after flush",
                    a.address, a.prefix_len
                )),
                attr: None,
            }));
        }
        Ok(addrs.len())
    }
}

/// `ip addr add ADDR/PREFIX dev NAME`. IPv4 sends `IFA_LOCAL` and `IFA_ADDRESS`; IPv6
/// sends `IFA_ADDRESS` (and `IFA_LOCAL`, as iproute2 does) with `IFA_F_NODAD`, so the
/// address is usable at once (no duplicate address detection). An existing address
/// gives an error for which [`Error::is_exists`] is true; an absent link is
/// [`Error::NotFound`].
pub fn add_address_to_link_by_name(name: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
    check_ifname(name)?;
    check_prefix(addr, prefix_len)?;
    with_thread_handle(|h| {
        let index = h.link_index(name)?;
        let mut a = Address::new(index, addr, prefix_len);
        if addr.is_ipv6() {
            a.flags = AddrFlags::NODAD;
        }
        h.add(&a)
    })
}

/// The same as [`add_address_to_link_by_name`].
pub fn add_address_to_link(name: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
    add_address_to_link_by_name(name, addr, prefix_len)
}

/// `ip addr flush dev NAME`: removes every IPv4 and IPv6 address of the link; an
/// absent link is `Ok`.
pub fn flush_addresses_on_link_by_name(name: &str) -> Result<()> {
    check_ifname(name)?;
    with_thread_handle(|h| h.flush_addresses(name))
        .or_absent()
        .map(drop)
}
