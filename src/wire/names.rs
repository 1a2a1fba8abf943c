//! Layer `wire`: names for what the kernel points at. An extended ACK may carry
//! `NLMSGERR_ATTR_OFFS`: the byte offset, in the request, of the attribute it
//! refused. [`attr_path`] walks the request it was given to that offset and names the
//! attribute with its nesting (`IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE`), so
//! an error says which value was wrong, not only that one was.
//!
//! The walk knows the families rtnl builds: links (with the kind-specific data of
//! every kind the crate types and the bridge port data), addresses, routes (metrics
//! and multipath next hops), nexthops, neighbours, rules and traffic control. An
//! attribute it cannot name is written by number (`IFLA_INFO_DATA/#7`).
//!
//! The names are kept as one string per attribute space, one name per line in type
//! order, without their common prefix: no table of pointers (each would cost a
//! relocation in a static-pie binary).

use crate::abi::*;
use crate::wire::Attrs;

/// The length of the fixed family header after the `nlmsghdr` of a message type
/// (`struct ifinfomsg` for `RTM_*LINK`, ...), aligned as the attributes that follow it;
/// `None` for types this crate does not know.
pub const fn family_header_len(msg_type: u16) -> Option<usize> {
    Some(match msg_type {
        RTM_NEWLINK..=RTM_SETLINK | RTM_NEWLINKPROP..=RTM_GETLINKPROP => 16,
        RTM_NEWADDR..=RTM_GETADDR => 8,
        RTM_NEWROUTE..=RTM_GETROUTE => 12,
        RTM_NEWNEIGH..=RTM_GETNEIGH => 12,
        RTM_NEWRULE..=RTM_GETRULE => 12,
        RTM_NEWQDISC..=RTM_GETTFILTER | RTM_NEWCHAIN..=RTM_GETCHAIN => 20,
        RTM_NEWACTION..=RTM_GETACTION => 4,
        RTM_NEWNEXTHOP..=RTM_GETNEXTHOP => 8,
        RTM_NEWNSID..=RTM_GETNSID => 4,
        RTM_NEWNETCONF..=RTM_GETNETCONF => 4,
        RTM_NEWMDB..=RTM_GETMDB => 8,
        RTM_NEWVLAN..=RTM_GETVLAN => 8,
        RTM_NEWSTATS..=RTM_SETSTATS => 12,
        _ => return None,
    })
}

/// An attribute space: which names its types have, and what its nests hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Space {
    Ifla,
    IflaInfo,
    Veth,
    Br,
    BrPort,
    Vlan,
    Macvlan,
    Vxlan,
    Ipvlan,
    Vrf,
    Bond,
    Geneve,
    AfSpec,
    Inet,
    Inet6,
    Bridge,
    Ifa,
    Rta,
    Rtax,
    Multipath,
    EncapMpls,
    EncapIp,
    EncapIp6,
    EncapBpf,
    Nha,
    NhaResGroup,
    Nda,
    Fra,
    Tca,
    Unknown,
}

struct Names;

