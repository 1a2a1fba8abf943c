//! Layer `wire`: every `RTM_*LINK` message. [`Link`] is the one owned link: what a
//! dump or a lookup returns, and what `ip link add` / `ip link set` / `ip link del`
//! send ([`Object`]). [`LinkMsg`] is its zero-copy view, for streaming dumps.
//! [`LinkGet`] looks one link up; [`LinkFilter`] asks for a dump the kernel filters.
//!
//! Attribute order follows iproute2's for the same command line, so that the bytes
//! equal what `ip link` sends (`tests/golden.rs`): the options in the order `ip` takes
//! them (`address`, `broadcast`, `mtu`, `txqueuelen`, `group`, `alias`, `master`,
//! `netns`), then `IFLA_LINK` (the parent), then `IFLA_IFNAME`, then `IFLA_LINKINFO`
//! last. `IFLA_INFO_KIND` goes without its NUL, as iproute2 sends it. A veth peer's
//! attributes come in the same order inside `VETH_INFO_PEER`, after the peer's own
//! `ifinfomsg`.
//!
//! What the kernel only reports (carrier, promiscuity count, MTU range, queue counts,
//! permanent address, alternative names, statistics, the peer's namespace id) is read
//! into [`Link`] but never sent; attributes this crate does not model are kept in
//! [`Link::other`] and sent back as they came.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{check_altname, Family, HwAddr, IfName, LinkFlags, OperState, IFNAME_MAX};
use crate::wire::{
    emit_raw, Attr, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

mod altname;
mod kinds;
pub use altname::AltName;
pub use kinds::{Bond, BondArpAllTargets, BondArpValidate, Ipvlan, BOND_MAX_ARP_TARGETS};
pub use kinds::{
    BondMode, BridgePort, Geneve, IpvlanFlags, IpvlanMode, Macvlan, MacvlanFlags, MacvlanMode,
    TunInfo, TunMode, TunnelDf, Vlan, VlanProtocol, VlanQos, Vrf, Vxlan,
};

/// Where a link goes (`ip link set dev X netns NS`) or is created (`IFLA_NET_NS_FD`,
/// `IFLA_NET_NS_PID`). A descriptor is borrowed: it must stay open until the request
/// has been sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Netns {
    /// A namespace descriptor (`/proc/PID/ns/net`, `/run/netns/NAME`):
    /// `IFLA_NET_NS_FD`.
    Fd(RawFd),
    /// The namespace of a process: `IFLA_NET_NS_PID`.
    Pid(u32),
}

impl Netns {
    /// The namespace behind `fd` (borrowed: keep it open until the request is sent).
    pub fn fd(fd: BorrowedFd<'_>) -> Netns {
        Netns::Fd(fd.as_raw_fd())
    }

    fn emit(self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        match self {
            Netns::Fd(fd) => b.attr_i32(IFLA_NET_NS_FD, fd),
            Netns::Pid(pid) => b.attr_u32(IFLA_NET_NS_PID, pid),
        }
    }
}

/// The other end of a veth pair, created with it (`ip link add NAME type veth peer
/// name PEER [address MAC] [mtu N] [txqueuelen N] [netns NS]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VethPeer {
    /// Its name; the kernel picks `vethN` when absent.
    pub name: Option<IfName>,
    /// Its MAC address.
    pub address: Option<HwAddr>,
    /// Its MTU.
    pub mtu: Option<u32>,
    /// Its transmit queue length.
    pub txqlen: Option<u32>,
    /// The namespace it is born in, under its final name: a container's end of the
    /// pair never appears in the host's namespace.
    pub netns: Option<Netns>,
}

/// `IFLA_LINKINFO { IFLA_INFO_KIND "veth", IFLA_INFO_DATA { VETH_INFO_PEER { struct
/// ifinfomsg (zero) ... } } }`: the constant head of a veth pair's link info, in one
/// copy; the three lengths are patched once the peer's attributes are written.
const VETH_HEAD: [u8; 36] = {
    let mut h = [0u8; 36];
    // (offset, type) of the four attribute headers; lengths written at the end.
    let heads = [
        (0, IFLA_LINKINFO),
        (4, IFLA_INFO_KIND),
        (12, IFLA_INFO_DATA),
        (16, VETH_INFO_PEER),
    ];
    let mut i = 0;
    while i < heads.len() {
        let (at, ty) = heads[i];
        let t = ty.to_ne_bytes();
        h[at + 2] = t[0];
        h[at + 3] = t[1];
        i += 1;
    }
    let l = 8u16.to_ne_bytes(); // IFLA_INFO_KIND: 4 + "veth"
    h[4] = l[0];
    h[5] = l[1];
    h[8] = b'v';
    h[9] = b'e';
    h[10] = b't';
    h[11] = b'h';
    h
};

impl VethPeer {
    /// The pair's `IFLA_LINKINFO`, in iproute2's order.
    #[inline(always)]
    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        let at = b.len();
        b.raw_fixed(&VETH_HEAD)?;
        if let Some(a) = &self.address {
            b.attr_bytes(IFLA_ADDRESS, a.as_bytes())?;
        }
        if let Some(m) = self.mtu {
            b.attr_u32(IFLA_MTU, m)?;
        }
        if let Some(q) = self.txqlen {
            b.attr_u32(IFLA_TXQLEN, q)?;
        }
        if let Some(ns) = self.netns {
            ns.emit(b)?;
        }
        if let Some(n) = &self.name {
            b.attr_ifname(IFLA_IFNAME, n)?;
        }
        // The outermost length first: when it fits its u16, the inner ones do.
        b.end_sized(at)?;
        b.end_sized(at + 12)?;
        b.end_sized(at + 16)
    }
}

/// A bridge's options (`ip link add NAME type bridge ...`, `ip link set dev NAME type
/// bridge ...`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bridge {
    /// `stp_state 0|1`: `IFLA_BR_STP_STATE`.
    pub stp: Option<bool>,
    /// `vlan_filtering 0|1`: `IFLA_BR_VLAN_FILTERING` (the kernel needs
    /// `CONFIG_BRIDGE_VLAN_FILTERING`; without it, `EOPNOTSUPP`).
    pub vlan_filtering: Option<bool>,
    /// `vlan_default_pvid N`: `IFLA_BR_VLAN_DEFAULT_PVID`, the VLAN new ports get
    /// untagged (0: none; at most 4094).
    pub default_pvid: Option<u16>,
    /// Bridge attributes this crate does not model, as the kernel reported them
    /// (`IFLA_BR_*`); sent back as they came.
    pub other: RawAttrs,
}

