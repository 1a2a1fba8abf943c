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

// ---------------------------------------------------------------------------------
// Bridge VLAN filtering, port options and port VLANs.
// ---------------------------------------------------------------------------------

impl Handle {
    /// `ip link set dev BR type bridge vlan_filtering 0|1 [vlan_default_pvid N]`: one
    /// `RTM_NEWLINK`. A kernel without `CONFIG_BRIDGE_VLAN_FILTERING` refuses with
    /// `EOPNOTSUPP`. [`Error::NotFound`] when the bridge is absent.
    pub fn set_bridge_vlan_filtering<'a>(
        &mut self,
        bridge: impl Into<LinkRef<'a>>,
        on: bool,
        default_pvid: Option<u16>,
    ) -> Result<()> {
        let bridge = bridge.into();
        let change = Link {
            kind: Some(LinkKind::Bridge(Bridge {
                vlan_filtering: Some(on),
                default_pvid,
                ..Default::default()
            })),
            ..Default::default()
        };
        self.set_link(bridge, &change).map_err(|e| match e {
            Error::NotFound { name, .. } => Error::NotFound {
                kind: "bridge",
                name,
            },
            e => e,
        })
    }

    /// `bridge link set dev PORT hairpin on isolated on learning off flood off guard
    /// on ...`: the options of `port` that are `Some`, in one `RTM_SETLINK`
    /// (`AF_BRIDGE`, `IFLA_PROTINFO`). The kernel takes the port by index: an index is
    /// sent as it is (one request), a name costs one lookup first.
    /// [`Error::NotFound`] when the link is absent. Read them back with
    /// [`Link::bridge_port`].
    pub fn set_bridge_port<'a>(
        &mut self,
        link: impl Into<LinkRef<'a>>,
        port: &crate::wire::link::BridgePort,
    ) -> Result<()> {
        let link = link.into();
        let index = match link {
            LinkRef::Index(i) => i,
            LinkRef::Name(_) => self.link_index(link)?,
        };
        self.push(&crate::wire::bridge::PortChange { index, port })
            .map_err(not_found("link", link))
    }

    /// The VLANs of every bridge port (and of the bridges themselves), or of `link`
    /// only (`bridge vlan show [dev LINK]`): one `AF_BRIDGE` dump with
    /// `RTEXT_FILTER_BRVLAN`, one [`crate::BridgeVlan`] per VLAN (a range the kernel
    /// reports compressed is one entry with `vid_end`). Empty on a kernel without
    /// bridge VLAN filtering.
    pub fn bridge_vlans<'a>(
        &mut self,
        link: Option<LinkRef<'a>>,
    ) -> Result<Vec<crate::wire::bridge::BridgeVlan>> {
        let index = link.map(|l| self.link_index(l)).transpose()?;
        let mut out = Vec::new();
        self.dump(&crate::wire::bridge::VlanFilter { index }, |m| {
            let from = out.len();
            crate::wire::bridge::decode_vlans(m, &mut out)?;
            if let Some(i) = index {
                let new = out.split_off(from);
                out.extend(new.into_iter().filter(|v| v.index == i));
            }
            Ok(())
        })?;
        Ok(out)
    }
}