#[rustfmt::skip]
impl Names {
    /// `IFLA_*`, from `IFLA_UNSPEC` = 0.
    const IFLA: &str = "UNSPEC\nADDRESS\nBROADCAST\nIFNAME\nMTU\nLINK\nQDISC\nSTATS\nCOST\nPRIORITY\nMASTER\nWIRELESS\nPROTINFO\nTXQLEN\nMAP\nWEIGHT\nOPERSTATE\nLINKMODE\nLINKINFO\nNET_NS_PID\nIFALIAS\nNUM_VF\nVFINFO_LIST\nSTATS64\nVF_PORTS\nPORT_SELF\nAF_SPEC\nGROUP\nNET_NS_FD\nEXT_MASK\nPROMISCUITY\nNUM_TX_QUEUES\nNUM_RX_QUEUES\nCARRIER\nPHYS_PORT_ID\nCARRIER_CHANGES\nPHYS_SWITCH_ID\nLINK_NETNSID\nPHYS_PORT_NAME\nPROTO_DOWN\nGSO_MAX_SEGS\nGSO_MAX_SIZE\nPAD\nXDP\nEVENT\nNEW_NETNSID\nIF_NETNSID\nCARRIER_UP_COUNT\nCARRIER_DOWN_COUNT\nNEW_IFINDEX\nMIN_MTU\nMAX_MTU\nPROP_LIST\nALT_IFNAME\nPERM_ADDRESS\nPROTO_DOWN_REASON\nPARENT_DEV_NAME\nPARENT_DEV_BUS_NAME\nGRO_MAX_SIZE\nTSO_MAX_SIZE\nTSO_MAX_SEGS\nALLMULTI";
    /// `IFLA_INFO_*`, from `IFLA_INFO_UNSPEC` = 0.
    const IFLA_INFO: &str = "UNSPEC\nKIND\nDATA\nXSTATS\nSLAVE_KIND\nSLAVE_DATA";
    /// `IFLA_BR_*`, from `IFLA_BR_UNSPEC` = 0.
    const IFLA_BR: &str = "UNSPEC\nFORWARD_DELAY\nHELLO_TIME\nMAX_AGE\nAGEING_TIME\nSTP_STATE\nPRIORITY\nVLAN_FILTERING\nVLAN_PROTOCOL\nGROUP_FWD_MASK\nROOT_ID\nBRIDGE_ID\nROOT_PORT\nROOT_PATH_COST\nTOPOLOGY_CHANGE\nTOPOLOGY_CHANGE_DETECTED\nHELLO_TIMER\nTCN_TIMER\nTOPOLOGY_CHANGE_TIMER\nGC_TIMER\nGROUP_ADDR\nFDB_FLUSH\nMCAST_ROUTER\nMCAST_SNOOPING\nMCAST_QUERY_USE_IFADDR\nMCAST_QUERIER\nMCAST_HASH_ELASTICITY\nMCAST_HASH_MAX\nMCAST_LAST_MEMBER_CNT\nMCAST_STARTUP_QUERY_CNT\nMCAST_LAST_MEMBER_INTVL\nMCAST_MEMBERSHIP_INTVL\nMCAST_QUERIER_INTVL\nMCAST_QUERY_INTVL\nMCAST_QUERY_RESPONSE_INTVL\nMCAST_STARTUP_QUERY_INTVL\nNF_CALL_IPTABLES\nNF_CALL_IP6TABLES\nNF_CALL_ARPTABLES\nVLAN_DEFAULT_PVID\nPAD\nVLAN_STATS_ENABLED\nMCAST_STATS_ENABLED\nMCAST_IGMP_VERSION\nMCAST_MLD_VERSION\nVLAN_STATS_PER_PORT\nMULTI_BOOLOPT\nMCAST_QUERIER_STATE";
    /// `IFLA_BRPORT_*`, from `IFLA_BRPORT_UNSPEC` = 0.
    const IFLA_BRPORT: &str = "UNSPEC\nSTATE\nPRIORITY\nCOST\nMODE\nGUARD\nPROTECT\nFAST_LEAVE\nLEARNING\nUNICAST_FLOOD\nPROXYARP\nLEARNING_SYNC\nPROXYARP_WIFI\nROOT_ID\nBRIDGE_ID\nDESIGNATED_PORT\nDESIGNATED_COST\nID\nNO\nTOPOLOGY_CHANGE_ACK\nCONFIG_PENDING\nMESSAGE_AGE_TIMER\nFORWARD_DELAY_TIMER\nHOLD_TIMER\nFLUSH\nMULTICAST_ROUTER\nPAD\nMCAST_FLOOD\nMCAST_TO_UCAST\nVLAN_TUNNEL\nBCAST_FLOOD\nGROUP_FWD_MASK\nNEIGH_SUPPRESS\nISOLATED\nBACKUP_PORT\nMRP_RING_OPEN\nMRP_IN_OPEN\nMCAST_EHT_HOSTS_LIMIT\nMCAST_EHT_HOSTS_CNT\nLOCKED";
    /// `VETH_INFO_*`, from `VETH_INFO_UNSPEC` = 0.
    const VETH_INFO: &str = "UNSPEC\nPEER";
    /// `IFLA_VLAN_*`, from `IFLA_VLAN_UNSPEC` = 0.
    const IFLA_VLAN: &str = "UNSPEC\nID\nFLAGS\nEGRESS_QOS\nINGRESS_QOS\nPROTOCOL";
    /// `IFLA_MACVLAN_*`, from `IFLA_MACVLAN_UNSPEC` = 0.
    const IFLA_MACVLAN: &str = "UNSPEC\nMODE\nFLAGS\nMACADDR_MODE\nMACADDR\nMACADDR_DATA\nMACADDR_COUNT\nBC_QUEUE_LEN\nBC_QUEUE_LEN_USED";
    /// `IFLA_VXLAN_*`, from `IFLA_VXLAN_UNSPEC` = 0.
    const IFLA_VXLAN: &str = "UNSPEC\nID\nGROUP\nLINK\nLOCAL\nTTL\nTOS\nLEARNING\nAGEING\nLIMIT\nPORT_RANGE\nPROXY\nRSC\nL2MISS\nL3MISS\nPORT\nGROUP6\nLOCAL6\nUDP_CSUM\nUDP_ZERO_CSUM6_TX\nUDP_ZERO_CSUM6_RX\nREMCSUM_TX\nREMCSUM_RX\nGBP\nREMCSUM_NOPARTIAL\nCOLLECT_METADATA\nLABEL\nGPE\nTTL_INHERIT\nDF\nVNIFILTER";
    /// `IFLA_IPVLAN_*`, from `IFLA_IPVLAN_UNSPEC` = 0.
    const IFLA_IPVLAN: &str = "UNSPEC\nMODE\nFLAGS";
    /// `IFLA_VRF_*`, from `IFLA_VRF_UNSPEC` = 0.
    const IFLA_VRF: &str = "UNSPEC\nTABLE";
    /// `IFLA_BOND_*`, from `IFLA_BOND_UNSPEC` = 0.
    const IFLA_BOND: &str = "UNSPEC\nMODE\nACTIVE_SLAVE\nMIIMON\nUPDELAY\nDOWNDELAY\nUSE_CARRIER\nARP_INTERVAL\nARP_IP_TARGET\nARP_VALIDATE\nARP_ALL_TARGETS\nPRIMARY\nPRIMARY_RESELECT\nFAIL_OVER_MAC\nXMIT_HASH_POLICY\nRESEND_IGMP\nNUM_PEER_NOTIF\nALL_SLAVES_ACTIVE\nMIN_LINKS\nLP_INTERVAL\nPACKETS_PER_SLAVE\nAD_LACP_RATE\nAD_SELECT\nAD_INFO\nAD_ACTOR_SYS_PRIO\nAD_USER_PORT_KEY\nAD_ACTOR_SYSTEM\nTLB_DYNAMIC_LB\nPEER_NOTIF_DELAY\nAD_LACP_ACTIVE\nMISSED_MAX\nNS_IP6_TARGET\nCOUPLED_CONTROL";
    /// `IFLA_GENEVE_*`, from `IFLA_GENEVE_UNSPEC` = 0.
    const IFLA_GENEVE: &str = "UNSPEC\nID\nREMOTE\nTTL\nTOS\nPORT\nCOLLECT_METADATA\nREMOTE6\nUDP_CSUM\nUDP_ZERO_CSUM6_TX\nUDP_ZERO_CSUM6_RX\nLABEL\nTTL_INHERIT\nDF\nINNER_PROTO_INHERIT";
    /// `IFLA_INET_*`, from `IFLA_INET_UNSPEC` = 0.
    const IFLA_INET: &str = "UNSPEC\nCONF";
    /// `IFLA_INET6_*`, from `IFLA_INET6_UNSPEC` = 0.
    const IFLA_INET6: &str = "UNSPEC\nFLAGS\nCONF\nSTATS\nMCAST\nCACHEINFO\nICMP6STATS\nTOKEN\nADDR_GEN_MODE\nRA_MTU";
    /// `IFLA_BRIDGE_*`, from `IFLA_BRIDGE_FLAGS` = 0.
    const IFLA_BRIDGE: &str = "FLAGS\nMODE\nVLAN_INFO\nVLAN_TUNNEL_INFO\nMRP\nCFM\nMST";
    /// `IFA_*`, from `IFA_UNSPEC` = 0.
    const IFA: &str = "UNSPEC\nADDRESS\nLOCAL\nLABEL\nBROADCAST\nANYCAST\nCACHEINFO\nMULTICAST\nFLAGS\nRT_PRIORITY\nTARGET_NETNSID\nPROTO";
    /// `RTA_*`, from `RTA_UNSPEC` = 0.
    const RTA: &str = "UNSPEC\nDST\nSRC\nIIF\nOIF\nGATEWAY\nPRIORITY\nPREFSRC\nMETRICS\nMULTIPATH\nPROTOINFO\nFLOW\nCACHEINFO\nSESSION\nMP_ALGO\nTABLE\nMARK\nMFC_STATS\nVIA\nNEWDST\nPREF\nENCAP_TYPE\nENCAP\nEXPIRES\nPAD\nUID\nTTL_PROPAGATE\nIP_PROTO\nSPORT\nDPORT\nNH_ID";
    /// `NHA_*`, from `NHA_UNSPEC` = 0.
    const NHA: &str = "UNSPEC\nID\nGROUP\nGROUP_TYPE\nBLACKHOLE\nOIF\nGATEWAY\nENCAP_TYPE\nENCAP\nGROUPS\nMASTER\nFDB\nRES_GROUP\nRES_BUCKET";
    /// `NHA_RES_GROUP_*`, from `NHA_RES_GROUP_UNSPEC` = 0.
    const NHA_RES_GROUP: &str = "UNSPEC\nBUCKETS\nIDLE_TIMER\nUNBALANCED_TIMER\nUNBALANCED_TIME";
    /// `NDA_*`, from `NDA_UNSPEC` = 0.
    const NDA: &str = "UNSPEC\nDST\nLLADDR\nCACHEINFO\nPROBES\nVLAN\nPORT\nVNI\nIFINDEX\nMASTER\nLINK_NETNSID\nSRC_VNI\nPROTOCOL\nNH_ID\nFDB_EXT_ATTRS\nFLAGS_EXT\nNDM_STATE_MASK\nNDM_FLAGS_MASK";
    /// `FRA_*`, from `FRA_UNSPEC` = 0.
    const FRA: &str = "UNSPEC\nDST\nSRC\nIIFNAME\nGOTO\nUNUSED2\nPRIORITY\nUNUSED3\nUNUSED4\nUNUSED5\nFWMARK\nFLOW\nTUN_ID\nSUPPRESS_IFGROUP\nSUPPRESS_PREFIXLEN\nTABLE\nFWMASK\nOIFNAME\nPAD\nL3MDEV\nUID_RANGE\nPROTOCOL\nIP_PROTO\nSPORT_RANGE\nDPORT_RANGE";
    /// `TCA_*`, from `TCA_UNSPEC` = 0.
    const TCA: &str = "UNSPEC\nKIND\nOPTIONS\nSTATS\nXSTATS\nRATE\nFCNT\nSTATS2\nSTAB\nPAD\nDUMP_INVISIBLE\nCHAIN\nHW_OFFLOAD\nINGRESS_BLOCK\nEGRESS_BLOCK\nDUMP_FLAGS\nEXT_WARN_MSG";
    /// `MPLS_IPTUNNEL_*` (`RTA_ENCAP` of `encap mpls`), from 0.
    const MPLS_IPTUNNEL: &str = "UNSPEC\nDST\nTTL";
    /// `LWTUNNEL_IP_*` (`RTA_ENCAP` of `encap ip`), from 0.
    const LWTUNNEL_IP: &str = "UNSPEC\nID\nDST\nSRC\nTTL\nTOS\nFLAGS\nPAD\nOPTS";
    /// `LWTUNNEL_IP6_*` (`RTA_ENCAP` of `encap ip6`), from 0.
    const LWTUNNEL_IP6: &str = "UNSPEC\nID\nDST\nSRC\nHOPLIMIT\nTC\nFLAGS\nPAD\nOPTS";
    /// `LWT_BPF_*` (`RTA_ENCAP` of `encap bpf`), from 0.
    const LWT_BPF: &str = "UNSPEC\nIN\nOUT\nXMIT\nXMIT_HEADROOM";
    /// `RTAX_*`, from `RTAX_UNSPEC` = 0.
    const RTAX: &str = "UNSPEC\nLOCK\nMTU\nWINDOW\nRTT\nRTTVAR\nSSTHRESH\nCWND\nADVMSS\nREORDERING\nHOPLIMIT\nINITCWND\nFEATURES\nRTO_MIN\nINITRWND\nQUICKACK\nCC_ALGO\nFASTOPEN_NO_COOKIE";
}

