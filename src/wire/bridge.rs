//! Layer `wire`: the bridge's own messages about its ports (`AF_BRIDGE`):
//! [`PortChange`] sets a port's options (`bridge link set dev PORT hairpin on ...`:
//! `RTM_SETLINK` with `IFLA_PROTINFO`), [`BridgeVlan`] adds and deletes a port's VLANs
//! (`bridge vlan add|del dev PORT vid VID [pvid] [untagged] [self] [master]`:
//! `RTM_SETLINK`/`RTM_DELLINK` with `IFLA_AF_SPEC`/`IFLA_BRIDGE_VLAN_INFO`), and
//! [`VlanFilter`] asks for the dump `bridge vlan show` reads (`RTEXT_FILTER_BRVLAN`),
//! whose messages [`decode_vlans`] reads.
//!
//! Attribute order is `bridge`'s (`tests/golden_links.rs`): the port options in
//! `IFLA_PROTINFO` (flagged `NLA_F_NESTED`) in the fixed order `bridge link set`
//! writes them, `IFLA_BRIDGE_FLAGS` before the VLAN entries in `IFLA_AF_SPEC`. The
//! kernel takes both by index only (`ifi_index`), never by name.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::wire::link::BridgePort;
use crate::wire::{Message, MsgBuilder, Object, Request, Verb, WireError};

/// `IFLA_BRIDGE_FLAGS`: where a bridge command applies, when not the default.
fn bridge_flags(master: bool, self_: bool) -> u16 {
    (if master { BRIDGE_FLAGS_MASTER } else { 0 }) | (if self_ { BRIDGE_FLAGS_SELF } else { 0 })
}

/// `bridge link set dev PORT [guard on|off] [hairpin on|off] [fastleave on|off]
/// [root_block on|off] [flood on|off] [mcast_flood on|off] [bcast_flood on|off]
/// [learning on|off] [cost N] [priority N] [state N] [neigh_suppress on|off]
/// [isolated on|off]`: one `RTM_SETLINK` (`AF_BRIDGE`) carrying the options that are
/// set in `IFLA_PROTINFO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortChange<'a> {
    /// The port, by index.
    pub index: u32,
    /// The options to set ([`BridgePort::other`] is never sent).
    pub port: &'a BridgePort,
}

impl Request for PortChange<'_> {
    fn check(&self) -> Result<()> {
        if self.index == 0 || self.index > i32::MAX as u32 {
            return Err(Error::invalid(
                "bridge port index",
                self.index,
                "not a link index",
            ));
        }
        self.port.check()
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_SETLINK, 0)?;
        b.header(&IfInfoMsg {
            ifi_family: AF_BRIDGE,
            ifi_index: self.index as i32,
            ..Default::default()
        })?;
        let p = b.begin_nested_flagged(IFLA_PROTINFO)?;
        self.port.emit(&mut b)?;
        b.end_nested(p)?;
        b.finish()
    }
}

/// One VLAN (or a range of VLANs) of a bridge port, or of the bridge itself with
/// [`self_`](Self::self_): what `bridge vlan add` adds and `bridge vlan del` deletes
/// ([`crate::Handle::add`] / [`crate::Handle::delete`]), and what `bridge vlan show`
/// lists ([`crate::Handle::bridge_vlans`]). The kernel needs
/// `CONFIG_BRIDGE_VLAN_FILTERING` (without it: `EOPNOTSUPP`), and VLANs only filter
/// once the bridge has `vlan_filtering 1`.
///
/// ```
/// use rtnl::BridgeVlan;
/// // bridge vlan add dev IFINDEX 5 vid 10 pvid untagged
/// let v = BridgeVlan { pvid: true, untagged: true, ..BridgeVlan::new(5, 10) };
/// # let _ = v;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BridgeVlan {
    /// The port (or bridge), by index.
    pub index: u32,
    /// `vid VID`: 1 to 4094; the start of the range when [`vid_end`](Self::vid_end)
    /// is set.
    pub vid: u16,
    /// `vid VID-END`: the last VLAN of a range.
    pub vid_end: Option<u16>,
    /// `pvid`: untagged frames arriving on the port get this VLAN.
    pub pvid: bool,
    /// `untagged`: frames of this VLAN leave the port untagged.
    pub untagged: bool,
    /// `master`: applies to the bridge's view of the port (`BRIDGE_FLAGS_MASTER`).
    pub master: bool,
    /// `self`: applies to the device itself (on the bridge: its own VLANs,
    /// `BRIDGE_FLAGS_SELF`).
    pub self_: bool,
    /// Reported: the entry is the bridge's own (`BRIDGE_VLAN_INFO_BRENTRY`).
    pub brentry: bool,
}

impl BridgeVlan {
    /// VLAN `vid` on link `index`, no flags.
    pub fn new(index: u32, vid: u16) -> BridgeVlan {
        BridgeVlan {
            index,
            vid,
            ..Default::default()
        }
    }

    fn info_flags(&self) -> u16 {
        (if self.pvid { BRIDGE_VLAN_INFO_PVID } else { 0 })
            | (if self.untagged {
                BRIDGE_VLAN_INFO_UNTAGGED
            } else {
                0
            })
            | (if self.brentry {
                BRIDGE_VLAN_INFO_BRENTRY
            } else {
                0
            })
    }
}