/// What kind of link, with its kind-specific options (`IFLA_LINKINFO`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinkKind {
    /// `type veth`: a pair, created together.
    Veth(VethPeer),
    /// `type bridge`.
    Bridge(Bridge),
    /// `type vlan`: an 802.1Q/802.1ad sub-interface of [`Link::link`].
    Vlan(Vlan),
    /// `type macvlan`: a link with its own MAC on [`Link::link`].
    Macvlan(Macvlan),
    /// `type macvtap`: a macvlan with a character device (`/dev/tapN`).
    Macvtap(Macvlan),
    /// `type ipvlan`: links sharing [`Link::link`]'s MAC.
    Ipvlan(Ipvlan),
    /// `type vxlan`.
    Vxlan(Box<Vxlan>),
    /// `type geneve`.
    Geneve(Geneve),
    /// `type vrf`.
    Vrf(Vrf),
    /// `type bond` (boxed: its options would double the size of every link).
    Bond(Box<Bond>),
    /// `type dummy`.
    Dummy,
    /// `type ifb`: the intermediate functional block (a tc redirect target).
    Ifb,
    /// `type wireguard` (the link only).
    Wireguard,
    /// A `tun` or `tap` device, as the kernel reports it (made through
    /// `/dev/net/tun`: [`crate::tun`]).
    Tun(TunInfo),
    /// Any other kind by name, with its `IFLA_INFO_DATA` as raw
    /// attributes bytes, if any.
    Other {
        /// The kind (`IFLA_INFO_KIND`).
        kind: String,
        /// `IFLA_INFO_DATA`'s payload as it is sent or was reported.
        data: Option<Vec<u8>>,
    },
}

impl LinkKind {
    /// A kind by name without options (`type dummy`).
    pub fn other(kind: impl Into<String>) -> LinkKind {
        LinkKind::Other {
            kind: kind.into(),
            data: None,
        }
    }

    /// The kind's name, as `IFLA_INFO_KIND` carries it (`"veth"`, `"bridge"`, ...).
    pub fn name(&self) -> &str {
        match self {
            LinkKind::Veth(_) => "veth",
            LinkKind::Bridge(_) => "bridge",
            LinkKind::Other { kind, .. } => kind,
            k => k.typed_name().unwrap_or_default(),
        }
    }

    fn check(&self) -> Result<()> {
        if let LinkKind::Other { kind, .. } = self {
            if kind.is_empty() || kind.contains('\0') {
                return Err(Error::invalid("link kind", kind, "empty or contains NUL"));
            }
        }
        if let LinkKind::Bridge(Bridge {
            default_pvid: Some(pvid),
            ..
        }) = self
        {
            if *pvid >= 4095 {
                return Err(Error::invalid(
                    "bridge vlan_default_pvid",
                    u32::from(*pvid),
                    "must be 0 (none) to 4094",
                ));
            }
        }
        Ok(())
    }

    /// `IFLA_LINKINFO`: the kind and its options. A veth pair, the request the hot
    /// path sends, is written inline; every other kind by [`emit_other`](Self::emit_other).
    #[inline(always)]
    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        match self {
            LinkKind::Veth(peer) => peer.emit(b),
            other => other.emit_other(b),
        }
    }

    #[inline(never)]
    fn emit_other(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        let info = b.begin_nested(IFLA_LINKINFO)?;
        match self {
            LinkKind::Bridge(br) => {
                b.attr_bytes(IFLA_INFO_KIND, b"bridge")?;
                if br.stp.is_some()
                    || br.vlan_filtering.is_some()
                    || br.default_pvid.is_some()
                    || !br.other.is_empty()
                {
                    let data = b.begin_nested(IFLA_INFO_DATA)?;
                    if let Some(on) = br.stp {
                        b.attr_u32(IFLA_BR_STP_STATE, on as u32)?;
                    }
                    if let Some(on) = br.vlan_filtering {
                        b.attr_u8(IFLA_BR_VLAN_FILTERING, on as u8)?;
                    }
                    if let Some(pvid) = br.default_pvid {
                        b.attr_u16(IFLA_BR_VLAN_DEFAULT_PVID, pvid)?;
                    }
                    emit_raw(b, &br.other)?;
                    b.end_nested(data)?;
                }
            }
            LinkKind::Other { kind, data } => {
                b.attr_text(IFLA_INFO_KIND, kind, false)?;
                if let Some(d) = data {
                    b.attr_bytes(IFLA_INFO_DATA, d)?;
                }
            }
            // The typed kinds of `kinds.rs` (a veth pair never comes here: `emit`
            // writes it inline).
            typed => {
                typed.emit_typed(b)?;
            }
        }
        b.end_nested(info)
    }

    /// Reads `IFLA_INFO_KIND` + `IFLA_INFO_DATA`.
    fn decode(kind: &[u8], data: Option<&[u8]>) -> LinkKind {
        if let Some(k) = LinkKind::decode_typed(kind, data) {
            return k;
        }
        match kind {
            b"veth" => LinkKind::Veth(VethPeer::default()),
            b"bridge" => {
                let mut br = Bridge::default();
                for a in Attrs::new(data.unwrap_or(&[])).flatten() {
                    match (a.ty, a.u32()) {
                        (IFLA_BR_STP_STATE, Ok(v)) => br.stp = Some(v != 0),
                        (IFLA_BR_VLAN_FILTERING, _) if a.value.len() == 1 => {
                            br.vlan_filtering = Some(a.value[0] != 0)
                        }
                        (IFLA_BR_VLAN_DEFAULT_PVID, _) if a.value.len() == 2 => {
                            br.default_pvid = a.u16().ok()
                        }
                        _ => br.other.push_attr(&a),
                    }
                }
                LinkKind::Bridge(br)
            }
            _ => LinkKind::Other {
                kind: String::from_utf8_lossy(kind).into_owned(),
                data: data.map(<[u8]>::to_vec),
            },
        }
    }
}

