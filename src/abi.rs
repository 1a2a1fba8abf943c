//! Layer `abi`: the kernel's netlink structs and constants, laid out by hand.
//!
//! Every struct is `#[repr(C)]`, padding-free (explicit pad fields where the C struct has
//! a hole) and checked at compile time for size and field offsets. None of them comes
//! from `libc`: the musl flavour of the `libc` crate lacks several. Every constant keeps
//! its C spelling and is typed to the field it goes in, so call sites need no casts.
//!
//! Byte order is always native: netlink is host-endian (big-endian on s390x). The
//! structs convert to and from bytes with `to_ne_bytes`/`from_ne_bytes` only — a byte
//! buffer is never cast to a struct pointer (buffers have alignment 1).
//!
//! The reference for every value is the kernel's UAPI: `linux/netlink.h`,
//! `linux/rtnetlink.h`, `linux/if_link.h`, `linux/if_addr.h`, `linux/veth.h`.

#![allow(missing_docs)] // field and constant names are the kernel's; see the UAPI headers.

use core::mem::{offset_of, size_of};

/// `NLMSG_ALIGNTO` / `RTA_ALIGNTO`.
pub const NLMSG_ALIGNTO: usize = 4;

/// `NLMSG_ALIGN(len)` and `RTA_ALIGN(len)`: round up to a multiple of 4.
#[inline]
pub const fn align4(len: usize) -> usize {
    (len + NLMSG_ALIGNTO - 1) & !(NLMSG_ALIGNTO - 1)
}

/// A fixed-size kernel header that converts to and from native-endian bytes.
pub trait Header: Sized + Copy {
    /// `sizeof(struct ...)`; always a multiple of 4 for the structs here.
    const LEN: usize;
    /// Writes the header into `out[..Self::LEN]`. `out` must be at least `LEN` long
    /// (callers check; this panics otherwise, like slice indexing).
    fn write_to(&self, out: &mut [u8]);
    /// Reads the header from `buf[..Self::LEN]`, or `None` when `buf` is shorter.
    fn read_from(buf: &[u8]) -> Option<Self>;
}

#[inline]
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}
#[inline]
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
#[inline]
fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// `struct nlmsghdr` (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NlMsgHdr {
    pub nlmsg_len: u32,
    pub nlmsg_type: u16,
    pub nlmsg_flags: u16,
    pub nlmsg_seq: u32,
    pub nlmsg_pid: u32,
}

impl Header for NlMsgHdr {
    const LEN: usize = 16;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.nlmsg_len.to_ne_bytes());
        out[4..6].copy_from_slice(&self.nlmsg_type.to_ne_bytes());
        out[6..8].copy_from_slice(&self.nlmsg_flags.to_ne_bytes());
        out[8..12].copy_from_slice(&self.nlmsg_seq.to_ne_bytes());
        out[12..16].copy_from_slice(&self.nlmsg_pid.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(NlMsgHdr {
            nlmsg_len: u32_at(b, 0),
            nlmsg_type: u16_at(b, 4),
            nlmsg_flags: u16_at(b, 6),
            nlmsg_seq: u32_at(b, 8),
            nlmsg_pid: u32_at(b, 12),
        })
    }
}

/// `struct ifinfomsg` (16 bytes); `__ifi_pad` is the C struct's explicit pad byte.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IfInfoMsg {
    pub ifi_family: u8,
    pub __ifi_pad: u8,
    pub ifi_type: u16,
    pub ifi_index: i32,
    pub ifi_flags: u32,
    pub ifi_change: u32,
}

impl Header for IfInfoMsg {
    const LEN: usize = 16;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.ifi_family;
        out[1] = self.__ifi_pad;
        out[2..4].copy_from_slice(&self.ifi_type.to_ne_bytes());
        out[4..8].copy_from_slice(&self.ifi_index.to_ne_bytes());
        out[8..12].copy_from_slice(&self.ifi_flags.to_ne_bytes());
        out[12..16].copy_from_slice(&self.ifi_change.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(IfInfoMsg {
            ifi_family: b[0],
            __ifi_pad: b[1],
            ifi_type: u16_at(b, 2),
            ifi_index: i32_at(b, 4),
            ifi_flags: u32_at(b, 8),
            ifi_change: u32_at(b, 12),
        })
    }
}

