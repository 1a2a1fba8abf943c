//! Layer `wire`: `RTM_*NEIGH` messages of the IP families — ARP (IPv4) and NDP (IPv6)
//! neighbour entries (`ip neigh`). [`Neighbour`] is the one owned neighbour: what a
//! dump returns and what `ip neigh add|replace|change|del` send ([`Object`]), so a
//! dumped entry can be handed back unchanged. [`NeighbourMsg`] is its zero-copy view,
//! [`NeighFilter`] a dump the kernel filters by device or master, [`NeighGet`] one
//! lookup (`ip neigh get`).
//!
//! The same message type carries the bridge forwarding database (`AF_BRIDGE`): that is
//! [`crate::FdbEntry`], a separate type, so that an FDB entry can never be sent as an
//! ARP entry or the other way round (the mix-up behind vishvananda/netlink#714). A
//! [`Neighbour`] of family `AF_BRIDGE` is refused before any syscall, and an
//! `AF_BRIDGE` message does not decode as one ([`WireError::UnexpectedType`]).
//!
//! The link-layer address is not checked here against the device's address length
//! (that needs the device): [`Neighbour::check_link_address`] does it given the length,
//! and [`crate::Handle::ensure_neighbour`] looks the device up first. The kernel itself
//! refuses a shorter address ("Invalid link address") but silently truncates a longer
//! one (an 8-byte address on an Ethernet device becomes its first 6 bytes).
//!
//! Attribute order follows iproute2's for `ip neigh add ADDR [lladdr LL] [nud STATE]
//! [router|proxy|extern_learn|managed] [protocol P] dev X`: `NDA_PROTOCOL`, `NDA_DST`,
//! `NDA_FLAGS_EXT`, `NDA_LLADDR`; a delete sends `NDA_DST` only.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{flag_set, named_number, Family, HwAddr, Protocol};
use crate::wire::{
    emit_raw, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::fmt;
use std::net::IpAddr;

named_number! {
    /// A neighbour's state (`ndm_state`, `NUD_*`), as `ip neigh ... nud STATE` names it.
    /// One bit at a time in practice; `NONE` is 0.
    NeighState(u16) {
        /// `NUD_NONE`: no state (e.g. a `managed` entry before its first resolution).
        NONE = NUD_NONE => "none",
        /// `NUD_INCOMPLETE`: resolution in progress.
        INCOMPLETE = NUD_INCOMPLETE => "incomplete",
        /// `NUD_REACHABLE`: confirmed recently.
        REACHABLE = NUD_REACHABLE => "reachable",
        /// `NUD_STALE`: usable, to be confirmed on next use.
        STALE = NUD_STALE => "stale",
        /// `NUD_DELAY`: waiting before probing.
        DELAY = NUD_DELAY => "delay",
        /// `NUD_PROBE`: being probed.
        PROBE = NUD_PROBE => "probe",
        /// `NUD_FAILED`: resolution failed.
        FAILED = NUD_FAILED => "failed",
        /// `NUD_NOARP`: valid, never resolved (multicast, point-to-point devices).
        NOARP = NUD_NOARP => "noarp",
        /// `NUD_PERMANENT`: set by hand, never expires (`ip neigh add`'s default).
        PERMANENT = NUD_PERMANENT => "permanent",
    }
}

impl NeighState {
    /// True when any bit of `other` is set here (states are bits: a filter can ask for
    /// several at once).
    #[inline]
    pub const fn intersects(self, other: NeighState) -> bool {
        self.0 & other.0 != 0
    }

    /// The names of the set bits as `ip neigh show` prints them (`PERMANENT`,
    /// `STALE`, ...), in its order.
    pub fn ip_names(self) -> impl Iterator<Item = &'static str> {
        const ORDER: [(u16, &str); 8] = [
            (NUD_INCOMPLETE, "INCOMPLETE"),
            (NUD_REACHABLE, "REACHABLE"),
            (NUD_STALE, "STALE"),
            (NUD_DELAY, "DELAY"),
            (NUD_PROBE, "PROBE"),
            (NUD_FAILED, "FAILED"),
            (NUD_NOARP, "NOARP"),
            (NUD_PERMANENT, "PERMANENT"),
        ];
        ORDER
            .into_iter()
            .filter(move |(b, _)| self.0 & b != 0)
            .map(|(_, n)| n)
    }
}