/// A link's 64-bit counters (`IFLA_STATS64`, `struct rtnl_link_stats64`), as `ip -s
/// link` shows them. Counters a kernel does not send are 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the kernel's counter names
pub struct LinkStats {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    pub multicast: u64,
    pub collisions: u64,
    pub rx_length_errors: u64,
    pub rx_over_errors: u64,
    pub rx_crc_errors: u64,
    pub rx_frame_errors: u64,
    pub rx_fifo_errors: u64,
    pub rx_missed_errors: u64,
    pub tx_aborted_errors: u64,
    pub tx_carrier_errors: u64,
    pub tx_fifo_errors: u64,
    pub tx_heartbeat_errors: u64,
    pub tx_window_errors: u64,
    pub rx_compressed: u64,
    pub tx_compressed: u64,
    pub rx_nohandler: u64,
    pub rx_otherhost_dropped: u64,
}

impl LinkStats {
    fn decode(v: &[u8]) -> LinkStats {
        let mut c = [0u64; 25];
        for (i, w) in v.chunks_exact(8).take(25).enumerate() {
            c[i] = u64::from_ne_bytes(w.try_into().unwrap_or([0; 8]));
        }
        LinkStats {
            rx_packets: c[0],
            tx_packets: c[1],
            rx_bytes: c[2],
            tx_bytes: c[3],
            rx_errors: c[4],
            tx_errors: c[5],
            rx_dropped: c[6],
            tx_dropped: c[7],
            multicast: c[8],
            collisions: c[9],
            rx_length_errors: c[10],
            rx_over_errors: c[11],
            rx_crc_errors: c[12],
            rx_frame_errors: c[13],
            rx_fifo_errors: c[14],
            rx_missed_errors: c[15],
            tx_aborted_errors: c[16],
            tx_carrier_errors: c[17],
            tx_fifo_errors: c[18],
            tx_heartbeat_errors: c[19],
            tx_window_errors: c[20],
            rx_compressed: c[21],
            tx_compressed: c[22],
            rx_nohandler: c[23],
            rx_otherhost_dropped: c[24],
        }
    }
}

