//! Layer `operations`: traffic control — `tc qdisc show`, `tc filter show` on a
//! [`Handle`] (adds, replaces and deletes are the handle's verbs on a [`Qdisc`] or a
//! [`Filter`]), and the wiring a VM host makes between a tap and a NIC
//! ([`Handle::redirect_tap`]).

use crate::abi::{tc_h_make, TC_H_MIN_INGRESS};
use crate::error::{Error, Result};
use crate::ops::handle::{Handle, Listing};
use crate::wire::tc::{Filter, FilterFilter, Qdisc, QdiscFilter};

/// Where a tap–NIC redirect hooks in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hook {
    /// An `ingress` qdisc and filters under `ffff:` (tc-redirect-tap, kata's
    /// `tcfilter`).
    Ingress,
    /// A `clsact` qdisc and filters on its ingress hook, `ffff:fff2`.
    Clsact,
}

impl Hook {
    /// The qdisc the hook needs on `ifindex`.
    pub fn qdisc(self, ifindex: u32) -> Qdisc {
        match self {
            Hook::Ingress => Qdisc::ingress(ifindex),
            Hook::Clsact => Qdisc::clsact(ifindex),
        }
    }

    /// The parent of the filters on received packets.
    pub fn parent(self) -> u32 {
        match self {
            Hook::Ingress => tc_h_make(0xffff_0000, 0),
            Hook::Clsact => tc_h_make(0xffff_0000, TC_H_MIN_INGRESS),
        }
    }
}

impl Handle {
    /// The qdiscs of `ifindex`, or of every link with 0 (`tc qdisc show [dev DEV]`):
    /// one dump.
    pub fn qdiscs(&mut self, ifindex: u32) -> Result<Listing<Qdisc>> {
        self.collect_matching(&QdiscFilter { ifindex }, |v| Ok(Qdisc::from(v)))
    }

    /// The filters of `ifindex` under `parent` (`tc filter show dev DEV parent P`):
    /// one dump. Classifiers such as `u32` also report their hash tables, as filters
    /// without a selector.
    pub fn filters(&mut self, ifindex: u32, parent: u32) -> Result<Listing<Filter>> {
        self.collect_matching(&FilterFilter { ifindex, parent }, |v| Ok(Filter::from(v)))
    }

    /// Joins a tap and a NIC the way tc-redirect-tap (firecracker-containerd) and
    /// kata's `tcfilter` model do, in one batch of four requests: the hook's qdisc on
    /// each (`tc qdisc replace dev X ingress|clsact`), and on each a match-all `u32`
    /// filter whose `mirred` action redirects every packet that arrives out of the
    /// other ([`Filter::redirect`]: `tc filter replace dev X parent P protocol all
    /// prio 1 handle 800::800 u32 match u32 0 0 action mirred egress redirect dev
    /// Y`). Idempotent: both are replaces, so running it again changes nothing (one
    /// filter each way, not two). The first refusal is returned, naming its request.
    pub fn redirect_tap(&mut self, tap: u32, nic: u32, hook: Hook) -> Result<()> {
        if tap == nic {
            return Err(Error::invalid(
                "tap redirect",
                tap,
                "the tap and the NIC must be two links",
            ));
        }
        let parent = hook.parent();
        let results = self.batch_collect(|b| {
            b.replace(&hook.qdisc(tap))?;
            b.replace(&hook.qdisc(nic))?;
            b.replace(&Filter::redirect(tap, parent, nic))?;
            b.replace(&Filter::redirect(nic, parent, tap))?;
            Ok(())
        })?;
        results.into_iter().collect::<Result<Vec<()>>>().map(drop)
    }

    /// Undoes [`redirect_tap`](Self::redirect_tap): deletes the hook's qdisc on both
    /// links (`tc qdisc del dev X ingress|clsact`), which removes every filter under
    /// it — the redirects, and any other filter there. Idempotent: the qdiscs are
    /// looked up first (one dump per link) and only those present are deleted, in
    /// one batch — the kernel's answer for an absent ingress qdisc is `ENOENT` on a
    /// link that never had one but `EINVAL` ("Invalid handle") on one that had, so
    /// the answer alone cannot tell "already gone" from a mistake.
    pub fn remove_tap_redirect(&mut self, tap: u32, nic: u32, hook: Hook) -> Result<()> {
        let mut present = Vec::new();
        for ifindex in [tap, nic] {
            let want = hook.qdisc(ifindex);
            if self
                .qdiscs(ifindex)?
                .iter()
                .any(|q| q.kind == want.kind && q.parent == want.parent)
            {
                present.push(want);
            }
        }
        if present.is_empty() {
            return Ok(());
        }
        let results = self.batch_collect(|b| {
            for q in &present {
                b.delete(q)?;
            }
            Ok(())
        })?;
        results.into_iter().collect::<Result<Vec<()>>>().map(drop)
    }

    /// Where `ifindex`'s redirect filters send what arrives (`tc filter show dev DEV
    /// parent P`, the `mirred` targets of its filters under the hook): one dump.
    pub fn tap_redirect_targets(&mut self, ifindex: u32, hook: Hook) -> Result<Vec<u32>> {
        let filters = self.filters(ifindex, hook.parent())?;
        Ok(filters
            .iter()
            .flat_map(|f| f.mirred().map(|m| m.ifindex))
            .collect())
    }
}