flag_set! {
    /// A neighbour's or FDB entry's `ndm_flags` (`NTF_*`).
    NeighFlags(u8) {
        /// `NTF_USE`: mark used (a request flag; `added_by_user` in an FDB flush).
        USE = NTF_USE => "use",
        /// `NTF_SELF`: the device's own table (`bridge fdb ... self`).
        SELF = NTF_SELF => "self",
        /// `NTF_MASTER`: the master's table — the bridge's FDB (`bridge fdb ... master`).
        MASTER = NTF_MASTER => "master",
        /// `NTF_PROXY`: a proxy ARP/NDP entry (`ip neigh add proxy ADDR`).
        PROXY = NTF_PROXY => "proxy",
        /// `NTF_EXT_LEARNED`: learnt by an external control plane (`extern_learn`).
        EXT_LEARNED = NTF_EXT_LEARNED => "extern_learn",
        /// `NTF_OFFLOADED`: offloaded to hardware.
        OFFLOADED = NTF_OFFLOADED => "offload",
        /// `NTF_STICKY`: an FDB entry that does not roam (`sticky`).
        STICKY = NTF_STICKY => "sticky",
        /// `NTF_ROUTER`: an IPv6 neighbour that is a router (`router`).
        ROUTER = NTF_ROUTER => "router",
    }
}

flag_set! {
    /// Extended neighbour flags (`NDA_FLAGS_EXT`, `NTF_EXT_*`).
    NeighExtFlags(u32) {
        /// `NTF_EXT_MANAGED`: kept reachable by the kernel (`ip neigh add ... managed`).
        MANAGED = NTF_EXT_MANAGED => "managed",
        /// `NTF_EXT_LOCKED`: an FDB entry of a locked bridge port (reported).
        LOCKED = NTF_EXT_LOCKED => "locked",
        /// `NTF_EXT_EXT_VALIDATED`: validated by an external control plane.
        EXT_VALIDATED = NTF_EXT_EXT_VALIDATED => "extern_valid",
    }
}

