//! Layer `abi`: `linux/netlink.h` — the message header, the error/ACK header, the
//! attribute header, socket options, `NLM_F_*` flags and extended-ACK attributes.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

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

// Socket options (SOL_NETLINK) and ancillary data of a listening socket.
pub const NETLINK_DROP_MEMBERSHIP: i32 = 2;
/// Ancillary data `struct nl_pktinfo { __u32 group; }`: the group a notification was
/// sent to.
pub const NETLINK_PKTINFO: i32 = 3;
pub const NETLINK_BROADCAST_ERROR: i32 = 4;
pub const NETLINK_NO_ENOBUFS: i32 = 5;
/// Notifications from every namespace that has an id in the socket's own; the id
/// comes as ancillary data of this same type (an `int`).
pub const NETLINK_LISTEN_ALL_NSID: i32 = 8;

/// `struct sock_filter` (8 bytes): one classic-BPF instruction, as
/// `SO_ATTACH_FILTER` takes them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SockFilter {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

// linux/filter.h + linux/bpf_common.h: instruction classes and modes.
pub const BPF_LD: u16 = 0x00;
pub const BPF_LDX: u16 = 0x01;
pub const BPF_JMP: u16 = 0x05;
pub const BPF_RET: u16 = 0x06;
pub const BPF_MISC: u16 = 0x07;
pub const BPF_W: u16 = 0x00;
pub const BPF_H: u16 = 0x08;
pub const BPF_B: u16 = 0x10;
pub const BPF_IMM: u16 = 0x00;
pub const BPF_ABS: u16 = 0x20;
pub const BPF_IND: u16 = 0x40;
pub const BPF_JA: u16 = 0x00;
pub const BPF_JEQ: u16 = 0x10;
pub const BPF_K: u16 = 0x00;
pub const BPF_X: u16 = 0x08;
pub const BPF_TAX: u16 = 0x00;
/// The longest program the kernel accepts (`BPF_MAXINSNS`).
pub const BPF_MAXINSNS: usize = 4096;
/// Ancillary loads start here (`SKF_AD_OFF`, -0x1000 as the `k` field carries it).
pub const SKF_AD_OFF: u32 = 0xffff_f000;
/// `A = offset of the first attribute of type X at or after offset A` (0: none).
pub const SKF_AD_NLATTR: u32 = 12;

// linux/net_namespace.h: RTM_NEWNSID / RTM_GETNSID attributes (rtgenmsg header).
pub const NETNSA_NONE: u16 = 0;
pub const NETNSA_NSID: u16 = 1;
pub const NETNSA_PID: u16 = 2;
pub const NETNSA_FD: u16 = 3;
pub const NETNSA_TARGET_NSID: u16 = 4;
pub const NETNSA_CURRENT_NSID: u16 = 5;
/// `NETNSA_NSID_NOT_ASSIGNED`.
pub const NETNSA_NSID_NOT_ASSIGNED: i32 = -1;