impl Space {
    /// `(prefix, names)`: the name of type `t` is `prefix` + line `t` of `names`.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Space::Ifla => ("IFLA_", Names::IFLA),
            Space::IflaInfo => ("IFLA_INFO_", Names::IFLA_INFO),
            Space::Veth => ("VETH_INFO_", Names::VETH_INFO),
            Space::Br => ("IFLA_BR_", Names::IFLA_BR),
            Space::BrPort => ("IFLA_BRPORT_", Names::IFLA_BRPORT),
            Space::Vlan => ("IFLA_VLAN_", Names::IFLA_VLAN),
            Space::Macvlan => ("IFLA_MACVLAN_", Names::IFLA_MACVLAN),
            Space::Vxlan => ("IFLA_VXLAN_", Names::IFLA_VXLAN),
            Space::Ipvlan => ("IFLA_IPVLAN_", Names::IFLA_IPVLAN),
            Space::Vrf => ("IFLA_VRF_", Names::IFLA_VRF),
            Space::Bond => ("IFLA_BOND_", Names::IFLA_BOND),
            Space::Geneve => ("IFLA_GENEVE_", Names::IFLA_GENEVE),
            Space::AfSpec => ("AF_", "UNSPEC\n\nINET\n\n\n\n\nBRIDGE\n\n\nINET6"),
            Space::Inet => ("IFLA_INET_", Names::IFLA_INET),
            Space::Inet6 => ("IFLA_INET6_", Names::IFLA_INET6),
            Space::Bridge => ("IFLA_BRIDGE_", Names::IFLA_BRIDGE),
            Space::Ifa => ("IFA_", Names::IFA),
            Space::Rta | Space::Multipath => ("RTA_", Names::RTA),
            Space::Rtax => ("RTAX_", Names::RTAX),
            Space::EncapMpls => ("MPLS_IPTUNNEL_", Names::MPLS_IPTUNNEL),
            Space::EncapIp => ("LWTUNNEL_IP_", Names::LWTUNNEL_IP),
            Space::EncapIp6 => ("LWTUNNEL_IP6_", Names::LWTUNNEL_IP6),
            Space::EncapBpf => ("LWT_BPF_", Names::LWT_BPF),
            Space::Nha => ("NHA_", Names::NHA),
            Space::NhaResGroup => ("NHA_RES_GROUP_", Names::NHA_RES_GROUP),
            Space::Nda => ("NDA_", Names::NDA),
            Space::Fra => ("FRA_", Names::FRA),
            Space::Tca => ("TCA_", Names::TCA),
            Space::Unknown => ("", ""),
        }
    }

    /// Appends the name of type `ty` in this space to `out` (`#N` when unnamed).
    fn push_name(self, ty: u16, out: &mut String) {
        let (prefix, names) = self.table();
        match names
            .split('\n')
            .nth(usize::from(ty))
            .filter(|n| !n.is_empty())
        {
            Some(n) => {
                out.push_str(prefix);
                out.push_str(n);
            }
            None => {
                out.push('#');
                out.push_str(&ty.to_string());
            }
        }
    }

    /// The space of the kind-specific data of link kind `kind`.
    fn of_kind(kind: &[u8]) -> Space {
        match kind {
            b"veth" => Space::Veth,
            b"bridge" => Space::Br,
            b"vlan" => Space::Vlan,
            b"macvlan" | b"macvtap" => Space::Macvlan,
            b"vxlan" => Space::Vxlan,
            b"ipvlan" | b"ipvtap" => Space::Ipvlan,
            b"vrf" => Space::Vrf,
            b"bond" => Space::Bond,
            b"geneve" => Space::Geneve,
            _ => Space::Unknown,
        }
    }
}