/// An ARP (IPv4) or NDP (IPv6) neighbour entry (`ip neigh show`), and what `ip neigh
/// add|replace|change|del` send.
///
/// ```
/// use rtnl::{MacAddr, NeighState, Neighbour};
/// // ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev <3> nud permanent
/// let mac: MacAddr = "02:00:00:00:00:02".parse()?;
/// let n = Neighbour::permanent(3, "10.0.0.2".parse().unwrap(), mac);
/// assert_eq!(n.state, NeighState::PERMANENT);
/// // ip -6 neigh add fd00::2 lladdr 02:00:00:00:00:12 dev <3> router nud reachable
/// let r = Neighbour::new(3, "fd00::2".parse().unwrap())
///     .lladdr("02:00:00:00:00:12".parse::<MacAddr>()?)
///     .state(NeighState::REACHABLE)
///     .router();
/// # let _ = r;
/// # Ok::<(), rtnl::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Neighbour {
    /// `ndm_family`: `AF_INET` or `AF_INET6`; [`Family::UNSPEC`] takes the family of
    /// [`dst`](Self::dst). `AF_BRIDGE` is refused (that is an [`crate::FdbEntry`]).
    pub family: Family,
    /// `ndm_ifindex`: the device (0 only for a proxy entry on every device).
    pub ifindex: u32,
    /// `NDA_DST`: the neighbour's IP address. `None` only for an entry of a family
    /// whose addresses are not IP addresses (its `NDA_DST` is kept in
    /// [`other`](Self::other)).
    pub dst: Option<IpAddr>,
    /// `NDA_LLADDR`: its link-layer address (6 bytes on Ethernet, 0 to 32 elsewhere).
    pub lladdr: Option<HwAddr>,
    /// `ndm_state`.
    pub state: NeighState,
    /// `ndm_flags` (`router`, `proxy`, `extern_learn`, ...).
    pub flags: NeighFlags,
    /// `NDA_FLAGS_EXT` (`managed`); sent when not empty.
    pub ext_flags: NeighExtFlags,
    /// `NDA_PROTOCOL`: who installed it (`protocol static`, ...).
    pub protocol: Option<Protocol>,
    /// `ndm_type` (reported: `RTN_UNICAST`, ...; sent as it is).
    pub kind: u8,
    /// `NDA_PROBES` (reported, never sent): probes sent so far.
    pub probes: Option<u32>,
    /// `NDA_CACHEINFO` (reported, never sent): ages in clock ticks and the reference
    /// count.
    pub cache: Option<NdaCacheInfo>,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Default for Neighbour {
    fn default() -> Neighbour {
        Neighbour {
            family: Family::UNSPEC,
            ifindex: 0,
            dst: None,
            lladdr: None,
            state: NeighState::PERMANENT,
            flags: NeighFlags::EMPTY,
            ext_flags: NeighExtFlags::EMPTY,
            protocol: None,
            kind: 0,
            probes: None,
            cache: None,
            other: RawAttrs::new(),
        }
    }
}

impl Neighbour {
    /// `ip neigh add DST dev <ifindex>`: permanent (iproute2's default), no link-layer
    /// address yet (see [`lladdr`](Self::lladdr)).
    pub fn new(ifindex: u32, dst: IpAddr) -> Neighbour {
        Neighbour {
            family: Family::of(dst),
            ifindex,
            dst: Some(dst),
            ..Default::default()
        }
    }

    /// `ip neigh replace DST lladdr LL dev <ifindex> nud permanent`: the static ARP or
    /// NDP entry a guest agent installs (with [`crate::Handle::replace`]: one call, one
    /// round trip, idempotent).
    pub fn permanent(ifindex: u32, dst: IpAddr, lladdr: impl Into<HwAddr>) -> Neighbour {
        Neighbour::new(ifindex, dst).lladdr(lladdr)
    }

    /// `ip neigh add proxy DST dev <ifindex>`: answer ARP/NDP for `dst` on the device
    /// (`ifindex` 0: on every device). The state is iproute2's default (permanent),
    /// which the kernel ignores for proxy entries and reports as none.
    pub fn proxy(ifindex: u32, dst: IpAddr) -> Neighbour {
        Neighbour {
            flags: NeighFlags::PROXY,
            ..Neighbour::new(ifindex, dst)
        }
    }

    /// `managed`: the kernel resolves the entry and keeps it reachable on its own
    /// (`NTF_EXT_MANAGED`, Linux ≥ 5.16), state none until then.
    pub fn managed(mut self) -> Neighbour {
        self.ext_flags |= NeighExtFlags::MANAGED;
        self.state = NeighState::NONE;
        self
    }

    /// `lladdr LL`.
    pub fn lladdr(mut self, lladdr: impl Into<HwAddr>) -> Neighbour {
        self.lladdr = Some(lladdr.into());
        self
    }

    /// `nud STATE`.
    pub fn state(mut self, state: NeighState) -> Neighbour {
        self.state = state;
        self
    }

    /// `router`: an IPv6 neighbour that is a router.
    pub fn router(mut self) -> Neighbour {
        self.flags |= NeighFlags::ROUTER;
        self
    }

    /// `extern_learn`: learnt by an external control plane (not aged out by the
    /// kernel's garbage collector; flushed when the carrier goes down).
    pub fn extern_learn(mut self) -> Neighbour {
        self.flags |= NeighFlags::EXT_LEARNED;
        self
    }