/// `struct ifaddrmsg` (8 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IfAddrMsg {
    pub ifa_family: u8,
    pub ifa_prefixlen: u8,
    pub ifa_flags: u8,
    pub ifa_scope: u8,
    pub ifa_index: u32,
}

impl Header for IfAddrMsg {
    const LEN: usize = 8;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.ifa_family;
        out[1] = self.ifa_prefixlen;
        out[2] = self.ifa_flags;
        out[3] = self.ifa_scope;
        out[4..8].copy_from_slice(&self.ifa_index.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(IfAddrMsg {
            ifa_family: b[0],
            ifa_prefixlen: b[1],
            ifa_flags: b[2],
            ifa_scope: b[3],
            ifa_index: u32_at(b, 4),
        })
    }
}

/// `struct rtmsg` (12 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RtMsg {
    pub rtm_family: u8,
    pub rtm_dst_len: u8,
    pub rtm_src_len: u8,
    pub rtm_tos: u8,
    pub rtm_table: u8,
    pub rtm_protocol: u8,
    pub rtm_scope: u8,
    pub rtm_type: u8,
    pub rtm_flags: u32,
}

impl Header for RtMsg {
    const LEN: usize = 12;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.rtm_family;
        out[1] = self.rtm_dst_len;
        out[2] = self.rtm_src_len;
        out[3] = self.rtm_tos;
        out[4] = self.rtm_table;
        out[5] = self.rtm_protocol;
        out[6] = self.rtm_scope;
        out[7] = self.rtm_type;
        out[8..12].copy_from_slice(&self.rtm_flags.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(RtMsg {
            rtm_family: b[0],
            rtm_dst_len: b[1],
            rtm_src_len: b[2],
            rtm_tos: b[3],
            rtm_table: b[4],
            rtm_protocol: b[5],
            rtm_scope: b[6],
            rtm_type: b[7],
            rtm_flags: u32_at(b, 8),
        })
    }
}

/// `struct nhmsg` (8 bytes, `linux/nexthop.h`): the header of `RTM_*NEXTHOP`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NhMsg {
    pub nh_family: u8,
    pub nh_scope: u8,
    pub nh_protocol: u8,
    pub resvd: u8,
    pub nh_flags: u32,
}

impl Header for NhMsg {
    const LEN: usize = 8;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.nh_family;
        out[1] = self.nh_scope;
        out[2] = self.nh_protocol;
        out[3] = self.resvd;
        out[4..8].copy_from_slice(&self.nh_flags.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(NhMsg {
            nh_family: b[0],
            nh_scope: b[1],
            nh_protocol: b[2],
            resvd: b[3],
            nh_flags: u32_at(b, 4),
        })
    }
}

/// `struct nlmsgerr` (20 bytes): the (negative) errno and the header of the request it
/// answers. Without `NETLINK_CAP_ACK` the request's payload follows; extended-ACK
/// attributes (`NLMSGERR_ATTR_*`) follow that when `NLM_F_ACK_TLVS` is set.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NlMsgErr {
    pub error: i32,
    pub msg: NlMsgHdr,
}

impl Header for NlMsgErr {
    const LEN: usize = 20;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.error.to_ne_bytes());
        self.msg.write_to(&mut out[4..20]);
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(NlMsgErr {
            error: i32_at(b, 0),
            msg: NlMsgHdr::read_from(&b[4..])?,
        })
    }
}

/// `struct rtattr` / `struct nlattr` (4 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RtAttr {
    pub rta_len: u16,
    pub rta_type: u16,
}

