//! Layer `wire`: `RTM_*NEIGH` messages of family `AF_BRIDGE` — the bridge forwarding
//! database and the VXLAN remote table (`bridge fdb`). [`FdbEntry`] is the one owned
//! entry: what a dump returns and what `bridge fdb add|append|replace|del` send
//! ([`Object`]). It is a type of its own, not a [`crate::Neighbour`]: the two share a
//! message type and a header, and a library that models both with one struct lets an
//! FDB `append` turn into an ARP entry (vishvananda/netlink#714). Here an `FdbEntry`
//! always goes out as `AF_BRIDGE` with a 6-byte MAC, and a neighbour never does.
//!
//! [`FdbMsg`] is the zero-copy view, [`FdbFilter`] a dump by port or bridge (filtered
//! by the kernel), [`FdbFlush`] a bulk delete (`bridge fdb flush`, `NLM_F_BULK`,
//! Linux ≥ 6.0 for bridges, ≥ 6.8 for VXLAN; [`crate::Handle::flush_fdb`] falls back to
//! deletes in one batch where the kernel refuses it).
//!
//! Attribute order follows iproute2's for `bridge fdb add LLADDR dev X [dst IP] [vlan
//! V] [nhid N] [port P] [vni N] [src_vni N] [via DEV]`: `NDA_LLADDR`, `NDA_DST`,
//! `NDA_VLAN`, `NDA_NH_ID`, `NDA_PORT` (network byte order), `NDA_VNI`,
//! `NDA_SRC_VNI`, `NDA_IFINDEX`. States are sent as iproute2 sends them:
//! `permanent` = `NUD_NOARP|NUD_PERMANENT`, `static` = `NUD_NOARP|NUD_REACHABLE`,
//! `dynamic` = `NUD_REACHABLE`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::MacAddr;
use crate::wire::neigh::{NeighExtFlags, NeighFlags};
use crate::wire::{
    emit_raw, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::net::IpAddr;

/// What kind of FDB entry (`bridge fdb add ... permanent|static|dynamic`; a dump
/// reports `stale` for a dynamic entry that has aged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FdbState {
    /// `permanent` (`local`): an address of this host; never forwarded out.
    Permanent,
    /// `static`: configured, never ages.
    Static,
    /// `dynamic`: ages out like a learnt entry.
    Dynamic,
    /// `stale` (reported): a dynamic entry about to age out.
    Stale,
    /// Any other `ndm_state`, as it came.
    Other(u16),
}

impl FdbState {
    /// The `ndm_state` a request carries (iproute2's values).
    pub const fn to_ndm(self) -> u16 {
        match self {
            FdbState::Permanent => NUD_NOARP | NUD_PERMANENT,
            FdbState::Static => NUD_NOARP | NUD_REACHABLE,
            FdbState::Dynamic => NUD_REACHABLE,
            FdbState::Stale => NUD_STALE,
            FdbState::Other(s) => s,
        }
    }

    /// The state an `ndm_state` from the kernel means (`NUD_PERMANENT`,
    /// `NUD_NOARP`, `NUD_REACHABLE`, `NUD_STALE`, in that order of precedence).
    pub const fn from_ndm(s: u16) -> FdbState {
        if s & NUD_PERMANENT != 0 {
            FdbState::Permanent
        } else if s & NUD_NOARP != 0 {
            FdbState::Static
        } else if s & NUD_STALE != 0 {
            FdbState::Stale
        } else if s & NUD_REACHABLE != 0 {
            FdbState::Dynamic
        } else {
            FdbState::Other(s)
        }
    }

    /// The word `bridge fdb show` prints (`""` for a dynamic entry).
    pub fn as_str(self) -> &'static str {
        match self {
            FdbState::Permanent => "permanent",
            FdbState::Static => "static",
            FdbState::Stale => "stale",
            FdbState::Dynamic => "",
            FdbState::Other(_) => "other",
        }
    }
}

