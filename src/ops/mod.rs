//! Layer `operations`: what users call. [`handle`] holds the [`Handle`] and its
//! [`Batch`] (the one call surface) and the generic exchanges every family uses; one
//! file per object family holds that family's operations; [`oneshot`] is the thin
//! layer of seed-named free functions over a per-thread handle.
//!
//! [`Handle`]: crate::Handle
//! [`Batch`]: crate::Batch

pub(crate) mod addr;
pub(crate) mod bridge;
pub(crate) mod fdb;
pub(crate) mod handle;
pub(crate) mod link;
pub(crate) mod monitor;
pub(crate) mod neigh;
pub(crate) mod nexthop;
pub(crate) mod oneshot;
pub(crate) mod route;
pub(crate) mod rule;
pub(crate) mod tc;
pub(crate) mod wait;