/// What a nested attribute holds: its space and the fixed header that comes before
/// its attributes (`VETH_INFO_PEER` nests a whole `ifinfomsg`).
fn nest_of(space: Space, ty: u16, siblings: &[u8], family: u8) -> Option<(Space, usize)> {
    let kind_of = |kind_attr: u16| {
        Attrs::new(siblings)
            .flatten()
            .find(|a| a.ty == kind_attr)
            .map(|a| a.bytes_z())
    };
    Some(match (space, ty) {
        (Space::Ifla, IFLA_LINKINFO) => (Space::IflaInfo, 0),
        (Space::Ifla, IFLA_PROTINFO) => (Space::BrPort, 0),
        (Space::Ifla, IFLA_AF_SPEC) if family == AF_BRIDGE => (Space::Bridge, 0),
        (Space::Ifla, IFLA_AF_SPEC) => (Space::AfSpec, 0),
        (Space::Ifla, IFLA_PROP_LIST) => (Space::Ifla, 0),
        (Space::IflaInfo, IFLA_INFO_DATA) => (Space::of_kind(kind_of(IFLA_INFO_KIND)?), 0),
        (Space::IflaInfo, IFLA_INFO_SLAVE_DATA) => match kind_of(IFLA_INFO_SLAVE_KIND)? {
            b"bridge" => (Space::BrPort, 0),
            _ => return None,
        },
        (Space::Veth, VETH_INFO_PEER) => (Space::Ifla, IfInfoMsg::LEN),
        (Space::AfSpec, 2) => (Space::Inet, 0),
        (Space::AfSpec, 10) => (Space::Inet6, 0),
        (Space::Rta, RTA_METRICS) => (Space::Rtax, 0),
        (Space::Rta, RTA_MULTIPATH) => (Space::Multipath, 0),
        // A lightweight tunnel (`encap ...`, in a route or one of its next hops): the
        // space is named by the sibling `RTA_ENCAP_TYPE` (`LWTUNNEL_ENCAP_*`).
        (Space::Rta, RTA_ENCAP) => {
            let ty = Attrs::new(siblings)
                .flatten()
                .find(|a| a.ty == RTA_ENCAP_TYPE)
                .and_then(|a| a.u16().ok())?;
            match ty {
                1 => (Space::EncapMpls, 0),
                2 => (Space::EncapIp, 0),
                4 => (Space::EncapIp6, 0),
                6 => (Space::EncapBpf, 0),
                _ => return None,
            }
        }
        (Space::Nha, NHA_RES_GROUP) => (Space::NhaResGroup, 0),
        _ => return None,
    })
}

