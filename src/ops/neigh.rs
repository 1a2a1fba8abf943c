//! Layer `operations`: ARP and NDP neighbours — `ip neigh show|get|flush` on a
//! [`Handle`], the idempotent pair [`Handle::ensure_neighbour`] /
//! [`Handle::remove_neighbour`], and the device check of link-layer addresses. Adds,
//! replaces, changes and deletes are the handle's verbs on a [`Neighbour`] (and a
//! [`crate::Batch`]'s: ten thousand entries in one batch — 64 KiB datagrams of about
//! 1,300 requests each — with one result each).
//!
//! A guest agent's static ARP entry is one call, one round trip, idempotent:
//!
//! ```no_run
//! use rtnl::{MacAddr, Neighbour};
//! let mut h = rtnl::Handle::new()?;
//! let eth0 = h.link_index("eth0")?;
//! let mac: MacAddr = "02:00:00:00:00:02".parse()?;
//! // ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0 nud permanent
//! h.replace(&Neighbour::permanent(eth0, "10.0.0.2".parse().unwrap(), mac))?;
//! # Ok::<(), rtnl::Error>(())
//! ```

use crate::error::{Error, Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::wire::link::{LinkMsg, LinkRef};
use crate::wire::neigh::{NeighFilter, NeighGet, NeighState, Neighbour, NeighbourMsg};
use crate::wire::{Decode, Op, Request, Verb};
use std::net::IpAddr;

impl Handle {
    /// The neighbours that pass `filter` (`ip neigh show [dev X] [master BR] [proxy]`),
    /// collected; the kernel filters by device and master. Unlike `ip neigh show`,
    /// `NOARP` entries and entries without a state are listed too unless
    /// [`NeighFilter::states`] leaves them out.
    #[doc(alias = "RTM_GETNEIGH")]
    pub fn neighbours(&mut self, filter: &NeighFilter) -> Result<Listing<Neighbour>> {
        self.collect_matching(filter, |v| Ok(Neighbour::from(v)))
    }

    /// Visits the neighbours that pass `filter` without collecting them: zero-copy
    /// views, memory use independent of the size of the table.
    pub fn for_each_neighbour(
        &mut self,
        filter: &NeighFilter,
        f: impl FnMut(&NeighbourMsg<'_>),
    ) -> Result<()> {
        self.for_each_matching(filter, f)
    }

    /// `ip neigh get ADDR dev X`: one entry, one `RTM_GETNEIGH`, no dump. `Ok(None)`
    /// when there is no such entry.
    pub fn get_neighbour(&mut self, ifindex: u32, dst: IpAddr) -> Result<Option<Neighbour>> {
        let req = NeighGet {
            ifindex,
            dst,
            proxy: false,
        };
        // A closure, not `Neighbour::decode`: the reader must take any message lifetime.
        #[allow(clippy::redundant_closure)]
        let found = self.get_with(&req, |m| Neighbour::decode(m));
        found.or_absent().map(Option::flatten)
    }

    /// The length of the link-layer addresses of a device (its own `IFLA_ADDRESS`'s):
    /// 6 for Ethernet, 0 for a device without any (`tun`, `ipip` has 4, InfiniBand
    /// 20). One `RTM_GETLINK`; [`Error::NotFound`] when there is no such device.
    pub fn link_address_len<'a>(&mut self, link: impl Into<LinkRef<'a>>) -> Result<usize> {
        let link = link.into();
        self.get_link_with(link, |m| {
            LinkMsg::decode(m).map(|l| l.address.map_or(0, <[u8]>::len))
        })?
        .ok_or_else(|| Error::NotFound {
            kind: "link",
            name: link.describe(),
        })
    }

    /// Makes sure `n` is in the table as given (`ip neigh replace ...`), after checking
    /// its link-layer address against the device's address length (one `RTM_GETLINK`
    /// first: the kernel refuses a shorter address but silently truncates a longer
    /// one). Nothing is sent when a check fails. Idempotent: running it again changes
    /// nothing. For one round trip without the device check, use
    /// [`Handle::replace`] (the object's own checks still run).
    pub fn ensure_neighbour(&mut self, n: &Neighbour) -> Result<()> {
        Op::new(Verb::Replace, n).check()?;
        if n.lladdr.is_some() && n.ifindex != 0 {
            let len = self.link_address_len(n.ifindex)?;
            n.check_link_address(len)?;
        }
        self.replace(n)
    }

    /// Makes sure `n` is not in the table (`ip neigh del ADDR dev X`): `Ok(true)` when
    /// it was deleted, `Ok(false)` when there was none (or no such device).
    pub fn remove_neighbour(&mut self, n: &Neighbour) -> Result<bool> {
        Ok(self.delete(n).or_absent()?.is_some())
    }

    /// `ip neigh flush [dev X] [master BR] [proxy]`: deletes every entry that passes
    /// `filter` — by default (no [`NeighFilter::states`]) every entry but `PERMANENT`
    /// and `NOARP` ones, as `ip neigh flush` does — from one dump the kernel filters,
    /// in one batch. Returns how many were deleted; an entry that went away meanwhile
    /// is not an error.
    pub fn flush_neighbours(&mut self, filter: &NeighFilter) -> Result<usize> {
        filter.check()?;
        let keep = NeighState(NeighState::PERMANENT.0 | NeighState::NOARP.0);
        let entries = self.neighbours(filter)?.into_vec();
        let mut deleted = 0;
        let mut first_err = None;
        let mut b = self.batch(|_, r: Result<()>| match r {
            Ok(()) => deleted += 1,
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        });
        for n in &entries {
            if filter.states.is_none() && n.state.intersects(keep) {
                continue;
            }
            b.delete(n)?;
        }
        b.finish()?;
        match first_err {
            Some(e) => Err(e),
            None => Ok(deleted),
        }
    }
}