/// A network link: what the kernel reports of one (`ip link show`) and what a request
/// creates, changes or deletes (`ip link add`, `ip link set`, `ip link del`). Fields
/// left at `None` are not sent.
///
/// ```
/// use rtnl::{Link, LinkFlags};
/// // ip link add veth0 type veth peer name eth0
/// let pair = Link::veth("veth0", "eth0")?;
/// // ip link set dev veth0 up mtu 1400
/// let change = Link::named("veth0")?.up().mtu(1400);
/// assert_eq!(change.flags, LinkFlags::UP);
/// # Ok::<(), rtnl::Error>(())
/// ```
///
/// A request selects its link by [`index`](Self::index) when it is not 0, else by
/// [`name`](Self::name) (one request, no lookup first); with both, the name is the new
/// name (`ip link set dev X name NEW`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Link {
    /// `ifi_family`: `AF_UNSPEC`, or `AF_BRIDGE` in the bridge's own messages about
    /// its ports.
    pub family: Family,
    /// `ifi_index`; 0 = none (select by name, or let the kernel pick at creation).
    pub index: u32,
    /// `ifi_type`: the `ARPHRD_*` link type (`ARPHRD_ETHER` = 1, loopback = 772, ...).
    pub link_type: u16,
    /// `ifi_flags`: the `IFF_*` flags; in a request only the bits in
    /// [`change`](Self::change) count.
    pub flags: LinkFlags,
    /// `ifi_change`: which bits of [`flags`](Self::flags) a request changes (and in a
    /// notification, which ones changed).
    pub change: LinkFlags,
    /// `IFLA_IFNAME`.
    pub name: Option<IfName>,
    /// `IFLA_ADDRESS`: the link-layer (MAC) address.
    pub address: Option<HwAddr>,
    /// `IFLA_BROADCAST`.
    pub broadcast: Option<HwAddr>,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_TXQLEN` (`txqueuelen`).
    pub txqlen: Option<u32>,
    /// `IFLA_GROUP`: the device group.
    pub group: Option<u32>,
    /// `IFLA_IFALIAS`: a free-text description (`alias`); an empty one removes it.
    pub alias: Option<String>,
    /// `IFLA_OPERSTATE`: as reported; sent only to set `state up|dormant|...`.
    pub operstate: Option<OperState>,
    /// `IFLA_LINKMODE` (`mode default|dormant`).
    pub linkmode: Option<u8>,
    /// `IFLA_MASTER`: the bridge (or bond, vrf) this link is a port of; `Some(0)`
    /// detaches (`nomaster`).
    pub master: Option<u32>,
    /// `IFLA_NET_NS_FD` / `IFLA_NET_NS_PID` (requests only): where the link goes, or
    /// is created.
    pub netns: Option<Netns>,
    /// `IFLA_LINK`: the parent (of a vlan, macvlan, ...) or the veth peer's index —
    /// which may be in another namespace, see [`link_netnsid`](Self::link_netnsid).
    pub link: Option<u32>,
    /// `IFLA_LINK_NETNSID`: the namespace id (as this namespace knows it) where
    /// [`link`](Self::link) lives.
    pub link_netnsid: Option<i32>,
    /// `IFLA_LINKINFO`: the kind and its options.
    pub kind: Option<LinkKind>,
    /// `IFLA_INFO_SLAVE_KIND` (reported): the kind of the master this link is a port of
    /// (`"bridge"`).
    pub port_kind: Option<String>,
    /// `IFLA_INFO_SLAVE_DATA` (reported): the port's options, raw attributes.
    pub port_data: Option<Vec<u8>>,
    /// `IFLA_CARRIER` (reported).
    pub carrier: Option<bool>,
    /// `IFLA_PROMISCUITY` (reported): how many users asked for promiscuous mode.
    pub promiscuity: Option<u32>,
    /// `IFLA_MIN_MTU` (reported).
    pub min_mtu: Option<u32>,
    /// `IFLA_MAX_MTU` (reported).
    pub max_mtu: Option<u32>,
    /// `IFLA_NUM_TX_QUEUES` (reported; sent at creation: `numtxqueues`).
    pub num_tx_queues: Option<u32>,
    /// `IFLA_NUM_RX_QUEUES` (reported; sent at creation: `numrxqueues`).
    pub num_rx_queues: Option<u32>,
    /// `IFLA_PERM_ADDRESS` (reported): the hardware's own address.
    pub perm_address: Option<HwAddr>,
    /// `IFLA_PROP_LIST` / `IFLA_ALT_IFNAME` (reported): alternative names.
    pub alt_names: Vec<String>,
    /// `IFLA_STATS64` (reported, when asked for: [`crate::Handle::get_link_stats`]).
    pub stats: Option<Box<LinkStats>>,
    /// Attributes this crate does not model, as they came; sent back as they are.
    pub other: RawAttrs,
}

impl Link {
    /// A link selected by `name` (checked as the kernel checks it), nothing else set:
    /// the start of a change (`ip link set dev NAME ...`).
    pub fn named(name: &str) -> Result<Link> {
        Ok(Link {
            name: Some(IfName::new(name)?),
            ..Default::default()
        })
    }

    /// A link selected by its index, nothing else set.
    pub fn with_index(index: u32) -> Link {
        Link {
            index,
            ..Default::default()
        }
    }

    /// `ip link add NAME type veth peer name PEER`: a pair in one request.
    #[inline(always)]
    pub fn veth(name: &str, peer: &str) -> Result<Link> {
        Ok(Link::bare(
            IfName::new(name)?,
            LinkKind::Veth(VethPeer {
                name: Some(IfName::new(peer)?),
                ..Default::default()
            }),
        ))
    }

    /// A link with only its name and kind: every field written out, so that no
    /// temporary default link has to be dropped (with this many kinds, the drop of
    /// its `kind` is a call the compiler keeps, and the whole link then goes through
    /// memory: the veth request took 45 ns instead of 29).
    #[inline(always)]
    pub(crate) fn bare(name: IfName, kind: LinkKind) -> Link {
        Link {
            family: Family::UNSPEC,
            index: 0,
            link_type: 0,
            flags: LinkFlags::EMPTY,
            change: LinkFlags::EMPTY,
            name: Some(name),
            address: None,
            broadcast: None,
            mtu: None,
            txqlen: None,
            group: None,
            alias: None,
            operstate: None,
            linkmode: None,
            master: None,
            netns: None,
            link: None,
            link_netnsid: None,
            kind: Some(kind),
            port_kind: None,
            port_data: None,
            carrier: None,
            promiscuity: None,
            min_mtu: None,
            max_mtu: None,
            num_tx_queues: None,
            num_rx_queues: None,
            perm_address: None,
            alt_names: Vec::new(),
            stats: None,
            other: RawAttrs::new(),
        }
    }

    /// The same veth pair with its peer born in `netns` under its final name (`ip link
    /// add NAME type veth peer name PEER netns NS`): a container's end never appears
    /// in the host's namespace. Does nothing to a link of another kind.
    pub fn peer_netns(mut self, netns: Netns) -> Link {
        if let Some(LinkKind::Veth(peer)) = &mut self.kind {
            peer.netns = Some(netns);
        }
        self
    }

    /// `ip link add NAME type bridge`.
    pub fn bridge(name: &str) -> Result<Link> {
        Ok(Link::bare(
            IfName::new(name)?,
            LinkKind::Bridge(Bridge::default()),
        ))
    }

    /// `ip link add NAME type KIND`, without options.
    pub fn of_kind(name: &str, kind: &str) -> Result<Link> {
        let k = LinkKind::other(kind);
        k.check()?;
        Ok(Link::bare(IfName::new(name)?, k))
    }

    /// Sets `flag` on (`up`, `promisc on`, ...): `flags` and `change` both get it.
    pub fn set_flag(mut self, flag: LinkFlags, on: bool) -> Link {
        self.change |= flag;
        if on {
            self.flags |= flag;
        } else {
            self.flags = self.flags & !flag;
        }
        self
    }

    /// `up`.
    pub fn up(self) -> Link {
        self.set_flag(LinkFlags::UP, true)
    }

    /// `down`.
    pub fn down(self) -> Link {
        self.set_flag(LinkFlags::UP, false)
    }

    /// `mtu N`.
    pub fn mtu(mut self, mtu: u32) -> Link {
        self.mtu = Some(mtu);
        self
    }

    /// The link's name as text (`\xNN` for bytes that are not UTF-8); empty when
    /// unnamed.
    pub fn name_str(&self) -> String {
        self.name.map(|n| n.to_string()).unwrap_or_default()
    }

    /// `IFF_UP` is set (administratively up).
    pub fn is_up(&self) -> bool {
        self.flags.contains(LinkFlags::UP)
    }

    /// The address as a MAC, when it is 6 bytes long.
    pub fn mac(&self) -> Option<crate::types::MacAddr> {
        self.address.as_ref()?.mac()
    }

    /// The kind's name (`"veth"`, `"bridge"`, ...); `None` for physical devices and
    /// `lo`.
    pub fn kind_name(&self) -> Option<&str> {
        self.kind.as_ref().map(LinkKind::name)
    }

    /// Emits what a request carries, in iproute2's order. `select`: a name that
    /// selects the link when the request carries no name of its own (`IFLA_IFNAME`,
    /// or `IFLA_ALT_IFNAME` when longer than 15 bytes).
    #[inline]
    fn emit_attrs(&self, b: &mut MsgBuilder<'_>, select: Option<&[u8]>) -> Result<(), WireError> {
        if let Some(a) = &self.address {
            b.attr_bytes(IFLA_ADDRESS, a.as_bytes())?;
        }
        if let Some(a) = &self.broadcast {
            b.attr_bytes(IFLA_BROADCAST, a.as_bytes())?;
        }
        if let Some(m) = self.mtu {
            b.attr_u32(IFLA_MTU, m)?;
        }
        if let Some(q) = self.txqlen {
            b.attr_u32(IFLA_TXQLEN, q)?;
        }
        if let Some(g) = self.group {
            b.attr_u32(IFLA_GROUP, g)?;
        }
        if let Some(a) = &self.alias {
            b.attr_text(IFLA_IFALIAS, a, false)?;
        }
        if let Some(s) = self.operstate {
            b.attr_u8(IFLA_OPERSTATE, s.into())?;
        }
        if let Some(m) = self.linkmode {
            b.attr_u8(IFLA_LINKMODE, m)?;
        }
        if let Some(m) = self.master {
            b.attr_u32(IFLA_MASTER, m)?;
        }
        if let Some(ns) = self.netns {
            ns.emit(b)?;
        }
        if let Some(q) = self.num_tx_queues {
            b.attr_u32(IFLA_NUM_TX_QUEUES, q)?;
        }
        if let Some(q) = self.num_rx_queues {
            b.attr_u32(IFLA_NUM_RX_QUEUES, q)?;
        }
        if let Some(id) = self.link_netnsid {
            b.attr_i32(IFLA_LINK_NETNSID, id)?;
        }
        if let Some(l) = self.link {
            b.attr_u32(IFLA_LINK, l)?;
        }
        match (&self.name, select) {
            (Some(n), _) => b.attr_ifname(IFLA_IFNAME, n)?,
            (None, Some(n)) if n.len() <= IFNAME_MAX => b.attr_name(IFLA_IFNAME, n)?,
            (None, Some(n)) => b.attr_name(IFLA_ALT_IFNAME, n)?,
            (None, None) => {}
        }
        if let Some(k) = &self.kind {
            k.emit(b)?;
        }
        emit_raw(b, &self.other)
    }

    /// `ip link del` of the link `select` names: the selector alone.
    pub fn emit_delete(select: LinkRef<'_>, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_DELLINK, 0)?;
        b.header(&IfInfoMsg {
            ifi_index: select.index() as i32,
            ..Default::default()
        })?;
        select.emit(&mut b)?;
        b.finish()
    }

    /// The request that applies this link, as a change (`ip link set`) or a delete
    /// (`ip link del`), to the link `select` names: `ifi_index` for an index, else
    /// the name (or alternative name) where the request carries none of its own. A
    /// change that renames (`name` set) needs `select` to be an index.
    pub fn emit_for(
        &self,
        select: LinkRef<'_>,
        verb: Verb,
        buf: &mut [u8],
    ) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, Link::msg_type(verb), Link::flags(verb))?;
        let mut h = self.ifinfomsg();
        h.ifi_index = select.index() as i32;
        b.header(&h)?;
        let name = match select {
            LinkRef::Name(n) => Some(n),
            LinkRef::Index(_) => None,
        };
        if verb == Verb::Delete {
            if let Some(n) = name {
                b.attr_name(
                    if n.len() <= IFNAME_MAX {
                        IFLA_IFNAME
                    } else {
                        IFLA_ALT_IFNAME
                    },
                    n,
                )?;
            }
        } else {
            self.emit_attrs(&mut b, name)?;
        }
        b.finish()
    }

    fn ifinfomsg(&self) -> IfInfoMsg {
        IfInfoMsg {
            ifi_family: self.family.0,
            __ifi_pad: 0,
            ifi_type: 0,
            ifi_index: self.index as i32,
            ifi_flags: self.flags.0,
            ifi_change: self.change.0,
        }
    }
}

