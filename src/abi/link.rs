//! Layer `abi`: `linux/if_link.h`, `linux/if.h`, `linux/veth.h` — `struct ifinfomsg`,
//! `IFLA_*` attributes and their nested families, `IFF_*` flags, operational states.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

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
pub const RTEXT_FILTER_BRVLAN: u32 = 1 << 1;
pub const RTEXT_FILTER_BRVLAN_COMPRESSED: u32 = 1 << 2;
pub const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;
pub const RTEXT_FILTER_MRP: u32 = 1 << 4;
pub const RTEXT_FILTER_CFM_CONFIG: u32 = 1 << 5;
pub const RTEXT_FILTER_CFM_STATUS: u32 = 1 << 6;
pub const RTEXT_FILTER_MST: u32 = 1 << 7;

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

/// `IFNAMSIZ`: interface names are at most 15 bytes plus the NUL.
pub const IFNAMSIZ: usize = 16;

// ---- if_link.h: more link attributes (reported by newer kernels) -------------------

pub const IFLA_PROTO_DOWN_REASON: u16 = 55;
pub const IFLA_PARENT_DEV_NAME: u16 = 56;
pub const IFLA_PARENT_DEV_BUS_NAME: u16 = 57;
pub const IFLA_GRO_MAX_SIZE: u16 = 58;
pub const IFLA_TSO_MAX_SIZE: u16 = 59;
pub const IFLA_TSO_MAX_SEGS: u16 = 60;
/// The allmulticast count (> 0: the link receives all multicast).
pub const IFLA_ALLMULTI: u16 = 61;

// ---- more IFLA_BR_* (nested in IFLA_INFO_DATA of kind "bridge") -------------------

pub const IFLA_BR_MCAST_QUERY_USE_IFADDR: u16 = 24;
pub const IFLA_BR_MCAST_QUERIER: u16 = 25;
pub const IFLA_BR_NF_CALL_IPTABLES: u16 = 36;
pub const IFLA_BR_NF_CALL_IP6TABLES: u16 = 37;
pub const IFLA_BR_NF_CALL_ARPTABLES: u16 = 38;
pub const IFLA_BR_VLAN_DEFAULT_PVID: u16 = 39;
pub const IFLA_BR_PAD: u16 = 40;
pub const IFLA_BR_VLAN_STATS_ENABLED: u16 = 41;

// ---- IFLA_BRPORT_*: a bridge port's options (IFLA_PROTINFO of AF_BRIDGE messages,
// IFLA_INFO_SLAVE_DATA of kind "bridge") ----------------------------------------------

pub const IFLA_BRPORT_UNSPEC: u16 = 0;
pub const IFLA_BRPORT_STATE: u16 = 1;
pub const IFLA_BRPORT_PRIORITY: u16 = 2;
pub const IFLA_BRPORT_COST: u16 = 3;
/// Hairpin mode.
pub const IFLA_BRPORT_MODE: u16 = 4;
/// BPDU guard.
pub const IFLA_BRPORT_GUARD: u16 = 5;
/// Root port protection (`root_block`).
pub const IFLA_BRPORT_PROTECT: u16 = 6;
pub const IFLA_BRPORT_FAST_LEAVE: u16 = 7;
pub const IFLA_BRPORT_LEARNING: u16 = 8;
pub const IFLA_BRPORT_UNICAST_FLOOD: u16 = 9;
pub const IFLA_BRPORT_PROXYARP: u16 = 10;
pub const IFLA_BRPORT_LEARNING_SYNC: u16 = 11;
pub const IFLA_BRPORT_PROXYARP_WIFI: u16 = 12;
pub const IFLA_BRPORT_ROOT_ID: u16 = 13;
pub const IFLA_BRPORT_BRIDGE_ID: u16 = 14;
pub const IFLA_BRPORT_DESIGNATED_PORT: u16 = 15;
pub const IFLA_BRPORT_DESIGNATED_COST: u16 = 16;
pub const IFLA_BRPORT_ID: u16 = 17;
pub const IFLA_BRPORT_NO: u16 = 18;
pub const IFLA_BRPORT_MULTICAST_ROUTER: u16 = 25;
pub const IFLA_BRPORT_PAD: u16 = 26;
pub const IFLA_BRPORT_MCAST_FLOOD: u16 = 27;
pub const IFLA_BRPORT_MCAST_TO_UCAST: u16 = 28;
pub const IFLA_BRPORT_VLAN_TUNNEL: u16 = 29;
pub const IFLA_BRPORT_BCAST_FLOOD: u16 = 30;
pub const IFLA_BRPORT_GROUP_FWD_MASK: u16 = 31;
pub const IFLA_BRPORT_NEIGH_SUPPRESS: u16 = 32;
pub const IFLA_BRPORT_ISOLATED: u16 = 33;
pub const IFLA_BRPORT_BACKUP_PORT: u16 = 34;
pub const IFLA_BRPORT_LOCKED: u16 = 39;