/// A bridge FDB or VXLAN remote entry (`bridge fdb show`), and what `bridge fdb
/// add|append|replace|del` send.
///
/// ```
/// use rtnl::{FdbEntry, FdbState, MacAddr};
/// // bridge fdb add 02:00:00:00:00:01 dev <port 3> master static vlan 10
/// let e = FdbEntry::master(3, "02:00:00:00:00:01".parse()?)
///     .state(FdbState::Static)
///     .vlan(10);
/// // bridge fdb append 00:00:00:00:00:00 dev <vxlan 5> dst 192.0.2.2 self permanent
/// let flood = FdbEntry::flood(5, "192.0.2.2".parse().unwrap());
/// assert_eq!(flood.mac, Some(MacAddr([0; 6])));
/// # let _ = e;
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FdbEntry {
    /// `ndm_ifindex`: the bridge port (`master` entries), or the device whose own
    /// table it is (`self`: a VXLAN device, the bridge itself).
    pub ifindex: u32,
    /// `NDA_LLADDR`: the MAC address (all zeros: the default entry of a VXLAN device,
    /// its flood list). `None` only in a malformed reply (then kept raw in
    /// [`other`](Self::other)); requests need it.
    pub mac: Option<MacAddr>,
    /// `ndm_state`.
    pub state: FdbState,
    /// `ndm_flags`: [`NeighFlags::SELF`] (the device's own table) and/or
    /// [`NeighFlags::MASTER`] (the bridge's), plus `extern_learn`, `sticky`, `router`,
    /// `use`, `offload`. Neither self nor master: the kernel picks the master for a
    /// bridge port.
    pub flags: NeighFlags,
    /// `NDA_VLAN`: the VLAN (1 to 4094).
    pub vlan: Option<u16>,
    /// `NDA_DST`: a VXLAN remote's IP address.
    pub dst: Option<IpAddr>,
    /// `NDA_PORT`: a VXLAN remote's UDP port (host order here; network order on the
    /// wire).
    pub port: Option<u16>,
    /// `NDA_VNI`: a VXLAN remote's VNI (24 bits).
    pub vni: Option<u32>,
    /// `NDA_SRC_VNI`: the source VNI (collect-metadata VXLAN devices).
    pub src_vni: Option<u32>,
    /// `NDA_IFINDEX`: the device to reach a VXLAN remote through (`via DEV`).
    pub via: Option<u32>,
    /// `NDA_NH_ID`: an FDB nexthop group instead of a remote (`nhid N`).
    pub nexthop_id: Option<u32>,
    /// `NDA_MASTER` (reported): the bridge of a `master` entry.
    pub master: Option<u32>,
    /// `NDA_LINK_NETNSID` (reported): the namespace of a VXLAN device's lower device.
    pub link_netnsid: Option<i32>,
    /// `NDA_FLAGS_EXT` (reported: `locked`).
    pub ext_flags: NeighExtFlags,
    /// `NDA_CACHEINFO` (reported, never sent).
    pub cache: Option<NdaCacheInfo>,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Default for FdbEntry {
    fn default() -> FdbEntry {
        FdbEntry {
            ifindex: 0,
            mac: None,
            state: FdbState::Permanent,
            flags: NeighFlags::EMPTY,
            vlan: None,
            dst: None,
            port: None,
            vni: None,
            src_vni: None,
            via: None,
            nexthop_id: None,
            master: None,
            link_netnsid: None,
            ext_flags: NeighExtFlags::EMPTY,
            cache: None,
            other: RawAttrs::new(),
        }
    }
}

impl FdbEntry {
    /// `bridge fdb add MAC dev <port> master`: an entry of the bridge that `port`
    /// belongs to (permanent, as iproute2 assumes; see [`state`](Self::state)).
    pub fn master(port: u32, mac: MacAddr) -> FdbEntry {
        FdbEntry {
            ifindex: port,
            mac: Some(mac),
            flags: NeighFlags::MASTER,
            ..Default::default()
        }
    }

    /// `bridge fdb add MAC dev <dev> self`: an entry of the device's own table (a
    /// VXLAN device's remotes, a NIC's unicast filter), permanent.
    pub fn on_self(dev: u32, mac: MacAddr) -> FdbEntry {
        FdbEntry {
            ifindex: dev,
            mac: Some(mac),
            flags: NeighFlags::SELF,
            ..Default::default()
        }
    }

    /// `bridge fdb append 00:00:00:00:00:00 dev <vxlan> dst IP self permanent`: one
    /// remote of a VXLAN device's flood list (BUM traffic goes to every remote of the
    /// all-zero entry). Send it with [`crate::Handle::append`].
    pub fn flood(vxlan: u32, dst: IpAddr) -> FdbEntry {
        FdbEntry {
            dst: Some(dst),
            ..FdbEntry::on_self(vxlan, MacAddr([0; 6]))
        }
    }

    /// `permanent`, `static` or `dynamic`.
    pub fn state(mut self, state: FdbState) -> FdbEntry {
        self.state = state;
        self
    }

    /// `vlan V`.
    pub fn vlan(mut self, vid: u16) -> FdbEntry {
        self.vlan = Some(vid);
        self
    }

    /// `dst IP`: a VXLAN remote.
    pub fn dst(mut self, dst: IpAddr) -> FdbEntry {
        self.dst = Some(dst);
        self
    }

    /// `vni N`.
    pub fn vni(mut self, vni: u32) -> FdbEntry {
        self.vni = Some(vni);
        self
    }

    /// `port P` (UDP).
    pub fn port(mut self, port: u16) -> FdbEntry {
        self.port = Some(port);
        self
    }

    /// True for the all-zero MAC (a VXLAN flood-list entry) or a multicast MAC: the
    /// entries that hold several remotes (`bridge fdb append`).
    pub fn is_multi_remote(&self) -> bool {
        self.mac.is_some_and(|m| m.is_zero() || m.is_multicast())
    }
}

impl Object for FdbEntry {
    const NEW: u16 = RTM_NEWNEIGH;
    const DEL: u16 = RTM_DELNEIGH;
    const VERBS: &'static [Verb] = &[
        Verb::Add,
        Verb::Replace,
        Verb::Change,
        Verb::Append,
        Verb::Delete,
    ];

    /// Refuses, before any syscall: no device, no MAC, a VLAN outside 1..=4094, a VNI
    /// over 24 bits, a nexthop group together with a remote, a state the kernel
    /// refuses, and an `append` that the kernel would silently ignore — anything but
    /// a remote (`dst`) added to the all-zero or a multicast MAC.
    fn check(&self, verb: Verb) -> Result<()> {
        if self.ifindex == 0 {
            return Err(Error::invalid(
                "FDB device",
                0,
                "an FDB entry names its port or device",
            ));
        }
        if self.mac.is_none() {
            return Err(Error::invalid(
                "FDB entry",
                "no MAC",
                "an FDB entry needs its MAC address",
            ));
        }
        if let Some(v) = self.vlan {
            if !(1..=4094).contains(&v) {
                return Err(Error::invalid("VLAN id", v, "VLAN ids go from 1 to 4094"));
            }
        }
        for (what, v) in [("VNI", self.vni), ("source VNI", self.src_vni)] {
            if let Some(v) = v {
                if v >= 1 << 24 {
                    return Err(Error::invalid(what, v, "a VNI has 24 bits"));
                }
            }
        }
        if self.nexthop_id.is_some()
            && (self.dst.is_some() || self.port.is_some() || self.vni.is_some())
        {
            return Err(Error::invalid(
                "FDB entry",
                format!("nhid {}", self.nexthop_id.unwrap_or(0)),
                "dst, port and vni are mutually exclusive with a nexthop group",
            ));
        }
        if verb == Verb::Delete {
            return Ok(());
        }
        if self.state.to_ndm() & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE) == 0 {
            return Err(Error::invalid(
                "FDB state",
                format!("{:#x}", self.state.to_ndm()),
                "an added entry is permanent, static or dynamic",
            ));
        }
        if verb == Verb::Append && (self.dst.is_none() || !self.is_multi_remote()) {
            return Err(Error::invalid(
                "FDB append",
                self.mac.unwrap_or(MacAddr([0; 6])),
                "append adds a remote (dst) to a VXLAN entry of the all-zero or a multicast \
                 MAC; the kernel ignores it for anything else",
            ));
        }
        Ok(())
    }

    fn emit_body(&self, _verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&NdMsg {
            ndm_family: AF_BRIDGE,
            ndm_ifindex: self.ifindex as i32,
            ndm_state: self.state.to_ndm(),
            ndm_flags: self.flags.0,
            ..Default::default()
        })?;
        if let Some(m) = self.mac {
            b.attr_bytes(NDA_LLADDR, &m.0)?;
        }
        if let Some(d) = self.dst {
            b.attr_ip(NDA_DST, d)?;
        }
        if let Some(v) = self.vlan {
            b.attr_u16(NDA_VLAN, v)?;
        }
        if let Some(n) = self.nexthop_id {
            b.attr_u32(NDA_NH_ID, n)?;
        }
        if let Some(p) = self.port {
            b.attr_bytes(NDA_PORT, &p.to_be_bytes())?;
        }
        if let Some(v) = self.vni {
            b.attr_u32(NDA_VNI, v)?;
        }
        if let Some(v) = self.src_vni {
            b.attr_u32(NDA_SRC_VNI, v)?;
        }
        if let Some(i) = self.via {
            b.attr_u32(NDA_IFINDEX, i)?;
        }
        emit_raw(b, &self.other)
    }
}

