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
use crate::wire::rule::{Rule, RuleFilter, RuleMsg};
use crate::wire::{Op, Request, Verb};

impl Handle {
    /// The rules that pass `filter` (`ip [-6] rule show [table T] [pref N]`), from one
    /// dump of the family (the kernel filters rules by family only; the rest is checked
    /// here).
    #[doc(alias = "RTM_GETRULE")]
    pub fn rules(&mut self, filter: &RuleFilter) -> Result<Listing<Rule>> {
        self.collect_matching(filter, |v| Ok(Rule::from(v)))
    }

    /// Visits the rules that pass `filter` without collecting them.
    pub fn for_each_rule(
        &mut self,
        filter: &RuleFilter,
        f: impl FnMut(&RuleMsg<'_>),
    ) -> Result<()> {
        self.for_each_matching(filter, f)
    }

    /// Makes sure `rule` is installed (`ip rule add ...` unless it is there):
    /// `Ok(true)` when it was added, `Ok(false)` when the same rule
    /// ([`Rule::same_rule`]) was there already. The rule needs a priority, so that it
    /// can be found again; a priority held by a *different* rule of the family is a
    /// clash, refused with [`Error::InvalidInput`] before anything is changed (the
    /// kernel would take both, and evaluate them in the order they were added). One
    /// dump, then at most one add. See [`ensure_rules`](Self::ensure_rules).
    pub fn ensure_rule(&mut self, rule: &Rule) -> Result<bool> {
        Ok(self.ensure_rules(std::slice::from_ref(rule))? == 1)
    }

    /// Makes sure every rule of `rules` is installed, as a policy-routing daemon (the
    /// CNI `sbr` plugin) keeps its set: returns how many were added. Each rule needs a
    /// priority; two different rules of the set at the same priority of the same
    /// family are a clash refused before any syscall; a priority held in the kernel by
    /// a different rule is a clash refused after one dump, before any change. The
    /// rules missing are then added in one batch (the first refusal is returned, the
    /// others still go in).
    pub fn ensure_rules(&mut self, rules: &[Rule]) -> Result<usize> {
        for (i, r) in rules.iter().enumerate() {
            Op::new(Verb::Add, r).check()?;
            let Some(pref) = r.priority else {
                return Err(Error::invalid(
                    "rule priority",
                    "none",
                    "an ensured rule needs a priority, to be found again",
                ));
            };
            let clash = rules[..i].iter().any(|o| {
                o.wire_family() == r.wire_family() && o.priority == Some(pref) && !o.same_rule(r)
            });
            if clash {
                return Err(Error::invalid(
                    "rule priority",
                    pref,
                    "two different rules of the set at the same priority",
                ));
            }
        }
        let held = self.rules(&RuleFilter::default())?.into_vec();
        let mut missing = Vec::new();
        for r in rules {
            let at: Vec<&Rule> = held
                .iter()
                .filter(|h| {
                    h.family == r.wire_family()
                        && h.priority.unwrap_or(0) == r.priority.unwrap_or(0)
                })
                .collect();
            if at.iter().any(|h| h.same_rule(r)) {
                continue;
            }
            if !at.is_empty() {
                return Err(Error::invalid(
                    "rule priority",
                    r.priority.unwrap_or(0),
                    "held by another rule of the family: remove it or choose another priority",
                ));
            }
            if !missing.iter().any(|m: &&Rule| m.same_rule(r)) {
                missing.push(r);
            }
        }
        let mut first_err = None;
        let mut added = 0;
        let mut b = self.batch(|_, r: Result<()>| match r {
            Ok(()) => added += 1,
            Err(e) => {
                first_err.get_or_insert(e);
            }
        });
        for r in &missing {
            b.add(*r)?;
        }
        b.finish()?;
        match first_err {
            Some(e) => Err(e),
            None => Ok(added),
        }
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
