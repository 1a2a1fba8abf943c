//! Layer `operations`: policy routing rules — `ip rule show|flush` on a [`Handle`],
//! and the idempotent pair [`Handle::ensure_rule`] / [`Handle::remove_rule`]. Adds and
//! deletes are the handle's verbs on a [`Rule`] (and a [`crate::Batch`]'s).
//!
//! ```no_run
//! use rtnl::{Family, Rule};
//! let mut h = rtnl::Handle::new()?;
//! // ip rule add from 10.0.0.5/32 pref 100 table 100 — unless it is there already
//! let r = Rule::new(Family::INET).from_prefix("10.0.0.5".parse().unwrap(), 32)?.priority(100).table(100);
//! h.ensure_rule(&r)?;
//! # Ok::<(), rtnl::Error>(())
//! ```

use crate::error::{Error, Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::types::Family;
use crate::wire::rule::{Rule, RuleFilter, RuleMsg};
use crate::wire::{Decode, Op, Request, Verb};

impl Handle {
    /// The rules that pass `filter` (`ip [-6] rule show [table T] [pref N]`), from one
    /// dump of the family (the kernel filters rules by family only; the rest is checked
    /// here).
    #[doc(alias = "RTM_GETRULE")]
    pub fn rules(&mut self, filter: &RuleFilter) -> Result<Listing<Rule>> {
        self.collect_with(filter, |m| {
            let v = RuleMsg::decode(m)?;
            Ok(filter.matches(&v).then(|| Rule::from(&v)))
        })
    }

    /// Visits the rules that pass `filter` without collecting them.
    pub fn for_each_rule(
        &mut self,
        filter: &RuleFilter,
        mut f: impl FnMut(&RuleMsg<'_>),
    ) -> Result<()> {
        self.dump(filter, |m| {
            let v = RuleMsg::decode(m)?;
            if filter.matches(&v) {
                f(&v);
            }
            Ok(())
        })
    }

    /// Makes sure `rule` is installed (`ip rule add ...` unless it is there):
    /// `Ok(true)` when it was added, `Ok(false)` when the same rule
    /// ([`Rule::same_rule`]) was there already. The rule needs a priority, so that it
    /// can be found again; a priority held by a *different* rule of the family is a
    /// clash, refused with [`Error::InvalidInput`] before anything is changed (the
    /// kernel would take both, and evaluate them in the order they were added). One
    /// dump of the family, then at most one add.
    pub fn ensure_rule(&mut self, rule: &Rule) -> Result<bool> {
        Op::new(Verb::Add, rule).check()?;
        let Some(pref) = rule.priority else {
            return Err(Error::invalid(
                "rule priority",
                "none",
                "an ensured rule needs a priority, to be found again",
            ));
        };
        let family = match rule.family {
            Family::UNSPEC => rule.src.or(rule.dst).map_or(Family::INET, Family::of),
            f => f,
        };
        let filter = RuleFilter {
            priority: Some(pref),
            ..RuleFilter::family(family)
        };
        let held = self.rules(&filter)?.into_vec();
        if held.iter().any(|r| r.same_rule(rule)) {
            return Ok(false);
        }
        if !held.is_empty() {
            return Err(Error::invalid(
                "rule priority",
                pref,
                "held by another rule of the family: remove it or choose another priority",
            ));
        }
        self.add(rule)?;
        Ok(true)
    }

    /// Makes sure `rule` is not installed (`ip rule del ...`): `Ok(true)` when it was
    /// deleted, `Ok(false)` when there was none. The kernel deletes the first rule that
    /// matches every field `rule` gives.
    pub fn remove_rule(&mut self, rule: &Rule) -> Result<bool> {
        Ok(self.delete(rule).or_absent()?.is_some())
    }

    /// `ip [-6] rule flush`: deletes every rule that passes `filter` but those of
    /// priority 0 (the `local` table's rule), from one dump, in one batch; returns how
    /// many were deleted. Like `ip rule flush`, an unfiltered flush also removes the
    /// `main` and `default` rules (priorities 32766 and 32767): filter by table to
    /// remove only your own.
    pub fn flush_rules(&mut self, filter: &RuleFilter) -> Result<usize> {
        let rules = self.rules(filter)?.into_vec();
        let mut deleted = 0;
        let mut first_err = None;
        let mut b = self.batch(|_, r: Result<()>| match r {
            Ok(()) => deleted += 1,
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        });
        for r in rules.iter().filter(|r| r.priority.unwrap_or(0) != 0) {
            b.delete(r)?;
        }
        b.finish()?;
        match first_err {
            Some(e) => Err(e),
            None => Ok(deleted),
        }
    }
}