    /// `protocol P`.
    pub fn protocol(mut self, p: Protocol) -> Neighbour {
        self.protocol = Some(p);
        self
    }

    /// The family a request sends: as set, else the destination's.
    fn wire_family(&self) -> Family {
        match (self.family, self.dst) {
            (Family::UNSPEC, Some(d)) => Family::of(d),
            (f, _) => f,
        }
    }

    /// Checks the link-layer address against the length of the device's addresses
    /// (`addr_len`: the length of the device's own `IFLA_ADDRESS`, 0 when it has none):
    /// the kernel refuses a shorter one but truncates a longer one without a word.
    /// [`crate::Handle::ensure_neighbour`] looks the device up and calls this.
    pub fn check_link_address(&self, addr_len: usize) -> Result<()> {
        match self.lladdr {
            Some(a) if a.len() != addr_len => Err(Error::invalid(
                "link-layer address",
                a,
                if addr_len == 6 {
                    "the device has 6-byte (Ethernet) link-layer addresses"
                } else if addr_len == 0 {
                    "the device has no link-layer addresses"
                } else {
                    "its length differs from the device's link-layer address length"
                },
            )),
            _ => Ok(()),
        }
    }
}

impl Object for Neighbour {
    const NEW: u16 = RTM_NEWNEIGH;
    const DEL: u16 = RTM_DELNEIGH;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Replace, Verb::Change, Verb::Delete];

    /// Refuses, before any syscall: an `AF_BRIDGE` entry (an [`crate::FdbEntry`]), a
    /// family other than IPv4/IPv6, no address or one of the other family, no device
    /// (but for a proxy entry), an empty link-layer address, a link-layer address on a
    /// proxy entry, more than one state bit.
    fn check(&self, verb: Verb) -> Result<()> {
        let family = self.wire_family();
        if family == Family::BRIDGE {
            return Err(Error::invalid(
                "neighbour family",
                "bridge",
                "an AF_BRIDGE entry is a bridge FDB entry: use FdbEntry",
            ));
        }
        if !family.is_ip() {
            return Err(Error::invalid(
                "neighbour family",
                family,
                "neighbours are IPv4 (ARP) or IPv6 (NDP) entries",
            ));
        }
        let Some(dst) = self.dst else {
            return Err(Error::invalid(
                "neighbour",
                "no address",
                "a neighbour needs its IP address (NDA_DST)",
            ));
        };
        if Family::of(dst) != family {
            return Err(Error::wrong_family(
                "neighbour address",
                dst,
                "its family differs from the entry's",
            ));
        }
        let proxy = self.flags.contains(NeighFlags::PROXY);
        if self.ifindex == 0 && !proxy {
            return Err(Error::invalid(
                "neighbour device",
                0,
                "a neighbour entry lives on a device (ifindex 0 is for proxy entries only)",
            ));
        }
        if verb == Verb::Delete {
            return Ok(());
        }
        if let Some(a) = self.lladdr {
            if a.len() == 0 {
                return Err(Error::invalid(
                    "link-layer address",
                    "(empty)",
                    "leave lladdr None for no link-layer address",
                ));
            }
            if proxy {
                return Err(Error::invalid(
                    "link-layer address",
                    a,
                    "a proxy entry has no link-layer address",
                ));
            }
        }
        if self.state.0 & self.state.0.wrapping_sub(1) != 0 || self.state.0 > NUD_PERMANENT {
            return Err(Error::invalid(
                "neighbour state",
                format!("{:#x}", self.state.0),
                "one NUD_* state at a time",
            ));
        }
        Ok(())
    }

    fn emit_body(&self, verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&NdMsg {
            ndm_family: self.wire_family().0,
            ndm_ifindex: self.ifindex as i32,
            ndm_state: self.state.0,
            ndm_flags: self.flags.0,
            ndm_type: self.kind,
            ..Default::default()
        })?;
        if verb == Verb::Delete {
            if let Some(d) = self.dst {
                b.attr_ip(NDA_DST, d)?;
            }
            return Ok(());
        }
        if let Some(p) = self.protocol {
            b.attr_u8(NDA_PROTOCOL, p.0)?;
        }
        if let Some(d) = self.dst {
            b.attr_ip(NDA_DST, d)?;
        }
        if self.ext_flags.0 != 0 {
            b.attr_u32(NDA_FLAGS_EXT, self.ext_flags.0)?;
        }
        if let Some(l) = &self.lladdr {
            b.attr_bytes(NDA_LLADDR, l.as_bytes())?;
        }
        emit_raw(b, &self.other)
    }
}