impl From<&FdbMsg<'_>> for FdbEntry {
    /// Everything the view's message holds, owned.
    fn from(m: &FdbMsg<'_>) -> FdbEntry {
        let h = m.header;
        let mut e = FdbEntry {
            ifindex: h.ndm_ifindex as u32,
            mac: m.mac,
            state: FdbState::from_ndm(h.ndm_state),
            flags: NeighFlags(h.ndm_flags),
            vlan: m.vlan,
            dst: m.dst,
            master: m.master,
            ..Default::default()
        };
        for a in Attrs::new(m.attrs).flatten() {
            let u32v = if a.value.len() == 4 {
                a.u32().ok()
            } else {
                None
            };
            match a.ty {
                NDA_LLADDR if e.mac.is_some() => {}
                NDA_DST if e.dst.is_some() => {}
                NDA_VLAN if e.vlan.is_some() => {}
                NDA_MASTER if e.master.is_some() => {}
                NDA_PORT if a.value.len() == 2 => {
                    e.port = Some(u16::from_be_bytes([a.value[0], a.value[1]]))
                }
                NDA_VNI if u32v.is_some() => e.vni = u32v,
                NDA_SRC_VNI if u32v.is_some() => e.src_vni = u32v,
                NDA_IFINDEX if u32v.is_some() => e.via = u32v,
                NDA_NH_ID if u32v.is_some() => e.nexthop_id = u32v,
                NDA_LINK_NETNSID if u32v.is_some() => e.link_netnsid = a.i32().ok(),
                NDA_FLAGS_EXT if u32v.is_some() => e.ext_flags = NeighExtFlags(u32v.unwrap_or(0)),
                NDA_CACHEINFO if a.value.len() == NdaCacheInfo::LEN => {
                    e.cache = NdaCacheInfo::read_from(a.value)
                }
                _ => e.other.push_attr(&a),
            }
        }
        e
    }
}