/// The attribute space at the top of a message of `msg_type`.
fn top_space(msg_type: u16) -> Space {
    match msg_type {
        RTM_NEWLINK..=RTM_SETLINK | RTM_NEWLINKPROP..=RTM_GETLINKPROP => Space::Ifla,
        RTM_NEWADDR..=RTM_GETADDR => Space::Ifa,
        RTM_NEWROUTE..=RTM_GETROUTE => Space::Rta,
        RTM_NEWNEIGH..=RTM_GETNEIGH => Space::Nda,
        RTM_NEWRULE..=RTM_GETRULE => Space::Fra,
        RTM_NEWQDISC..=RTM_GETTFILTER => Space::Tca,
        RTM_NEWNEXTHOP..=RTM_GETNEXTHOP => Space::Nha,
        _ => Space::Unknown,
    }
}

/// Names the attribute at byte `offset` of the request `msg` (a whole message, its
/// `nlmsghdr` first), as the kernel's `NLMSGERR_ATTR_OFFS` counts: e.g.
/// `"IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE"`. A next hop of `RTA_MULTIPATH`
/// is named by its position (`RTA_MULTIPATH/1/RTA_GATEWAY`). `None` when the offset
/// is not inside an attribute of the message (a header, or past its end).
pub fn attr_path(msg: &[u8], offset: u32) -> Option<String> {
    let hdr = NlMsgHdr::read_from(msg)?;
    let len = (hdr.nlmsg_len as usize).min(msg.len());
    let fam_len = align4(family_header_len(hdr.nlmsg_type)?);
    let family = msg.get(NlMsgHdr::LEN).copied().unwrap_or(0);
    let start = NlMsgHdr::LEN + fam_len;
    let offset = offset as usize;
    if offset < start || offset >= len {
        return None;
    }
    let mut out = String::new();
    walk(
        msg.get(start..len)?,
        start,
        offset,
        top_space(hdr.nlmsg_type),
        family,
        &mut out,
    );
    (!out.is_empty()).then_some(out)
}