impl Header for RtAttr {
    const LEN: usize = 4;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..2].copy_from_slice(&self.rta_len.to_ne_bytes());
        out[2..4].copy_from_slice(&self.rta_type.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(RtAttr {
            rta_len: u16_at(b, 0),
            rta_type: u16_at(b, 2),
        })
    }
}

// Compile-time layout checks: the hand-laid structs must match the kernel's exactly,
// on every target (no pointer-sized or alignment-sensitive fields, so no per-target
// variation is expected; the asserts prove it).
const _: () = {
    assert!(size_of::<NlMsgHdr>() == NlMsgHdr::LEN);
    assert!(offset_of!(NlMsgHdr, nlmsg_type) == 4);
    assert!(offset_of!(NlMsgHdr, nlmsg_flags) == 6);
    assert!(offset_of!(NlMsgHdr, nlmsg_seq) == 8);
    assert!(offset_of!(NlMsgHdr, nlmsg_pid) == 12);
    assert!(size_of::<IfInfoMsg>() == IfInfoMsg::LEN);
    assert!(offset_of!(IfInfoMsg, ifi_type) == 2);
    assert!(offset_of!(IfInfoMsg, ifi_index) == 4);
    assert!(offset_of!(IfInfoMsg, ifi_flags) == 8);
    assert!(offset_of!(IfInfoMsg, ifi_change) == 12);
    assert!(size_of::<IfAddrMsg>() == IfAddrMsg::LEN);
    assert!(offset_of!(IfAddrMsg, ifa_scope) == 3);
    assert!(offset_of!(IfAddrMsg, ifa_index) == 4);
    assert!(size_of::<RtMsg>() == RtMsg::LEN);
    assert!(offset_of!(RtMsg, rtm_type) == 7);
    assert!(offset_of!(RtMsg, rtm_flags) == 8);
    assert!(size_of::<NhMsg>() == NhMsg::LEN);
    assert!(offset_of!(NhMsg, nh_flags) == 4);
    assert!(size_of::<NlMsgErr>() == NlMsgErr::LEN);
    assert!(offset_of!(NlMsgErr, msg) == 4);
    assert!(size_of::<RtAttr>() == RtAttr::LEN);
    assert!(offset_of!(RtAttr, rta_type) == 2);
};

// ---- netlink.h --------------------------------------------------------------------

/// `NETLINK_ROUTE` protocol number for `socket(AF_NETLINK, ..., NETLINK_ROUTE)`.
pub const NETLINK_ROUTE: i32 = 0;
/// `SOL_NETLINK` socket option level.
pub const SOL_NETLINK: i32 = 270;
pub const NETLINK_ADD_MEMBERSHIP: i32 = 1;
pub const NETLINK_CAP_ACK: i32 = 10;
pub const NETLINK_EXT_ACK: i32 = 11;
pub const NETLINK_GET_STRICT_CHK: i32 = 12;

// nlmsg_type: control messages.
pub const NLMSG_NOOP: u16 = 0x1;
pub const NLMSG_ERROR: u16 = 0x2;
pub const NLMSG_DONE: u16 = 0x3;
pub const NLMSG_OVERRUN: u16 = 0x4;
/// Types below this are netlink control messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

// nlmsg_flags.
pub const NLM_F_REQUEST: u16 = 0x01;
pub const NLM_F_MULTI: u16 = 0x02;
pub const NLM_F_ACK: u16 = 0x04;
pub const NLM_F_ECHO: u16 = 0x08;
pub const NLM_F_DUMP_INTR: u16 = 0x10;
pub const NLM_F_DUMP_FILTERED: u16 = 0x20;
// Modifiers to GET requests.
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_ATOMIC: u16 = 0x400;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
// Modifiers to NEW requests.
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;
// Modifiers to DELETE requests.
pub const NLM_F_NONREC: u16 = 0x100;
pub const NLM_F_BULK: u16 = 0x200;
// Flags of ACK messages.
pub const NLM_F_CAPPED: u16 = 0x100;
pub const NLM_F_ACK_TLVS: u16 = 0x200;