impl<'a> Decode<'a> for FdbEntry {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        FdbMsg::decode(msg).map(|v| FdbEntry::from(&v))
    }
}

/// An FDB entry as the kernel describes it in `RTM_NEWNEIGH`/`RTM_DELNEIGH` of family
/// `AF_BRIDGE`, borrowing the datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdbMsg<'a> {
    /// The message's `ndmsg`.
    pub header: NdMsg,
    /// `NDA_LLADDR`, when it is a 6-byte MAC.
    pub mac: Option<MacAddr>,
    /// `NDA_DST` (VXLAN remotes; 4 or 16 bytes).
    pub dst: Option<IpAddr>,
    /// `NDA_VLAN`.
    pub vlan: Option<u16>,
    /// `NDA_MASTER`.
    pub master: Option<u32>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl FdbMsg<'_> {
    /// `ndm_ifindex`.
    pub fn ifindex(&self) -> u32 {
        self.header.ndm_ifindex as u32
    }
    /// `ndm_flags`.
    pub fn flags(&self) -> NeighFlags {
        NeighFlags(self.header.ndm_flags)
    }
    /// `ndm_state`, as an [`FdbState`].
    pub fn state(&self) -> FdbState {
        FdbState::from_ndm(self.header.ndm_state)
    }
}