/// Finds the attribute of `attrs` (which starts at `base` in the message) that holds
/// `offset`, appends its name, and goes on into it when it is a known nest.
fn walk(attrs: &[u8], base: usize, offset: usize, space: Space, family: u8, out: &mut String) {
    if space == Space::Multipath {
        return walk_multipath(attrs, base, offset, family, out);
    }
    let mut at = 0usize;
    for a in Attrs::new(attrs) {
        let Ok(a) = a else { return };
        let end = at + RtAttr::LEN + a.value.len();
        if (at..end).contains(&(offset - base)) || offset - base == at {
            if !out.is_empty() {
                out.push('/');
            }
            space.push_name(a.ty, out);
            let inner = base + at + RtAttr::LEN;
            if offset > base + at {
                if let Some((sub, skip)) = nest_of(space, a.ty, attrs, family) {
                    if let Some(v) = a.value.get(skip..) {
                        if offset >= inner + skip {
                            walk(v, inner + skip, offset, sub, family, out);
                        }
                    }
                }
            }
            return;
        }
        at = align4(end);
    }
}

/// `RTA_MULTIPATH` holds `struct rtnexthop`s, each followed by its own attributes.
fn walk_multipath(hops: &[u8], base: usize, offset: usize, family: u8, out: &mut String) {
    let mut at = 0usize;
    let mut i = 0usize;
    while let Some(h) = hops.get(at..).and_then(RtNexthop::read_from) {
        let len = usize::from(h.rtnh_len);
        if len < RtNexthop::LEN || at + len > hops.len() {
            return;
        }
        if (at..at + len).contains(&(offset - base)) {
            out.push('/');
            out.push_str(&i.to_string());
            let attrs_at = at + RtNexthop::LEN;
            if offset >= base + attrs_at {
                walk(
                    &hops[attrs_at..at + len],
                    base + attrs_at,
                    offset,
                    Space::Rta,
                    family,
                    out,
                );
            }
            return;
        }
        at += align4(len);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::MsgBuilder;

    #[test]
    fn tables_are_in_type_order() {
        let name = |s: Space, t: u16| {
            let mut o = String::new();
            s.push_name(t, &mut o);
            o
        };
        assert_eq!(name(Space::Ifla, IFLA_MTU), "IFLA_MTU");
        assert_eq!(name(Space::Ifla, IFLA_ALT_IFNAME), "IFLA_ALT_IFNAME");
        assert_eq!(name(Space::Ifla, IFLA_PERM_ADDRESS), "IFLA_PERM_ADDRESS");
        assert_eq!(name(Space::Br, IFLA_BR_STP_STATE), "IFLA_BR_STP_STATE");
        assert_eq!(name(Space::Rta, RTA_NH_ID), "RTA_NH_ID");
        assert_eq!(name(Space::Rtax, RTAX_ADVMSS), "RTAX_ADVMSS");
        assert_eq!(name(Space::Ifa, IFA_PROTO), "IFA_PROTO");
        assert_eq!(name(Space::Nha, NHA_OIF), "NHA_OIF");
        assert_eq!(name(Space::Ifla, 999), "#999");
    }

    #[test]
    fn paths_into_a_lightweight_tunnel_by_its_encap_type() {
        // ip route add 10.9.0.0/16 encap ip id 5 dev X: the kernel points at the id.
        let mut buf = [0u8; 128];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWROUTE, 0).unwrap();
        b.header(&RtMsg::default()).unwrap();
        b.attr_u16(RTA_ENCAP_TYPE, 2).unwrap();
        let e = b.begin_nested(RTA_ENCAP).unwrap();
        let id_at = b.len();
        b.attr_u64(1, 5).unwrap();
        b.end_nested(e).unwrap();
        let n = b.finish().unwrap();
        assert_eq!(
            attr_path(&buf[..n], id_at as u32).as_deref(),
            Some("RTA_ENCAP/LWTUNNEL_IP_ID")
        );
        // An encap type without names: the path stops at RTA_ENCAP.
        buf[32..34].copy_from_slice(&99u16.to_ne_bytes());
        assert_eq!(
            attr_path(&buf[..n], id_at as u32).as_deref(),
            Some("RTA_ENCAP")
        );
    }

    #[test]
    fn paths_through_nests_peers_and_multipath() {
        // ip link add br0 type bridge stp_state 1: point at IFLA_BR_STP_STATE.
        let mut buf = [0u8; 128];
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
        b.header(&IfInfoMsg::default()).unwrap();
        b.attr_u32(IFLA_MTU, 1400).unwrap();
        b.attr_str(IFLA_IFNAME, "br0").unwrap();
        let li = b.begin_nested(IFLA_LINKINFO).unwrap();
        b.attr_bytes(IFLA_INFO_KIND, b"bridge").unwrap();
        let d = b.begin_nested(IFLA_INFO_DATA).unwrap();
        let stp_at = b.len();
        b.attr_u32(IFLA_BR_STP_STATE, 1).unwrap();
        b.end_nested(d).unwrap();
        b.end_nested(li).unwrap();
        let n = b.finish().unwrap();
        let m = &buf[..n];
        assert_eq!(attr_path(m, 32).as_deref(), Some("IFLA_MTU"));
        assert_eq!(
            attr_path(m, 36).as_deref(),
            Some("IFLA_MTU"),
            "inside a leaf"
        );
        assert_eq!(
            attr_path(m, stp_at as u32).as_deref(),
            Some("IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_BR_STP_STATE")
        );
        assert_eq!(attr_path(m, 4), None, "the netlink header");
        assert_eq!(attr_path(m, 20), None, "the ifinfomsg");
        assert_eq!(attr_path(m, n as u32), None, "past the end");

        // A veth peer nests an ifinfomsg before its attributes.
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWLINK, 0).unwrap();
        b.header(&IfInfoMsg::default()).unwrap();
        let li = b.begin_nested(IFLA_LINKINFO).unwrap();
        b.attr_bytes(IFLA_INFO_KIND, b"veth").unwrap();
        let d = b.begin_nested(IFLA_INFO_DATA).unwrap();
        let p = b.begin_nested(VETH_INFO_PEER).unwrap();
        b.header(&IfInfoMsg::default()).unwrap();
        let name_at = b.len();
        b.attr_str(IFLA_IFNAME, "x").unwrap();
        b.end_nested(p).unwrap();
        b.end_nested(d).unwrap();
        b.end_nested(li).unwrap();
        let n = b.finish().unwrap();
        assert_eq!(
            attr_path(&buf[..n], name_at as u32).as_deref(),
            Some("IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_IFNAME")
        );

        // A multipath route: the second hop's gateway.
        let mut b = MsgBuilder::new(&mut buf, RTM_NEWROUTE, 0).unwrap();
        b.header(&RtMsg::default()).unwrap();
        let mp = b.begin_nested(RTA_MULTIPATH).unwrap();
        let mut gw_at = 0;
        for i in 0..2u8 {
            let hop_at = b.len();
            b.header(&RtNexthop::default()).unwrap();
            if i == 1 {
                gw_at = b.len();
            }
            b.attr_ipv4(RTA_GATEWAY, [10, 0, 0, i].into()).unwrap();
            let hop_len = (b.len() - hop_at) as u16;
            // patch rtnh_len by hand (the encoder does it for real)
            let _ = hop_len;
        }
        b.end_nested(mp).unwrap();
        let n = b.finish().unwrap();
        let mut m = buf[..n].to_vec();
        // rtnh_len = 8 + 8 for each hop
        for hop in [32usize, 48] {
            m[hop..hop + 2].copy_from_slice(&16u16.to_ne_bytes());
        }
        assert_eq!(
            attr_path(&m, gw_at as u32).as_deref(),
            Some("RTA_MULTIPATH/1/RTA_GATEWAY")
        );
    }
}