// Extended ACK attributes (rta_type inside an NLMSG_ERROR).
pub const NLMSGERR_ATTR_UNUSED: u16 = 0;
pub const NLMSGERR_ATTR_MSG: u16 = 1;
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

// Attribute type bits.
pub const NLA_F_NESTED: u16 = 1 << 15;
pub const NLA_F_NET_BYTEORDER: u16 = 1 << 14;
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

// ---- rtnetlink.h: message types ---------------------------------------------------

pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_SETLINK: u16 = 19;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const RTM_NEWROUTE: u16 = 24;
pub const RTM_DELROUTE: u16 = 25;
pub const RTM_GETROUTE: u16 = 26;
pub const RTM_NEWNEXTHOP: u16 = 104;
pub const RTM_DELNEXTHOP: u16 = 105;
pub const RTM_GETNEXTHOP: u16 = 106;

/// The name of an `RTM_*` (or control) message type, for errors and debugging.
pub const fn msg_type_name(ty: u16) -> &'static str {
    match ty {
        NLMSG_NOOP => "NLMSG_NOOP",
        NLMSG_ERROR => "NLMSG_ERROR",
        NLMSG_DONE => "NLMSG_DONE",
        NLMSG_OVERRUN => "NLMSG_OVERRUN",
        RTM_NEWLINK => "RTM_NEWLINK",
        RTM_DELLINK => "RTM_DELLINK",
        RTM_GETLINK => "RTM_GETLINK",
        RTM_SETLINK => "RTM_SETLINK",
        RTM_NEWADDR => "RTM_NEWADDR",
        RTM_DELADDR => "RTM_DELADDR",
        RTM_GETADDR => "RTM_GETADDR",
        RTM_NEWROUTE => "RTM_NEWROUTE",
        RTM_DELROUTE => "RTM_DELROUTE",
        RTM_GETROUTE => "RTM_GETROUTE",
        RTM_NEWNEXTHOP => "RTM_NEWNEXTHOP",
        RTM_DELNEXTHOP => "RTM_DELNEXTHOP",
        RTM_GETNEXTHOP => "RTM_GETNEXTHOP",
        _ => "RTM_UNKNOWN",
    }
}

// ---- address families (ifi_family / ifa_family / rtm_family) ------------------------

pub const AF_UNSPEC: u8 = 0;
pub const AF_INET: u8 = 2;
pub const AF_BRIDGE: u8 = 7;
pub const AF_INET6: u8 = 10;
pub const AF_PACKET: u8 = 17;

// ---- if_link.h: link attributes (rta_type in RTM_*LINK) ---------------------------

