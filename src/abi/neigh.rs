//! Layer `abi`: `linux/neighbour.h` — `struct ndmsg`, `NDA_*` attributes, `NTF_*`
//! flags, `NUD_*` states and `struct nda_cacheinfo`: the header of `RTM_*NEIGH`, which
//! carries both ARP/NDP neighbours and (with `AF_BRIDGE`) bridge FDB entries.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

/// `struct ndmsg` (12 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NdMsg {
    pub ndm_family: u8,
    pub ndm_pad1: u8,
    pub ndm_pad2: u16,
    pub ndm_ifindex: i32,
    pub ndm_state: u16,
    pub ndm_flags: u8,
    pub ndm_type: u8,
}

impl Header for NdMsg {
    const LEN: usize = 12;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0] = self.ndm_family;
        out[1] = self.ndm_pad1;
        out[2..4].copy_from_slice(&self.ndm_pad2.to_ne_bytes());
        out[4..8].copy_from_slice(&self.ndm_ifindex.to_ne_bytes());
        out[8..10].copy_from_slice(&self.ndm_state.to_ne_bytes());
        out[10] = self.ndm_flags;
        out[11] = self.ndm_type;
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(NdMsg {
            ndm_family: b[0],
            ndm_pad1: b[1],
            ndm_pad2: u16_at(b, 2),
            ndm_ifindex: i32_at(b, 4),
            ndm_state: u16_at(b, 8),
            ndm_flags: b[10],
            ndm_type: b[11],
        })
    }
}

/// `struct nda_cacheinfo` (16 bytes, `NDA_CACHEINFO`): times in clock ticks
/// (`USER_HZ`) since the entry was last confirmed, used and updated.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NdaCacheInfo {
    pub ndm_confirmed: u32,
    pub ndm_used: u32,
    pub ndm_updated: u32,
    pub ndm_refcnt: u32,
}

impl Header for NdaCacheInfo {
    const LEN: usize = 16;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.ndm_confirmed.to_ne_bytes());
        out[4..8].copy_from_slice(&self.ndm_used.to_ne_bytes());
        out[8..12].copy_from_slice(&self.ndm_updated.to_ne_bytes());
        out[12..16].copy_from_slice(&self.ndm_refcnt.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(NdaCacheInfo {
            ndm_confirmed: u32_at(b, 0),
            ndm_used: u32_at(b, 4),
            ndm_updated: u32_at(b, 8),
            ndm_refcnt: u32_at(b, 12),
        })
    }
}

// ---- neighbour.h: attributes (rta_type in RTM_*NEIGH) ------------------------------

pub const NDA_UNSPEC: u16 = 0;
pub const NDA_DST: u16 = 1;
pub const NDA_LLADDR: u16 = 2;
pub const NDA_CACHEINFO: u16 = 3;
pub const NDA_PROBES: u16 = 4;
pub const NDA_VLAN: u16 = 5;
pub const NDA_PORT: u16 = 6;
pub const NDA_VNI: u16 = 7;
pub const NDA_IFINDEX: u16 = 8;
pub const NDA_MASTER: u16 = 9;
pub const NDA_LINK_NETNSID: u16 = 10;
pub const NDA_SRC_VNI: u16 = 11;
pub const NDA_PROTOCOL: u16 = 12;
pub const NDA_NH_ID: u16 = 13;
pub const NDA_FDB_EXT_ATTRS: u16 = 14;
pub const NDA_FLAGS_EXT: u16 = 15;
pub const NDA_NDM_STATE_MASK: u16 = 16;
pub const NDA_NDM_FLAGS_MASK: u16 = 17;

// nested in NDA_FDB_EXT_ATTRS.
pub const NFEA_UNSPEC: u16 = 0;
pub const NFEA_ACTIVITY_NOTIFY: u16 = 1;
pub const NFEA_DONT_REFRESH: u16 = 2;

// ---- neighbour.h: flags (ndm_flags) ------------------------------------------------

pub const NTF_USE: u8 = 1 << 0;
pub const NTF_SELF: u8 = 1 << 1;
pub const NTF_MASTER: u8 = 1 << 2;
pub const NTF_PROXY: u8 = 1 << 3;
pub const NTF_EXT_LEARNED: u8 = 1 << 4;
pub const NTF_OFFLOADED: u8 = 1 << 5;
pub const NTF_STICKY: u8 = 1 << 6;
pub const NTF_ROUTER: u8 = 1 << 7;

// extended flags (NDA_FLAGS_EXT, u32).
pub const NTF_EXT_MANAGED: u32 = 1 << 0;
pub const NTF_EXT_LOCKED: u32 = 1 << 1;
pub const NTF_EXT_EXT_VALIDATED: u32 = 1 << 2;

// ---- neighbour.h: states (ndm_state) -----------------------------------------------

pub const NUD_NONE: u16 = 0x00;
pub const NUD_INCOMPLETE: u16 = 0x01;
pub const NUD_REACHABLE: u16 = 0x02;
pub const NUD_STALE: u16 = 0x04;
pub const NUD_DELAY: u16 = 0x08;
pub const NUD_PROBE: u16 = 0x10;
pub const NUD_FAILED: u16 = 0x20;
pub const NUD_NOARP: u16 = 0x40;
pub const NUD_PERMANENT: u16 = 0x80;