// ---- if_bridge.h: IFLA_AF_SPEC of AF_BRIDGE messages --------------------------------

pub const IFLA_BRIDGE_FLAGS: u16 = 0;
pub const IFLA_BRIDGE_MODE: u16 = 1;
pub const IFLA_BRIDGE_VLAN_INFO: u16 = 2;
pub const IFLA_BRIDGE_VLAN_TUNNEL_INFO: u16 = 3;
pub const BRIDGE_FLAGS_MASTER: u16 = 1;
pub const BRIDGE_FLAGS_SELF: u16 = 2;
pub const BRIDGE_VLAN_INFO_MASTER: u16 = 1 << 0;
pub const BRIDGE_VLAN_INFO_PVID: u16 = 1 << 1;
pub const BRIDGE_VLAN_INFO_UNTAGGED: u16 = 1 << 2;
pub const BRIDGE_VLAN_INFO_RANGE_BEGIN: u16 = 1 << 3;
pub const BRIDGE_VLAN_INFO_RANGE_END: u16 = 1 << 4;
pub const BRIDGE_VLAN_INFO_BRENTRY: u16 = 1 << 5;
pub const BRIDGE_VLAN_INFO_ONLY_OPTS: u16 = 1 << 6;

/// `struct bridge_vlan_info` (4 bytes): `IFLA_BRIDGE_VLAN_INFO`'s payload.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BridgeVlanInfo {
    pub flags: u16,
    pub vid: u16,
}

impl Header for BridgeVlanInfo {
    const LEN: usize = 4;
    #[inline]
    fn write_to(&self, out: &mut [u8]) {
        out[0..2].copy_from_slice(&self.flags.to_ne_bytes());
        out[2..4].copy_from_slice(&self.vid.to_ne_bytes());
    }
    #[inline]
    fn read_from(b: &[u8]) -> Option<Self> {
        if b.len() < Self::LEN {
            return None;
        }
        Some(BridgeVlanInfo {
            flags: u16_at(b, 0),
            vid: u16_at(b, 2),
        })
    }
}

const _: () = {
    assert!(core::mem::size_of::<BridgeVlanInfo>() == BridgeVlanInfo::LEN);
    assert!(core::mem::offset_of!(BridgeVlanInfo, vid) == 2);
};

// ---- if_link.h: IFLA_INFO_DATA of kind "vlan" ----------------------------------------

pub const IFLA_VLAN_ID: u16 = 1;
/// `struct ifla_vlan_flags { __u32 flags; __u32 mask; }`.
pub const IFLA_VLAN_FLAGS: u16 = 2;
/// Nested: `IFLA_VLAN_QOS_MAPPING` entries, skb priority → VLAN priority.
pub const IFLA_VLAN_EGRESS_QOS: u16 = 3;
/// Nested: `IFLA_VLAN_QOS_MAPPING` entries, VLAN priority → skb priority.
pub const IFLA_VLAN_INGRESS_QOS: u16 = 4;
/// `struct ifla_vlan_qos_mapping { __u32 from; __u32 to; }`, nested in
/// `IFLA_VLAN_EGRESS_QOS` / `IFLA_VLAN_INGRESS_QOS`.
pub const IFLA_VLAN_QOS_MAPPING: u16 = 1;
/// Big-endian `__be16` (`ETH_P_8021Q`, `ETH_P_8021AD`).
pub const IFLA_VLAN_PROTOCOL: u16 = 5;
pub const VLAN_FLAG_REORDER_HDR: u32 = 0x1;
pub const VLAN_FLAG_GVRP: u32 = 0x2;
pub const VLAN_FLAG_LOOSE_BINDING: u32 = 0x4;
pub const VLAN_FLAG_MVRP: u32 = 0x8;
pub const VLAN_FLAG_BRIDGE_BINDING: u32 = 0x10;
/// `ETH_P_8021Q`.
pub const ETH_P_8021Q: u16 = 0x8100;
/// `ETH_P_8021AD`.
pub const ETH_P_8021AD: u16 = 0x88a8;

// ---- IFLA_INFO_DATA of kinds "macvlan" and "macvtap" ---------------------------------