impl Object for Link {
    const NEW: u16 = RTM_NEWLINK;
    const DEL: u16 = RTM_DELLINK;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Replace, Verb::Change, Verb::Delete];

    /// `ip link set`/`ip link change` send no flag at all.
    fn flags(verb: Verb) -> u16 {
        match verb {
            Verb::Change => 0,
            v => v.flags(),
        }
    }

    fn check(&self, verb: Verb) -> Result<()> {
        if self.index == 0 && self.name.is_none() && verb != Verb::Add {
            return Err(Error::invalid(
                "link",
                "(no index, no name)",
                "a request must name its link by index or by name",
            ));
        }
        self.check_options(verb)
    }

    #[inline]
    fn emit_body(&self, verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&self.ifinfomsg())?;
        if verb == Verb::Delete {
            // `ip link del`: the index, or the name when there is no index.
            if self.index == 0 {
                if let Some(n) = &self.name {
                    b.attr_name(IFLA_IFNAME, n.as_bytes())?;
                }
            }
            return Ok(());
        }
        self.emit_attrs(b, None)
    }
}

impl Link {
    /// The checks of a request's options for `verb` (not of how it names its link):
    /// what [`Object::check`] adds to the selector check, and what a change sent to a
    /// link selected apart from it needs ([`crate::Handle::set_link`]).
    pub(crate) fn check_options(&self, verb: Verb) -> Result<()> {
        if let Some(k) = &self.kind {
            k.check()?;
        }
        kinds::check_link(self, verb)?;
        if let Some(a) = &self.alias {
            if a.len() > 255 || a.contains('\0') {
                return Err(Error::invalid(
                    "link alias",
                    a,
                    "longer than 255 bytes (IFALIASZ - 1) or contains NUL",
                ));
            }
        }
        Ok(())
    }
}

impl From<&LinkMsg<'_>> for Link {
    /// Everything the view's message holds, owned.
    fn from(m: &LinkMsg<'_>) -> Link {
        Link::from_view(m, true)
    }
}

