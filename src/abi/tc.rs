//! Layer `abi`: `linux/rtnetlink.h` (`struct tcmsg`), `linux/pkt_sched.h`,
//! `linux/pkt_cls.h`, `linux/tc_act/tc_mirred.h` — traffic control: queueing
//! disciplines, filters (the `u32` classifier) and the `mirred` action.

#![allow(missing_docs)] // the kernel's names; see the UAPI headers.

use super::*;

/// `struct tcmsg` (20 bytes): the family header of `RTM_*QDISC`, `RTM_*TCLASS` and
/// `RTM_*TFILTER`. `tcm__pad1`/`tcm__pad2` are the C struct's explicit padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[allow(non_snake_case)] // the C names
pub struct TcMsg {
    pub tcm_family: u8,
    pub tcm__pad1: u8,
    pub tcm__pad2: u16,
    pub tcm_ifindex: i32,
    pub tcm_handle: u32,
    pub tcm_parent: u32,
    /// Filters: `TC_H_MAKE(prio << 16, htons(protocol))`.
    pub tcm_info: u32,
}

impl Header for TcMsg {
    const LEN: usize = 20;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.tcm_family;
        out[1] = self.tcm__pad1;
        out[2..4].copy_from_slice(&self.tcm__pad2.to_ne_bytes());
        out[4..8].copy_from_slice(&self.tcm_ifindex.to_ne_bytes());
        out[8..12].copy_from_slice(&self.tcm_handle.to_ne_bytes());
        out[12..16].copy_from_slice(&self.tcm_parent.to_ne_bytes());
        out[16..20].copy_from_slice(&self.tcm_info.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(TcMsg {
            tcm_family: b[0],
            tcm__pad1: b[1],
            tcm__pad2: u16_at(b, 2),
            tcm_ifindex: i32_at(b, 4),
            tcm_handle: u32_at(b, 8),
            tcm_parent: u32_at(b, 12),
            tcm_info: u32_at(b, 16),
        })
    }
}

// ---- TCA_*: attributes of tcmsg ---------------------------------------------------------

pub const TCA_UNSPEC: u16 = 0;
pub const TCA_KIND: u16 = 1;
pub const TCA_OPTIONS: u16 = 2;
pub const TCA_STATS: u16 = 3;
pub const TCA_XSTATS: u16 = 4;
pub const TCA_RATE: u16 = 5;
pub const TCA_FCNT: u16 = 6;
pub const TCA_STATS2: u16 = 7;
pub const TCA_STAB: u16 = 8;
pub const TCA_PAD: u16 = 9;
pub const TCA_DUMP_INVISIBLE: u16 = 10;
pub const TCA_CHAIN: u16 = 11;
pub const TCA_HW_OFFLOAD: u16 = 12;
pub const TCA_INGRESS_BLOCK: u16 = 13;
pub const TCA_EGRESS_BLOCK: u16 = 14;
pub const TCA_DUMP_FLAGS: u16 = 15;
pub const TCA_EXT_WARN_MSG: u16 = 16;

// ---- handles (pkt_sched.h) --------------------------------------------------------------

pub const TC_H_MAJ_MASK: u32 = 0xFFFF_0000;
pub const TC_H_MIN_MASK: u32 = 0x0000_FFFF;
pub const TC_H_UNSPEC: u32 = 0;
pub const TC_H_ROOT: u32 = 0xFFFF_FFFF;
/// The parent of an `ingress` or `clsact` qdisc.
pub const TC_H_INGRESS: u32 = 0xFFFF_FFF1;
pub const TC_H_CLSACT: u32 = TC_H_INGRESS;
pub const TC_H_MIN_PRIORITY: u32 = 0xFFE0;
/// `clsact`'s ingress hook: parent `ffff:fff2`.
pub const TC_H_MIN_INGRESS: u32 = 0xFFF2;
/// `clsact`'s egress hook: parent `ffff:fff3`.
pub const TC_H_MIN_EGRESS: u32 = 0xFFF3;

/// `TC_H_MAKE(maj, min)`.
#[inline]
pub const fn tc_h_make(maj: u32, min: u32) -> u32 {
    (maj & TC_H_MAJ_MASK) | (min & TC_H_MIN_MASK)
}

