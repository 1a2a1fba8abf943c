//! Layer `abi`: `linux/rtnetlink.h` — message types and address families.

#![allow(missing_docs)] // the kernel's names; see the UAPI header.

use super::*;

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
pub const RTM_NEWNEIGH: u16 = 28;
pub const RTM_DELNEIGH: u16 = 29;
pub const RTM_GETNEIGH: u16 = 30;
pub const RTM_NEWRULE: u16 = 32;
pub const RTM_DELRULE: u16 = 33;
pub const RTM_GETRULE: u16 = 34;
pub const RTM_NEWQDISC: u16 = 36;
pub const RTM_DELQDISC: u16 = 37;
pub const RTM_GETQDISC: u16 = 38;
pub const RTM_NEWTCLASS: u16 = 40;
pub const RTM_DELTCLASS: u16 = 41;
pub const RTM_GETTCLASS: u16 = 42;
pub const RTM_NEWTFILTER: u16 = 44;
pub const RTM_DELTFILTER: u16 = 45;
pub const RTM_GETTFILTER: u16 = 46;
pub const RTM_NEWACTION: u16 = 48;
pub const RTM_DELACTION: u16 = 49;
pub const RTM_GETACTION: u16 = 50;
pub const RTM_NEWPREFIX: u16 = 52;
pub const RTM_GETMULTICAST: u16 = 58;
pub const RTM_GETANYCAST: u16 = 62;
pub const RTM_NEWNEIGHTBL: u16 = 64;
pub const RTM_GETNEIGHTBL: u16 = 66;
pub const RTM_SETNEIGHTBL: u16 = 67;
pub const RTM_NEWNDUSEROPT: u16 = 68;
pub const RTM_NEWADDRLABEL: u16 = 72;
pub const RTM_DELADDRLABEL: u16 = 73;
pub const RTM_GETADDRLABEL: u16 = 74;
pub const RTM_GETDCB: u16 = 78;
pub const RTM_SETDCB: u16 = 79;
pub const RTM_NEWNETCONF: u16 = 80;
pub const RTM_DELNETCONF: u16 = 81;
pub const RTM_GETNETCONF: u16 = 82;
pub const RTM_NEWMDB: u16 = 84;
pub const RTM_DELMDB: u16 = 85;
pub const RTM_GETMDB: u16 = 86;
pub const RTM_NEWNSID: u16 = 88;
pub const RTM_DELNSID: u16 = 89;
pub const RTM_GETNSID: u16 = 90;
pub const RTM_NEWSTATS: u16 = 92;
pub const RTM_GETSTATS: u16 = 94;
pub const RTM_SETSTATS: u16 = 95;
pub const RTM_NEWCACHEREPORT: u16 = 96;
pub const RTM_NEWCHAIN: u16 = 100;
pub const RTM_DELCHAIN: u16 = 101;
pub const RTM_GETCHAIN: u16 = 102;
pub const RTM_NEWNEXTHOP: u16 = 104;
pub const RTM_DELNEXTHOP: u16 = 105;
pub const RTM_GETNEXTHOP: u16 = 106;
pub const RTM_NEWLINKPROP: u16 = 108;
pub const RTM_DELLINKPROP: u16 = 109;
pub const RTM_GETLINKPROP: u16 = 110;
pub const RTM_NEWVLAN: u16 = 112;
pub const RTM_DELVLAN: u16 = 113;
pub const RTM_GETVLAN: u16 = 114;
pub const RTM_NEWNEXTHOPBUCKET: u16 = 116;
pub const RTM_DELNEXTHOPBUCKET: u16 = 117;
pub const RTM_GETNEXTHOPBUCKET: u16 = 118;
pub const RTM_NEWTUNNEL: u16 = 120;
pub const RTM_DELTUNNEL: u16 = 121;
pub const RTM_GETTUNNEL: u16 = 122;

/// The names of the `RTM_*` message types from `RTM_NEWLINK` (16) on, one per line in
/// type order (empty lines for unused numbers). One string, no table of pointers: each
/// pointer would cost a relocation in a static-pie binary (a guest's init).
const RTM_NAMES: &str = "RTM_NEWLINK\nRTM_DELLINK\nRTM_GETLINK\nRTM_SETLINK\nRTM_NEWADDR\nRTM_DELADDR\nRTM_GETADDR\n\nRTM_NEWROUTE\nRTM_DELROUTE\nRTM_GETROUTE\n\nRTM_NEWNEIGH\nRTM_DELNEIGH\nRTM_GETNEIGH\n\nRTM_NEWRULE\nRTM_DELRULE\nRTM_GETRULE\n\nRTM_NEWQDISC\nRTM_DELQDISC\nRTM_GETQDISC\n\nRTM_NEWTCLASS\nRTM_DELTCLASS\nRTM_GETTCLASS\n\nRTM_NEWTFILTER\nRTM_DELTFILTER\nRTM_GETTFILTER\n\nRTM_NEWACTION\nRTM_DELACTION\nRTM_GETACTION\n\nRTM_NEWPREFIX\n\n\n\n\n\nRTM_GETMULTICAST\n\n\n\nRTM_GETANYCAST\n\nRTM_NEWNEIGHTBL\n\nRTM_GETNEIGHTBL\nRTM_SETNEIGHTBL\nRTM_NEWNDUSEROPT\n\n\n\nRTM_NEWADDRLABEL\nRTM_DELADDRLABEL\nRTM_GETADDRLABEL\n\n\n\nRTM_GETDCB\nRTM_SETDCB\nRTM_NEWNETCONF\nRTM_DELNETCONF\nRTM_GETNETCONF\n\nRTM_NEWMDB\nRTM_DELMDB\nRTM_GETMDB\n\nRTM_NEWNSID\nRTM_DELNSID\nRTM_GETNSID\n\nRTM_NEWSTATS\n\nRTM_GETSTATS\nRTM_SETSTATS\nRTM_NEWCACHEREPORT\n\n\n\nRTM_NEWCHAIN\nRTM_DELCHAIN\nRTM_GETCHAIN\n\nRTM_NEWNEXTHOP\nRTM_DELNEXTHOP\nRTM_GETNEXTHOP\n\nRTM_NEWLINKPROP\nRTM_DELLINKPROP\nRTM_GETLINKPROP\n\nRTM_NEWVLAN\nRTM_DELVLAN\nRTM_GETVLAN\n\nRTM_NEWNEXTHOPBUCKET\nRTM_DELNEXTHOPBUCKET\nRTM_GETNEXTHOPBUCKET\n\nRTM_NEWTUNNEL\nRTM_DELTUNNEL\nRTM_GETTUNNEL";