impl From<&NeighbourMsg<'_>> for Neighbour {
    /// Everything the view's message holds, owned.
    fn from(m: &NeighbourMsg<'_>) -> Neighbour {
        let h = m.header;
        let mut n = Neighbour {
            family: Family(h.ndm_family),
            ifindex: h.ndm_ifindex as u32,
            dst: m.dst,
            lladdr: m.lladdr.and_then(HwAddr::new),
            state: NeighState(h.ndm_state),
            flags: NeighFlags(h.ndm_flags),
            kind: h.ndm_type,
            ..Default::default()
        };
        for a in Attrs::new(m.attrs).flatten() {
            match a.ty {
                NDA_DST if n.dst.is_some() => {}
                NDA_LLADDR if n.lladdr.is_some() => {}
                NDA_PROTOCOL if a.value.len() == 1 => n.protocol = a.u8().ok().map(Protocol),
                NDA_FLAGS_EXT if a.value.len() == 4 => {
                    n.ext_flags = NeighExtFlags(a.u32().unwrap_or(0))
                }
                NDA_PROBES if a.value.len() == 4 => n.probes = a.u32().ok(),
                NDA_CACHEINFO if a.value.len() == NdaCacheInfo::LEN => {
                    n.cache = NdaCacheInfo::read_from(a.value)
                }
                _ => n.other.push_attr(&a),
            }
        }
        n
    }
}

impl<'a> Decode<'a> for Neighbour {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        NeighbourMsg::decode(msg).map(|v| Neighbour::from(&v))
    }
}

/// A neighbour as the kernel describes it in `RTM_NEWNEIGH`/`RTM_DELNEIGH` (or the
/// `RTM_GETNEIGH` it sends to ask user space to resolve an address), borrowing the
/// datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeighbourMsg<'a> {
    /// The message's `ndmsg`.
    pub header: NdMsg,
    /// `NDA_DST`, read by the entry's family.
    pub dst: Option<IpAddr>,
    /// `NDA_LLADDR`, as it came.
    pub lladdr: Option<&'a [u8]>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl NeighbourMsg<'_> {
    /// `ndm_family`.
    pub fn family(&self) -> Family {
        Family(self.header.ndm_family)
    }
    /// `ndm_ifindex`.
    pub fn ifindex(&self) -> u32 {
        self.header.ndm_ifindex as u32
    }
    /// `ndm_state`.
    pub fn state(&self) -> NeighState {
        NeighState(self.header.ndm_state)
    }
    /// `ndm_flags`.
    pub fn flags(&self) -> NeighFlags {
        NeighFlags(self.header.ndm_flags)
    }
}