// ---- if_ether.h protocols (tcm_info's low 16 bits, big-endian) --------------------------

pub const ETH_P_ALL: u16 = 0x0003;
pub const ETH_P_IP: u16 = 0x0800;
pub const ETH_P_ARP: u16 = 0x0806;
pub const ETH_P_IPV6: u16 = 0x86DD;

// ---- pkt_cls.h: the u32 classifier (TCA_OPTIONS of kind "u32") --------------------------

pub const TCA_U32_CLASSID: u16 = 1;
pub const TCA_U32_HASH: u16 = 2;
pub const TCA_U32_LINK: u16 = 3;
pub const TCA_U32_DIVISOR: u16 = 4;
pub const TCA_U32_SEL: u16 = 5;
pub const TCA_U32_POLICE: u16 = 6;
pub const TCA_U32_ACT: u16 = 7;
pub const TCA_U32_INDEV: u16 = 8;
pub const TCA_U32_PCNT: u16 = 9;
pub const TCA_U32_MARK: u16 = 10;
pub const TCA_U32_FLAGS: u16 = 11;
pub const TCA_U32_PAD: u16 = 12;
pub const TC_U32_TERMINAL: u8 = 1;
pub const TC_U32_OFFSET: u8 = 2;
pub const TC_U32_VAROFFSET: u8 = 4;
pub const TC_U32_EAT: u8 = 8;

/// `struct tc_u32_sel` without its keys (16 bytes); `nkeys` `struct tc_u32_key`s
/// follow in the same attribute. `offmask` and `hmask` are big-endian in C; here they
/// hold the bytes as they are on the wire (`from_be`/`to_be` by the caller).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcU32Sel {
    pub flags: u8,
    pub offshift: u8,
    pub nkeys: u8,
    pub __pad: u8,
    pub offmask: u16,
    pub off: u16,
    pub offoff: i16,
    pub hoff: i16,
    pub hmask: u32,
}

impl Header for TcU32Sel {
    const LEN: usize = 16;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.flags;
        out[1] = self.offshift;
        out[2] = self.nkeys;
        out[3] = self.__pad;
        out[4..6].copy_from_slice(&self.offmask.to_ne_bytes());
        out[6..8].copy_from_slice(&self.off.to_ne_bytes());
        out[8..10].copy_from_slice(&self.offoff.to_ne_bytes());
        out[10..12].copy_from_slice(&self.hoff.to_ne_bytes());
        out[12..16].copy_from_slice(&self.hmask.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(TcU32Sel {
            flags: b[0],
            offshift: b[1],
            nkeys: b[2],
            __pad: b[3],
            offmask: u16_at(b, 4),
            off: u16_at(b, 6),
            offoff: u16_at(b, 8) as i16,
            hoff: u16_at(b, 10) as i16,
            hmask: u32_at(b, 12),
        })
    }
}

/// `struct tc_u32_key` (16 bytes): `mask` and `val` are big-endian in C (here: the
/// wire bytes read natively, so `u32::from_be` gives the value).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcU32Key {
    pub mask: u32,
    pub val: u32,
    pub off: i32,
    pub offmask: i32,
}

impl Header for TcU32Key {
    const LEN: usize = 16;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.mask.to_ne_bytes());
        out[4..8].copy_from_slice(&self.val.to_ne_bytes());
        out[8..12].copy_from_slice(&self.off.to_ne_bytes());
        out[12..16].copy_from_slice(&self.offmask.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(TcU32Key {
            mask: u32_at(b, 0),
            val: u32_at(b, 4),
            off: i32_at(b, 8),
            offmask: i32_at(b, 12),
        })
    }
}

// ---- pkt_cls.h: the matchall classifier ---------------------------------------------

pub const TCA_MATCHALL_CLASSID: u16 = 1;
pub const TCA_MATCHALL_ACT: u16 = 2;
pub const TCA_MATCHALL_FLAGS: u16 = 3;
pub const TCA_MATCHALL_PCNT: u16 = 4;
pub const TCA_MATCHALL_PAD: u16 = 5;

// ---- act_api / pkt_cls.h: actions ------------------------------------------------------