impl Link {
    /// The view's message, owned; with `stats` false, the counters the kernel sends
    /// with every link (`IFLA_STATS64`, `IFLA_STATS`: it has no way to leave them out)
    /// are skipped, not copied: what a dump that did not ask for them pays.
    pub fn from_view(m: &LinkMsg<'_>, stats: bool) -> Link {
        let h = m.header;
        let mut l = Link {
            family: Family(h.ifi_family),
            index: h.ifi_index as u32,
            link_type: h.ifi_type,
            flags: LinkFlags(h.ifi_flags),
            change: LinkFlags(h.ifi_change),
            name: m.name.and_then(IfName::from_kernel),
            mtu: m.mtu,
            address: m.address.and_then(HwAddr::new),
            master: m.master,
            link: m.link,
            link_netnsid: m.link_netnsid,
            operstate: m.operstate.map(OperState::from),
            txqlen: m.txqlen,
            carrier: m.carrier.map(|c| c != 0),
            kind: m.kind.map(|k| LinkKind::decode(k, m.info_data)),
            port_kind: m
                .slave_kind
                .map(|k| String::from_utf8_lossy(k).into_owned()),
            port_data: m.slave_data.map(<[u8]>::to_vec),
            ..Default::default()
        };
        for a in Attrs::new(m.attrs).flatten() {
            let u32v = a.u32();
            match a.ty {
                // Already read by the view (a bad payload there is kept below).
                IFLA_IFNAME if l.name.is_some() => {}
                IFLA_MTU if l.mtu.is_some() => {}
                IFLA_ADDRESS if l.address.is_some() => {}
                IFLA_MASTER if l.master.is_some() => {}
                IFLA_LINK if l.link.is_some() => {}
                IFLA_LINK_NETNSID if l.link_netnsid.is_some() => {}
                IFLA_OPERSTATE if l.operstate.is_some() => {}
                IFLA_TXQLEN if l.txqlen.is_some() => {}
                IFLA_CARRIER if l.carrier.is_some() => {}
                IFLA_LINKINFO if l.kind.is_some() || l.port_kind.is_some() => {}
                IFLA_BROADCAST if HwAddr::new(a.value).is_some() => {
                    l.broadcast = HwAddr::new(a.value)
                }
                IFLA_PERM_ADDRESS if HwAddr::new(a.value).is_some() => {
                    l.perm_address = HwAddr::new(a.value)
                }
                IFLA_GROUP if u32v.is_ok() => l.group = u32v.ok(),
                IFLA_PROMISCUITY if u32v.is_ok() => l.promiscuity = u32v.ok(),
                IFLA_MIN_MTU if u32v.is_ok() => l.min_mtu = u32v.ok(),
                IFLA_MAX_MTU if u32v.is_ok() => l.max_mtu = u32v.ok(),
                IFLA_NUM_TX_QUEUES if u32v.is_ok() => l.num_tx_queues = u32v.ok(),
                IFLA_NUM_RX_QUEUES if u32v.is_ok() => l.num_rx_queues = u32v.ok(),
                IFLA_LINKMODE if !a.value.is_empty() => l.linkmode = a.u8().ok(),
                IFLA_IFALIAS => l.alias = Some(String::from_utf8_lossy(a.bytes_z()).into_owned()),
                IFLA_STATS64 | IFLA_STATS if !stats => {}
                IFLA_STATS64 => l.stats = Some(Box::new(LinkStats::decode(a.value))),
                IFLA_PROP_LIST => l.alt_names.extend(
                    a.nested()
                        .flatten()
                        .filter(|n| n.ty == IFLA_ALT_IFNAME)
                        .map(|n| String::from_utf8_lossy(n.bytes_z()).into_owned()),
                ),
                // The 32-bit counters repeat IFLA_STATS64; the queueing discipline and
                // friends are reported, not set.
                _ => l.other.push_attr(&a),
            }
        }
        l
    }
}

impl<'a> Decode<'a> for Link {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        LinkMsg::decode(msg).map(|v| Link::from(&v))
    }
}

/// A link as the kernel describes it in `RTM_NEWLINK`/`RTM_DELLINK`, borrowing the
/// datagram: the fields a dump is usually streamed for, read in one pass. Convert it
/// with [`Link::from`] for everything else. An attribute whose payload has the wrong
/// size for its type is left out here (and kept raw in the owned [`Link`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkMsg<'a> {
    /// The message's `ifinfomsg`.
    pub header: IfInfoMsg,
    /// `IFLA_IFNAME`, as bytes (names need not be UTF-8).
    pub name: Option<&'a [u8]>,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_ADDRESS`.
    pub address: Option<&'a [u8]>,
    /// `IFLA_MASTER`.
    pub master: Option<u32>,
    /// `IFLA_LINK`: the parent's or veth peer's index.
    pub link: Option<u32>,
    /// `IFLA_LINK_NETNSID`.
    pub link_netnsid: Option<i32>,
    /// `IFLA_OPERSTATE` (`IF_OPER_*`).
    pub operstate: Option<u8>,
    /// `IFLA_TXQLEN`.
    pub txqlen: Option<u32>,
    /// `IFLA_CARRIER`.
    pub carrier: Option<u8>,
    /// `IFLA_LINKINFO` / `IFLA_INFO_KIND`.
    pub kind: Option<&'a [u8]>,
    /// `IFLA_LINKINFO` / `IFLA_INFO_DATA`'s payload.
    pub info_data: Option<&'a [u8]>,
    /// `IFLA_LINKINFO` / `IFLA_INFO_SLAVE_KIND` (`"bridge"` for a bridge port).
    pub slave_kind: Option<&'a [u8]>,
    /// `IFLA_LINKINFO` / `IFLA_INFO_SLAVE_DATA`'s payload.
    pub slave_data: Option<&'a [u8]>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl<'a> LinkMsg<'a> {
    /// `ifi_index`.
    #[inline]
    pub fn index(&self) -> u32 {
        self.header.ifi_index as u32
    }

    /// `ifi_flags`.
    #[inline]
    pub fn flags(&self) -> LinkFlags {
        LinkFlags(self.header.ifi_flags)
    }

    /// The name, as text when it is UTF-8.
    pub fn name_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.name?).ok()
    }

    /// The kind, as text.
    pub fn kind_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.kind?).ok()
    }

    /// Reads only the index of an `RTM_NEWLINK` message (its `ifinfomsg`), for lookups
    /// that need nothing else.
    #[inline]
    pub fn decode_index(msg: &Message<'_>) -> Result<u32, WireError> {
        if msg.header.nlmsg_type != RTM_NEWLINK {
            return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
        }
        let (ifi, _) = msg.split::<IfInfoMsg>()?;
        Ok(ifi.ifi_index as u32)
    }
}

impl<'a> Decode<'a> for LinkMsg<'a> {
    /// Reads an `RTM_NEWLINK` or `RTM_DELLINK` message. Unknown attributes are skipped;
    /// a broken attribute chain is an error.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWLINK && ty != RTM_DELLINK {
            return Err(WireError::UnexpectedType(ty));
        }
        let (header, attrs) = msg.split::<IfInfoMsg>()?;
        let mut l = LinkMsg {
            header,
            attrs: msg.payload.get(align4(IfInfoMsg::LEN)..).unwrap_or(&[]),
            ..Default::default()
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                IFLA_IFNAME => l.name = Some(a.bytes_z()),
                IFLA_MTU => l.mtu = a.u32().ok(),
                IFLA_ADDRESS => l.address = Some(a.value),
                IFLA_MASTER => l.master = a.u32().ok(),
                IFLA_LINK => l.link = a.u32().ok(),
                IFLA_LINK_NETNSID => l.link_netnsid = a.i32().ok(),
                IFLA_OPERSTATE => l.operstate = a.u8().ok(),
                IFLA_TXQLEN => l.txqlen = a.u32().ok(),
                IFLA_CARRIER => l.carrier = a.u8().ok(),
                IFLA_LINKINFO => read_linkinfo(&a, &mut l)?,
                _ => {}
            }
        }
        Ok(l)
    }
}