impl<'a> Decode<'a> for NeighbourMsg<'a> {
    /// Reads an `RTM_NEWNEIGH`, `RTM_DELNEIGH` or `RTM_GETNEIGH` message of any family
    /// but `AF_BRIDGE` ([`WireError::UnexpectedType`] for those: they are FDB entries).
    /// Unknown attributes are skipped; a broken attribute chain is an error.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if !matches!(ty, RTM_NEWNEIGH | RTM_DELNEIGH | RTM_GETNEIGH) {
            return Err(WireError::UnexpectedType(ty));
        }
        let (h, attrs) = msg.split::<NdMsg>()?;
        if h.ndm_family == AF_BRIDGE {
            return Err(WireError::UnexpectedType(ty));
        }
        let mut n = NeighbourMsg {
            header: h,
            dst: None,
            lladdr: None,
            attrs: msg.payload.get(align4(NdMsg::LEN)..).unwrap_or(&[]),
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                NDA_DST => n.dst = a.ip_of(h.ndm_family).ok(),
                NDA_LLADDR if a.value.len() <= crate::types::MAX_ADDR_LEN => {
                    n.lladdr = Some(a.value)
                }
                _ => {}
            }
        }
        Ok(n)
    }
}

/// An `RTM_GETNEIGH` dump (`ip [-4|-6] neigh show [dev X] [master BR] [proxy] [nud
/// STATE]`), filtered by the kernel by device and master (`NDA_IFINDEX`,
/// `NDA_MASTER`, Linux ≥ 4.20 with strict checking); the states are filtered here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NeighFilter {
    /// `AF_INET`, `AF_INET6`, or [`Family::UNSPEC`] for both. `AF_BRIDGE` is refused:
    /// the bridge FDB is dumped with [`crate::FdbFilter`].
    pub family: Family,
    /// Only entries on this device (`NDA_IFINDEX`).
    pub ifindex: Option<u32>,
    /// Only entries on ports of this master (`NDA_MASTER`: a bridge, a VRF).
    pub master: Option<u32>,
    /// The proxy entries instead of the others (`ndm_flags = NTF_PROXY`).
    pub proxy: bool,
    /// Only entries in one of these states (a mask of [`NeighState`] bits; checked
    /// here, the kernel has no such filter). `None`: every state.
    pub states: Option<NeighState>,
}

crate::wire::dump_filter!(NeighFilter, NeighbourMsg);

impl NeighFilter {
    /// Every entry of `family` (`UNSPEC`: IPv4 and IPv6).
    pub fn family(family: Family) -> NeighFilter {
        NeighFilter {
            family,
            ..Default::default()
        }
    }

    /// Every entry on device `ifindex`.
    pub fn dev(ifindex: u32) -> NeighFilter {
        NeighFilter {
            ifindex: Some(ifindex),
            ..Default::default()
        }
    }

    /// Whether `n` passes (checked here as well as by the kernel, for kernels that
    /// ignore dump filters; the master filter cannot be checked here: replies do not
    /// name the master).
    pub fn matches(&self, n: &NeighbourMsg<'_>) -> bool {
        (self.family == Family::UNSPEC || self.family.0 == n.header.ndm_family)
            && self.ifindex.map_or(true, |i| i == n.ifindex())
            && self.proxy == n.flags().contains(NeighFlags::PROXY)
            && self.states.map_or(true, |s| s.intersects(n.state()))
    }
}

impl Request for NeighFilter {
    fn check(&self) -> Result<()> {
        if self.family == Family::BRIDGE {
            return Err(Error::invalid(
                "neighbour family",
                "bridge",
                "the bridge FDB is dumped with FdbFilter",
            ));
        }
        Ok(())
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETNEIGH, 0)?;
        b.header(&NdMsg {
            ndm_family: self.family.0,
            ndm_flags: if self.proxy { NTF_PROXY } else { 0 },
            ..Default::default()
        })?;
        if let Some(i) = self.ifindex {
            b.attr_u32(NDA_IFINDEX, i)?;
        }
        if let Some(m) = self.master {
            b.attr_u32(NDA_MASTER, m)?;
        }
        b.finish()
    }
}

