//! Layer `operations`: bridges — `ip link set dev BR type bridge ...` and `bridge link
//! show master BR` on a [`Handle`] (creating one is `h.add(&Link::bridge(NAME)?)`),
//! and the one-shot free functions of the seed API.

use crate::error::{Error, Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::ops::link::not_found;
use crate::ops::oneshot::with_thread_handle;
use crate::types::check_ifname;
use crate::wire::link::{Bridge, Link, LinkFilter, LinkKind, LinkRef};

impl Handle {
    /// `ip link set dev BR type bridge stp_state 0|1`, through netlink
    /// (`IFLA_LINKINFO` → `IFLA_INFO_DATA` → `IFLA_BR_STP_STATE`), not sysfs.
    /// [`Error::NotFound`] when absent.
    pub fn set_bridge_stp<'a>(&mut self, bridge: impl Into<LinkRef<'a>>, on: bool) -> Result<()> {
        let bridge = bridge.into();
        let change = Link {
            kind: Some(LinkKind::Bridge(Bridge {
                stp: Some(on),
                ..Default::default()
            })),
            ..Default::default()
        };
        self.set_link(bridge, &change).map_err(|e| match e {
            Error::NotFound { name, .. } => Error::NotFound {
                kind: "bridge",
                name,
            },
            e => not_found("bridge", bridge)(e),
        })
    }

    /// The ports of a bridge (`bridge link show master BR`): one dump that the kernel
    /// filters by `IFLA_MASTER`. [`Error::NotFound`] when the bridge is absent.
    pub fn bridge_ports<'a>(&mut self, bridge: impl Into<LinkRef<'a>>) -> Result<Listing<Link>> {
        let master = self.link_index(bridge)?;
        self.links_matching(&LinkFilter {
            master: Some(master),
            ..Default::default()
        })
    }
}

/// `ip link add NAME type bridge`; idempotent: an existing link of that name is `Ok`.
pub fn create_bridge(name: &str) -> Result<()> {
    let br = Link::bridge(name)?;
    with_thread_handle(|h| h.add(&br)).or_exists().map(drop)
}

/// `ip link del NAME` for a bridge; idempotent: an absent bridge is `Ok`.
pub fn delete_bridge(name: &str) -> Result<()> {
    crate::ops::link::delete_link_by_name(name)
}

/// `ip link set dev LINK master BRIDGE` (`IFLA_MASTER`); [`Error::NotFound`] names
/// whichever of the two is absent.
pub fn add_link_to_bridge(link: &str, bridge: &str) -> Result<()> {
    check_ifname(link)?;
    check_ifname(bridge)?;
    with_thread_handle(|h| h.set_link_master(link, bridge))
}

/// `ip link set dev NAME type bridge stp_state 0|1`, through netlink, not sysfs;
/// [`Error::NotFound`] when absent.
pub fn set_bridge_stp(name: &str, on: bool) -> Result<()> {
    check_ifname(name)?;
    with_thread_handle(|h| h.set_bridge_stp(name, on))
}

/// How many links are ports of bridge `name` (`bridge link show master NAME | wc -l`);
/// 0 when the bridge is absent.
pub fn bridge_member_count(name: &str) -> Result<usize> {
    check_ifname(name)?;
    with_thread_handle(|h| h.bridge_ports(name))
        .or_absent()
        .map(|v| v.map_or(0, |l| l.len()))
}
