//! The few operations that wait on rtnl's typed link kinds, bridge port flags and
//! bridge VLANs (issue #14): bridge port hairpin mode, a port's VLAN, a bridge with
//! VLAN filtering, and macvlan links. Each is one small function; until #14 lands
//! they build their attributes by hand (rtnl's `MsgBuilder`, `RawRequest`, raw
//! `IFLA_INFO_DATA`), with the bytes vishvananda/netlink sends for the same call.
//!
//! TODO(#14): replace each body with the typed API (`Link::macvlan`, bridge port
//! flags, bridge VLANs) and delete the constants below.

use crate::cni::CniResultT;
use rtnl::abi::{Header, IfInfoMsg, AF_BRIDGE, IFLA_AF_SPEC, IFLA_PROTINFO, RTM_SETLINK};
use rtnl::wire::{MsgBuilder, RawRequest, WireError};
use rtnl::{Handle, Link, LinkKind};

/// `IFLA_BRPORT_MODE` (`linux/if_link.h`): hairpin mode of a bridge port.
const IFLA_BRPORT_MODE: u16 = 4;
/// `IFLA_BRIDGE_FLAGS` / `IFLA_BRIDGE_VLAN_INFO` (`linux/if_bridge.h`).
const IFLA_BRIDGE_FLAGS: u16 = 0;
const IFLA_BRIDGE_VLAN_INFO: u16 = 2;
/// `BRIDGE_FLAGS_SELF` is not set: the request goes to the port's master.
const BRIDGE_VLAN_INFO_PVID: u16 = 1 << 1;
const BRIDGE_VLAN_INFO_UNTAGGED: u16 = 1 << 2;
/// `IFLA_BR_VLAN_FILTERING` inside the bridge's `IFLA_INFO_DATA`.
const IFLA_BR_VLAN_FILTERING: u16 = 7;
/// `IFLA_MACVLAN_MODE` inside a macvlan's `IFLA_INFO_DATA`.
const IFLA_MACVLAN_MODE: u16 = 1;

fn setlink_bridge(
    h: &mut Handle,
    index: u32,
    fill: impl FnOnce(&mut MsgBuilder<'_>) -> Result<(), WireError>,
) -> CniResultT<()> {
    let mut buf = [0u8; 128];
    let n = (|| {
        let mut b = MsgBuilder::new(&mut buf, RTM_SETLINK, 0)?;
        b.header(&IfInfoMsg {
            ifi_family: AF_BRIDGE,
            ifi_index: index as i32,
            ..Default::default()
        })?;
        fill(&mut b)?;
        b.finish()
    })()
    .map_err(crate::cni::CniError::internal)?;
    let _ = IfInfoMsg::LEN;
    h.push(&RawRequest(&buf[..n]))?;
    Ok(())
}

/// `bridge link set dev PORT hairpin on|off` (vishvananda's `LinkSetHairpin`).
pub fn set_hairpin(h: &mut Handle, port: u32, on: bool) -> CniResultT<()> {
    setlink_bridge(h, port, |b| {
        let p = b.begin_nested_flagged(IFLA_PROTINFO)?;
        b.attr_u8(IFLA_BRPORT_MODE, u8::from(on))?;
        b.end_nested(p)
    })
}

/// `bridge vlan add dev PORT vid VID pvid untagged master` (vishvananda's
/// `BridgeVlanAdd(link, vid, pvid=true, untagged=true, self=false, master=true)`).
pub fn add_port_vlan(h: &mut Handle, port: u32, vid: u16) -> CniResultT<()> {
    setlink_bridge(h, port, |b| {
        let s = b.begin_nested(IFLA_AF_SPEC)?;
        // BRIDGE_FLAGS_MASTER
        b.attr_u16(IFLA_BRIDGE_FLAGS, 1)?;
        let mut info = [0u8; 4];
        info[..2]
            .copy_from_slice(&(BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED).to_ne_bytes());
        info[2..].copy_from_slice(&vid.to_ne_bytes());
        b.attr_bytes(IFLA_BRIDGE_VLAN_INFO, &info)?;
        b.end_nested(s)
    })
}

/// `ip link add NAME type bridge vlan_filtering 1`: the bridge to create when a VLAN
/// is configured.
pub fn with_vlan_filtering(mut br: Link) -> Link {
    if let Some(LinkKind::Bridge(b)) = &mut br.kind {
        // Pushing a u8 attribute into a fresh list cannot fail.
        let _ = b.other.push(IFLA_BR_VLAN_FILTERING, &[1]);
    }
    br
}

/// The macvlan modes the reference accepts.
pub fn macvlan_mode(s: &str) -> Option<u32> {
    match s {
        "" | "bridge" => Some(4),
        "private" => Some(1),
        "vepa" => Some(2),
        "passthru" => Some(8),
        _ => None,
    }
}

/// `ip link add NAME link PARENT type macvlan mode MODE`.
pub fn macvlan(name: &str, parent: u32, mode: u32) -> CniResultT<Link> {
    let mut data = Vec::with_capacity(8);
    data.extend_from_slice(&8u16.to_ne_bytes());
    data.extend_from_slice(&IFLA_MACVLAN_MODE.to_ne_bytes());
    data.extend_from_slice(&mode.to_ne_bytes());
    let mut l = Link::named(name)?;
    l.link = Some(parent);
    // As the reference (vishvananda/netlink) sends it.
    l.txqlen = Some(0);
    l.kind = Some(LinkKind::Other {
        kind: "macvlan".into(),
        data: Some(data),
    });
    Ok(l)
}

/// The mode of a macvlan link as the kernel reports it (`IFLA_MACVLAN_MODE` in its raw
/// `IFLA_INFO_DATA`).
pub fn macvlan_mode_of(l: &Link) -> Option<u32> {
    let Some(LinkKind::Other { data: Some(d), .. }) = &l.kind else {
        return None;
    };
    rtnl::wire::Attrs::new(d)
        .flatten()
        .find(|a| a.ty == IFLA_MACVLAN_MODE)
        .and_then(|a| a.u32().ok())
}

/// The name of a macvlan mode, as the reference prints it.
pub fn macvlan_mode_name(m: u32) -> Option<&'static str> {
    match m {
        4 => Some("bridge"),
        1 => Some("private"),
        2 => Some("vepa"),
        8 => Some("passthru"),
        _ => None,
    }
}