fn read_linkinfo<'a>(a: &Attr<'a>, l: &mut LinkMsg<'a>) -> Result<(), WireError> {
    for i in a.nested() {
        let i = i?;
        match i.ty {
            IFLA_INFO_KIND => l.kind = Some(i.bytes_z()),
            IFLA_INFO_DATA => l.info_data = Some(i.value),
            IFLA_INFO_SLAVE_KIND => l.slave_kind = Some(i.bytes_z()),
            IFLA_INFO_SLAVE_DATA => l.slave_data = Some(i.value),
            _ => {}
        }
    }
    Ok(())
}

/// Which link a request is about: by index, or by name — an interface name (up to 15
/// bytes, `IFLA_IFNAME`) or an alternative name (up to 127, `IFLA_ALT_IFNAME`), as
/// `ip link show dev NAME` looks either up. `&str` and `u32` convert into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkRef<'a> {
    /// `ifi_index`.
    Index(u32),
    /// A name or alternative name, as bytes (names need not be UTF-8).
    Name(&'a [u8]),
}

impl<'a> From<&'a str> for LinkRef<'a> {
    fn from(s: &'a str) -> Self {
        LinkRef::Name(s.as_bytes())
    }
}

impl<'a> From<&'a String> for LinkRef<'a> {
    fn from(s: &'a String) -> Self {
        LinkRef::Name(s.as_bytes())
    }
}

impl<'a> From<&'a IfName> for LinkRef<'a> {
    fn from(n: &'a IfName) -> Self {
        LinkRef::Name(n.as_bytes())
    }
}

impl From<u32> for LinkRef<'_> {
    fn from(i: u32) -> Self {
        LinkRef::Index(i)
    }
}

impl LinkRef<'_> {
    /// Checks the reference before any syscall: a name as the kernel checks one
    /// ([`crate::check_ifname`]), or an alternative name of up to 127 bytes; an index
    /// other than 0.
    pub fn check(&self) -> Result<()> {
        match *self {
            LinkRef::Index(0) => Err(Error::invalid("link index", 0, "0 is no link")),
            LinkRef::Index(_) => Ok(()),
            LinkRef::Name(n) => check_altname(n).map_err(|e| match e {
                Error::InvalidInput { value, reason, .. } => Error::InvalidInput {
                    what: "interface name",
                    value,
                    reason,
                },
                e => e,
            }),
        }
    }

    /// How `NotFound` names it.
    pub fn describe(&self) -> String {
        match *self {
            LinkRef::Index(i) => format!("index {i}"),
            LinkRef::Name(n) => String::from_utf8_lossy(n).into_owned(),
        }
    }

    /// Writes the selector: `ifi_index` is in the header already; a name goes as
    /// `IFLA_IFNAME`, or `IFLA_ALT_IFNAME` when longer than 15 bytes.
    #[inline]
    pub(crate) fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        match *self {
            LinkRef::Index(_) => Ok(()),
            LinkRef::Name(n) if n.len() <= IFNAME_MAX => b.attr_name(IFLA_IFNAME, n),
            LinkRef::Name(n) => b.attr_name(IFLA_ALT_IFNAME, n),
        }
    }

    pub(crate) fn index(&self) -> u32 {
        match *self {
            LinkRef::Index(i) => i,
            LinkRef::Name(_) => 0,
        }
    }
}

/// `RTM_GETLINK` for one link (`ip link show dev NAME`): by index, name or
/// alternative name, without statistics unless asked for. One message back, no dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkGet<'a> {
    /// The link.
    pub link: LinkRef<'a>,
    /// Ask for `IFLA_STATS64` too.
    pub stats: bool,
}

impl Request for LinkGet<'_> {
    fn check(&self) -> Result<()> {
        self.link.check()
    }

    #[inline]
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETLINK, 0)?;
        b.header(&IfInfoMsg {
            ifi_index: self.link.index() as i32,
            ..Default::default()
        })?;
        if !self.stats {
            b.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)?;
        }
        self.link.emit(&mut b)?;
        b.finish()
    }
}

/// An `RTM_GETLINK` dump (`ip link show [master BR] [type KIND]`), filtered by the
/// kernel where it can: by master (`IFLA_MASTER`) and by kind (`IFLA_LINKINFO` /
/// `IFLA_INFO_KIND`), both with strict checking (Linux ≥ 4.20). Statistics are left
/// out unless asked for: the kernel then skips the per-VF and per-protocol counters
/// (`RTEXT_FILTER_SKIP_STATS`), and [`crate::Handle::links_matching`] skips the link
/// counters it still sends (`IFLA_STATS64`) instead of copying them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkFilter<'a> {
    /// Only the ports of this master.
    pub master: Option<u32>,
    /// Only links of this kind (`"veth"`, `"bridge"`, ...).
    pub kind: Option<&'a str>,
    /// Include the statistics (`IFLA_STATS64` in [`Link::stats`], and the per-VF and
    /// per-protocol counters).
    pub stats: bool,
}

crate::wire::dump_filter!(LinkFilter<'_>, LinkMsg);

impl LinkFilter<'_> {
    /// Whether `l` passes the filter (checked here too: an older kernel ignores dump
    /// filters and sends everything).
    pub fn matches(&self, l: &LinkMsg<'_>) -> bool {
        self.master.map_or(true, |m| l.master == Some(m))
            && self.kind.map_or(true, |k| l.kind == Some(k.as_bytes()))
    }
}

impl Request for LinkFilter<'_> {
    fn check(&self) -> Result<()> {
        if let Some(k) = self.kind {
            if k.is_empty() || k.contains('\0') {
                return Err(Error::invalid("link kind", k, "empty or contains NUL"));
            }
        }
        Ok(())
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETLINK, 0)?;
        b.header(&IfInfoMsg::default())?;
        if !self.stats {
            b.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)?;
        }
        if let Some(m) = self.master {
            b.attr_u32(IFLA_MASTER, m)?;
        }
        if let Some(k) = self.kind {
            let info = b.begin_nested(IFLA_LINKINFO)?;
            b.attr_text(IFLA_INFO_KIND, k, false)?;
            b.end_nested(info)?;
        }
        b.finish()
    }
}