pub const IFLA_UNSPEC: u16 = 0;
pub const IFLA_ADDRESS: u16 = 1;
pub const IFLA_BROADCAST: u16 = 2;
pub const IFLA_IFNAME: u16 = 3;
pub const IFLA_MTU: u16 = 4;
pub const IFLA_LINK: u16 = 5;
pub const IFLA_QDISC: u16 = 6;
pub const IFLA_STATS: u16 = 7;
pub const IFLA_COST: u16 = 8;
pub const IFLA_PRIORITY: u16 = 9;
pub const IFLA_MASTER: u16 = 10;
pub const IFLA_WIRELESS: u16 = 11;
pub const IFLA_PROTINFO: u16 = 12;
pub const IFLA_TXQLEN: u16 = 13;
pub const IFLA_MAP: u16 = 14;
pub const IFLA_WEIGHT: u16 = 15;
pub const IFLA_OPERSTATE: u16 = 16;
pub const IFLA_LINKMODE: u16 = 17;
pub const IFLA_LINKINFO: u16 = 18;
pub const IFLA_NET_NS_PID: u16 = 19;
pub const IFLA_IFALIAS: u16 = 20;
pub const IFLA_NUM_VF: u16 = 21;
pub const IFLA_VFINFO_LIST: u16 = 22;
pub const IFLA_STATS64: u16 = 23;
pub const IFLA_VF_PORTS: u16 = 24;
pub const IFLA_PORT_SELF: u16 = 25;
pub const IFLA_AF_SPEC: u16 = 26;
pub const IFLA_GROUP: u16 = 27;
pub const IFLA_NET_NS_FD: u16 = 28;
pub const IFLA_EXT_MASK: u16 = 29;
pub const IFLA_PROMISCUITY: u16 = 30;
pub const IFLA_NUM_TX_QUEUES: u16 = 31;
pub const IFLA_NUM_RX_QUEUES: u16 = 32;
pub const IFLA_CARRIER: u16 = 33;
pub const IFLA_PHYS_PORT_ID: u16 = 34;
pub const IFLA_CARRIER_CHANGES: u16 = 35;
pub const IFLA_PHYS_SWITCH_ID: u16 = 36;
pub const IFLA_LINK_NETNSID: u16 = 37;
pub const IFLA_PHYS_PORT_NAME: u16 = 38;
pub const IFLA_PROTO_DOWN: u16 = 39;
pub const IFLA_GSO_MAX_SEGS: u16 = 40;
pub const IFLA_GSO_MAX_SIZE: u16 = 41;
pub const IFLA_PAD: u16 = 42;
pub const IFLA_XDP: u16 = 43;
pub const IFLA_EVENT: u16 = 44;
pub const IFLA_NEW_NETNSID: u16 = 45;
pub const IFLA_TARGET_NETNSID: u16 = 46;
pub const IFLA_CARRIER_UP_COUNT: u16 = 47;
pub const IFLA_CARRIER_DOWN_COUNT: u16 = 48;
pub const IFLA_NEW_IFINDEX: u16 = 49;
pub const IFLA_MIN_MTU: u16 = 50;
pub const IFLA_MAX_MTU: u16 = 51;
pub const IFLA_PROP_LIST: u16 = 52;
pub const IFLA_ALT_IFNAME: u16 = 53;
pub const IFLA_PERM_ADDRESS: u16 = 54;

// Nested in IFLA_LINKINFO.
pub const IFLA_INFO_UNSPEC: u16 = 0;
pub const IFLA_INFO_KIND: u16 = 1;
pub const IFLA_INFO_DATA: u16 = 2;
pub const IFLA_INFO_XSTATS: u16 = 3;
pub const IFLA_INFO_SLAVE_KIND: u16 = 4;
pub const IFLA_INFO_SLAVE_DATA: u16 = 5;

// veth.h: nested in IFLA_INFO_DATA of kind "veth"; carries its own ifinfomsg.
pub const VETH_INFO_UNSPEC: u16 = 0;
pub const VETH_INFO_PEER: u16 = 1;

// Nested in IFLA_INFO_DATA of kind "bridge".
pub const IFLA_BR_UNSPEC: u16 = 0;
pub const IFLA_BR_FORWARD_DELAY: u16 = 1;
pub const IFLA_BR_HELLO_TIME: u16 = 2;
pub const IFLA_BR_MAX_AGE: u16 = 3;
pub const IFLA_BR_AGEING_TIME: u16 = 4;
pub const IFLA_BR_STP_STATE: u16 = 5;
pub const IFLA_BR_PRIORITY: u16 = 6;
pub const IFLA_BR_VLAN_FILTERING: u16 = 7;
pub const IFLA_BR_VLAN_PROTOCOL: u16 = 8;
pub const IFLA_BR_GROUP_FWD_MASK: u16 = 9;
pub const IFLA_BR_ROOT_ID: u16 = 10;
pub const IFLA_BR_BRIDGE_ID: u16 = 11;
pub const IFLA_BR_ROOT_PORT: u16 = 12;
pub const IFLA_BR_ROOT_PATH_COST: u16 = 13;
pub const IFLA_BR_TOPOLOGY_CHANGE: u16 = 14;
pub const IFLA_BR_TOPOLOGY_CHANGE_DETECTED: u16 = 15;
pub const IFLA_BR_HELLO_TIMER: u16 = 16;
pub const IFLA_BR_TCN_TIMER: u16 = 17;
pub const IFLA_BR_TOPOLOGY_CHANGE_TIMER: u16 = 18;
pub const IFLA_BR_GC_TIMER: u16 = 19;
pub const IFLA_BR_GROUP_ADDR: u16 = 20;
pub const IFLA_BR_FDB_FLUSH: u16 = 21;
pub const IFLA_BR_MCAST_ROUTER: u16 = 22;
pub const IFLA_BR_MCAST_SNOOPING: u16 = 23;

