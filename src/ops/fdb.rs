//! Layer `operations`: the bridge forwarding database and VXLAN remotes — `bridge fdb
//! show|flush` on a [`Handle`], and the idempotent pair [`Handle::ensure_fdb`] /
//! [`Handle::remove_fdb`]. Adds, appends, replaces and deletes are the handle's verbs
//! on an [`FdbEntry`] (and a [`crate::Batch`]'s).
//!
//! A VXLAN flood list with several remotes, as overlay daemons keep it:
//!
//! ```no_run
//! use rtnl::FdbEntry;
//! let mut h = rtnl::Handle::new()?;
//! let vx = h.link_index("vxlan0")?;
//! for remote in ["192.0.2.2", "192.0.2.3"] {
//!     // bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst REMOTE self permanent
//!     h.append(&FdbEntry::flood(vx, remote.parse().unwrap()))?;
//! }
//! # Ok::<(), rtnl::Error>(())
//! ```

use crate::error::{Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::wire::fdb::{FdbEntry, FdbFilter, FdbFlush, FdbMsg};
use crate::wire::neigh::NeighFlags;
use crate::wire::Request;

/// How [`Handle::flush_fdb`] flushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdbFlushed {
    /// In one bulk request (`NLM_F_BULK`); the kernel does not say how many.
    Bulk,
    /// One delete per entry, in one batch (the kernel refused bulk deletes): how
    /// many were deleted.
    Each(usize),
}

impl Handle {
    /// The FDB entries that pass `filter` (`bridge fdb show [br BR] [brport X] [vlan
    /// V]`), collected; the kernel filters by port and bridge.
    pub fn fdb(&mut self, filter: &FdbFilter) -> Result<Listing<FdbEntry>> {
        self.collect_matching(filter, |v| Ok(FdbEntry::from(v)))
    }

    /// Visits the FDB entries that pass `filter` without collecting them.
    pub fn for_each_fdb(&mut self, filter: &FdbFilter, f: impl FnMut(&FdbMsg<'_>)) -> Result<()> {
        self.for_each_matching(filter, f)
    }

    /// `bridge fdb flush dev X [brport P] [vlan V] [self|master] [permanent|static|
    /// dynamic] ...`: one `RTM_DELNEIGH` with `NLM_F_BULK` where the kernel takes it
    /// (bridges since Linux 6.0, VXLAN devices since 6.8). Where it does not
    /// (`EOPNOTSUPP`; `EINVAL` from a kernel older than 6.0, which ignores the bulk
    /// flag), the matching entries are dumped and deleted one by one in one batch
    /// ([`FdbFlushed::Each`]).
    pub fn flush_fdb(&mut self, flush: &FdbFlush) -> Result<FdbFlushed> {
        flush.check()?;
        match self.push(flush) {
            Ok(()) => return Ok(FdbFlushed::Bulk),
            Err(e) if e.errno() == Some(libc::EOPNOTSUPP) => {}
            Err(e) if e.errno() == Some(libc::EINVAL) && kernel_before_6_0() => {}
            Err(e) => return Err(e),
        }
        let filter = if flush.table.contains(NeighFlags::MASTER) {
            FdbFilter::port(flush.dev)
        } else {
            FdbFilter::default()
        };
        let mut doomed = Vec::new();
        self.for_each_fdb(&filter, |e| {
            if flush.matches(e) {
                doomed.push(FdbEntry::from(e));
            }
        })?;
        let mut deleted = 0;
        let mut first_err = None;
        let mut b = self.batch(|_, r: Result<()>| match r {
            Ok(()) => deleted += 1,
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        });
        for e in &doomed {
            b.delete(e)?;
        }
        b.finish()?;
        match first_err {
            Some(e) => Err(e),
            None => Ok(FdbFlushed::Each(deleted)),
        }
    }

    /// Makes sure `e` is in the table: a remote of a flood entry (the all-zero or a
    /// multicast MAC with a `dst`) is appended (`bridge fdb append`, which the kernel
    /// takes again without error); any other entry is replaced (`bridge fdb
    /// replace`). Idempotent.
    pub fn ensure_fdb(&mut self, e: &FdbEntry) -> Result<()> {
        if e.is_multi_remote() && e.dst.is_some() {
            self.append(e)
        } else {
            self.replace(e)
        }
    }

    /// Makes sure `e` is not in the table (`bridge fdb del ...`; for a VXLAN entry
    /// with a `dst`, only that remote): `Ok(true)` when it was deleted, `Ok(false)`
    /// when there was none.
    pub fn remove_fdb(&mut self, e: &FdbEntry) -> Result<bool> {
        Ok(self.delete(e).or_absent()?.is_some())
    }
}

/// True when the running kernel is older than 6.0 (`kernel.osrelease`); false when it
/// cannot be told.
fn kernel_before_6_0() -> bool {
    crate::sysctl::read_sysctl("kernel.osrelease")
        .ok()
        .and_then(|r| {
            r.split('.')
                .next()
                .and_then(|m| m.trim().parse::<u32>().ok())
        })
        .is_some_and(|major| major < 6)
}
