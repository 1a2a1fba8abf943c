//! Layer `abi`: `linux/rtnetlink.h` (routes) — `struct rtmsg`, `RTA_*` attributes,
//! route types, protocols, scopes, tables, `RTM_F_*` flags.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

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

// ---- rtnetlink.h: route metrics (nested in RTA_METRICS) -----------------------------

pub const RTAX_UNSPEC: u16 = 0;
pub const RTAX_LOCK: u16 = 1;
pub const RTAX_MTU: u16 = 2;
pub const RTAX_WINDOW: u16 = 3;
pub const RTAX_RTT: u16 = 4;
pub const RTAX_RTTVAR: u16 = 5;
pub const RTAX_SSTHRESH: u16 = 6;
pub const RTAX_CWND: u16 = 7;
pub const RTAX_ADVMSS: u16 = 8;
pub const RTAX_REORDERING: u16 = 9;
pub const RTAX_HOPLIMIT: u16 = 10;
pub const RTAX_INITCWND: u16 = 11;
pub const RTAX_FEATURES: u16 = 12;
pub const RTAX_RTO_MIN: u16 = 13;
pub const RTAX_INITRWND: u16 = 14;
pub const RTAX_QUICKACK: u16 = 15;
pub const RTAX_CC_ALGO: u16 = 16;
pub const RTAX_FASTOPEN_NO_COOKIE: u16 = 17;

// ---- rtnetlink.h: multipath next hops (RTA_MULTIPATH) --------------------------------

pub const RTNH_F_DEAD: u8 = 1;
pub const RTNH_F_PERVASIVE: u8 = 2;
pub const RTNH_F_ONLINK: u8 = 4;
pub const RTNH_F_OFFLOAD: u8 = 8;
pub const RTNH_F_LINKDOWN: u8 = 16;
pub const RTNH_F_UNRESOLVED: u8 = 32;
pub const RTNH_F_TRAP: u8 = 64;

/// `struct rtnexthop` (8 bytes): one next hop of `RTA_MULTIPATH`, followed by its own
/// attributes (`RTA_GATEWAY`, ...) up to `rtnh_len`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RtNexthop {
    pub rtnh_len: u16,
    pub rtnh_flags: u8,
    /// The weight minus one (`ip route ... nexthop ... weight W` sends `W - 1`).
    pub rtnh_hops: u8,
    pub rtnh_ifindex: i32,
}

impl Header for RtNexthop {
    const LEN: usize = 8;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..2].copy_from_slice(&self.rtnh_len.to_ne_bytes());
        out[2] = self.rtnh_flags;
        out[3] = self.rtnh_hops;
        out[4..8].copy_from_slice(&self.rtnh_ifindex.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(RtNexthop {
            rtnh_len: u16_at(b, 0),
            rtnh_flags: b[2],
            rtnh_hops: b[3],
            rtnh_ifindex: i32_at(b, 4),
        })
    }
}

/// `struct rta_cacheinfo` (32 bytes, `RTA_CACHEINFO`): `rta_expires` is in clock
/// ticks (`USER_HZ`, 100 per second).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RtaCacheInfo {
    pub rta_clntref: u32,
    pub rta_lastuse: u32,
    pub rta_expires: i32,
    pub rta_error: u32,
    pub rta_used: u32,
    pub rta_id: u32,
    pub rta_ts: u32,
    pub rta_tsage: u32,
}

impl Header for RtaCacheInfo {
    const LEN: usize = 32;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        let v = [
            self.rta_clntref,
            self.rta_lastuse,
            self.rta_expires as u32,
            self.rta_error,
            self.rta_used,
            self.rta_id,
            self.rta_ts,
            self.rta_tsage,
        ];
        for (i, x) in v.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&x.to_ne_bytes());
        }
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(RtaCacheInfo {
            rta_clntref: u32_at(b, 0),
            rta_lastuse: u32_at(b, 4),
            rta_expires: i32_at(b, 8),
            rta_error: u32_at(b, 12),
            rta_used: u32_at(b, 16),
            rta_id: u32_at(b, 20),
            rta_ts: u32_at(b, 24),
            rta_tsage: u32_at(b, 28),
        })
    }
}

/// `USER_HZ`: the clock-tick unit of `rta_expires` (as iproute2's `get_user_hz`).
pub const USER_HZ: u32 = 100;

// RTA_PREF values (linux/icmpv6.h).
pub const ICMPV6_ROUTER_PREF_MEDIUM: u8 = 0x0;
pub const ICMPV6_ROUTER_PREF_HIGH: u8 = 0x1;
pub const ICMPV6_ROUTER_PREF_INVALID: u8 = 0x2;
pub const ICMPV6_ROUTER_PREF_LOW: u8 = 0x3;

const _: () = {
    assert!(core::mem::size_of::<RtNexthop>() == RtNexthop::LEN);
    assert!(core::mem::offset_of!(RtNexthop, rtnh_ifindex) == 4);
    assert!(core::mem::size_of::<RtaCacheInfo>() == RtaCacheInfo::LEN);
    assert!(core::mem::offset_of!(RtaCacheInfo, rta_expires) == 8);
};
