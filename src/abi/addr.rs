//! Layer `abi`: `linux/if_addr.h` — `struct ifaddrmsg`, `IFA_*` attributes, `IFA_F_*`
//! flags.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

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

/// `struct ifa_cacheinfo` (16 bytes, `IFA_CACHEINFO`): lifetimes in seconds
/// (`INFINITY_LIFE_TIME` for forever), creation and update stamps in hundredths of a
/// second since boot.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IfaCacheInfo {
    pub ifa_prefered: u32,
    pub ifa_valid: u32,
    pub cstamp: u32,
    pub tstamp: u32,
}

impl Header for IfaCacheInfo {
    const LEN: usize = 16;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.ifa_prefered.to_ne_bytes());
        out[4..8].copy_from_slice(&self.ifa_valid.to_ne_bytes());
        out[8..12].copy_from_slice(&self.cstamp.to_ne_bytes());
        out[12..16].copy_from_slice(&self.tstamp.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(IfaCacheInfo {
            ifa_prefered: u32_at(b, 0),
            ifa_valid: u32_at(b, 4),
            cstamp: u32_at(b, 8),
            tstamp: u32_at(b, 12),
        })
    }
}

/// `INFINITY_LIFE_TIME`: an address lifetime that never ends (`forever`).
pub const INFINITY_LIFE_TIME: u32 = 0xffff_ffff;

const _: () = {
    assert!(core::mem::size_of::<IfaCacheInfo>() == IfaCacheInfo::LEN);
    assert!(core::mem::offset_of!(IfaCacheInfo, tstamp) == 12);
};