/// Where each line of [`RTM_NAMES`] starts (and, one past the last, where it ends).
const RTM_STARTS: [u16; 108] = {
    let t = RTM_NAMES.as_bytes();
    let mut starts = [0u16; 108];
    let (mut i, mut n) = (0, 1);
    while i < t.len() {
        if t[i] == b'\n' {
            starts[n] = (i + 1) as u16;
            n += 1;
        }
        i += 1;
    }
    starts[n] = (t.len() + 1) as u16;
    assert!(n == 107, "one line per message type");
    starts
};

/// The name of an `RTM_*` (or control) message type, for errors and debugging;
/// `"RTM_UNKNOWN"` for a number this crate does not know.
pub fn msg_type_name(ty: u16) -> &'static str {
    match ty {
        NLMSG_NOOP => "NLMSG_NOOP",
        NLMSG_ERROR => "NLMSG_ERROR",
        NLMSG_DONE => "NLMSG_DONE",
        NLMSG_OVERRUN => "NLMSG_OVERRUN",
        16..=122 => {
            let i = usize::from(ty - 16);
            let name = RTM_NAMES
                .get(usize::from(RTM_STARTS[i])..usize::from(RTM_STARTS[i + 1]) - 1)
                .unwrap_or("");
            if name.is_empty() {
                "RTM_UNKNOWN"
            } else {
                name
            }
        }
        _ => "RTM_UNKNOWN",
    }
}

// ---- rtnetlink.h: multicast groups (enum rtnetlink_groups) --------------------------

pub const RTNLGRP_NONE: u32 = 0;
pub const RTNLGRP_LINK: u32 = 1;
pub const RTNLGRP_NOTIFY: u32 = 2;
pub const RTNLGRP_NEIGH: u32 = 3;
pub const RTNLGRP_TC: u32 = 4;
pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
pub const RTNLGRP_IPV4_MROUTE: u32 = 6;
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
pub const RTNLGRP_IPV4_RULE: u32 = 8;
pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
pub const RTNLGRP_IPV6_MROUTE: u32 = 10;
pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
pub const RTNLGRP_IPV6_IFINFO: u32 = 12;
pub const RTNLGRP_DECNET_IFADDR: u32 = 13;
pub const RTNLGRP_NOP2: u32 = 14;
pub const RTNLGRP_DECNET_ROUTE: u32 = 15;
pub const RTNLGRP_DECNET_RULE: u32 = 16;
pub const RTNLGRP_NOP4: u32 = 17;
pub const RTNLGRP_IPV6_PREFIX: u32 = 18;
pub const RTNLGRP_IPV6_RULE: u32 = 19;
pub const RTNLGRP_ND_USEROPT: u32 = 20;
pub const RTNLGRP_PHONET_IFADDR: u32 = 21;
pub const RTNLGRP_PHONET_ROUTE: u32 = 22;
pub const RTNLGRP_DCB: u32 = 23;
pub const RTNLGRP_IPV4_NETCONF: u32 = 24;
pub const RTNLGRP_IPV6_NETCONF: u32 = 25;
pub const RTNLGRP_MDB: u32 = 26;
pub const RTNLGRP_MPLS_ROUTE: u32 = 27;
pub const RTNLGRP_NSID: u32 = 28;
pub const RTNLGRP_MPLS_NETCONF: u32 = 29;
pub const RTNLGRP_IPV4_MROUTE_R: u32 = 30;
pub const RTNLGRP_IPV6_MROUTE_R: u32 = 31;
pub const RTNLGRP_NEXTHOP: u32 = 32;
pub const RTNLGRP_BRVLAN: u32 = 33;
pub const RTNLGRP_MCTP_IFADDR: u32 = 34;
pub const RTNLGRP_TUNNEL: u32 = 35;
pub const RTNLGRP_STATS: u32 = 36;

// ---- address families (ifi_family / ifa_family / rtm_family) ------------------------

pub const AF_UNSPEC: u8 = 0;
pub const AF_INET: u8 = 2;
pub const AF_BRIDGE: u8 = 7;
pub const AF_INET6: u8 = 10;
pub const AF_PACKET: u8 = 17;
pub const AF_MPLS: u8 = 28;