pub const IFLA_MACVLAN_MODE: u16 = 1;
/// A `u16`.
pub const IFLA_MACVLAN_FLAGS: u16 = 2;
pub const IFLA_MACVLAN_MACADDR_MODE: u16 = 3;
pub const IFLA_MACVLAN_MACADDR: u16 = 4;
pub const IFLA_MACVLAN_MACADDR_DATA: u16 = 5;
pub const IFLA_MACVLAN_MACADDR_COUNT: u16 = 6;
pub const IFLA_MACVLAN_BC_QUEUE_LEN: u16 = 7;
pub const IFLA_MACVLAN_BC_QUEUE_LEN_USED: u16 = 8;
pub const MACVLAN_MODE_PRIVATE: u32 = 1;
pub const MACVLAN_MODE_VEPA: u32 = 2;
pub const MACVLAN_MODE_BRIDGE: u32 = 4;
pub const MACVLAN_MODE_PASSTHRU: u32 = 8;
pub const MACVLAN_MODE_SOURCE: u32 = 16;
pub const MACVLAN_MACADDR_ADD: u32 = 0;
pub const MACVLAN_MACADDR_DEL: u32 = 1;
pub const MACVLAN_MACADDR_FLUSH: u32 = 2;
pub const MACVLAN_MACADDR_SET: u32 = 3;
pub const MACVLAN_FLAG_NOPROMISC: u16 = 1;
pub const MACVLAN_FLAG_NODST: u16 = 2;

// ---- IFLA_INFO_DATA of kind "ipvlan" (and "ipvtap") ----------------------------------

/// A `u16`.
pub const IFLA_IPVLAN_MODE: u16 = 1;
/// A `u16`.
pub const IFLA_IPVLAN_FLAGS: u16 = 2;
pub const IPVLAN_MODE_L2: u16 = 0;
pub const IPVLAN_MODE_L3: u16 = 1;
pub const IPVLAN_MODE_L3S: u16 = 2;
pub const IPVLAN_F_PRIVATE: u16 = 0x01;
pub const IPVLAN_F_VEPA: u16 = 0x02;

// ---- IFLA_INFO_DATA of kind "vxlan" ---------------------------------------------------

pub const IFLA_VXLAN_ID: u16 = 1;
/// The remote (unicast) or multicast group address, IPv4.
pub const IFLA_VXLAN_GROUP: u16 = 2;
pub const IFLA_VXLAN_LINK: u16 = 3;
pub const IFLA_VXLAN_LOCAL: u16 = 4;
pub const IFLA_VXLAN_TTL: u16 = 5;
pub const IFLA_VXLAN_TOS: u16 = 6;
pub const IFLA_VXLAN_LEARNING: u16 = 7;
pub const IFLA_VXLAN_AGEING: u16 = 8;
pub const IFLA_VXLAN_LIMIT: u16 = 9;
/// `struct ifla_vxlan_port_range { __be16 low, high; }`: the source ports.
pub const IFLA_VXLAN_PORT_RANGE: u16 = 10;
pub const IFLA_VXLAN_PROXY: u16 = 11;
pub const IFLA_VXLAN_RSC: u16 = 12;
pub const IFLA_VXLAN_L2MISS: u16 = 13;
pub const IFLA_VXLAN_L3MISS: u16 = 14;
/// The destination port, `__be16`.
pub const IFLA_VXLAN_PORT: u16 = 15;
pub const IFLA_VXLAN_GROUP6: u16 = 16;
pub const IFLA_VXLAN_LOCAL6: u16 = 17;
pub const IFLA_VXLAN_UDP_CSUM: u16 = 18;
pub const IFLA_VXLAN_UDP_ZERO_CSUM6_TX: u16 = 19;
pub const IFLA_VXLAN_UDP_ZERO_CSUM6_RX: u16 = 20;
pub const IFLA_VXLAN_REMCSUM_TX: u16 = 21;
pub const IFLA_VXLAN_REMCSUM_RX: u16 = 22;
pub const IFLA_VXLAN_GBP: u16 = 23;
pub const IFLA_VXLAN_REMCSUM_NOPARTIAL: u16 = 24;
pub const IFLA_VXLAN_COLLECT_METADATA: u16 = 25;
/// `__be32` flow label.
pub const IFLA_VXLAN_LABEL: u16 = 26;
pub const IFLA_VXLAN_GPE: u16 = 27;
pub const IFLA_VXLAN_TTL_INHERIT: u16 = 28;
pub const IFLA_VXLAN_DF: u16 = 29;
pub const IFLA_VXLAN_VNIFILTER: u16 = 30;
pub const IFLA_VXLAN_LOCALBYPASS: u16 = 31;

// ---- IFLA_INFO_DATA of kind "geneve" --------------------------------------------------

