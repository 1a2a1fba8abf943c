//! Layer `wire`: the typed options of every kind of link a container or VM host makes
//! (`IFLA_LINKINFO` / `IFLA_INFO_DATA`): [`Vlan`], [`Macvlan`] (also `macvtap`),
//! [`Ipvlan`], [`Vxlan`], [`Geneve`], [`Vrf`], [`Bond`], the reported options of a
//! `tun`/`tap` ([`TunInfo`]) and of a bridge port ([`BridgePort`]).
//!
//! Each kind encodes its options in the order `ip link add ... type KIND ...` sends
//! them for the command line its docs give (`tests/golden_links.rs` compares the
//! bytes), decodes every attribute it knows back into its typed field, keeps the others
//! in `other` (sent back as they came), and reads what the kernel only reports into
//! fields that are never sent. Values the kernel would refuse are refused by
//! [`Link`]'s check before any syscall.
//!
//! Byte order: VLAN protocols, UDP ports, flow labels and port ranges are big-endian
//! on the wire (`__be16`/`__be32`); the typed fields hold host values.

use super::{Link, LinkKind};
use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::MacAddr;
use crate::wire::{emit_raw, Attr, Attrs, MsgBuilder, RawAttrs, Verb, WireError};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A small enum over a kernel number, with iproute2's names and an escape hatch.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $name:ident($ty:ty) {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not name.
            Other($ty),
        }

        impl $name {
            /// The kernel's number.
            pub const fn value(self) -> $ty {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Other(v) => v,
                }
            }

            /// The value for a kernel number.
            pub const fn from_value(v: $ty) -> $name {
                $( if v == $value { return $name::$variant; } )*
                $name::Other(v)
            }

            /// iproute2's word for it (`None` for [`Other`](Self::Other)).
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($text), )*
                    $name::Other(_) => None,
                }
            }

            /// The value iproute2 calls `name`.
            pub fn from_name(name: &str) -> Option<$name> {
                $( if name == $text { return Some($name::$variant); } )*
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}", self.value()),
                }
            }
        }
    };
}

// ---------------------------------------------------------------------------------
// Reading helpers
// ---------------------------------------------------------------------------------

fn u8_of(a: &Attr<'_>) -> Option<u8> {
    (a.value.len() == 1).then(|| a.value[0])
}

fn u16_of(a: &Attr<'_>) -> Option<u16> {
    (a.value.len() == 2).then(|| u16::from_ne_bytes([a.value[0], a.value[1]]))
}

fn be16_of(a: &Attr<'_>) -> Option<u16> {
    (a.value.len() == 2).then(|| u16::from_be_bytes([a.value[0], a.value[1]]))
}

fn u32_of(a: &Attr<'_>) -> Option<u32> {
    a.value.try_into().ok().map(u32::from_ne_bytes)
}

fn be32_of(a: &Attr<'_>) -> Option<u32> {
    a.value.try_into().ok().map(u32::from_be_bytes)
}

fn v4_of(a: &Attr<'_>) -> Option<IpAddr> {
    <[u8; 4]>::try_from(a.value)
        .ok()
        .map(|b| IpAddr::V4(Ipv4Addr::from(b)))
}

fn v6_of(a: &Attr<'_>) -> Option<IpAddr> {
    <[u8; 16]>::try_from(a.value)
        .ok()
        .map(|b| IpAddr::V6(Ipv6Addr::from(b)))
}

/// Sets `slot` from `v` when `v` is `Some`; else keeps `a` raw in `other`.
fn take<T>(slot: &mut Option<T>, v: Option<T>, a: &Attr<'_>, other: &mut RawAttrs) {
    match v {
        Some(v) => *slot = Some(v),
        None => other.push_attr(a),
    }
}

fn bool_of(a: &Attr<'_>) -> Option<bool> {
    u8_of(a).map(|v| v != 0)
}

// The writers: the `None` test inline (most options are unset), the write out of
// line (one copy of each in the binary, and no `memmove` call for the fixed sizes).

#[inline(never)]
fn put_u8(b: &mut MsgBuilder<'_>, ty: u16, v: u8) -> Result<(), WireError> {
    b.attr_u8(ty, v)
}

#[inline(never)]
fn put_u16(b: &mut MsgBuilder<'_>, ty: u16, v: u16) -> Result<(), WireError> {
    b.attr_u16(ty, v)
}

#[inline(never)]
fn put_be16(b: &mut MsgBuilder<'_>, ty: u16, v: u16) -> Result<(), WireError> {
    b.attr_bytes(ty, &v.to_be_bytes())
}

#[inline(never)]
fn put_u32(b: &mut MsgBuilder<'_>, ty: u16, v: u32) -> Result<(), WireError> {
    b.attr_u32(ty, v)
}

#[inline(never)]
fn put_be32(b: &mut MsgBuilder<'_>, ty: u16, v: u32) -> Result<(), WireError> {
    b.attr_bytes(ty, &v.to_be_bytes())
}

#[inline(never)]
fn put_ip(b: &mut MsgBuilder<'_>, ty4: u16, ty6: u16, a: IpAddr) -> Result<(), WireError> {
    match a {
        IpAddr::V4(a) => b.attr_ipv4(ty4, a),
        IpAddr::V6(a) => b.attr_ipv6(ty6, a),
    }
}

#[inline(always)]
fn emit_bool(b: &mut MsgBuilder<'_>, ty: u16, v: Option<bool>) -> Result<(), WireError> {
    match v {
        Some(on) => put_u8(b, ty, on as u8),
        None => Ok(()),
    }
}

#[inline(always)]
fn emit_u8(b: &mut MsgBuilder<'_>, ty: u16, v: Option<u8>) -> Result<(), WireError> {
    match v {
        Some(v) => put_u8(b, ty, v),
        None => Ok(()),
    }
}

#[inline(always)]
fn emit_u16(b: &mut MsgBuilder<'_>, ty: u16, v: Option<u16>) -> Result<(), WireError> {
    match v {
        Some(v) => put_u16(b, ty, v),
        None => Ok(()),
    }
}

#[inline(always)]
fn emit_u32(b: &mut MsgBuilder<'_>, ty: u16, v: Option<u32>) -> Result<(), WireError> {
    match v {
        Some(v) => put_u32(b, ty, v),
        None => Ok(()),
    }
}

#[inline(always)]
fn emit_ip(b: &mut MsgBuilder<'_>, ty4: u16, ty6: u16, a: Option<IpAddr>) -> Result<(), WireError> {
    match a {
        Some(a) => put_ip(b, ty4, ty6, a),
        None => Ok(()),
    }
}

/// A refused number: one non-generic constructor for every check of this file, so
/// that a program pays for these messages once (values go as `u32`, whose formatting
/// every program has anyway).
#[cold]
#[inline(never)]
fn bad(what: &'static str, value: u32, reason: &'static str) -> Error {
    Error::invalid(what, value, reason)
}

/// A refused value given as text. Addresses are described, not printed: IPv6
/// formatting alone would add 2 KB to every program that creates a link.
#[cold]
#[inline(never)]
fn bad_s(what: &'static str, value: &str, reason: &'static str) -> Error {
    Error::invalid(what, value, reason)
}

