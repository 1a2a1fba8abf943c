//! Layer `operations`: nexthop objects — `ip nexthop show` on a [`Handle`] (adds,
//! replaces and deletes are the handle's verbs on a [`Nexthop`]).
//!
//! A nexthop object is a gateway and/or device (or a blackhole, or a weighted group of
//! other nexthop objects: multipath, possibly resilient) with an id; routes name it
//! with [`crate::Route::nexthop_id`] (`ip route add DST nhid ID`). Many routes through
//! the same next hop then share one validated object: installing a full table this
//! way costs the kernel about two thirds of what routes that each carry their own
//! gateway and device cost (BENCHMARKS.md, "Scale"). Deleting a nexthop object
//! deletes the routes that use it.

use crate::error::Result;
use crate::ops::handle::{Handle, Listing};
use crate::wire::nexthop::{Nexthop, NexthopFilter, NexthopMsg};
use crate::wire::Decode;

impl Handle {
    /// `ip nexthop show`: every nexthop object, collected.
    #[doc(alias = "RTM_GETNEXTHOP")]
    pub fn nexthops(&mut self) -> Result<Listing<Nexthop>> {
        self.nexthops_matching(&NexthopFilter::default())
    }

    /// `ip nexthop show [dev X] [groups]`, filtered by the kernel.
    pub fn nexthops_matching(&mut self, filter: &NexthopFilter) -> Result<Listing<Nexthop>> {
        self.collect_with(filter, |m| {
            NexthopMsg::decode(m).map(|n| Some(Nexthop::from(&n)))
        })
    }

    /// `ip nexthop del id ID`: also deletes every route that uses it. An absent id
    /// gives an error for which [`crate::Error::is_not_found`] is true.
    pub fn delete_nexthop(&mut self, id: u32) -> Result<()> {
        self.delete(&Nexthop {
            id,
            ..Default::default()
        })
    }
}