pub const TCA_ACT_KIND: u16 = 1;
pub const TCA_ACT_OPTIONS: u16 = 2;
pub const TCA_ACT_INDEX: u16 = 3;
pub const TCA_ACT_STATS: u16 = 4;
pub const TCA_ACT_PAD: u16 = 5;
pub const TCA_ACT_COOKIE: u16 = 6;
pub const TCA_ACT_FLAGS: u16 = 7;
pub const TCA_ACT_HW_STATS: u16 = 8;
pub const TCA_ACT_USED_HW_STATS: u16 = 9;
pub const TCA_ACT_IN_HW_COUNT: u16 = 10;

/// `TC_ACT_*`: what happens to a packet after an action (`tc_gen.action`).
pub const TC_ACT_UNSPEC: i32 = -1;
pub const TC_ACT_OK: i32 = 0;
pub const TC_ACT_RECLASSIFY: i32 = 1;
pub const TC_ACT_SHOT: i32 = 2;
pub const TC_ACT_PIPE: i32 = 3;
pub const TC_ACT_STOLEN: i32 = 4;
pub const TC_ACT_QUEUED: i32 = 5;
pub const TC_ACT_REPEAT: i32 = 6;
pub const TC_ACT_REDIRECT: i32 = 7;
pub const TC_ACT_TRAP: i32 = 8;

// ---- tc_act/tc_mirred.h ------------------------------------------------------------

pub const TCA_MIRRED_TM: u16 = 1;
pub const TCA_MIRRED_PARMS: u16 = 2;
pub const TCA_MIRRED_PAD: u16 = 3;
pub const TCA_MIRRED_BLOCKID: u16 = 4;
pub const TCA_EGRESS_REDIR: i32 = 1;
pub const TCA_EGRESS_MIRROR: i32 = 2;
pub const TCA_INGRESS_REDIR: i32 = 3;
pub const TCA_INGRESS_MIRROR: i32 = 4;

/// `struct tc_mirred` (28 bytes): `tc_gen` (`index`, `capab`, `action`, `refcnt`,
/// `bindcnt`) then `eaction` and `ifindex`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcMirred {
    pub index: u32,
    pub capab: u32,
    pub action: i32,
    pub refcnt: i32,
    pub bindcnt: i32,
    pub eaction: i32,
    pub ifindex: u32,
}

impl Header for TcMirred {
    const LEN: usize = 28;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.index.to_ne_bytes());
        out[4..8].copy_from_slice(&self.capab.to_ne_bytes());
        out[8..12].copy_from_slice(&self.action.to_ne_bytes());
        out[12..16].copy_from_slice(&self.refcnt.to_ne_bytes());
        out[16..20].copy_from_slice(&self.bindcnt.to_ne_bytes());
        out[20..24].copy_from_slice(&self.eaction.to_ne_bytes());
        out[24..28].copy_from_slice(&self.ifindex.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(TcMirred {
            index: u32_at(b, 0),
            capab: u32_at(b, 4),
            action: i32_at(b, 8),
            refcnt: i32_at(b, 12),
            bindcnt: i32_at(b, 16),
            eaction: i32_at(b, 20),
            ifindex: u32_at(b, 24),
        })
    }
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<TcMsg>() == TcMsg::LEN);
    assert!(offset_of!(TcMsg, tcm_ifindex) == 4);
    assert!(offset_of!(TcMsg, tcm_handle) == 8);
    assert!(offset_of!(TcMsg, tcm_parent) == 12);
    assert!(offset_of!(TcMsg, tcm_info) == 16);
    assert!(size_of::<TcU32Sel>() == TcU32Sel::LEN);
    assert!(offset_of!(TcU32Sel, offmask) == 4);
    assert!(offset_of!(TcU32Sel, off) == 6);
    assert!(offset_of!(TcU32Sel, offoff) == 8);
    assert!(offset_of!(TcU32Sel, hoff) == 10);
    assert!(offset_of!(TcU32Sel, hmask) == 12);
    assert!(size_of::<TcU32Key>() == TcU32Key::LEN);
    assert!(offset_of!(TcU32Key, off) == 8);
    assert!(size_of::<TcMirred>() == TcMirred::LEN);
    assert!(offset_of!(TcMirred, eaction) == 20);
    assert!(offset_of!(TcMirred, ifindex) == 24);
};