fn same_family(what: &'static str, a: Option<IpAddr>, b: Option<IpAddr>) -> Result<()> {
    if let (Some(a), Some(b)) = (a, b) {
        if a.is_ipv4() != b.is_ipv4() {
            return Err(bad_s(
                what,
                if a.is_ipv4() {
                    "IPv4 and IPv6"
                } else {
                    "IPv6 and IPv4"
                },
                "the local and remote addresses must be of the same family",
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// vlan
// ---------------------------------------------------------------------------------

named_enum! {
    /// A VLAN's tag protocol (`IFLA_VLAN_PROTOCOL`, big-endian on the wire).
    VlanProtocol(u16) {
        /// `802.1Q` (`ETH_P_8021Q`), the default.
        Dot1Q = ETH_P_8021Q => "802.1Q",
        /// `802.1ad` (`ETH_P_8021AD`, "QinQ").
        Dot1Ad = ETH_P_8021AD => "802.1ad",
    }
}

/// One entry of a VLAN priority map (`ingress-qos-map FROM:TO`, `egress-qos-map
/// FROM:TO`; `struct ifla_vlan_qos_mapping`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VlanQos {
    /// Ingress: the VLAN header's priority (PCP, 0 to 7). Egress: the packet's
    /// priority (`skb->priority`, any `u32`).
    pub from: u32,
    /// Ingress: the packet's priority it becomes. Egress: the VLAN header's priority
    /// (0 to 7). A mapping to 0 removes the entry (the kernel reports only non-zero
    /// ones).
    pub to: u32,
}

impl VlanQos {
    /// `FROM:TO`.
    pub const fn new(from: u32, to: u32) -> VlanQos {
        VlanQos { from, to }
    }
}

/// `type vlan` (`ip link add link PARENT name NAME type vlan [protocol PROTO] id ID
/// [reorder_hdr on|off] [gvrp on|off] [mvrp on|off] [loose_binding on|off]
/// [bridge_binding on|off] [ingress-qos-map FROM:TO ...] [egress-qos-map FROM:TO
/// ...]`): an 802.1Q/802.1ad sub-interface of [`Link::link`] (`IFLA_LINK`, the parent,
/// required at creation).
///
/// The flags are sent as one `IFLA_VLAN_FLAGS` (`struct ifla_vlan_flags`): the bits
/// of the fields that are `Some`, with the others left unchanged. The priority maps
/// add to (or, with 0, remove from) what the link has.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vlan {
    /// `id`: the VLAN id, 1 to 4094 (`IFLA_VLAN_ID`; required at creation).
    pub id: Option<u16>,
    /// `protocol`: 802.1Q (the kernel's default) or 802.1ad.
    pub protocol: Option<VlanProtocol>,
    /// `reorder_hdr` (`VLAN_FLAG_REORDER_HDR`; on by default).
    pub reorder_hdr: Option<bool>,
    /// `gvrp` (`VLAN_FLAG_GVRP`).
    pub gvrp: Option<bool>,
    /// `mvrp` (`VLAN_FLAG_MVRP`).
    pub mvrp: Option<bool>,
    /// `loose_binding` (`VLAN_FLAG_LOOSE_BINDING`): the operational state does not
    /// follow the parent's.
    pub loose_binding: Option<bool>,
    /// `bridge_binding` (`VLAN_FLAG_BRIDGE_BINDING`).
    pub bridge_binding: Option<bool>,
    /// `ingress-qos-map FROM:TO ...` (`IFLA_VLAN_INGRESS_QOS`): a received frame's
    /// VLAN priority (0 to 7) → the packet's priority. Empty: not sent (the map is
    /// left as it is); as reported, the non-zero entries in order of VLAN priority.
    pub ingress_qos: Vec<VlanQos>,
    /// `egress-qos-map FROM:TO ...` (`IFLA_VLAN_EGRESS_QOS`): a packet's priority →
    /// the VLAN priority (0 to 7) it is sent with. Empty: not sent; as reported, the
    /// non-zero entries in the kernel's (hash) order.
    pub egress_qos: Vec<VlanQos>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Vlan {
    /// VLAN `id` with the kernel's defaults.
    #[inline]
    pub fn new(id: u16) -> Vlan {
        Vlan {
            id: Some(id),
            ..Default::default()
        }
    }

    fn check(&self, verb: Verb) -> Result<()> {
        match self.id {
            Some(id) if id == 0 || id >= 4095 => {
                return Err(bad(
                    "VLAN id",
                    u32::from(id),
                    "must be 1 to 4094 (0 and 4095 are reserved)",
                ))
            }
            None if verb == Verb::Add => {
                return Err(bad_s("VLAN id", "(none)", "a new VLAN needs its id"))
            }
            _ => {}
        }
        if let Some(VlanProtocol::Other(p)) = self.protocol {
            return Err(bad(
                "VLAN protocol",
                u32::from(p),
                "the kernel knows only 802.1Q (0x8100) and 802.1ad (0x88a8)",
            ));
        }
        // The kernel keeps only the low 3 bits of a VLAN priority: 9 would silently
        // become 1.
        if let Some(m) = self.ingress_qos.iter().find(|m| m.from > 7) {
            return Err(bad(
                "VLAN ingress-qos-map FROM",
                m.from,
                "a VLAN priority is 0 to 7",
            ));
        }
        if let Some(m) = self.egress_qos.iter().find(|m| m.to > 7) {
            return Err(bad(
                "VLAN egress-qos-map TO",
                m.to,
                "a VLAN priority is 0 to 7",
            ));
        }
        Ok(())
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        if let Some(p) = self.protocol {
            put_be16(b, IFLA_VLAN_PROTOCOL, p.value())?;
        }
        emit_u16(b, IFLA_VLAN_ID, self.id)?;
        // iproute2's order: the ingress map, then the egress map.
        emit_qos(b, IFLA_VLAN_INGRESS_QOS, &self.ingress_qos)?;
        emit_qos(b, IFLA_VLAN_EGRESS_QOS, &self.egress_qos)?;
        emit_raw(b, &self.other)?;
        let (mut flags, mut mask) = (0u32, 0u32);
        for (bit, v) in [
            (VLAN_FLAG_REORDER_HDR, self.reorder_hdr),
            (VLAN_FLAG_GVRP, self.gvrp),
            (VLAN_FLAG_LOOSE_BINDING, self.loose_binding),
            (VLAN_FLAG_MVRP, self.mvrp),
            (VLAN_FLAG_BRIDGE_BINDING, self.bridge_binding),
        ] {
            if let Some(on) = v {
                mask |= bit;
                if on {
                    flags |= bit;
                }
            }
        }
        if mask != 0 {
            let mut f = [0u8; 8];
            f[..4].copy_from_slice(&flags.to_ne_bytes());
            f[4..].copy_from_slice(&mask.to_ne_bytes());
            b.attr_bytes(IFLA_VLAN_FLAGS, &f)?;
        }
        Ok(())
    }

    fn decode(data: &[u8]) -> Vlan {
        let mut v = Vlan::default();
        for a in Attrs::new(data).flatten() {
            match a.ty {
                IFLA_VLAN_ID => take(&mut v.id, u16_of(&a), &a, &mut v.other),
                IFLA_VLAN_PROTOCOL => take(
                    &mut v.protocol,
                    be16_of(&a).map(VlanProtocol::from_value),
                    &a,
                    &mut v.other,
                ),
                IFLA_VLAN_FLAGS if a.value.len() == 8 => {
                    let flags =
                        u32::from_ne_bytes([a.value[0], a.value[1], a.value[2], a.value[3]]);
                    let mask = u32::from_ne_bytes([a.value[4], a.value[5], a.value[6], a.value[7]]);
                    let bit = |b: u32| (mask & b != 0).then_some(flags & b != 0);
                    v.reorder_hdr = bit(VLAN_FLAG_REORDER_HDR);
                    v.gvrp = bit(VLAN_FLAG_GVRP);
                    v.loose_binding = bit(VLAN_FLAG_LOOSE_BINDING);
                    v.mvrp = bit(VLAN_FLAG_MVRP);
                    v.bridge_binding = bit(VLAN_FLAG_BRIDGE_BINDING);
                }
                IFLA_VLAN_INGRESS_QOS | IFLA_VLAN_EGRESS_QOS => match decode_qos(a.value) {
                    Some(m) if a.ty == IFLA_VLAN_INGRESS_QOS => v.ingress_qos = m,
                    Some(m) => v.egress_qos = m,
                    None => v.other.push_attr(&a),
                },
                _ => v.other.push_attr(&a),
            }
        }
        v
    }
}

/// A VLAN priority map: one `IFLA_VLAN_QOS_MAPPING` per entry in a nest; nothing
/// for an empty map.
fn emit_qos(b: &mut MsgBuilder<'_>, ty: u16, map: &[VlanQos]) -> Result<(), WireError> {
    if map.is_empty() {
        return Ok(());
    }
    let n = b.begin_nested(ty)?;
    for m in map {
        let mut v = [0u8; 8];
        v[..4].copy_from_slice(&m.from.to_ne_bytes());
        v[4..].copy_from_slice(&m.to.to_ne_bytes());
        b.attr_bytes(IFLA_VLAN_QOS_MAPPING, &v)?;
    }
    b.end_nested(n)
}

/// The entries of a reported priority map; `None` when one is malformed (the whole
/// attribute is then kept raw, as it came).
fn decode_qos(v: &[u8]) -> Option<Vec<VlanQos>> {
    let mut out = Vec::new();
    for a in Attrs::new(v) {
        let a = a.ok()?;
        if a.ty != IFLA_VLAN_QOS_MAPPING || a.value.len() != 8 {
            return None;
        }
        let w = |i: usize| {
            u32::from_ne_bytes([a.value[i], a.value[i + 1], a.value[i + 2], a.value[i + 3]])
        };
        out.push(VlanQos::new(w(0), w(4)));
    }
    Some(out)
}

// ---------------------------------------------------------------------------------
// macvlan, macvtap
// ---------------------------------------------------------------------------------

named_enum! {
    /// How a macvlan (or macvtap) reaches its siblings (`IFLA_MACVLAN_MODE`).
    MacvlanMode(u32) {
        /// `private`: never with another macvlan of the same parent.
        Private = MACVLAN_MODE_PRIVATE => "private",
        /// `vepa`: through the external switch (the default).
        Vepa = MACVLAN_MODE_VEPA => "vepa",
        /// `bridge`: directly, through the parent.
        Bridge = MACVLAN_MODE_BRIDGE => "bridge",
        /// `passthru`: takes over the parent (one macvlan per parent).
        Passthru = MACVLAN_MODE_PASSTHRU => "passthru",
        /// `source`: receives only from the source MACs it lists.
        Source = MACVLAN_MODE_SOURCE => "source",
    }
}

/// A macvlan's flags (`IFLA_MACVLAN_FLAGS`, a `u16`; bits this crate does not name
/// are kept).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MacvlanFlags {
    /// `nopromisc` (`MACVLAN_FLAG_NOPROMISC`, passthru mode): leave the parent's
    /// promiscuous mode alone.
    pub nopromisc: bool,
    /// `nodst` (`MACVLAN_FLAG_NODST`, source mode): do not also deliver to the
    /// macvlan the destination MAC names.
    pub nodst: bool,
    /// Other bits, as they came.
    pub other: u16,
}

impl MacvlanFlags {
    /// The `u16` on the wire.
    pub fn bits(self) -> u16 {
        (if self.nopromisc {
            MACVLAN_FLAG_NOPROMISC
        } else {
            0
        }) | (if self.nodst { MACVLAN_FLAG_NODST } else { 0 })
            | (self.other & !(MACVLAN_FLAG_NOPROMISC | MACVLAN_FLAG_NODST))
    }

    /// From the `u16` on the wire.
    pub fn from_bits(f: u16) -> MacvlanFlags {
        MacvlanFlags {
            nopromisc: f & MACVLAN_FLAG_NOPROMISC != 0,
            nodst: f & MACVLAN_FLAG_NODST != 0,
            other: f & !(MACVLAN_FLAG_NOPROMISC | MACVLAN_FLAG_NODST),
        }
    }
}

/// `type macvlan` / `type macvtap` (`ip link add link PARENT name NAME type macvlan
/// [macaddr set MAC...] [bcqueuelen N] mode MODE [nopromisc] [nodst]`): a link with
/// its own MAC on [`Link::link`] (the parent, required at creation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Macvlan {
    /// `mode` (`IFLA_MACVLAN_MODE`; the kernel's default is `vepa`).
    pub mode: Option<MacvlanMode>,
    /// `nopromisc` / `nodst` (`IFLA_MACVLAN_FLAGS`): sent as one value, all flags
    /// at once, when `Some`.
    pub flags: Option<MacvlanFlags>,
    /// `macaddr set MAC...` (source mode): the source MACs (`IFLA_MACVLAN_MACADDR_MODE`
    /// `MACVLAN_MACADDR_SET` + `IFLA_MACVLAN_MACADDR_DATA`); read back as reported.
    pub source_macs: Option<Vec<MacAddr>>,
    /// `bcqueuelen N` (`IFLA_MACVLAN_BC_QUEUE_LEN`).
    pub bc_queue_len: Option<u32>,
    /// `IFLA_MACVLAN_MACADDR_COUNT` (reported, never sent).
    pub source_count: Option<u32>,
    /// `IFLA_MACVLAN_BC_QUEUE_LEN_USED` (reported, never sent).
    pub bc_queue_len_used: Option<u32>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Macvlan {
    /// `mode MODE`, nothing else.
    #[inline]
    pub fn new(mode: MacvlanMode) -> Macvlan {
        Macvlan {
            mode: Some(mode),
            ..Default::default()
        }
    }

    fn check(&self) -> Result<()> {
        if let Some(MacvlanMode::Other(m)) = self.mode {
            return Err(bad(
                "macvlan mode",
                m,
                "not one of private, vepa, bridge, passthru, source",
            ));
        }
        if let Some(macs) = &self.source_macs {
            if self.mode.is_some_and(|m| m != MacvlanMode::Source) {
                return Err(bad(
                    "macvlan source MACs",
                    macs.len() as u32,
                    "source MACs need mode source",
                ));
            }
            for m in macs {
                m.check_unicast()?;
            }
        }
        Ok(())
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        if let Some(macs) = &self.source_macs {
            b.attr_u32(IFLA_MACVLAN_MACADDR_MODE, MACVLAN_MACADDR_SET)?;
            let n = b.begin_nested(IFLA_MACVLAN_MACADDR_DATA)?;
            for m in macs {
                b.attr_bytes(IFLA_MACVLAN_MACADDR, &m.0)?;
            }
            b.end_nested(n)?;
        }
        emit_u32(b, IFLA_MACVLAN_BC_QUEUE_LEN, self.bc_queue_len)?;
        emit_raw(b, &self.other)?;
        emit_u32(b, IFLA_MACVLAN_MODE, self.mode.map(MacvlanMode::value))?;
        emit_u16(b, IFLA_MACVLAN_FLAGS, self.flags.map(MacvlanFlags::bits))?;
        Ok(())
    }

    fn decode(data: &[u8]) -> Macvlan {
        let mut m = Macvlan::default();
        for a in Attrs::new(data).flatten() {
            match a.ty {
                IFLA_MACVLAN_MODE => take(
                    &mut m.mode,
                    u32_of(&a).map(MacvlanMode::from_value),
                    &a,
                    &mut m.other,
                ),
                IFLA_MACVLAN_FLAGS => match u16_of(&a) {
                    Some(f) => m.flags = Some(MacvlanFlags::from_bits(f)),
                    None => m.other.push_attr(&a),
                },
                // Sent with the source MACs; implied by them.
                IFLA_MACVLAN_MACADDR_MODE if u32_of(&a) == Some(MACVLAN_MACADDR_SET) => {}
                IFLA_MACVLAN_MACADDR_DATA => {
                    let macs = a
                        .nested()
                        .flatten()
                        .filter(|n| n.ty == IFLA_MACVLAN_MACADDR)
                        .filter_map(|n| <[u8; 6]>::try_from(n.value).ok().map(MacAddr))
                        .collect();
                    m.source_macs = Some(macs);
                }
                IFLA_MACVLAN_MACADDR_COUNT => {
                    take(&mut m.source_count, u32_of(&a), &a, &mut m.other)
                }
                IFLA_MACVLAN_BC_QUEUE_LEN => {
                    take(&mut m.bc_queue_len, u32_of(&a), &a, &mut m.other)
                }
                IFLA_MACVLAN_BC_QUEUE_LEN_USED => {
                    take(&mut m.bc_queue_len_used, u32_of(&a), &a, &mut m.other)
                }
                _ => m.other.push_attr(&a),
            }
        }
        m
    }
}

// ---------------------------------------------------------------------------------
// ipvlan
// ---------------------------------------------------------------------------------

named_enum! {
    /// Where an ipvlan switches (`IFLA_IPVLAN_MODE`).
    IpvlanMode(u16) {
        /// `l2`: layer 2 (the default).
        L2 = IPVLAN_MODE_L2 => "l2",
        /// `l3`: layer 3, no multicast.
        L3 = IPVLAN_MODE_L3 => "l3",
        /// `l3s`: layer 3 with netfilter (the l3mdev path).
        L3s = IPVLAN_MODE_L3S => "l3s",
    }
}

named_enum! {
    /// How ipvlan siblings reach each other (`IFLA_IPVLAN_FLAGS`).
    IpvlanFlags(u16) {
        /// `bridge`: directly (the default, no flag).
        Bridge = 0 => "bridge",
        /// `private`: never (`IPVLAN_F_PRIVATE`).
        Private = IPVLAN_F_PRIVATE => "private",
        /// `vepa`: through the external switch (`IPVLAN_F_VEPA`).
        Vepa = IPVLAN_F_VEPA => "vepa",
    }
}

/// `type ipvlan` (`ip link add link PARENT name NAME type ipvlan mode l2|l3|l3s
/// [bridge|private|vepa]`): links sharing the parent's MAC ([`Link::link`], required
/// at creation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ipvlan {
    /// `mode`.
    pub mode: Option<IpvlanMode>,
    /// `bridge` / `private` / `vepa` (`ip` always sends it, `bridge` when not given).
    pub flags: Option<IpvlanFlags>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Ipvlan {
    /// `mode MODE` (`bridge`), as `ip link add ... type ipvlan mode MODE` sends it.
    #[inline]
    pub fn new(mode: IpvlanMode) -> Ipvlan {
        Ipvlan {
            mode: Some(mode),
            flags: Some(IpvlanFlags::Bridge),
            other: RawAttrs::new(),
        }
    }

    fn check(&self) -> Result<()> {
        if let Some(IpvlanMode::Other(m)) = self.mode {
            return Err(bad("ipvlan mode", u32::from(m), "not one of l2, l3, l3s"));
        }
        if let Some(IpvlanFlags::Other(f)) = self.flags {
            return Err(bad(
                "ipvlan flags",
                u32::from(f),
                "not one of bridge, private, vepa (private and vepa exclude each other)",
            ));
        }
        Ok(())
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        emit_u16(b, IFLA_IPVLAN_MODE, self.mode.map(IpvlanMode::value))?;
        emit_raw(b, &self.other)?;
        emit_u16(b, IFLA_IPVLAN_FLAGS, self.flags.map(IpvlanFlags::value))
    }

    fn decode(data: &[u8]) -> Ipvlan {
        let mut v = Ipvlan::default();
        for a in Attrs::new(data).flatten() {
            match a.ty {
                IFLA_IPVLAN_MODE => take(
                    &mut v.mode,
                    u16_of(&a).map(IpvlanMode::from_value),
                    &a,
                    &mut v.other,
                ),
                IFLA_IPVLAN_FLAGS => take(
                    &mut v.flags,
                    u16_of(&a).map(IpvlanFlags::from_value),
                    &a,
                    &mut v.other,
                ),
                _ => v.other.push_attr(&a),
            }
        }
        v
    }
}

// ---------------------------------------------------------------------------------
// vxlan
// ---------------------------------------------------------------------------------

named_enum! {
    /// The Don't Fragment bit of the outer IPv4 header (`IFLA_VXLAN_DF`,
    /// `IFLA_GENEVE_DF`).
    TunnelDf(u8) {
        /// `unset` (the default).
        Unset = 0 => "unset",
        /// `set`.
        Set = 1 => "set",
        /// `inherit`: from the inner IPv4 header.
        Inherit = 2 => "inherit",
    }
}

/// `type vxlan` (`ip link add NAME type vxlan id VNI [dev PARENT] [ttl TTL] [tos TOS]
/// [df DF] [flowlabel L] [ageing S] [maxaddress N] [srcport LOW HIGH] [proxy]
/// [rsc] [l2miss] [l3miss] [udpcsum] [udp6zerocsumtx] [udp6zerocsumrx] [external]
/// [gbp] [gpe] [local ADDR] [remote|group ADDR] [nolearning] [dstport PORT]`).
///
/// [`remote`](Self::remote) is one address attribute for both: a unicast address is
/// the remote end, a multicast one the group to join (which needs
/// [`link`](Self::link), the device to join it on).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vxlan {
    /// `id`: the VXLAN network identifier, below 2^24 (required unless
    /// [`external`](Self::external)).
    pub vni: Option<u32>,
    /// `local`: the source address (IPv4 or IPv6).
    pub local: Option<IpAddr>,
    /// `remote` / `group`: the unicast destination or multicast group, same family as
    /// [`local`](Self::local) (`IFLA_VXLAN_GROUP` / `IFLA_VXLAN_GROUP6`).
    pub remote: Option<IpAddr>,
    /// `dev`: the underlying link, by index (`IFLA_VXLAN_LINK`).
    pub link: Option<u32>,
    /// `dstport`: the UDP destination port (the kernel's default is 8472; IANA's is
    /// 4789). 0 sends nothing, as `ip` does.
    pub port: Option<u16>,
    /// `srcport LOW HIGH`: the UDP source port range.
    pub port_range: Option<(u16, u16)>,
    /// `ttl`: 1 to 255, or 0 for `auto`.
    pub ttl: Option<u8>,
    /// `ttl inherit` (`IFLA_VXLAN_TTL_INHERIT`, a flag).
    pub ttl_inherit: bool,
    /// `tos`: 1 for `inherit`.
    pub tos: Option<u8>,
    /// `df`.
    pub df: Option<TunnelDf>,
    /// `flowlabel`: the IPv6 flow label, below 2^20.
    pub label: Option<u32>,
    /// `[no]learning`: learn remote MACs (`ip` sends it at creation, on unless told).
    pub learning: Option<bool>,
    /// `ageing`: seconds an FDB entry lives.
    pub ageing: Option<u32>,
    /// `maxaddress`: FDB size limit (0: unlimited).
    pub limit: Option<u32>,
    /// `[no]proxy`: ARP/ND proxy.
    pub proxy: Option<bool>,
    /// `[no]rsc`: route short circuit.
    pub rsc: Option<bool>,
    /// `[no]l2miss`.
    pub l2miss: Option<bool>,
    /// `[no]l3miss`.
    pub l3miss: Option<bool>,
    /// `[no]udpcsum`.
    pub udp_csum: Option<bool>,
    /// `[no]udp6zerocsumtx`.
    pub udp_zero_csum6_tx: Option<bool>,
    /// `[no]udp6zerocsumrx`.
    pub udp_zero_csum6_rx: Option<bool>,
    /// `[no]external`: collect metadata (one device for every VNI, steered by tc or
    /// BPF); excludes [`vni`](Self::vni).
    pub external: Option<bool>,
    /// `gbp`: the Group Based Policy extension (a flag).
    pub gbp: bool,
    /// `gpe`: the Generic Protocol Extension (a flag).
    pub gpe: bool,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Vxlan {
    /// VNI `vni`, learning on, as `ip link add NAME type vxlan id VNI` sends it.
    #[inline]
    pub fn new(vni: u32) -> Vxlan {
        Vxlan {
            vni: Some(vni),
            learning: Some(true),
            ..Default::default()
        }
    }

    fn check(&self, verb: Verb) -> Result<()> {
        match self.vni {
            Some(v) if v >= 1 << 24 => {
                return Err(bad("VXLAN id", v, "a VNI is 24 bits: below 16777216"))
            }
            Some(v) if self.external == Some(true) => {
                return Err(bad(
                    "VXLAN id",
                    v,
                    "an external (metadata) device carries no VNI",
                ))
            }
            None if verb == Verb::Add && self.external != Some(true) => {
                return Err(bad_s(
                    "VXLAN id",
                    "(none)",
                    "a new VXLAN needs its VNI (or external)",
                ))
            }
            _ => {}
        }
        same_family("VXLAN addresses", self.local, self.remote)?;
        if let Some(l) = self.local {
            if l.is_multicast() {
                return Err(bad_s(
                    "VXLAN local address",
                    "a multicast address",
                    "must not be multicast",
                ));
            }
        }
        if let Some(r) = self.remote {
            if r.is_multicast() && self.link.is_none() {
                return Err(bad_s(
                    "VXLAN group",
                    "a multicast address without link",
                    "a multicast group needs the device to join it on (link)",
                ));
            }
        }
        if let Some((lo, hi)) = self.port_range {
            if lo > hi {
                return Err(bad(
                    "VXLAN source port range",
                    u32::from(lo),
                    "the low port is above the high one",
                ));
            }
        }
        if let Some(l) = self.label {
            if l >= 1 << 20 {
                return Err(bad("VXLAN flow label", l, "a flow label is 20 bits"));
            }
        }
        if let Some(TunnelDf::Other(v)) = self.df {
            return Err(bad("VXLAN df", u32::from(v), "not unset, set or inherit"));
        }
        Ok(())
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        // What `ip` sends as it reads the options ...
        emit_u32(b, IFLA_VXLAN_LINK, self.link)?;
        emit_u8(b, IFLA_VXLAN_TTL, self.ttl)?;
        if self.ttl_inherit {
            b.attr_flag(IFLA_VXLAN_TTL_INHERIT)?;
        }
        emit_u8(b, IFLA_VXLAN_TOS, self.tos)?;
        emit_u8(b, IFLA_VXLAN_DF, self.df.map(TunnelDf::value))?;
        if let Some(l) = self.label {
            put_be32(b, IFLA_VXLAN_LABEL, l)?;
        }
        emit_u32(b, IFLA_VXLAN_AGEING, self.ageing)?;
        emit_u32(b, IFLA_VXLAN_LIMIT, self.limit)?;
        if let Some((lo, hi)) = self.port_range {
            let mut r = [0u8; 4];
            r[..2].copy_from_slice(&lo.to_be_bytes());
            r[2..].copy_from_slice(&hi.to_be_bytes());
            b.attr_bytes(IFLA_VXLAN_PORT_RANGE, &r)?;
        }
        emit_bool(b, IFLA_VXLAN_PROXY, self.proxy)?;
        emit_bool(b, IFLA_VXLAN_RSC, self.rsc)?;
        emit_bool(b, IFLA_VXLAN_L2MISS, self.l2miss)?;
        emit_bool(b, IFLA_VXLAN_L3MISS, self.l3miss)?;
        emit_bool(b, IFLA_VXLAN_UDP_CSUM, self.udp_csum)?;
        emit_bool(b, IFLA_VXLAN_UDP_ZERO_CSUM6_TX, self.udp_zero_csum6_tx)?;
        emit_bool(b, IFLA_VXLAN_UDP_ZERO_CSUM6_RX, self.udp_zero_csum6_rx)?;
        emit_bool(b, IFLA_VXLAN_COLLECT_METADATA, self.external)?;
        if self.gbp {
            b.attr_flag(IFLA_VXLAN_GBP)?;
        }
        if self.gpe {
            b.attr_flag(IFLA_VXLAN_GPE)?;
        }
        emit_raw(b, &self.other)?;
        // ... and what it sends last, in this order.
        emit_u32(b, IFLA_VXLAN_ID, self.vni)?;
        emit_ip(b, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, self.local)?;
        emit_ip(b, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, self.remote)?;
        emit_bool(b, IFLA_VXLAN_LEARNING, self.learning)?;
        match self.port {
            Some(p) if p != 0 => put_be16(b, IFLA_VXLAN_PORT, p),
            _ => Ok(()),
        }
    }

    fn decode(data: &[u8]) -> Vxlan {
        let mut v = Vxlan::default();
        for a in Attrs::new(data).flatten() {
            let o = &mut v.other;
            match a.ty {
                IFLA_VXLAN_ID => take(&mut v.vni, u32_of(&a), &a, o),
                IFLA_VXLAN_GROUP => take(&mut v.remote, v4_of(&a), &a, o),
                IFLA_VXLAN_GROUP6 => take(&mut v.remote, v6_of(&a), &a, o),
                IFLA_VXLAN_LOCAL => take(&mut v.local, v4_of(&a), &a, o),
                IFLA_VXLAN_LOCAL6 => take(&mut v.local, v6_of(&a), &a, o),
                IFLA_VXLAN_LINK => take(&mut v.link, u32_of(&a), &a, o),
                IFLA_VXLAN_PORT => take(&mut v.port, be16_of(&a), &a, o),
                IFLA_VXLAN_PORT_RANGE if a.value.len() == 4 => {
                    let lo = u16::from_be_bytes([a.value[0], a.value[1]]);
                    let hi = u16::from_be_bytes([a.value[2], a.value[3]]);
                    v.port_range = Some((lo, hi));
                }
                IFLA_VXLAN_TTL => take(&mut v.ttl, u8_of(&a), &a, o),
                IFLA_VXLAN_TTL_INHERIT if a.value.is_empty() => v.ttl_inherit = true,
                IFLA_VXLAN_TOS => take(&mut v.tos, u8_of(&a), &a, o),
                IFLA_VXLAN_DF => take(&mut v.df, u8_of(&a).map(TunnelDf::from_value), &a, o),
                IFLA_VXLAN_LABEL => take(&mut v.label, be32_of(&a), &a, o),
                IFLA_VXLAN_LEARNING => take(&mut v.learning, bool_of(&a), &a, o),
                IFLA_VXLAN_AGEING => take(&mut v.ageing, u32_of(&a), &a, o),
                IFLA_VXLAN_LIMIT => take(&mut v.limit, u32_of(&a), &a, o),
                IFLA_VXLAN_PROXY => take(&mut v.proxy, bool_of(&a), &a, o),
                IFLA_VXLAN_RSC => take(&mut v.rsc, bool_of(&a), &a, o),
                IFLA_VXLAN_L2MISS => take(&mut v.l2miss, bool_of(&a), &a, o),
                IFLA_VXLAN_L3MISS => take(&mut v.l3miss, bool_of(&a), &a, o),
                IFLA_VXLAN_UDP_CSUM => take(&mut v.udp_csum, bool_of(&a), &a, o),
                IFLA_VXLAN_UDP_ZERO_CSUM6_TX => take(&mut v.udp_zero_csum6_tx, bool_of(&a), &a, o),
                IFLA_VXLAN_UDP_ZERO_CSUM6_RX => take(&mut v.udp_zero_csum6_rx, bool_of(&a), &a, o),
                IFLA_VXLAN_COLLECT_METADATA => take(&mut v.external, bool_of(&a), &a, o),
                IFLA_VXLAN_GBP if a.value.is_empty() => v.gbp = true,
                IFLA_VXLAN_GPE if a.value.is_empty() => v.gpe = true,
                _ => o.push_attr(&a),
            }
        }
        v
    }
}

// ---------------------------------------------------------------------------------
// geneve
// ---------------------------------------------------------------------------------

/// `type geneve` (`ip link add NAME type geneve [ttl inherit] [df DF] id VNI remote
/// ADDR [flowlabel L] [ttl TTL] [tos TOS] [dstport PORT] [external]
/// [innerprotoinherit] [[no]udpcsum] [[no]udp6zerocsumtx] [[no]udp6zerocsumrx]`).
///
/// `ip` sends the flow label, TTL and TOS at creation even when not given (0: none,
/// `auto`, `inherit`'s absence); [`Geneve::new`] does the same.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Geneve {
    /// `id`: below 2^24 (`IFLA_GENEVE_ID`).
    pub vni: Option<u32>,
    /// `remote`: the unicast remote end (required unless
    /// [`external`](Self::external)).
    pub remote: Option<IpAddr>,
    /// `ttl`: 0 for `auto`.
    pub ttl: Option<u8>,
    /// `ttl inherit` (`IFLA_GENEVE_TTL_INHERIT`).
    pub ttl_inherit: Option<bool>,
    /// `tos`: 1 for `inherit`.
    pub tos: Option<u8>,
    /// `df`.
    pub df: Option<TunnelDf>,
    /// `flowlabel`, below 2^20.
    pub label: Option<u32>,
    /// `dstport` (the kernel's default: 6081).
    pub port: Option<u16>,
    /// `external`: collect metadata (a flag).
    pub external: bool,
    /// `innerprotoinherit` (a flag).
    pub inner_proto_inherit: bool,
    /// `[no]udpcsum`.
    pub udp_csum: Option<bool>,
    /// `[no]udp6zerocsumtx`.
    pub udp_zero_csum6_tx: Option<bool>,
    /// `[no]udp6zerocsumrx`.
    pub udp_zero_csum6_rx: Option<bool>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Geneve {
    /// VNI `vni` to `remote`, as `ip link add NAME type geneve id VNI remote ADDR`
    /// sends it (flow label 0, TTL auto, TOS 0).
    #[inline]
    pub fn new(vni: u32, remote: IpAddr) -> Geneve {
        Geneve {
            vni: Some(vni),
            remote: Some(remote),
            ttl: Some(0),
            tos: Some(0),
            label: Some(0),
            ..Default::default()
        }
    }

    fn check(&self, verb: Verb) -> Result<()> {
        if let Some(v) = self.vni {
            if v >= 1 << 24 {
                return Err(bad("Geneve id", v, "a VNI is 24 bits: below 16777216"));
            }
        }
        if verb == Verb::Add && !self.external && (self.vni.is_none() || self.remote.is_none()) {
            return Err(bad_s(
                "Geneve",
                "(no id or remote)",
                "a new Geneve link needs its id and remote (or external)",
            ));
        }
        if let Some(r) = self.remote {
            if r.is_multicast() || r.is_unspecified() {
                return Err(bad_s(
                    "Geneve remote",
                    "a multicast or unspecified address",
                    "must be a unicast address",
                ));
            }
        }
        if let Some(l) = self.label {
            if l >= 1 << 20 {
                return Err(bad("Geneve flow label", l, "a flow label is 20 bits"));
            }
        }
        if let Some(TunnelDf::Other(v)) = self.df {
            return Err(bad("Geneve df", u32::from(v), "not unset, set or inherit"));
        }
        Ok(())
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        emit_bool(b, IFLA_GENEVE_TTL_INHERIT, self.ttl_inherit)?;
        emit_u8(b, IFLA_GENEVE_DF, self.df.map(TunnelDf::value))?;
        emit_raw(b, &self.other)?;
        emit_u32(b, IFLA_GENEVE_ID, self.vni)?;
        emit_ip(b, IFLA_GENEVE_REMOTE, IFLA_GENEVE_REMOTE6, self.remote)?;
        if let Some(l) = self.label {
            put_be32(b, IFLA_GENEVE_LABEL, l)?;
        }
        emit_u8(b, IFLA_GENEVE_TTL, self.ttl)?;
        emit_u8(b, IFLA_GENEVE_TOS, self.tos)?;
        if let Some(p) = self.port.filter(|&p| p != 0) {
            put_be16(b, IFLA_GENEVE_PORT, p)?;
        }
        if self.external {
            b.attr_flag(IFLA_GENEVE_COLLECT_METADATA)?;
        }
        if self.inner_proto_inherit {
            b.attr_flag(IFLA_GENEVE_INNER_PROTO_INHERIT)?;
        }
        emit_bool(b, IFLA_GENEVE_UDP_CSUM, self.udp_csum)?;
        emit_bool(b, IFLA_GENEVE_UDP_ZERO_CSUM6_TX, self.udp_zero_csum6_tx)?;
        emit_bool(b, IFLA_GENEVE_UDP_ZERO_CSUM6_RX, self.udp_zero_csum6_rx)
    }

    fn decode(data: &[u8]) -> Geneve {
        let mut g = Geneve::default();
        for a in Attrs::new(data).flatten() {
            let o = &mut g.other;
            match a.ty {
                IFLA_GENEVE_ID => take(&mut g.vni, u32_of(&a), &a, o),
                IFLA_GENEVE_REMOTE => take(&mut g.remote, v4_of(&a), &a, o),
                IFLA_GENEVE_REMOTE6 => take(&mut g.remote, v6_of(&a), &a, o),
                IFLA_GENEVE_TTL => take(&mut g.ttl, u8_of(&a), &a, o),
                IFLA_GENEVE_TTL_INHERIT => take(&mut g.ttl_inherit, bool_of(&a), &a, o),
                IFLA_GENEVE_TOS => take(&mut g.tos, u8_of(&a), &a, o),
                IFLA_GENEVE_DF => take(&mut g.df, u8_of(&a).map(TunnelDf::from_value), &a, o),
                IFLA_GENEVE_LABEL => take(&mut g.label, be32_of(&a), &a, o),
                IFLA_GENEVE_PORT => take(&mut g.port, be16_of(&a), &a, o),
                IFLA_GENEVE_COLLECT_METADATA if a.value.is_empty() => g.external = true,
                IFLA_GENEVE_INNER_PROTO_INHERIT if a.value.is_empty() => {
                    g.inner_proto_inherit = true
                }
                IFLA_GENEVE_UDP_CSUM => take(&mut g.udp_csum, bool_of(&a), &a, o),
                IFLA_GENEVE_UDP_ZERO_CSUM6_TX => take(&mut g.udp_zero_csum6_tx, bool_of(&a), &a, o),
                IFLA_GENEVE_UDP_ZERO_CSUM6_RX => take(&mut g.udp_zero_csum6_rx, bool_of(&a), &a, o),
                _ => o.push_attr(&a),
            }
        }
        g
    }
}

// ---------------------------------------------------------------------------------
// vrf
// ---------------------------------------------------------------------------------

/// `type vrf` (`ip link add NAME type vrf table TABLE`): an L3 master device whose
/// ports route through `table`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vrf {
    /// `table`: the routing table (required at creation; not 0).
    pub table: Option<u32>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Vrf {
    fn check(&self, verb: Verb) -> Result<()> {
        match self.table {
            Some(0) => Err(bad("VRF table", 0, "table 0 is no table")),
            None if verb == Verb::Add => {
                Err(bad_s("VRF table", "(none)", "a new VRF needs its table"))
            }
            _ => Ok(()),
        }
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        emit_u32(b, IFLA_VRF_TABLE, self.table)?;
        emit_raw(b, &self.other)
    }

    fn decode(data: &[u8]) -> Vrf {
        let mut v = Vrf::default();
        for a in Attrs::new(data).flatten() {
            match a.ty {
                IFLA_VRF_TABLE => take(&mut v.table, u32_of(&a), &a, &mut v.other),
                _ => v.other.push_attr(&a),
            }
        }
        v
    }
}

// ---------------------------------------------------------------------------------
// bond
// ---------------------------------------------------------------------------------

named_enum! {
    /// A bond's mode (`IFLA_BOND_MODE`).
    BondMode(u8) {
        /// `balance-rr` (the default).
        BalanceRr = 0 => "balance-rr",
        /// `active-backup`.
        ActiveBackup = 1 => "active-backup",
        /// `balance-xor`.
        BalanceXor = 2 => "balance-xor",
        /// `broadcast`.
        Broadcast = 3 => "broadcast",
        /// `802.3ad` (LACP).
        Lacp = 4 => "802.3ad",
        /// `balance-tlb`.
        BalanceTlb = 5 => "balance-tlb",
        /// `balance-alb`.
        BalanceAlb = 6 => "balance-alb",
    }
}

named_enum! {
    /// Which ARP replies and traffic a bond's ARP monitor counts
    /// (`IFLA_BOND_ARP_VALIDATE`, `arp_validate`).
    BondArpValidate(u32) {
        /// `none` (the default).
        None = 0 => "none",
        /// `active`: validate on the active port only.
        Active = 1 => "active",
        /// `backup`: on the backup ports only.
        Backup = 2 => "backup",
        /// `all`: on every port.
        All = 3 => "all",
        /// `filter`: count only ARP traffic, no validation.
        Filter = 4 => "filter",
        /// `filter_active`.
        FilterActive = 5 => "filter_active",
        /// `filter_backup`.
        FilterBackup = 6 => "filter_backup",
    }
}

named_enum! {
    /// Which ARP targets must answer for a port to count as up
    /// (`IFLA_BOND_ARP_ALL_TARGETS`, `arp_all_targets`).
    BondArpAllTargets(u32) {
        /// `any` (the default).
        Any = 0 => "any",
        /// `all`.
        All = 1 => "all",
    }
}

/// At most this many ARP targets (`BOND_MAX_ARP_TARGETS`).
pub const BOND_MAX_ARP_TARGETS: usize = 16;

/// `type bond` (`ip link add NAME type bond [mode MODE] [active_slave DEV] [miimon
/// MS] [updelay MS] [downdelay MS] [use_carrier 0|1] [arp_interval MS]
/// [arp_ip_target ADDR,...] [arp_validate MODE] [arp_all_targets any|all] [primary
/// DEV] [xmit_hash_policy N] [min_links N] [lacp_rate N] [ad_select N]`). Ports join
/// with [`Link::master`] (`ip link set dev PORT master BOND`, the port down). The
/// link monitor is either MII (`miimon`) or ARP (`arp_interval` with targets): the
/// kernel turns one off when the other is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bond {
    /// `mode`.
    pub mode: Option<BondMode>,
    /// `active_slave`: the active port, by index (0: none).
    pub active_port: Option<u32>,
    /// `miimon`: link monitoring interval, ms.
    pub miimon: Option<u32>,
    /// `updelay`, ms.
    pub updelay: Option<u32>,
    /// `downdelay`, ms.
    pub downdelay: Option<u32>,
    /// `use_carrier`.
    pub use_carrier: Option<bool>,
    /// `arp_interval`: ARP monitoring interval, ms (0: off).
    pub arp_interval: Option<u32>,
    /// `arp_ip_target`: the IPv4 addresses the ARP monitor probes, at most
    /// [`BOND_MAX_ARP_TARGETS`]. `None`: not sent; `Some(vec![])`: clears them.
    pub arp_ip_targets: Option<Vec<Ipv4Addr>>,
    /// `arp_validate`.
    pub arp_validate: Option<BondArpValidate>,
    /// `arp_all_targets`.
    pub arp_all_targets: Option<BondArpAllTargets>,
    /// `primary`: the preferred port, by index.
    pub primary: Option<u32>,
    /// `xmit_hash_policy` (0 layer2, 1 layer3+4, 2 layer2+3, 3 encap2+3, 4 encap3+4,
    /// 5 vlan+srcmac).
    pub xmit_hash_policy: Option<u8>,
    /// `min_links`.
    pub min_links: Option<u32>,
    /// `lacp_rate` (0 slow, 1 fast).
    pub lacp_rate: Option<u8>,
    /// `ad_select` (0 stable, 1 bandwidth, 2 count).
    pub ad_select: Option<u8>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl Bond {
    /// `mode MODE`.
    #[inline]
    pub fn new(mode: BondMode) -> Bond {
        Bond {
            mode: Some(mode),
            ..Default::default()
        }
    }

    fn check(&self) -> Result<()> {
        if let Some(BondMode::Other(m)) = self.mode {
            return Err(bad(
                "bond mode",
                u32::from(m),
                "not a bonding mode (0 to 6)",
            ));
        }
        if let Some(p) = self.xmit_hash_policy {
            if p > 5 {
                return Err(bad(
                    "bond xmit_hash_policy",
                    u32::from(p),
                    "not a hash policy (0 to 5)",
                ));
            }
        }
        if let Some(t) = &self.arp_ip_targets {
            if t.len() > BOND_MAX_ARP_TARGETS {
                return Err(bad(
                    "bond arp_ip_target",
                    t.len() as u32,
                    "at most 16 targets (BOND_MAX_ARP_TARGETS)",
                ));
            }
            // The kernel refuses these one by one, after the others are set.
            if let Some(a) = t
                .iter()
                .find(|a| a.is_unspecified() || a.is_broadcast() || a.is_multicast())
            {
                return Err(bad_s(
                    "bond arp_ip_target",
                    &a.to_string(),
                    "not a unicast address (0.0.0.0, 255.255.255.255 or multicast)",
                ));
            }
        }
        if let Some(BondArpValidate::Other(v)) = self.arp_validate {
            return Err(bad(
                "bond arp_validate",
                v,
                "not an arp_validate mode (0 to 6)",
            ));
        }
        if let Some(BondArpAllTargets::Other(v)) = self.arp_all_targets {
            return Err(bad("bond arp_all_targets", v, "must be 0 (any) or 1 (all)"));
        }
        Ok(())
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        emit_u8(b, IFLA_BOND_MODE, self.mode.map(BondMode::value))?;
        emit_u32(b, IFLA_BOND_ACTIVE_SLAVE, self.active_port)?;
        emit_u32(b, IFLA_BOND_MIIMON, self.miimon)?;
        emit_u32(b, IFLA_BOND_UPDELAY, self.updelay)?;
        emit_u32(b, IFLA_BOND_DOWNDELAY, self.downdelay)?;
        emit_bool(b, IFLA_BOND_USE_CARRIER, self.use_carrier)?;
        emit_u32(b, IFLA_BOND_ARP_INTERVAL, self.arp_interval)?;
        if let Some(t) = &self.arp_ip_targets {
            // As iproute2: each target an attribute whose type is its position.
            let n = b.begin_nested(IFLA_BOND_ARP_IP_TARGET)?;
            for (i, a) in t.iter().enumerate() {
                b.attr_ipv4(i as u16, *a)?;
            }
            b.end_nested(n)?;
        }
        emit_u32(
            b,
            IFLA_BOND_ARP_VALIDATE,
            self.arp_validate.map(BondArpValidate::value),
        )?;
        emit_u32(
            b,
            IFLA_BOND_ARP_ALL_TARGETS,
            self.arp_all_targets.map(BondArpAllTargets::value),
        )?;
        emit_u32(b, IFLA_BOND_PRIMARY, self.primary)?;
        emit_u8(b, IFLA_BOND_XMIT_HASH_POLICY, self.xmit_hash_policy)?;
        emit_u32(b, IFLA_BOND_MIN_LINKS, self.min_links)?;
        emit_u8(b, IFLA_BOND_AD_LACP_RATE, self.lacp_rate)?;
        emit_u8(b, IFLA_BOND_AD_SELECT, self.ad_select)?;
        emit_raw(b, &self.other)
    }

    fn decode(data: &[u8]) -> Bond {
        let mut v = Bond::default();
        for a in Attrs::new(data).flatten() {
            let o = &mut v.other;
            match a.ty {
                IFLA_BOND_MODE => take(&mut v.mode, u8_of(&a).map(BondMode::from_value), &a, o),
                IFLA_BOND_ACTIVE_SLAVE => take(&mut v.active_port, u32_of(&a), &a, o),
                IFLA_BOND_MIIMON => take(&mut v.miimon, u32_of(&a), &a, o),
                IFLA_BOND_UPDELAY => take(&mut v.updelay, u32_of(&a), &a, o),
                IFLA_BOND_DOWNDELAY => take(&mut v.downdelay, u32_of(&a), &a, o),
                IFLA_BOND_USE_CARRIER => take(&mut v.use_carrier, bool_of(&a), &a, o),
                IFLA_BOND_ARP_INTERVAL => take(&mut v.arp_interval, u32_of(&a), &a, o),
                IFLA_BOND_ARP_IP_TARGET => {
                    let t: Option<Vec<Ipv4Addr>> = Attrs::new(a.value)
                        .map(|t| {
                            let t = t.ok()?;
                            <[u8; 4]>::try_from(t.value).ok().map(Ipv4Addr::from)
                        })
                        .collect();
                    take(&mut v.arp_ip_targets, t, &a, o)
                }
                IFLA_BOND_ARP_VALIDATE => take(
                    &mut v.arp_validate,
                    u32_of(&a).map(BondArpValidate::from_value),
                    &a,
                    o,
                ),
                IFLA_BOND_ARP_ALL_TARGETS => take(
                    &mut v.arp_all_targets,
                    u32_of(&a).map(BondArpAllTargets::from_value),
                    &a,
                    o,
                ),
                IFLA_BOND_PRIMARY => take(&mut v.primary, u32_of(&a), &a, o),
                IFLA_BOND_XMIT_HASH_POLICY => take(&mut v.xmit_hash_policy, u8_of(&a), &a, o),
                IFLA_BOND_MIN_LINKS => take(&mut v.min_links, u32_of(&a), &a, o),
                IFLA_BOND_AD_LACP_RATE => take(&mut v.lacp_rate, u8_of(&a), &a, o),
                IFLA_BOND_AD_SELECT => take(&mut v.ad_select, u8_of(&a), &a, o),
                _ => o.push_attr(&a),
            }
        }
        v
    }
}

// ---------------------------------------------------------------------------------
// tun / tap (reported only)
// ---------------------------------------------------------------------------------

named_enum! {
    /// What a `tun` device carries (`IFLA_TUN_TYPE`).
    TunMode(u8) {
        /// `tun`: IP packets (`IFF_TUN`).
        Tun = 1 => "tun",
        /// `tap`: Ethernet frames (`IFF_TAP`).
        Tap = 2 => "tap",
    }
}

/// What the kernel reports of a `tun`/`tap` device (`IFLA_INFO_KIND` `"tun"`, Linux
/// ≥ 4.15): these devices are made through `/dev/net/tun` ([`crate::tun`]), never by
/// `RTM_NEWLINK`, which the kernel refuses for them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TunInfo {
    /// `IFLA_TUN_TYPE`.
    pub mode: Option<TunMode>,
    /// `IFLA_TUN_OWNER`: the owning uid, when set.
    pub owner: Option<u32>,
    /// `IFLA_TUN_GROUP`: the owning gid, when set.
    pub group: Option<u32>,
    /// `IFLA_TUN_PI`: packet information headers (`IFF_NO_PI` unset).
    pub pi: Option<bool>,
    /// `IFLA_TUN_VNET_HDR`: virtio-net headers (`IFF_VNET_HDR`).
    pub vnet_hdr: Option<bool>,
    /// `IFLA_TUN_PERSIST`: outlives its descriptors (`TUNSETPERSIST`).
    pub persist: Option<bool>,
    /// `IFLA_TUN_MULTI_QUEUE` (`IFF_MULTI_QUEUE`).
    pub multi_queue: Option<bool>,
    /// `IFLA_TUN_NUM_QUEUES`: queues attached now.
    pub num_queues: Option<u32>,
    /// `IFLA_TUN_NUM_DISABLED_QUEUES`.
    pub num_disabled_queues: Option<u32>,
    /// Attributes this crate does not model, as they came.
    pub other: RawAttrs,
}

impl TunInfo {
    fn decode(data: &[u8]) -> TunInfo {
        let mut t = TunInfo::default();
        for a in Attrs::new(data).flatten() {
            let o = &mut t.other;
            match a.ty {
                IFLA_TUN_TYPE => take(&mut t.mode, u8_of(&a).map(TunMode::from_value), &a, o),
                IFLA_TUN_OWNER => take(&mut t.owner, u32_of(&a), &a, o),
                IFLA_TUN_GROUP => take(&mut t.group, u32_of(&a), &a, o),
                IFLA_TUN_PI => take(&mut t.pi, bool_of(&a), &a, o),
                IFLA_TUN_VNET_HDR => take(&mut t.vnet_hdr, bool_of(&a), &a, o),
                IFLA_TUN_PERSIST => take(&mut t.persist, bool_of(&a), &a, o),
                IFLA_TUN_MULTI_QUEUE => take(&mut t.multi_queue, bool_of(&a), &a, o),
                IFLA_TUN_NUM_QUEUES => take(&mut t.num_queues, u32_of(&a), &a, o),
                IFLA_TUN_NUM_DISABLED_QUEUES => take(&mut t.num_disabled_queues, u32_of(&a), &a, o),
                _ => o.push_attr(&a),
            }
        }
        t
    }
}

// ---------------------------------------------------------------------------------
// bridge ports (IFLA_BRPORT_*)
// ---------------------------------------------------------------------------------

/// A bridge port's options (`IFLA_BRPORT_*`): what `bridge link set dev PORT ...`
/// sends in `IFLA_PROTINFO` ([`crate::wire::bridge::PortChange`]), and what the
/// kernel reports of a port (in `IFLA_INFO_SLAVE_DATA` of a link dump,
/// [`Link::bridge_port`], and in `IFLA_PROTINFO` of an `AF_BRIDGE` dump).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BridgePort {
    /// `guard on|off`: BPDU guard.
    pub guard: Option<bool>,
    /// `hairpin on|off`: send frames back out the port they came in on.
    pub hairpin: Option<bool>,
    /// `fastleave on|off`.
    pub fast_leave: Option<bool>,
    /// `root_block on|off`.
    pub root_block: Option<bool>,
    /// `flood on|off`: unknown unicast flooding.
    pub flooding: Option<bool>,
    /// `mcast_flood on|off`.
    pub mcast_flood: Option<bool>,
    /// `bcast_flood on|off`.
    pub bcast_flood: Option<bool>,
    /// `learning on|off`: MAC learning.
    pub learning: Option<bool>,
    /// `cost N`.
    pub cost: Option<u32>,
    /// `priority N`.
    pub priority: Option<u16>,
    /// `state N`: the STP state (0 disabled, 1 listening, 2 learning, 3 forwarding,
    /// 4 blocking).
    pub state: Option<u8>,
    /// `neigh_suppress on|off`.
    pub neigh_suppress: Option<bool>,
    /// `isolated on|off`: isolated ports reach only non-isolated ones.
    pub isolated: Option<bool>,
    /// Attributes this crate does not model (reported ids and timers), as they came;
    /// never sent.
    pub other: RawAttrs,
}

impl BridgePort {
    /// Emits the options that are set in `bridge link set`'s order (never `other`).
    pub(crate) fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        emit_bool(b, IFLA_BRPORT_GUARD, self.guard)?;
        emit_bool(b, IFLA_BRPORT_MODE, self.hairpin)?;
        emit_bool(b, IFLA_BRPORT_FAST_LEAVE, self.fast_leave)?;
        emit_bool(b, IFLA_BRPORT_PROTECT, self.root_block)?;
        emit_bool(b, IFLA_BRPORT_UNICAST_FLOOD, self.flooding)?;
        emit_bool(b, IFLA_BRPORT_MCAST_FLOOD, self.mcast_flood)?;
        emit_bool(b, IFLA_BRPORT_BCAST_FLOOD, self.bcast_flood)?;
        emit_bool(b, IFLA_BRPORT_LEARNING, self.learning)?;
        emit_u32(b, IFLA_BRPORT_COST, self.cost)?;
        emit_u16(b, IFLA_BRPORT_PRIORITY, self.priority)?;
        emit_u8(b, IFLA_BRPORT_STATE, self.state)?;
        emit_bool(b, IFLA_BRPORT_NEIGH_SUPPRESS, self.neigh_suppress)?;
        emit_bool(b, IFLA_BRPORT_ISOLATED, self.isolated)
    }

    /// True when no option is set (what [`other`](Self::other) holds is not sent).
    pub fn is_empty(&self) -> bool {
        [
            self.guard,
            self.hairpin,
            self.fast_leave,
            self.root_block,
            self.flooding,
            self.mcast_flood,
            self.bcast_flood,
            self.learning,
            self.neigh_suppress,
            self.isolated,
        ]
        .iter()
        .all(Option::is_none)
            && self.cost.is_none()
            && self.priority.is_none()
            && self.state.is_none()
    }

    pub(crate) fn check(&self) -> Result<()> {
        if let Some(s) = self.state {
            if s > 4 {
                return Err(bad(
                    "bridge port state",
                    u32::from(s),
                    "not an STP state (0 to 4)",
                ));
            }
        }
        Ok(())
    }

    /// Reads `IFLA_BRPORT_*` attributes.
    pub fn decode(data: &[u8]) -> BridgePort {
        let mut p = BridgePort::default();
        for a in Attrs::new(data).flatten() {
            let o = &mut p.other;
            match a.ty {
                IFLA_BRPORT_GUARD => take(&mut p.guard, bool_of(&a), &a, o),
                IFLA_BRPORT_MODE => take(&mut p.hairpin, bool_of(&a), &a, o),
                IFLA_BRPORT_FAST_LEAVE => take(&mut p.fast_leave, bool_of(&a), &a, o),
                IFLA_BRPORT_PROTECT => take(&mut p.root_block, bool_of(&a), &a, o),
                IFLA_BRPORT_UNICAST_FLOOD => take(&mut p.flooding, bool_of(&a), &a, o),
                IFLA_BRPORT_MCAST_FLOOD => take(&mut p.mcast_flood, bool_of(&a), &a, o),
                IFLA_BRPORT_BCAST_FLOOD => take(&mut p.bcast_flood, bool_of(&a), &a, o),
                IFLA_BRPORT_LEARNING => take(&mut p.learning, bool_of(&a), &a, o),
                IFLA_BRPORT_COST => take(&mut p.cost, u32_of(&a), &a, o),
                IFLA_BRPORT_PRIORITY => take(&mut p.priority, u16_of(&a), &a, o),
                IFLA_BRPORT_STATE => take(&mut p.state, u8_of(&a), &a, o),
                IFLA_BRPORT_NEIGH_SUPPRESS => take(&mut p.neigh_suppress, bool_of(&a), &a, o),
                IFLA_BRPORT_ISOLATED => take(&mut p.isolated, bool_of(&a), &a, o),
                _ => o.push_attr(&a),
            }
        }
        p
    }
}