impl Object for BridgeVlan {
    const NEW: u16 = RTM_SETLINK;
    const DEL: u16 = RTM_DELLINK;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Delete];

    /// `bridge vlan add|del` send no flag.
    fn flags(_verb: Verb) -> u16 {
        0
    }

    fn check(&self, _verb: Verb) -> Result<()> {
        if self.index == 0 || self.index > i32::MAX as u32 {
            return Err(Error::invalid(
                "bridge VLAN link",
                self.index,
                "not a link index",
            ));
        }
        if self.vid == 0 || self.vid >= 4095 {
            return Err(Error::invalid("VLAN id", self.vid, "must be 1 to 4094"));
        }
        if let Some(end) = self.vid_end {
            if end >= 4095 || end <= self.vid {
                return Err(Error::invalid(
                    "VLAN range end",
                    end,
                    "must be above the start and at most 4094",
                ));
            }
            if self.pvid {
                return Err(Error::invalid(
                    "VLAN range",
                    format!("{}-{end}", self.vid),
                    "a range cannot be the pvid",
                ));
            }
        }
        Ok(())
    }

    fn emit_body(&self, _verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&IfInfoMsg {
            ifi_family: AF_BRIDGE,
            ifi_index: self.index as i32,
            ..Default::default()
        })?;
        let spec = b.begin_nested(IFLA_AF_SPEC)?;
        let f = bridge_flags(self.master, self.self_);
        if f != 0 {
            b.attr_u16(IFLA_BRIDGE_FLAGS, f)?;
        }
        let flags = self.info_flags();
        let mut info = [0u8; BridgeVlanInfo::LEN];
        match self.vid_end {
            Some(end) => {
                BridgeVlanInfo {
                    flags: flags | BRIDGE_VLAN_INFO_RANGE_BEGIN,
                    vid: self.vid,
                }
                .write_to(&mut info);
                b.attr_bytes(IFLA_BRIDGE_VLAN_INFO, &info)?;
                BridgeVlanInfo {
                    flags: flags | BRIDGE_VLAN_INFO_RANGE_END,
                    vid: end,
                }
                .write_to(&mut info);
                b.attr_bytes(IFLA_BRIDGE_VLAN_INFO, &info)?;
            }
            None => {
                BridgeVlanInfo {
                    flags,
                    vid: self.vid,
                }
                .write_to(&mut info);
                b.attr_bytes(IFLA_BRIDGE_VLAN_INFO, &info)?;
            }
        }
        b.end_nested(spec)
    }
}

/// The `AF_BRIDGE` link dump `bridge vlan show` sends: every port (and the bridges
/// themselves) with their VLANs (`IFLA_EXT_MASK` = `RTEXT_FILTER_BRVLAN`, one entry
/// per VLAN).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VlanFilter {
    /// Only this link's VLANs: not sent (the kernel dumps every port), checked by
    /// [`crate::Handle::bridge_vlans`] as the replies come.
    pub index: Option<u32>,
}

impl Request for VlanFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETLINK, 0)?;
        b.header(&IfInfoMsg {
            ifi_family: AF_BRIDGE,
            ..Default::default()
        })?;
        b.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN)?;
        b.finish()
    }
}

/// Reads the VLANs of one `AF_BRIDGE` `RTM_NEWLINK` (a reply to [`VlanFilter`]) into
/// `out`: one [`BridgeVlan`] per entry, a range as one entry with
/// [`vid_end`](BridgeVlan::vid_end). Messages of other families or without VLANs add
/// nothing. A broken attribute chain is an error.
pub fn decode_vlans(msg: &Message<'_>, out: &mut Vec<BridgeVlan>) -> Result<(), WireError> {
    if msg.header.nlmsg_type != RTM_NEWLINK {
        return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
    }
    let (ifi, attrs) = msg.split::<IfInfoMsg>()?;
    if ifi.ifi_family != AF_BRIDGE {
        return Ok(());
    }
    let index = ifi.ifi_index as u32;
    for a in attrs {
        let a = a?;
        if a.ty != IFLA_AF_SPEC {
            continue;
        }
        let mut begin: Option<BridgeVlanInfo> = None;
        for x in a.nested() {
            let x = x?;
            if x.ty != IFLA_BRIDGE_VLAN_INFO {
                continue;
            }
            let Some(v) = BridgeVlanInfo::read_from(x.value) else {
                continue;
            };
            let entry = |start: BridgeVlanInfo, end: Option<u16>| BridgeVlan {
                index,
                vid: start.vid,
                vid_end: end,
                pvid: start.flags & BRIDGE_VLAN_INFO_PVID != 0,
                untagged: start.flags & BRIDGE_VLAN_INFO_UNTAGGED != 0,
                brentry: start.flags & BRIDGE_VLAN_INFO_BRENTRY != 0,
                master: false,
                self_: false,
            };
            if v.flags & BRIDGE_VLAN_INFO_RANGE_BEGIN != 0 {
                begin = Some(v);
            } else if v.flags & BRIDGE_VLAN_INFO_RANGE_END != 0 {
                if let Some(start) = begin.take() {
                    out.push(entry(start, Some(v.vid)));
                }
            } else {
                out.push(entry(v, None));
            }
        }
    }
    Ok(())
}
