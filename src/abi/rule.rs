//! Layer `abi`: `linux/fib_rules.h` — `struct fib_rule_hdr`, `FRA_*` attributes,
//! `FR_ACT_*` actions, `FIB_RULE_*` flags, and the UID and port range structs: the
//! messages of `RTM_*RULE` (policy routing, `ip rule`).

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

/// `struct fib_rule_hdr` (12 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FibRuleHdr {
    pub family: u8,
    pub dst_len: u8,
    pub src_len: u8,
    pub tos: u8,
    pub table: u8,
    pub res1: u8,
    pub res2: u8,
    pub action: u8,
    pub flags: u32,
}

impl Header for FibRuleHdr {
    const LEN: usize = 12;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.family;
        out[1] = self.dst_len;
        out[2] = self.src_len;
        out[3] = self.tos;
        out[4] = self.table;
        out[5] = self.res1;
        out[6] = self.res2;
        out[7] = self.action;
        out[8..12].copy_from_slice(&self.flags.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(FibRuleHdr {
            family: b[0],
            dst_len: b[1],
            src_len: b[2],
            tos: b[3],
            table: b[4],
            res1: b[5],
            res2: b[6],
            action: b[7],
            flags: u32_at(b, 8),
        })
    }
}

/// `struct fib_rule_uid_range` (8 bytes, `FRA_UID_RANGE`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FibRuleUidRange {
    pub start: u32,
    pub end: u32,
}

impl Header for FibRuleUidRange {
    const LEN: usize = 8;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.start.to_ne_bytes());
        out[4..8].copy_from_slice(&self.end.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(FibRuleUidRange {
            start: u32_at(b, 0),
            end: u32_at(b, 4),
        })
    }
}

/// `struct fib_rule_port_range` (4 bytes, `FRA_SPORT_RANGE`/`FRA_DPORT_RANGE`; host
/// byte order, unlike most port numbers on the wire).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FibRulePortRange {
    pub start: u16,
    pub end: u16,
}

impl Header for FibRulePortRange {
    const LEN: usize = 4;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..2].copy_from_slice(&self.start.to_ne_bytes());
        out[2..4].copy_from_slice(&self.end.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(FibRulePortRange {
            start: u16_at(b, 0),
            end: u16_at(b, 2),
        })
    }
}

// ---- fib_rules.h: flags (fib_rule_hdr.flags) ---------------------------------------

pub const FIB_RULE_PERMANENT: u32 = 0x0000_0001;
pub const FIB_RULE_INVERT: u32 = 0x0000_0002;
pub const FIB_RULE_UNRESOLVED: u32 = 0x0000_0004;
pub const FIB_RULE_IIF_DETACHED: u32 = 0x0000_0008;
pub const FIB_RULE_DEV_DETACHED: u32 = FIB_RULE_IIF_DETACHED;
pub const FIB_RULE_OIF_DETACHED: u32 = 0x0000_0010;
pub const FIB_RULE_FIND_SADDR: u32 = 0x0001_0000;

// ---- fib_rules.h: attributes (rta_type in RTM_*RULE) -------------------------------

pub const FRA_UNSPEC: u16 = 0;
pub const FRA_DST: u16 = 1;
pub const FRA_SRC: u16 = 2;
pub const FRA_IIFNAME: u16 = 3;
pub const FRA_IFNAME: u16 = FRA_IIFNAME;
pub const FRA_GOTO: u16 = 4;
pub const FRA_UNUSED2: u16 = 5;
pub const FRA_PRIORITY: u16 = 6;
pub const FRA_UNUSED3: u16 = 7;
pub const FRA_UNUSED4: u16 = 8;
pub const FRA_UNUSED5: u16 = 9;
pub const FRA_FWMARK: u16 = 10;
pub const FRA_FLOW: u16 = 11;
pub const FRA_TUN_ID: u16 = 12;
pub const FRA_SUPPRESS_IFGROUP: u16 = 13;
pub const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
pub const FRA_TABLE: u16 = 15;
pub const FRA_FWMASK: u16 = 16;
pub const FRA_OIFNAME: u16 = 17;
pub const FRA_PAD: u16 = 18;
pub const FRA_L3MDEV: u16 = 19;
pub const FRA_UID_RANGE: u16 = 20;
pub const FRA_PROTOCOL: u16 = 21;
pub const FRA_IP_PROTO: u16 = 22;
pub const FRA_SPORT_RANGE: u16 = 23;
pub const FRA_DPORT_RANGE: u16 = 24;
// Newer than this machine's headers (Linux 6.12 and later).
pub const FRA_DSCP: u16 = 25;
pub const FRA_FLOWLABEL: u16 = 26;
pub const FRA_FLOWLABEL_MASK: u16 = 27;
pub const FRA_SPORT_MASK: u16 = 28;
pub const FRA_DPORT_MASK: u16 = 29;
pub const FRA_DSCP_MASK: u16 = 30;

// ---- fib_rules.h: actions (fib_rule_hdr.action) ------------------------------------

pub const FR_ACT_UNSPEC: u8 = 0;
pub const FR_ACT_TO_TBL: u8 = 1;
pub const FR_ACT_GOTO: u8 = 2;
pub const FR_ACT_NOP: u8 = 3;
pub const FR_ACT_RES3: u8 = 4;
pub const FR_ACT_RES4: u8 = 5;
pub const FR_ACT_BLACKHOLE: u8 = 6;
pub const FR_ACT_UNREACHABLE: u8 = 7;
pub const FR_ACT_PROHIBIT: u8 = 8;