// ---------------------------------------------------------------------------------
// LinkKind: the typed kinds' part
// ---------------------------------------------------------------------------------

/// `IFLA_INFO_KIND` with `name` (bare, as iproute2 sends it), padded to `N` bytes:
/// built at compile time, where a wrong `N` for the name fails the build.
const fn kind_attr<const N: usize>(name: &[u8]) -> [u8; N] {
    assert!(
        N == (RtAttr::LEN + name.len()).div_ceil(4) * 4,
        "N: the aligned length"
    );
    let mut a = [0u8; N];
    let len = ((RtAttr::LEN + name.len()) as u16).to_ne_bytes();
    let ty = IFLA_INFO_KIND.to_ne_bytes();
    a[0] = len[0];
    a[1] = len[1];
    a[2] = ty[0];
    a[3] = ty[1];
    let mut i = 0;
    while i < name.len() {
        a[RtAttr::LEN + i] = name[i];
        i += 1;
    }
    a
}

/// The options a kind writes into `IFLA_INFO_DATA`.
type Emit<'f> = &'f mut dyn FnMut(&mut MsgBuilder<'_>) -> Result<(), WireError>;

/// Writes `IFLA_INFO_DATA` with what `f` emits; none at all when `f` writes nothing
/// (as `ip` sends no data for `type KIND` without options). One copy for every kind
/// (`f` is dynamic: the binary pays for this once).
#[inline(never)]
fn data(b: &mut MsgBuilder<'_>, f: Emit<'_>) -> Result<(), WireError> {
    let n = match b.begin_nested(IFLA_INFO_DATA) {
        Ok(n) => n,
        // No room even for the nest's header: right only when there is nothing to
        // put in it (found by the fuzzer: a kind without options that fills the
        // buffer exactly).
        Err(WireError::BufferTooSmall) => {
            let mut scratch = [0u8; 32];
            let mut s = MsgBuilder::new(&mut scratch, 0, 0)?;
            let start = s.len();
            return match f(&mut s) {
                Ok(()) if s.len() == start => Ok(()),
                _ => Err(WireError::BufferTooSmall),
            };
        }
        Err(e) => return Err(e),
    };
    let start = b.len();
    f(b)?;
    if b.len() == start {
        b.cancel_nested(n);
        Ok(())
    } else {
        b.end_nested(n)
    }
}

impl LinkKind {
    /// Emits `IFLA_INFO_KIND` and `IFLA_INFO_DATA` of a typed kind added by this
    /// module; `Ok(false)` for the others. The kind's attribute is a constant (its
    /// name as [`typed_name`](Self::typed_name) gives it: the golden tests hold both
    /// against iproute2's bytes for every kind).
    #[inline(never)]
    pub(super) fn emit_typed(&self, b: &mut MsgBuilder<'_>) -> Result<bool, WireError> {
        macro_rules! kind {
            ($n:literal, $name:literal) => {{
                const A: [u8; $n] = kind_attr::<$n>($name);
                b.raw_fixed(&A)?
            }};
        }
        match self {
            LinkKind::Vlan(v) => {
                kind!(8, b"vlan");
                data(b, &mut |b| v.emit(b))?
            }
            LinkKind::Macvlan(m) => {
                kind!(12, b"macvlan");
                data(b, &mut |b| m.emit(b))?
            }
            LinkKind::Macvtap(m) => {
                kind!(12, b"macvtap");
                data(b, &mut |b| m.emit(b))?
            }
            LinkKind::Ipvlan(v) => {
                kind!(12, b"ipvlan");
                data(b, &mut |b| v.emit(b))?
            }
            LinkKind::Vxlan(v) => {
                kind!(12, b"vxlan");
                data(b, &mut |b| v.emit(b))?
            }
            LinkKind::Geneve(g) => {
                kind!(12, b"geneve");
                data(b, &mut |b| g.emit(b))?
            }
            LinkKind::Vrf(v) => {
                kind!(8, b"vrf");
                data(b, &mut |b| v.emit(b))?
            }
            LinkKind::Bond(v) => {
                kind!(8, b"bond");
                data(b, &mut |b| v.emit(b))?
            }
            LinkKind::Dummy => kind!(12, b"dummy"),
            LinkKind::Ifb => kind!(8, b"ifb"),
            LinkKind::Wireguard => kind!(16, b"wireguard"),
            LinkKind::Tun(_) => kind!(8, b"tun"),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The typed kind for `IFLA_INFO_KIND` `kind` with `IFLA_INFO_DATA` `data`, when
    /// this module types it.
    pub(super) fn decode_typed(kind: &[u8], data: Option<&[u8]>) -> Option<LinkKind> {
        let d = data.unwrap_or(&[]);
        Some(match kind {
            b"vlan" => LinkKind::Vlan(Vlan::decode(d)),
            b"macvlan" => LinkKind::Macvlan(Macvlan::decode(d)),
            b"macvtap" => LinkKind::Macvtap(Macvlan::decode(d)),
            b"ipvlan" => LinkKind::Ipvlan(Ipvlan::decode(d)),
            b"vxlan" => LinkKind::Vxlan(Box::new(Vxlan::decode(d))),
            b"geneve" => LinkKind::Geneve(Geneve::decode(d)),
            b"vrf" => LinkKind::Vrf(Vrf::decode(d)),
            b"bond" => LinkKind::Bond(Box::new(Bond::decode(d))),
            b"tun" => LinkKind::Tun(TunInfo::decode(d)),
            b"dummy" if data.is_none() => LinkKind::Dummy,
            b"ifb" if data.is_none() => LinkKind::Ifb,
            b"wireguard" if data.is_none() => LinkKind::Wireguard,
            _ => return None,
        })
    }

    /// The name of a typed kind of this module.
    pub(super) fn typed_name(&self) -> Option<&'static str> {
        Some(match self {
            LinkKind::Vlan(_) => "vlan",
            LinkKind::Macvlan(_) => "macvlan",
            LinkKind::Macvtap(_) => "macvtap",
            LinkKind::Ipvlan(_) => "ipvlan",
            LinkKind::Vxlan(_) => "vxlan",
            LinkKind::Geneve(_) => "geneve",
            LinkKind::Vrf(_) => "vrf",
            LinkKind::Bond(_) => "bond",
            LinkKind::Dummy => "dummy",
            LinkKind::Ifb => "ifb",
            LinkKind::Wireguard => "wireguard",
            LinkKind::Tun(_) => "tun",
            _ => return None,
        })
    }

    /// Whether links of this kind live on a parent ([`Link::link`], `IFLA_LINK`).
    pub fn needs_parent(&self) -> bool {
        matches!(
            self,
            LinkKind::Vlan(_) | LinkKind::Macvlan(_) | LinkKind::Macvtap(_) | LinkKind::Ipvlan(_)
        )
    }
}

/// The checks of a link request that concern its kind: the kind's own values, and
/// at creation the parent a kind needs and the kinds the kernel only creates through
/// another door.
pub(super) fn check_link(link: &Link, verb: Verb) -> Result<()> {
    let Some(kind) = &link.kind else {
        return Ok(());
    };
    match kind {
        LinkKind::Vlan(v) => v.check(verb)?,
        LinkKind::Macvlan(m) | LinkKind::Macvtap(m) => m.check()?,
        LinkKind::Ipvlan(v) => v.check()?,
        LinkKind::Vxlan(v) => v.check(verb)?,
        LinkKind::Geneve(g) => g.check(verb)?,
        LinkKind::Vrf(v) => v.check(verb)?,
        LinkKind::Bond(v) => v.check()?,
        LinkKind::Tun(_) if verb == Verb::Add || verb == Verb::Replace => {
            return Err(bad_s(
                "link kind",
                "tun",
                "the kernel creates tun/tap devices only through /dev/net/tun: use rtnl::tun",
            ))
        }
        _ => {}
    }
    if verb == Verb::Add && kind.needs_parent() && link.link.is_none() {
        return Err(bad_s(
            "link parent",
            kind.name(),
            "this kind of link needs its parent (Link::link, `link DEV`)",
        ));
    }
    if let Some(0) = link.link.filter(|_| kind.needs_parent()) {
        return Err(bad("link parent", 0, "0 is no link"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Constructors and chainable setters
// ---------------------------------------------------------------------------------

impl Link {
    #[inline(always)]
    fn of(name: &str, kind: LinkKind) -> Result<Link> {
        Ok(Link::bare(crate::types::IfName::new(name)?, kind))
    }

    /// `ip link add link PARENT name NAME type vlan id ID` (`parent`: the index).
    #[inline]
    pub fn vlan(name: &str, parent: u32, id: u16) -> Result<Link> {
        Ok(Link::of(name, LinkKind::Vlan(Vlan::new(id)))?.parent(parent))
    }

    /// `ip link add link PARENT name NAME type macvlan mode MODE`.
    #[inline]
    pub fn macvlan(name: &str, parent: u32, mode: MacvlanMode) -> Result<Link> {
        Ok(Link::of(name, LinkKind::Macvlan(Macvlan::new(mode)))?.parent(parent))
    }

    /// `ip link add link PARENT name NAME type macvtap mode MODE`.
    #[inline]
    pub fn macvtap(name: &str, parent: u32, mode: MacvlanMode) -> Result<Link> {
        Ok(Link::of(name, LinkKind::Macvtap(Macvlan::new(mode)))?.parent(parent))
    }

    /// `ip link add link PARENT name NAME type ipvlan mode MODE`.
    #[inline]
    pub fn ipvlan(name: &str, parent: u32, mode: IpvlanMode) -> Result<Link> {
        Ok(Link::of(name, LinkKind::Ipvlan(Ipvlan::new(mode)))?.parent(parent))
    }

    /// `ip link add NAME type vxlan id VNI`, with the rest of `vxlan` (use
    /// [`Vxlan::new`] and set what is needed: `remote`, `local`, `link`, `port`, ...).
    #[inline]
    pub fn vxlan(name: &str, vxlan: Vxlan) -> Result<Link> {
        Link::of(name, LinkKind::Vxlan(Box::new(vxlan)))
    }

    /// `ip link add NAME type geneve id VNI remote ADDR ...`.
    #[inline]
    pub fn geneve(name: &str, geneve: Geneve) -> Result<Link> {
        Link::of(name, LinkKind::Geneve(geneve))
    }

    /// `ip link add NAME type vrf table TABLE`.
    #[inline]
    pub fn vrf(name: &str, table: u32) -> Result<Link> {
        Link::of(
            name,
            LinkKind::Vrf(Vrf {
                table: Some(table),
                other: RawAttrs::new(),
            }),
        )
    }

    /// `ip link add NAME type bond ...`.
    #[inline]
    pub fn bond(name: &str, bond: Bond) -> Result<Link> {
        Link::of(name, LinkKind::Bond(Box::new(bond)))
    }

    /// `ip link add NAME type dummy`.
    #[inline]
    pub fn dummy(name: &str) -> Result<Link> {
        Link::of(name, LinkKind::Dummy)
    }

    /// `ip link add NAME type ifb`.
    #[inline]
    pub fn ifb(name: &str) -> Result<Link> {
        Link::of(name, LinkKind::Ifb)
    }

    /// `ip link add NAME type wireguard` (the link only: keys and peers are set over
    /// generic netlink, which this crate does not speak).
    #[inline]
    pub fn wireguard(name: &str) -> Result<Link> {
        Link::of(name, LinkKind::Wireguard)
    }

    /// `link DEV`: the parent, by index (`IFLA_LINK`).
    #[inline]
    pub fn parent(mut self, index: u32) -> Link {
        self.link = Some(index);
        self
    }

    /// `netns NS`: create (or move) the link in that namespace, under its final
    /// name, in the same request (`IFLA_NET_NS_FD` / `IFLA_NET_NS_PID`). A parent
    /// ([`parent`](Self::parent)) is still looked up in the namespace of the socket
    /// that sends the request. See [`crate::Handle::add_in_netns`] for what the kernel
    /// does when the name is taken.
    #[inline]
    pub fn netns(mut self, netns: super::Netns) -> Link {
        self.netns = Some(netns);
        self
    }

    /// `address MAC`.
    #[inline]
    pub fn address(mut self, mac: MacAddr) -> Link {
        self.address = Some(mac.into());
        self
    }

    /// `txqueuelen N`.
    #[inline]
    pub fn txqlen(mut self, n: u32) -> Link {
        self.txqlen = Some(n);
        self
    }

    /// `alias TEXT` (an empty text removes it).
    #[inline]
    pub fn alias(mut self, text: &str) -> Link {
        self.alias = Some(text.to_owned());
        self
    }

    /// `group N`.
    #[inline]
    pub fn group(mut self, group: u32) -> Link {
        self.group = Some(group);
        self
    }

    /// `master DEV`: the master (bridge, bond, vrf), by index.
    #[inline]
    pub fn master(mut self, index: u32) -> Link {
        self.master = Some(index);
        self
    }

    /// `nomaster`.
    #[inline]
    pub fn nomaster(mut self) -> Link {
        self.master = Some(0);
        self
    }

    /// `promisc on|off` (`IFF_PROMISC`).
    #[inline]
    pub fn promisc(self, on: bool) -> Link {
        self.set_flag(crate::types::LinkFlags::PROMISC, on)
    }

    /// `allmulticast on|off` (`IFF_ALLMULTI`).
    #[inline]
    pub fn allmulti(self, on: bool) -> Link {
        self.set_flag(crate::types::LinkFlags::ALLMULTI, on)
    }

    /// `arp on|off` (`IFF_NOARP`, inverted).
    #[inline]
    pub fn arp(self, on: bool) -> Link {
        self.set_flag(crate::types::LinkFlags::NOARP, !on)
    }

    /// `IFF_PROMISC` is set.
    #[inline]
    pub fn is_promisc(&self) -> bool {
        self.flags.contains(crate::types::LinkFlags::PROMISC)
    }

    /// `IFF_ALLMULTI` is set.
    #[inline]
    pub fn is_allmulti(&self) -> bool {
        self.flags.contains(crate::types::LinkFlags::ALLMULTI)
    }

    /// ARP is on (`IFF_NOARP` is not set).
    #[inline]
    pub fn has_arp(&self) -> bool {
        !self.flags.contains(crate::types::LinkFlags::NOARP)
    }

    /// `IFLA_ALLMULTI` (reported by Linux ≥ 6.0): how many users asked for
    /// all-multicast.
    #[inline]
    pub fn allmulti_count(&self) -> Option<u32> {
        self.other.get(IFLA_ALLMULTI).and_then(|a| a.u32().ok())
    }

    /// The bridge-port options of a port of a bridge, from `IFLA_INFO_SLAVE_DATA`
    /// (`ip -d link show` shows them as `bridge_slave ...`); `None` for a link that is
    /// not a bridge port.
    #[inline]
    pub fn bridge_port(&self) -> Option<BridgePort> {
        match (self.port_kind.as_deref(), &self.port_data) {
            (Some("bridge"), Some(d)) => Some(BridgePort::decode(d)),
            (Some("bridge"), None) => Some(BridgePort::default()),
            _ => None,
        }
    }
}
