//! Layer `abi`: `linux/nexthop.h` — `struct nhmsg` and `NHA_*` attributes.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

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
pub const NHA_RES_GROUP: u16 = 12;
pub const NHA_RES_BUCKET: u16 = 13;
pub const NHA_OP_FLAGS: u16 = 14;
pub const NHA_GROUP_STATS: u16 = 15;
pub const NHA_HW_STATS_ENABLE: u16 = 16;
pub const NHA_HW_STATS_USED: u16 = 17;

// nested in NHA_RES_GROUP.
pub const NHA_RES_GROUP_PAD: u16 = 0;
pub const NHA_RES_GROUP_BUCKETS: u16 = 1;
pub const NHA_RES_GROUP_IDLE_TIMER: u16 = 2;
pub const NHA_RES_GROUP_UNBALANCED_TIMER: u16 = 3;
pub const NHA_RES_GROUP_UNBALANCED_TIME: u16 = 4;