impl<'a> Decode<'a> for FdbMsg<'a> {
    /// Reads an `RTM_NEWNEIGH` or `RTM_DELNEIGH` message of family `AF_BRIDGE`
    /// ([`WireError::UnexpectedType`] for any other family: those are neighbours).
    /// Unknown attributes are skipped; a broken attribute chain is an error.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWNEIGH && ty != RTM_DELNEIGH {
            return Err(WireError::UnexpectedType(ty));
        }
        let (h, attrs) = msg.split::<NdMsg>()?;
        if h.ndm_family != AF_BRIDGE {
            return Err(WireError::UnexpectedType(ty));
        }
        let mut e = FdbMsg {
            header: h,
            mac: None,
            dst: None,
            vlan: None,
            master: None,
            attrs: msg.payload.get(align4(NdMsg::LEN)..).unwrap_or(&[]),
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                NDA_LLADDR => {
                    e.mac = a
                        .fixed::<6>()
                        .ok()
                        .filter(|_| a.value.len() == 6)
                        .map(MacAddr)
                }
                NDA_DST => e.dst = a.ip().ok(),
                NDA_VLAN if a.value.len() == 2 => e.vlan = a.u16().ok(),
                NDA_MASTER if a.value.len() == 4 => e.master = a.u32().ok(),
                _ => {}
            }
        }
        Ok(e)
    }
}

/// An `RTM_GETNEIGH` dump of the bridge FDB (`bridge fdb show [br BR] [brport X]
/// [vlan V]`): the kernel filters by port and bridge; the VLAN is filtered here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FdbFilter {
    /// Only entries on this port or device (`ndm_ifindex`).
    pub port: Option<u32>,
    /// Only entries of this bridge (`NDA_MASTER`): its ports' entries and its own.
    pub bridge: Option<u32>,
    /// Only entries of this VLAN (checked here).
    pub vlan: Option<u16>,
}

crate::wire::dump_filter!(FdbFilter, FdbMsg);

impl FdbFilter {
    /// The entries on `port` (a bridge port, a VXLAN device).
    pub fn port(port: u32) -> FdbFilter {
        FdbFilter {
            port: Some(port),
            ..Default::default()
        }
    }

    /// The entries of bridge `bridge`.
    pub fn bridge(bridge: u32) -> FdbFilter {
        FdbFilter {
            bridge: Some(bridge),
            ..Default::default()
        }
    }

    /// Whether `e` passes (port and VLAN checked here too; the bridge cannot be
    /// checked for `self` entries of ports, which do not name it).
    pub fn matches(&self, e: &FdbMsg<'_>) -> bool {
        self.port.map_or(true, |p| p == e.ifindex())
            && self.vlan.map_or(true, |v| Some(v) == e.vlan)
    }
}

impl Request for FdbFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETNEIGH, 0)?;
        b.header(&NdMsg {
            ndm_family: AF_BRIDGE,
            ndm_ifindex: self.port.unwrap_or(0) as i32,
            ..Default::default()
        })?;
        if let Some(m) = self.bridge {
            b.attr_u32(NDA_MASTER, m)?;
        }
        b.finish()
    }
}

/// A bulk delete of FDB entries (`bridge fdb flush dev X [brport P] [vlan V]
/// [self|master] [[no]permanent|[no]static|[no]dynamic] [[no]extern_learn]
/// [[no]sticky] [[no]offloaded] [[no]added_by_user]`): one `RTM_DELNEIGH` with
/// `NLM_F_BULK` (Linux ≥ 6.0 for a bridge, ≥ 6.8 for a VXLAN device). Use it through
/// [`crate::Handle::flush_fdb`], which deletes the matching entries one by one, in one
/// batch, where the kernel refuses bulk deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdbFlush {
    /// `ndm_ifindex`: the bridge (with [`NeighFlags::SELF`]), a port (with
    /// [`NeighFlags::MASTER`]: that port's entries in its bridge), or a VXLAN device
    /// (self).
    pub dev: u32,
    /// [`NeighFlags::SELF`] or [`NeighFlags::MASTER`].
    pub table: NeighFlags,
    /// `NDA_IFINDEX`: only entries on this port (`brport P`).
    pub port: Option<u32>,
    /// `NDA_VLAN`: only entries of this VLAN.
    pub vlan: Option<u16>,
    /// Only entries of this kind: [`FdbState::Permanent`], [`FdbState::Static`] or
    /// [`FdbState::Dynamic`] (`NDA_NDM_STATE_MASK`).
    pub state: Option<FdbState>,
    /// Only entries with all of these flags (`extern_learn`, `sticky`, `offload`,
    /// `use` = `added_by_user`; `NDA_NDM_FLAGS_MASK`).
    pub with: NeighFlags,
    /// Only entries with none of these flags.
    pub without: NeighFlags,
}

