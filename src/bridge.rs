//! Operations layer: bridges — `ip link add type bridge`, `ip link set master`,
//! `ip link set type bridge stp_state`, `bridge link show`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::link::{not_found_as, Link};
use crate::oneshot::with_thread_handle;
use crate::validate::check_ifname;
use crate::wire::link::{LinkKind, LinkMsg, LinkRequest};

impl Handle {
    /// `ip link set dev NAME type bridge stp_state 0|1`, through netlink
    /// (`IFLA_LINKINFO` → `IFLA_INFO_DATA` → `IFLA_BR_STP_STATE`), not sysfs.
    /// [`Error::NotFound`] when absent.
    pub fn set_bridge_stp(&mut self, name: &str, on: bool) -> Result<()> {
        check_ifname(name)?;
        let req = LinkRequest {
            name: Some(name),
            kind: Some(LinkKind::Bridge { stp: Some(on) }),
            ..Default::default()
        };
        self.ack_with("RTM_NEWLINK", |b| {
            req.emit(b, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK)
        })
        .map_err(not_found_as("bridge", name))
    }

    /// The ports of bridge `name` (`bridge link show master NAME`): one dump that the
    /// kernel filters by `IFLA_MASTER`. [`Error::NotFound`] when the bridge is absent.
    pub fn bridge_members(&mut self, name: &str) -> Result<Vec<Link>> {
        let master = self.link_index(name)?;
        let op = "RTM_GETLINK";
        let n = LinkRequest {
            ext_mask: Some(RTEXT_FILTER_SKIP_STATS),
            master: Some(master),
            ..Default::default()
        }
        .emit(&mut self.tx, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP)
        .map_err(|source| Error::Encode { op, source })?;
        self.conn.dump_collect(op, &mut self.tx[..n], |m| {
            let l = LinkMsg::parse(m).map_err(|source| Error::Malformed { op, source })?;
            // Checked again: a kernel without dump filtering sends every link.
            Ok((l.master == Some(master)).then(|| Link::from_msg(&l)))
        })
    }
}

/// `ip link add NAME type bridge`; idempotent: an existing link of that name is `Ok`.
pub fn create_bridge(name: &str) -> Result<()> {
    check_ifname(name)?;
    match with_thread_handle(|h| h.add_bridge(name)) {
        Err(e) if e.is_exists() => Ok(()),
        r => r,
    }
}

/// `ip link del NAME` for a bridge; idempotent: an absent bridge is `Ok`.
pub fn delete_bridge(name: &str) -> Result<()> {
    crate::link::delete_link_by_name(name)
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
    match with_thread_handle(|h| h.bridge_members(name)) {
        Ok(v) => Ok(v.len()),
        Err(e) if e.is_not_found() => Ok(0),
        Err(e) => Err(e),
    }
}