// IFLA_EXT_MASK values.
pub const RTEXT_FILTER_VF: u32 = 1 << 0;
pub const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;

// IFLA_OPERSTATE values (RFC 2863).
pub const IF_OPER_UNKNOWN: u8 = 0;
pub const IF_OPER_NOTPRESENT: u8 = 1;
pub const IF_OPER_DOWN: u8 = 2;
pub const IF_OPER_LOWERLAYERDOWN: u8 = 3;
pub const IF_OPER_TESTING: u8 = 4;
pub const IF_OPER_DORMANT: u8 = 5;
pub const IF_OPER_UP: u8 = 6;

// ifi_flags (net/if.h).
pub const IFF_UP: u32 = 0x1;
pub const IFF_BROADCAST: u32 = 0x2;
pub const IFF_DEBUG: u32 = 0x4;
pub const IFF_LOOPBACK: u32 = 0x8;
pub const IFF_POINTOPOINT: u32 = 0x10;
pub const IFF_NOTRAILERS: u32 = 0x20;
pub const IFF_RUNNING: u32 = 0x40;
pub const IFF_NOARP: u32 = 0x80;
pub const IFF_PROMISC: u32 = 0x100;
pub const IFF_ALLMULTI: u32 = 0x200;
pub const IFF_MASTER: u32 = 0x400;
pub const IFF_SLAVE: u32 = 0x800;
pub const IFF_MULTICAST: u32 = 0x1000;
pub const IFF_LOWER_UP: u32 = 0x10000;
pub const IFF_DORMANT: u32 = 0x20000;

// ---- if_addr.h ----------------------------------------------------------------------

pub const IFA_UNSPEC: u16 = 0;
pub const IFA_ADDRESS: u16 = 1;
pub const IFA_LOCAL: u16 = 2;
pub const IFA_LABEL: u16 = 3;
pub const IFA_BROADCAST: u16 = 4;
pub const IFA_ANYCAST: u16 = 5;
pub const IFA_CACHEINFO: u16 = 6;
pub const IFA_MULTICAST: u16 = 7;
pub const IFA_FLAGS: u16 = 8;
pub const IFA_RT_PRIORITY: u16 = 9;
pub const IFA_TARGET_NETNSID: u16 = 10;
pub const IFA_PROTO: u16 = 11;

// Address flags: the low eight go in `ifa_flags` (u8), all of them in IFA_FLAGS (u32).
// Typed u32 for IFA_FLAGS; `ifa_flags` takes `(flags & 0xff) as u8`.
pub const IFA_F_SECONDARY: u32 = 0x01;
pub const IFA_F_TEMPORARY: u32 = IFA_F_SECONDARY;
pub const IFA_F_NODAD: u32 = 0x02;
pub const IFA_F_OPTIMISTIC: u32 = 0x04;
pub const IFA_F_DADFAILED: u32 = 0x08;
pub const IFA_F_HOMEADDRESS: u32 = 0x10;
pub const IFA_F_DEPRECATED: u32 = 0x20;
pub const IFA_F_TENTATIVE: u32 = 0x40;
pub const IFA_F_PERMANENT: u32 = 0x80;
pub const IFA_F_MANAGETEMPADDR: u32 = 0x100;
pub const IFA_F_NOPREFIXROUTE: u32 = 0x200;
pub const IFA_F_MCAUTOJOIN: u32 = 0x400;
pub const IFA_F_STABLE_PRIVACY: u32 = 0x800;