impl FdbFlush {
    /// `bridge fdb flush dev BR`: every entry of bridge `bridge` (its own table:
    /// `self`).
    pub fn bridge(bridge: u32) -> FdbFlush {
        FdbFlush {
            dev: bridge,
            table: NeighFlags::SELF,
            port: None,
            vlan: None,
            state: None,
            with: NeighFlags::EMPTY,
            without: NeighFlags::EMPTY,
        }
    }

    /// `bridge fdb flush dev PORT master`: the entries of port `port` in its bridge.
    pub fn port(port: u32) -> FdbFlush {
        FdbFlush {
            dev: port,
            table: NeighFlags::MASTER,
            ..FdbFlush::bridge(0)
        }
    }

    /// `bridge fdb flush dev VXLAN self`: the entries of a device's own table (a
    /// VXLAN device's remotes).
    pub fn device(dev: u32) -> FdbFlush {
        FdbFlush {
            dev,
            ..FdbFlush::bridge(0)
        }
    }

    /// The `(ndm_state, NDA_NDM_STATE_MASK)` pair of [`state`](Self::state), as
    /// iproute2 sends them.
    fn state_and_mask(&self) -> (u16, u16) {
        match self.state {
            None => (0, 0),
            Some(FdbState::Permanent) => (NUD_PERMANENT, NUD_PERMANENT),
            Some(FdbState::Static) => (NUD_NOARP, NUD_NOARP | NUD_PERMANENT),
            Some(_) => (0, NUD_NOARP | NUD_PERMANENT),
        }
    }

    /// Whether the dumped entry `e` is one this flush deletes (what the kernel's bulk
    /// delete selects, for the fallback that deletes entries one by one).
    pub fn matches(&self, e: &FdbMsg<'_>) -> bool {
        // A bridge reports the entries of its table with NDA_MASTER naming it (and no
        // NTF_MASTER); a device's own entries (NTF_SELF) carry no NDA_MASTER.
        let in_table = if self.table.contains(NeighFlags::MASTER) {
            e.master.is_some() && e.ifindex() == self.dev
        } else {
            e.master == Some(self.dev) || (e.master.is_none() && e.ifindex() == self.dev)
        };
        let (state, mask) = self.state_and_mask();
        let f = e.flags();
        in_table
            && self.port.map_or(true, |p| p == e.ifindex())
            && self.vlan.map_or(true, |v| Some(v) == e.vlan)
            && e.header.ndm_state & mask == state & mask
            && f.contains(self.with)
            && !f.intersects(self.without)
    }
}