/// One of the four changes a guest makes to its interface — up or down, MTU, MAC —
/// as `ip link set dev LINK up|down|mtu N|address MAC` sends it. The bytes are
/// [`Link::emit_for`]'s for a [`Link`] holding only that change (tested), from an
/// encoder that carries nothing else: a binary that only brings an interface up does
/// not link the encoders of every kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BasicChange {
    /// `up` (`true`) or `down`.
    Up(bool),
    /// `mtu N`.
    Mtu(u32),
    /// `address MAC`.
    Mac(crate::types::MacAddr),
}

impl BasicChange {
    /// `RTM_NEWLINK` (no flags: a change) for the link `select` names.
    pub(crate) fn emit_for(self, select: LinkRef<'_>, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_NEWLINK, 0)?;
        let (flags, change) = match self {
            BasicChange::Up(up) => (if up { IFF_UP } else { 0 }, IFF_UP),
            _ => (0, 0),
        };
        b.header(&IfInfoMsg {
            ifi_index: select.index() as i32,
            ifi_flags: flags,
            ifi_change: change,
            ..Default::default()
        })?;
        match self {
            BasicChange::Mac(m) => b.attr_bytes(IFLA_ADDRESS, &m.0)?,
            BasicChange::Mtu(m) => b.attr_u32(IFLA_MTU, m)?,
            BasicChange::Up(_) => {}
        }
        if let LinkRef::Name(n) = select {
            let ty = if n.len() <= IFNAME_MAX {
                IFLA_IFNAME
            } else {
                IFLA_ALT_IFNAME
            };
            b.attr_name(ty, n)?;
        }
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    #[test]
    fn basic_changes_are_the_bytes_of_a_link_holding_only_them() {
        use crate::types::MacAddr;
        let long = "a-name-longer-than-sixteen-bytes";
        for select in [
            LinkRef::Index(7),
            LinkRef::Name(b"eth0"),
            LinkRef::Name(long.as_bytes()),
        ] {
            for (basic, link) in [
                (BasicChange::Up(true), Link::default().up()),
                (
                    BasicChange::Up(false),
                    Link::default().set_flag(LinkFlags::UP, false),
                ),
                (BasicChange::Mtu(1400), Link::default().mtu(1400)),
                (
                    BasicChange::Mac(MacAddr([2, 0, 0, 0, 0, 1])),
                    Link {
                        address: Some(MacAddr([2, 0, 0, 0, 0, 1]).into()),
                        ..Default::default()
                    },
                ),
            ] {
                let (mut a, mut b) = ([0u8; 128], [0u8; 128]);
                let na = basic.emit_for(select, &mut a).unwrap();
                let nb = link.emit_for(select, Verb::Change, &mut b).unwrap();
                assert_eq!(a[..na], b[..nb], "{basic:?} on {select:?}");
            }
        }
        // Too small a buffer is an error, never a short message.
        assert_eq!(
            BasicChange::Mtu(1).emit_for(LinkRef::Name(b"eth0"), &mut [0u8; 32]),
            Err(WireError::BufferTooSmall)
        );
    }

    #[test]
    fn veth_request_round_trips_through_the_parser_shape() {
        let mut buf = [0xa5u8; 256];
        let mut l = Link::veth("veth0", "veth1").unwrap();
        if let Some(LinkKind::Veth(p)) = &mut l.kind {
            p.netns = Some(Netns::Fd(7));
        }
        let n = l.emit(Verb::Add, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let (_, attrs) = m.split::<IfInfoMsg>().unwrap();
        let attrs: Vec<_> = attrs.collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs[0].str().unwrap(), "veth0");
        let info = attrs[1].nested().find(IFLA_INFO_DATA).unwrap().unwrap();
        let peer = info.nested().find(VETH_INFO_PEER).unwrap().unwrap();
        // The peer nests its own ifinfomsg before its attributes, in iproute2's order.
        let inner: Vec<_> = crate::wire::Attrs::new(&peer.value[16..])
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(inner[0].i32().unwrap(), 7);
        assert_eq!(inner[1].str().unwrap(), "veth1");
        let back = Link::decode(&m).unwrap();
        assert_eq!(back.name.unwrap(), "veth0");
        assert_eq!(back.kind_name(), Some("veth"));
    }

    #[test]
    fn a_name_that_is_not_utf8_does_not_break_decoding() {
        let mut buf = [0u8; 64];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
        b.header(&IfInfoMsg {
            ifi_index: 4,
            ..Default::default()
        })
        .unwrap();
        b.attr_bytes(IFLA_IFNAME, b"x\xff\xfe\0").unwrap();
        b.attr_bytes(IFLA_MTU, &[1, 2]).unwrap(); // wrong size: kept raw
        let n = b.finish().unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let v = LinkMsg::decode(&m).unwrap();
        assert_eq!(v.name, Some(&b"x\xff\xfe"[..]));
        assert_eq!(v.mtu, None);
        let l = Link::from(&v);
        assert_eq!(l.name.unwrap().as_bytes(), b"x\xff\xfe");
        assert_eq!(l.other.len(), 1);
        assert_eq!(l.other.iter().next().unwrap().unwrap().ty, IFLA_MTU);
    }

    #[test]
    fn lookups_by_long_names_use_the_alternative_name_attribute() {
        let mut buf = [0u8; 256];
        let long = "a-very-long-alternative-name";
        let n = LinkGet {
            link: LinkRef::from(long),
            stats: false,
        }
        .emit(&mut buf)
        .unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let (_, mut attrs) = m.split::<IfInfoMsg>().unwrap();
        assert_eq!(attrs.next().unwrap().unwrap().ty, IFLA_EXT_MASK);
        let a = attrs.next().unwrap().unwrap();
        assert_eq!((a.ty, a.str().unwrap()), (IFLA_ALT_IFNAME, long));
        assert!(LinkRef::from(&"x".repeat(128)).check().is_err());
        assert!(LinkRef::from("a b").check().is_err());
        assert!(LinkRef::Index(0).check().is_err());
    }
}