// ---- rtnetlink.h: routes ------------------------------------------------------------

pub const RTA_UNSPEC: u16 = 0;
pub const RTA_DST: u16 = 1;
pub const RTA_SRC: u16 = 2;
pub const RTA_IIF: u16 = 3;
pub const RTA_OIF: u16 = 4;
pub const RTA_GATEWAY: u16 = 5;
pub const RTA_PRIORITY: u16 = 6;
pub const RTA_PREFSRC: u16 = 7;
pub const RTA_METRICS: u16 = 8;
pub const RTA_MULTIPATH: u16 = 9;
pub const RTA_PROTOINFO: u16 = 10;
pub const RTA_FLOW: u16 = 11;
pub const RTA_CACHEINFO: u16 = 12;
pub const RTA_SESSION: u16 = 13;
pub const RTA_MP_ALGO: u16 = 14;
pub const RTA_TABLE: u16 = 15;
pub const RTA_MARK: u16 = 16;
pub const RTA_MFC_STATS: u16 = 17;
pub const RTA_VIA: u16 = 18;
pub const RTA_NEWDST: u16 = 19;
pub const RTA_PREF: u16 = 20;
pub const RTA_ENCAP_TYPE: u16 = 21;
pub const RTA_ENCAP: u16 = 22;
pub const RTA_EXPIRES: u16 = 23;
pub const RTA_PAD: u16 = 24;
pub const RTA_UID: u16 = 25;
pub const RTA_TTL_PROPAGATE: u16 = 26;
pub const RTA_IP_PROTO: u16 = 27;
pub const RTA_SPORT: u16 = 28;
pub const RTA_DPORT: u16 = 29;
pub const RTA_NH_ID: u16 = 30;

// ---- nexthop.h: nexthop attributes (rta_type in RTM_*NEXTHOP) ----------------------

pub const NHA_UNSPEC: u16 = 0;
pub const NHA_ID: u16 = 1;
pub const NHA_GROUP: u16 = 2;
pub const NHA_GROUP_TYPE: u16 = 3;
pub const NHA_BLACKHOLE: u16 = 4;
pub const NHA_OIF: u16 = 5;
pub const NHA_GATEWAY: u16 = 6;
pub const NHA_ENCAP_TYPE: u16 = 7;
pub const NHA_ENCAP: u16 = 8;
pub const NHA_GROUPS: u16 = 9;
pub const NHA_MASTER: u16 = 10;
pub const NHA_FDB: u16 = 11;

// rtm_type.
pub const RTN_UNSPEC: u8 = 0;
pub const RTN_UNICAST: u8 = 1;
pub const RTN_LOCAL: u8 = 2;
pub const RTN_BROADCAST: u8 = 3;
pub const RTN_ANYCAST: u8 = 4;
pub const RTN_MULTICAST: u8 = 5;
pub const RTN_BLACKHOLE: u8 = 6;
pub const RTN_UNREACHABLE: u8 = 7;
pub const RTN_PROHIBIT: u8 = 8;
pub const RTN_THROW: u8 = 9;
pub const RTN_NAT: u8 = 10;
pub const RTN_XRESOLVE: u8 = 11;

// rtm_protocol.
pub const RTPROT_UNSPEC: u8 = 0;
pub const RTPROT_REDIRECT: u8 = 1;
pub const RTPROT_KERNEL: u8 = 2;
pub const RTPROT_BOOT: u8 = 3;
pub const RTPROT_STATIC: u8 = 4;
pub const RTPROT_RA: u8 = 9;
pub const RTPROT_DHCP: u8 = 16;