impl Request for FdbFlush {
    fn check(&self) -> Result<()> {
        if self.dev == 0 {
            return Err(Error::invalid(
                "FDB flush device",
                0,
                "a flush names the bridge, port or device",
            ));
        }
        if let Some(v) = self.vlan {
            if !(1..=4094).contains(&v) {
                return Err(Error::invalid("VLAN id", v, "VLAN ids go from 1 to 4094"));
            }
        }
        if matches!(self.state, Some(FdbState::Stale | FdbState::Other(_))) {
            return Err(Error::invalid(
                "FDB flush state",
                format!("{:?}", self.state),
                "a flush selects permanent, static or dynamic entries",
            ));
        }
        let allowed =
            NeighFlags::USE | NeighFlags::EXT_LEARNED | NeighFlags::OFFLOADED | NeighFlags::STICKY;
        let extra = (self.with | self.without) & !allowed;
        if extra.0 != 0 || self.with.intersects(self.without) {
            return Err(Error::invalid(
                "FDB flush flags",
                format!("{:?}", extra | (self.with & self.without)),
                "a flush selects by use, extern_learn, offload and sticky, each set or unset",
            ));
        }
        Ok(())
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_DELNEIGH, NLM_F_BULK)?;
        let (state, state_mask) = self.state_and_mask();
        b.header(&NdMsg {
            ndm_family: AF_BRIDGE,
            ndm_ifindex: self.dev as i32,
            ndm_state: state,
            ndm_flags: self.table.0 | self.with.0,
            ..Default::default()
        })?;
        if let Some(p) = self.port {
            b.attr_u32(NDA_IFINDEX, p)?;
        }
        if let Some(v) = self.vlan {
            b.attr_u16(NDA_VLAN, v)?;
        }
        let flags_mask = (self.with | self.without).0;
        if flags_mask != 0 {
            b.attr_u8(NDA_NDM_FLAGS_MASK, flags_mask)?;
        }
        if state_mask != 0 {
            b.attr_u16(NDA_NDM_STATE_MASK, state_mask)?;
        }
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    fn round_trip(e: &FdbEntry) -> FdbEntry {
        let mut buf = [0xa5u8; 256];
        let len = e.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..len]).next().unwrap().unwrap();
        FdbEntry::decode(&m).unwrap()
    }

    #[test]
    fn entries_round_trip() {
        let mac: MacAddr = "02:00:00:00:00:05".parse().unwrap();
        let mut e = FdbEntry::on_self(5, mac)
            .dst("10.0.0.4".parse().unwrap())
            .port(4790)
            .vni(43);
        e.via = Some(2);
        e.src_vni = Some(7);
        assert_eq!(round_trip(&e), e);
        let m = FdbEntry::master(3, mac).state(FdbState::Static).vlan(10);
        assert_eq!(round_trip(&m), m);
        let d = FdbEntry::master(3, mac).state(FdbState::Dynamic);
        assert_eq!(round_trip(&d), d);
        // Port in network order on the wire.
        let mut buf = [0u8; 128];
        let n = e.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let (_, attrs) = m.split::<NdMsg>().unwrap();
        let p = attrs.find(NDA_PORT).unwrap().unwrap();
        assert_eq!(p.value, [0x12, 0xb6]);
    }

    #[test]
    fn mistakes_are_refused() {
        let mac: MacAddr = "02:00:00:00:00:05".parse().unwrap();
        assert!(FdbEntry::master(0, mac).check(Verb::Add).is_err());
        assert!(FdbEntry::master(3, mac).vlan(0).check(Verb::Add).is_err());
        assert!(FdbEntry::master(3, mac)
            .vlan(4095)
            .check(Verb::Add)
            .is_err());
        assert!(FdbEntry::on_self(3, mac)
            .vni(1 << 24)
            .check(Verb::Add)
            .is_err());
        // append is for the flood list (zero or multicast MAC) and needs a remote.
        assert!(FdbEntry::on_self(3, mac)
            .dst("10.0.0.2".parse().unwrap())
            .check(Verb::Append)
            .is_err());
        assert!(FdbEntry::on_self(3, MacAddr([0; 6]))
            .check(Verb::Append)
            .is_err());
        FdbEntry::flood(3, "10.0.0.2".parse().unwrap())
            .check(Verb::Append)
            .unwrap();
        let mut n = FdbEntry::on_self(3, mac).dst("10.0.0.2".parse().unwrap());
        n.nexthop_id = Some(4);
        assert!(n.check(Verb::Add).is_err());
        assert!(FdbEntry::master(3, mac)
            .state(FdbState::Other(0))
            .check(Verb::Add)
            .is_err());
        let mut f = FdbFlush::bridge(4);
        f.with = NeighFlags::ROUTER;
        assert!(f.check().is_err());
    }

    #[test]
    fn neighbour_messages_are_not_fdb_entries() {
        let n = crate::wire::neigh::Neighbour::permanent(
            3,
            "10.0.0.2".parse().unwrap(),
            "02:00:00:00:00:02".parse::<MacAddr>().unwrap(),
        );
        let mut buf = [0u8; 128];
        let len = n.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..len]).next().unwrap().unwrap();
        assert_eq!(
            FdbEntry::decode(&m),
            Err(WireError::UnexpectedType(RTM_NEWNEIGH))
        );
    }
}