pub const IFLA_GENEVE_ID: u16 = 1;
pub const IFLA_GENEVE_REMOTE: u16 = 2;
pub const IFLA_GENEVE_TTL: u16 = 3;
pub const IFLA_GENEVE_TOS: u16 = 4;
/// `__be16`.
pub const IFLA_GENEVE_PORT: u16 = 5;
pub const IFLA_GENEVE_COLLECT_METADATA: u16 = 6;
pub const IFLA_GENEVE_REMOTE6: u16 = 7;
pub const IFLA_GENEVE_UDP_CSUM: u16 = 8;
pub const IFLA_GENEVE_UDP_ZERO_CSUM6_TX: u16 = 9;
pub const IFLA_GENEVE_UDP_ZERO_CSUM6_RX: u16 = 10;
/// `__be32` flow label.
pub const IFLA_GENEVE_LABEL: u16 = 11;
pub const IFLA_GENEVE_TTL_INHERIT: u16 = 12;
pub const IFLA_GENEVE_DF: u16 = 13;
pub const IFLA_GENEVE_INNER_PROTO_INHERIT: u16 = 14;

// ---- IFLA_INFO_DATA of kind "vrf" -----------------------------------------------------

pub const IFLA_VRF_TABLE: u16 = 1;

// ---- IFLA_INFO_DATA of kind "bond" ----------------------------------------------------

pub const IFLA_BOND_MODE: u16 = 1;
pub const IFLA_BOND_ACTIVE_SLAVE: u16 = 2;
pub const IFLA_BOND_MIIMON: u16 = 3;
pub const IFLA_BOND_UPDELAY: u16 = 4;
pub const IFLA_BOND_DOWNDELAY: u16 = 5;
pub const IFLA_BOND_USE_CARRIER: u16 = 6;
pub const IFLA_BOND_ARP_INTERVAL: u16 = 7;
pub const IFLA_BOND_ARP_IP_TARGET: u16 = 8;
pub const IFLA_BOND_ARP_VALIDATE: u16 = 9;
pub const IFLA_BOND_ARP_ALL_TARGETS: u16 = 10;
pub const IFLA_BOND_PRIMARY: u16 = 11;
pub const IFLA_BOND_PRIMARY_RESELECT: u16 = 12;
pub const IFLA_BOND_FAIL_OVER_MAC: u16 = 13;
pub const IFLA_BOND_XMIT_HASH_POLICY: u16 = 14;
pub const IFLA_BOND_RESEND_IGMP: u16 = 15;
pub const IFLA_BOND_NUM_PEER_NOTIF: u16 = 16;
pub const IFLA_BOND_ALL_SLAVES_ACTIVE: u16 = 17;
pub const IFLA_BOND_MIN_LINKS: u16 = 18;
pub const IFLA_BOND_LP_INTERVAL: u16 = 19;
pub const IFLA_BOND_PACKETS_PER_SLAVE: u16 = 20;
pub const IFLA_BOND_AD_LACP_RATE: u16 = 21;
pub const IFLA_BOND_AD_SELECT: u16 = 22;
pub const IFLA_BOND_AD_INFO: u16 = 23;

// ---- IFLA_INFO_DATA of kind "tun" (reported, Linux >= 4.15) ---------------------------

pub const IFLA_TUN_OWNER: u16 = 1;
pub const IFLA_TUN_GROUP: u16 = 2;
pub const IFLA_TUN_TYPE: u16 = 3;
pub const IFLA_TUN_PI: u16 = 4;
pub const IFLA_TUN_VNET_HDR: u16 = 5;
pub const IFLA_TUN_PERSIST: u16 = 6;
pub const IFLA_TUN_MULTI_QUEUE: u16 = 7;
pub const IFLA_TUN_NUM_QUEUES: u16 = 8;
pub const IFLA_TUN_NUM_DISABLED_QUEUES: u16 = 9;

// ---- if_tun.h: /dev/net/tun flags (`ifr_flags` of TUNSETIFF) --------------------------

pub const IFF_TUN: u16 = 0x0001;
pub const IFF_TAP: u16 = 0x0002;
pub const IFF_NAPI: u16 = 0x0010;
pub const IFF_NAPI_FRAGS: u16 = 0x0020;
pub const IFF_NO_CARRIER: u16 = 0x0040;
pub const IFF_NO_PI: u16 = 0x1000;
pub const IFF_ONE_QUEUE: u16 = 0x2000;
pub const IFF_VNET_HDR: u16 = 0x4000;
pub const IFF_TUN_EXCL: u16 = 0x8000;
pub const IFF_MULTI_QUEUE: u16 = 0x0100;
pub const IFF_ATTACH_QUEUE: u16 = 0x0200;
pub const IFF_DETACH_QUEUE: u16 = 0x0400;
pub const IFF_PERSIST: u16 = 0x0800;