// rtm_scope (and ifa_scope).
pub const RT_SCOPE_UNIVERSE: u8 = 0;
pub const RT_SCOPE_SITE: u8 = 200;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RT_SCOPE_HOST: u8 = 254;
pub const RT_SCOPE_NOWHERE: u8 = 255;

// rtm_table (RTA_TABLE carries the full u32 id).
pub const RT_TABLE_UNSPEC: u8 = 0;
pub const RT_TABLE_COMPAT: u8 = 252;
pub const RT_TABLE_DEFAULT: u8 = 253;
pub const RT_TABLE_MAIN: u8 = 254;
pub const RT_TABLE_LOCAL: u8 = 255;

// rtm_flags.
pub const RTM_F_NOTIFY: u32 = 0x100;
pub const RTM_F_CLONED: u32 = 0x200;
pub const RTM_F_EQUALIZE: u32 = 0x400;
pub const RTM_F_PREFIX: u32 = 0x800;
pub const RTM_F_LOOKUP_TABLE: u32 = 0x1000;
pub const RTM_F_FIB_MATCH: u32 = 0x2000;
pub const RTM_F_OFFLOAD: u32 = 0x4000;
pub const RTM_F_TRAP: u32 = 0x8000;

/// `IFNAMSIZ`: interface names are at most 15 bytes plus the NUL.
pub const IFNAMSIZ: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align4_matches_the_kernel_macro() {
        for (n, a) in [(0, 0), (1, 4), (3, 4), (4, 4), (5, 8), (16, 16), (17, 20)] {
            assert_eq!(align4(n), a, "align4({n})");
        }
    }

    #[test]
    fn headers_round_trip_in_native_order() {
        let h = NlMsgHdr {
            nlmsg_len: 0x0102_0304,
            nlmsg_type: RTM_NEWLINK,
            nlmsg_flags: NLM_F_REQUEST | NLM_F_ACK,
            nlmsg_seq: 7,
            nlmsg_pid: 0xdead_beef,
        };
        let mut b = [0xa5u8; 16];
        h.write_to(&mut b);
        assert_eq!(&b[0..4], &0x0102_0304u32.to_ne_bytes());
        assert_eq!(NlMsgHdr::read_from(&b), Some(h));
        assert_eq!(NlMsgHdr::read_from(&b[..15]), None);

        let i = IfInfoMsg {
            ifi_family: AF_UNSPEC,
            __ifi_pad: 0,
            ifi_type: 1,
            ifi_index: -3,
            ifi_flags: IFF_UP,
            ifi_change: IFF_UP,
        };
        let mut b = [0xa5u8; 16];
        i.write_to(&mut b);
        assert_eq!(b[1], 0, "pad byte written");
        assert_eq!(IfInfoMsg::read_from(&b), Some(i));

        let e = NlMsgErr { error: -95, msg: h };
        let mut b = [0xa5u8; 20];
        e.write_to(&mut b);
        assert_eq!(NlMsgErr::read_from(&b), Some(e));
        assert_eq!(NlMsgErr::read_from(&b[..19]), None);

        let r = RtMsg {
            rtm_family: AF_INET,
            rtm_dst_len: 24,
            rtm_table: RT_TABLE_MAIN,
            rtm_protocol: RTPROT_BOOT,
            rtm_type: RTN_UNICAST,
            rtm_flags: RTM_F_NOTIFY,
            ..Default::default()
        };
        let mut b = [0xa5u8; 12];
        r.write_to(&mut b);
        assert_eq!(b[3], 0);
        assert_eq!(RtMsg::read_from(&b), Some(r));

        let a = IfAddrMsg {
            ifa_family: AF_INET6,
            ifa_prefixlen: 64,
            ifa_flags: IFA_F_NODAD as u8,
            ifa_scope: RT_SCOPE_UNIVERSE,
            ifa_index: 9,
        };
        let mut b = [0xa5u8; 8];
        a.write_to(&mut b);
        assert_eq!(IfAddrMsg::read_from(&b), Some(a));
    }
}