/// One `RTM_GETNEIGH` lookup (`ip neigh get ADDR dev X`): one entry, no dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeighGet {
    /// The device.
    pub ifindex: u32,
    /// The address.
    pub dst: IpAddr,
    /// The proxy entry instead (`ip neigh get proxy ADDR dev X`).
    pub proxy: bool,
}

impl Request for NeighGet {
    fn check(&self) -> Result<()> {
        if self.ifindex == 0 {
            return Err(Error::invalid(
                "neighbour device",
                0,
                "a lookup names the device",
            ));
        }
        Ok(())
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETNEIGH, 0)?;
        b.header(&NdMsg {
            ndm_family: Family::of(self.dst).0,
            ndm_ifindex: self.ifindex as i32,
            ndm_flags: if self.proxy { NTF_PROXY } else { 0 },
            ..Default::default()
        })?;
        b.attr_ip(NDA_DST, self.dst)?;
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    fn round_trip(n: &Neighbour) -> Neighbour {
        let mut buf = [0xa5u8; 256];
        let len = n.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..len]).next().unwrap().unwrap();
        Neighbour::decode(&m).unwrap()
    }

    #[test]
    fn neighbours_round_trip() {
        let mut n = Neighbour::permanent(
            3,
            "10.0.0.2".parse().unwrap(),
            "02:00:00:00:00:02"
                .parse::<crate::types::MacAddr>()
                .unwrap(),
        )
        .protocol(Protocol::STATIC);
        n.ext_flags = NeighExtFlags::MANAGED;
        n.other.push(200, &[1, 2, 3, 4]).unwrap();
        assert_eq!(round_trip(&n), n);
        let p = Neighbour::proxy(0, "fd00::7".parse().unwrap());
        assert_eq!(round_trip(&p), p);
        // A 20-byte InfiniBand address.
        let ib = Neighbour::new(4, "10.0.0.9".parse().unwrap())
            .lladdr(HwAddr::new(&[7; 20]).unwrap())
            .state(NeighState::REACHABLE);
        assert_eq!(round_trip(&ib), ib);
    }

    #[test]
    fn mistakes_are_refused() {
        let ip = "10.0.0.2".parse().unwrap();
        let mac: crate::types::MacAddr = "02:00:00:00:00:02".parse().unwrap();
        assert!(Neighbour::new(0, ip).check(Verb::Add).is_err());
        let mut n = Neighbour::permanent(3, ip, mac);
        n.family = Family::BRIDGE;
        assert!(n.check(Verb::Add).unwrap_err().is_invalid_input());
        let mut n = Neighbour::permanent(3, ip, mac);
        n.family = Family::INET6;
        assert!(n.check(Verb::Add).is_err());
        let n = Neighbour::new(3, ip).lladdr(HwAddr::new(&[]).unwrap());
        assert!(n.check(Verb::Add).is_err());
        let n = Neighbour::proxy(3, ip).lladdr(mac);
        assert!(n.check(Verb::Add).is_err());
        let n = Neighbour::new(3, ip).state(NeighState(0x82));
        assert!(n.check(Verb::Add).is_err());
        let n = Neighbour::permanent(3, ip, mac);
        n.check(Verb::Add).unwrap();
        n.check_link_address(6).unwrap();
        assert!(n.check_link_address(4).is_err());
        assert!(n.check_link_address(0).is_err());
        assert!(NeighFilter::family(Family::BRIDGE).check().is_err());
    }

    #[test]
    fn bridge_messages_are_not_neighbours() {
        let mut buf = [0u8; 64];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWNEIGH, 0).unwrap();
        b.header(&NdMsg {
            ndm_family: AF_BRIDGE,
            ndm_ifindex: 3,
            ..Default::default()
        })
        .unwrap();
        b.attr_bytes(NDA_LLADDR, &[2, 0, 0, 0, 0, 1]).unwrap();
        let n = b.finish().unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        assert_eq!(
            Neighbour::decode(&m),
            Err(WireError::UnexpectedType(RTM_NEWNEIGH))
        );
    }
}
