//! `bridge`: a veth pair per container, its host end a port of a bridge the plugin
//! creates if needed; optionally the gateway's address on the bridge (with a VLAN: on
//! a per-VLAN gateway veth, one of whose ends is an untagged port of that VLAN),
//! forwarding on, a default route in the container. Behaves as the reference plugin
//! (`plugins/main/bridge`) on the same configuration.

use crate::cni::{self, ctx, CniError, CniResult, CniResultT, Interface, IpNet, RouteCfg};
use crate::ipam;
use crate::net::{self, ContainerNs, NsError};
use crate::skel::{CmdArgs, Plugin};
use rtnl::{
    AddrFilter, BridgePort, BridgeVlan, Family, Handle, Link, LinkFlags, LinkKind, MacAddr,
    OperState, ResultExt,
};
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Deserialize, Default)]
struct Conf {
    #[serde(default)]
    bridge: Option<String>,
    #[serde(rename = "isGateway", default)]
    is_gw: bool,
    #[serde(rename = "isDefaultGateway", default)]
    is_default_gw: bool,
    #[serde(rename = "forceAddress", default)]
    force_address: bool,
    #[serde(rename = "ipMasq", default)]
    ip_masq: bool,
    #[serde(default)]
    mtu: i64,
    #[serde(rename = "hairpinMode", default)]
    hairpin: bool,
    #[serde(rename = "promiscMode", default)]
    promisc: bool,
    #[serde(default)]
    vlan: i64,
    #[serde(default)]
    macspoofchk: bool,
    #[serde(default)]
    enabledad: bool,
    #[serde(default)]
    args: Option<MacArgs>,
    #[serde(rename = "runtimeConfig", default)]
    runtime: Option<MacCfg>,
}

#[derive(Deserialize, Default)]
struct MacArgs {
    #[serde(default)]
    cni: Option<MacCfg>,
}

#[derive(Deserialize, Default)]
struct MacCfg {
    #[serde(default)]
    mac: String,
}

struct Loaded {
    c: Conf,
    common: cni::NetConf,
    br: String,
    mac: Option<String>,
}

fn load(a: &CmdArgs) -> CniResultT<Loaded> {
    let c: Conf = cni::load_conf(&a.stdin)?;
    let common: cni::NetConf = cni::load_conf(&a.stdin)?;
    if c.vlan < 0 || c.vlan > 4094 {
        return Err(CniError::internal(format!(
            "invalid VLAN ID {} (must be between 0 and 4094)",
            c.vlan
        )));
    }
    let mut mac = None;
    for (_, v) in cni::load_args(&a.args, &["MAC"])? {
        if !v.is_empty() {
            mac = Some(v);
        }
    }
    if let Some(m) = c.args.as_ref().and_then(|x| x.cni.as_ref()).map(|x| &x.mac) {
        if !m.is_empty() {
            mac = Some(m.clone());
        }
    }
    if let Some(m) = c.runtime.as_ref().map(|x| &x.mac) {
        if !m.is_empty() {
            mac = Some(m.clone());
        }
    }
    let br = c.bridge.clone().unwrap_or_else(|| "cni0".into());
    Ok(Loaded { c, common, br, mac })
}

/// The bridge plugin.
pub struct Bridge;

/// `ensureBridge`: creates the bridge (its MTU, VLAN filtering when a VLAN is
/// configured), promiscuous on request, `accept_ra` 0, up. An existing link of that
/// name must be a bridge.
fn ensure_bridge(
    h: &mut Handle,
    name: &str,
    mtu: u32,
    promisc: bool,
    vlan: bool,
) -> CniResultT<Link> {
    let mut br = Link::bridge(name).map_err(ctx(format!("could not add {name:?}")))?;
    if mtu > 0 {
        br.mtu = Some(mtu);
    }
    if vlan {
        // `ip link add NAME type bridge vlan_filtering 1`
        if let Some(LinkKind::Bridge(b)) = &mut br.kind {
            b.vlan_filtering = Some(true);
        }
    }
    h.add(&br)
        .or_exists()
        .map_err(ctx(format!("could not add {name:?}")))?;
    if promisc {
        let l = h
            .get_link(name)?
            .ok_or_else(|| CniError::internal(format!("could not lookup {name:?}")))?;
        net::set_flag(h, l.index, LinkFlags::PROMISC, true)
            .map_err(ctx(format!("could not set promiscuous mode on {name:?}")))?;
    }
    let l = bridge_by_name(h, name)?;
    let _ = rtnl::set_sysctl(&format!("net/ipv6/conf/{name}/accept_ra"), "0");
    if !l.flags.contains(LinkFlags::UP) {
        h.set_link_up(l.index)?;
    }
    Ok(l)
}

fn bridge_by_name(h: &mut Handle, name: &str) -> CniResultT<Link> {
    let l = h
        .get_link(name)
        .map_err(ctx(format!("could not lookup {name:?}")))?
        .ok_or_else(|| CniError::internal(format!("could not lookup {name:?}: Link not found")))?;
    if l.kind_name() != Some("bridge") {
        return Err(CniError::internal(format!(
            "{name:?} already exists but is not a bridge"
        )));
    }
    Ok(l)
}

/// The bridge port's options, as the reference's `setupVeth` sets them once the port
/// has joined: hairpin mode (`bridge link set dev PORT hairpin on|off`), and with a
/// VLAN the port's pvid, untagged (`bridge vlan add dev PORT vid VID pvid untagged
/// master`).
fn setup_port(h: &mut Handle, port: &Link, hairpin: bool, vlan: u16) -> CniResultT<()> {
    let name = port.name_str();
    let opts = BridgePort {
        hairpin: Some(hairpin),
        ..Default::default()
    };
    h.set_bridge_port(port.index, &opts)
        .map_err(ctx(format!("failed to setup hairpin mode for {name}")))?;
    if vlan != 0 {
        let v = BridgeVlan {
            pvid: true,
            untagged: true,
            master: true,
            ..BridgeVlan::new(port.index, vlan)
        };
        h.add(&v).map_err(ctx(format!(
            "failed to setup vlan tag on interface {name:?}"
        )))?;
    }
    Ok(())
}

/// `ensureVlanInterface`: the gateway of VLAN `vlan` on bridge `br`, a veth called
/// `BR.VLAN` in the host's namespace whose other end (`vethXXXXXXXX`, up) is a port
/// of the bridge with `vlan` as its pvid, untagged, and hairpin off; MTU the bridge's.
/// An existing link of that name is used as it is. The gateway end is set up.
fn ensure_vlan_iface(h: &mut Handle, br: &Link, vlan: u16) -> CniResultT<Link> {
    let name = format!("{}.{vlan}", br.name_str());
    if let Some(l) = h
        .get_link(name.as_str())
        .map_err(ctx(format!("failed to find interface {name:?}")))?
    {
        return Ok(l);
    }
    let made = (|| {
        // The reference runs its `setupVeth` with the host's namespace as the
        // "container": the pair is made here, named as for a container.
        let here = ContainerNs::open("/proc/self/ns/net")?;
        let mut h2 = Handle::new()?;
        let mtu = br.mtu.unwrap_or(0);
        let pair = net::setup_veth(h, &here, &mut h2, &name, mtu, None, Some(br.index))?;
        setup_port(h, &pair.host, false, vlan)?;
        Ok::<_, CniError>(pair.cont)
    })();
    // ("faild": the reference's spelling.)
    let made = made.map_err(|e| {
        CniError::internal(format!("faild to create vlan gateway {name:?}: {}", e.msg))
    })?;
    h.set_link_up(made.index)
        .map_err(ctx(format!("failed to up {name:?}")))?;
    Ok(made)
}

/// `ensureAddr`: the gateway's address on the bridge; a different IPv4 address (or an
/// overlapping IPv6 one) is an error unless `forceAddress`, which replaces it. The
/// bridge's MAC is then pinned to itself (else it follows its ports).
fn ensure_addr(h: &mut Handle, br: &Link, gw: &IpNet, force: bool) -> CniResultT<()> {
    let family = Family::of(gw.ip);
    let addrs = h
        .addresses_matching(&AddrFilter {
            family,
            index: Some(br.index),
        })
        .map_err(ctx("could not get list of IP addresses"))?;
    let name = br.name_str();
    for a in addrs.iter() {
        let have = IpNet {
            ip: a.address,
            prefix: a.prefix_len,
        };
        if have == *gw {
            return Ok(());
        }
        if family == Family::INET || have.contains(gw.ip) || gw.contains(have.ip) {
            if force {
                h.delete(a)
                    .map_err(ctx(format!("could not remove IP address from {name:?}")))?;
            } else {
                return Err(CniError::internal(format!(
                    "{name:?} already has an IP address different from {gw}"
                )));
            }
        }
    }
    h.add(&net::address(br.index, gw))
        .or_exists()
        .map_err(ctx(format!("could not add IP address to {name:?}")))?;
    // The MAC it had before its first port joined (as the reference re-sets it).
    if let Some(mac) = br.mac() {
        h.set_link_address(br.index, mac)
            .map_err(ctx("could not set bridge's mac"))?;
    }
    Ok(())
}

struct GwInfo {
    gws: Vec<IpNet>,
}

/// `calcGateways`: every address belongs to the container interface (index 2); with
/// `isGateway` a missing gateway is the network's first address; with
/// `isDefaultGateway` a default route is added per family unless one with a gateway
/// is already there.
fn calc_gateways(result: &mut CniResult, c: &Conf) -> (GwInfo, GwInfo) {
    let mut v4 = GwInfo { gws: Vec::new() };
    let mut v6 = GwInfo { gws: Vec::new() };
    let (mut found4, mut found6) = (false, false);
    for i in 0..result.ips.len() {
        let is4 = result.ips[i].address.is_v4();
        result.ips[i].interface = Some(2);
        if result.ips[i].gateway.is_none() && c.is_gw {
            result.ips[i].gateway = Some(cni::next_ip(result.ips[i].address.network().ip));
        }
        let ipc = result.ips[i].clone();
        let found = if is4 { &mut found4 } else { &mut found6 };
        if c.is_default_gw && !*found {
            let zero: IpAddr = if is4 {
                IpAddr::V4(0.into())
            } else {
                IpAddr::V6(0u128.into())
            };
            *found = result
                .routes
                .iter()
                .any(|r| r.gw.is_some() && r.dst.prefix == 0 && r.dst.ip == zero);
            if !*found {
                result.routes.push(RouteCfg {
                    dst: IpNet {
                        ip: zero,
                        prefix: 0,
                    },
                    gw: ipc.gateway,
                });
                *found = true;
            }
        }
        if c.is_gw {
            let g = if is4 { &mut v4 } else { &mut v6 };
            if let Some(gw) = ipc.gateway {
                g.gws.push(IpNet {
                    ip: gw,
                    prefix: ipc.address.prefix,
                });
            }
        }
    }
    (v4, v6)
}

impl Bridge {
    fn add_inner(&self, a: &CmdArgs, l: &Loaded, ipam_done: &mut bool) -> CniResultT<CniResult> {
        let c = &l.c;
        let mut h = Handle::new()?;
        let mtu = u32::try_from(c.mtu.max(0)).unwrap_or(0);
        // 0 to 4094 (checked by `load`); 0 is none.
        let vlan = u16::try_from(c.vlan).unwrap_or(0);
        let br = ensure_bridge(&mut h, &l.br, mtu, c.promisc, vlan != 0).map_err(|e| {
            CniError::internal(format!("failed to create bridge {:?}: {}", l.br, e.msg))
        })?;
        let br_iface = Interface {
            name: br.name_str().to_string(),
            mac: net::mac_of(&br),
            sandbox: String::new(),
        };
        let ns = ContainerNs::open(&a.netns)?;
        let mut ch = ns.handle()?;
        let mac = match &l.mac {
            Some(m) => Some(m.parse::<MacAddr>().map_err(|_| {
                CniError::internal(format!(
                    "failed to make veth pair: address {m}: invalid MAC address"
                ))
            })?),
            None => None,
        };
        let pair = net::setup_veth(&mut h, &ns, &mut ch, &a.ifname, mtu, mac, Some(br.index))?;
        let host_name = pair.host.name_str().to_string();
        setup_port(&mut h, &pair.host, c.hairpin, vlan)?;
        let host_index = pair.host.index;
        let host = pair.host;
        let mut result = CniResult {
            cni_version: cni::CURRENT.into(),
            interfaces: vec![
                br_iface,
                Interface {
                    name: host_name.clone(),
                    mac: net::mac_of(&host),
                    sandbox: String::new(),
                },
                Interface {
                    name: a.ifname.clone(),
                    mac: net::mac_of(&pair.cont),
                    sandbox: ns.path.clone(),
                },
            ],
            ..Default::default()
        };
        if !l.common.ipam.kind.is_empty() {
            let r = ipam::add(&l.common.ipam.kind, a)?;
            *ipam_done = true;
            result.ips = r.ips;
            result.routes = r.routes;
            if result.ips.is_empty() {
                return Err(CniError::internal("IPAM plugin returned missing IP config"));
            }
            let (gw4, gw6) = calc_gateways(&mut result, c);
            let ifn = &a.ifname;
            let mut set = vec![];
            if c.enabledad {
                set.push((format!("net/ipv6/conf/{ifn}/enhanced_dad"), "1"));
                set.push((format!("net/ipv6/conf/{ifn}/accept_dad"), "1"));
            } else {
                set.push((format!("net/ipv6/conf/{ifn}/accept_dad"), "0"));
            }
            set.push((format!("net/ipv4/conf/{ifn}/arp_notify"), "1"));
            net::container_sysctls(&ns, ifn, &set, net::any_v6(&result.ips))?;
            net::configure_iface(&mut ch, &ns, ifn, pair.cont.index, &result)?;
            // The port must be up before the gateway is configured (the reference
            // polls with sleeps for up to 2.55 s; here: notifications).
            let (up, state) =
                crate::wait::oper_up(&mut h, host_index, crate::wait::PORT_UP_TIMEOUT)?;
            if !up {
                return Err(CniError::internal(format!(
                    "bridge port in error state: {}",
                    oper_name(state)
                )));
            }
            if c.is_gw {
                // With a VLAN the gateway's addresses go on a per-VLAN veth whose
                // other end is an untagged port of that VLAN (made with the first
                // gateway, listed after the container's interface); without, on the
                // bridge.
                let mut vlan_gw: Option<Link> = None;
                for (g, v4) in [(&gw4, true), (&gw6, false)] {
                    for gw in &g.gws {
                        if vlan == 0 {
                            ensure_addr(&mut h, &br, gw, c.force_address).map_err(|e| {
                                CniError::internal(format!("failed to set bridge addr: {}", e.msg))
                            })?;
                            continue;
                        }
                        let gl = match vlan_gw.take() {
                            Some(l) => l,
                            None => {
                                let l = ensure_vlan_iface(&mut h, &br, vlan).map_err(|e| {
                                    CniError::internal(format!(
                                        "failed to create vlan interface: {}",
                                        e.msg
                                    ))
                                })?;
                                result.interfaces.push(Interface {
                                    name: l.name_str().to_string(),
                                    mac: net::mac_of(&l),
                                    sandbox: String::new(),
                                });
                                l
                            }
                        };
                        ensure_addr(&mut h, &gl, gw, c.force_address).map_err(|e| {
                            CniError::internal(format!(
                                "failed to set vlan interface for bridge with addr: {}",
                                e.msg
                            ))
                        })?;
                        vlan_gw = Some(gl);
                    }
                    if !g.gws.is_empty() {
                        net::enable_forward(v4, !v4).map_err(ctx("failed to enable forwarding"))?;
                    }
                }
            }
        } else {
            ch.set_link_up(pair.cont.index)
                .map_err(ctx(format!("failed to set {:?} up", a.ifname)))?;
        }
        let br = bridge_by_name(&mut h, &l.br)?;
        result.interfaces[0].mac = net::mac_of(&br);
        result.dns = l.common.dns.clone();
        Ok(result)
    }
}

fn oper_name(s: OperState) -> &'static str {
    match s {
        OperState::Up => "up",
        OperState::Down => "down",
        OperState::LowerLayerDown => "lower-layer-down",
        OperState::Dormant => "dormant",
        OperState::NotPresent => "not-present",
        OperState::Testing => "testing",
        _ => "unknown",
    }
}

/// Options that need something outside this crate's scope: refused with a clear
/// error before anything is changed.
fn refuse_out_of_scope(c: &Conf) -> CniResultT<()> {
    if c.ip_masq {
        return Err(CniError::new(
            cni::code::UNSUPPORTED_FIELD,
            "ipMasq is not supported by this plugin (it needs iptables/nftables)",
        ));
    }
    if c.macspoofchk {
        return Err(CniError::new(
            cni::code::UNSUPPORTED_FIELD,
            "macspoofchk is not supported by this plugin (it needs nftables)",
        ));
    }
    Ok(())
}

impl Plugin for Bridge {
    fn about(&self) -> String {
        "CNI bridge plugin (rtnl) version 0.1.0".into()
    }

    fn add(&self, a: &CmdArgs) -> CniResultT<CniResult> {
        let mut l = load(a)?;
        refuse_out_of_scope(&l.c)?;
        if l.c.is_default_gw {
            l.c.is_gw = true;
        }
        if l.c.hairpin && l.c.promisc {
            return Err(CniError::internal(
                "cannot set hairpin mode and promiscuous mode at the same time.",
            ));
        }
        let mut ipam_done = false;
        let r = self.add_inner(a, &l, &mut ipam_done);
        if r.is_err() && ipam_done {
            // Release the address, as the reference does; its own error is secondary.
            let _ = ipam::del(&l.common.ipam.kind, a);
        }
        r
    }

    fn del(&self, a: &CmdArgs) -> CniResultT<()> {
        let l = load(a)?;
        let layer3 = !l.common.ipam.kind.is_empty();
        let ipam_del = || {
            if layer3 {
                ipam::del(&l.common.ipam.kind, a)
            } else {
                Ok(())
            }
        };
        if a.netns.is_empty() {
            return ipam_del();
        }
        match ContainerNs::open(&a.netns) {
            Ok(ns) => net::del_link(&ns, &a.ifname)?,
            Err(NsError::NotExist(_)) => return ipam_del(),
            Err(NsError::Other(e)) => return Err(e),
        }
        ipam_del()
    }

    fn check(&self, a: &CmdArgs) -> CniResultT<()> {
        let l = load(a)?;
        let ns = ContainerNs::open(&a.netns)?;
        ipam::check(&l.common.ipam.kind, a)?;
        let result = cni::prev_result(&a.conf, &a.version)?
            .ok_or_else(|| CniError::internal("Required prevResult missing"))?;
        let mut h = Handle::new()?;
        let mut ch = ns.handle()?;

        let br_map = result
            .interfaces
            .iter()
            .find(|i| i.name == l.br)
            .cloned()
            .unwrap_or_default();
        let cont_map = result
            .interfaces
            .iter()
            .find(|i| i.name == a.ifname && i.sandbox == a.netns)
            .cloned()
            .unwrap_or_default();

        // The bridge.
        let br = validate_iface(&mut h, &br_map, false)?;
        if br.kind_name() != Some("bridge") {
            return Err(CniError::internal(format!(
                "Interface {} does not have link type of bridge",
                br_map.name
            )));
        }
        if !br_map.mac.is_empty() && br_map.mac != net::mac_of(&br) {
            return Err(CniError::internal(format!(
                "Bridge interface {} Mac doesn't match: {}",
                br_map.name, br_map.mac
            )));
        }
        let promisc = br.flags.contains(LinkFlags::PROMISC);
        if promisc != l.c.promisc {
            return Err(CniError::internal(format!(
                "Bridge interface {} configured Promisc Mode {} doesn't match current state: {} ",
                br_map.name, l.c.promisc, promisc
            )));
        }
        if a.netns != cont_map.sandbox {
            return Err(CniError::internal(format!(
                "Sandbox in prevResult {} doesn't match configured netns: {}",
                cont_map.sandbox, a.netns
            )));
        }
        // The container's end.
        let cont = validate_iface(&mut ch, &cont_map, true)?;
        if cont.kind_name() != Some("veth") {
            return Err(CniError::internal(format!(
                "Error: Container interface {} not of type veth",
                cont.name_str()
            )));
        }
        if !cont_map.mac.is_empty() && cont_map.mac != net::mac_of(&cont) {
            return Err(CniError::internal(format!(
                "Interface {} Mac {} doesn't match container Mac: {}",
                cont_map.name,
                cont_map.mac,
                net::mac_of(&cont)
            )));
        }
        let cont_peer = cont.link.unwrap_or(0);
        // The host end: a veth whose peer is the container's end, a port of the bridge.
        let mut veth_found = false;
        for intf in &result.interfaces {
            if intf.name == br_map.name || intf.name == cont_map.name {
                continue;
            }
            let v = validate_iface(&mut h, intf, false)?;
            if v.kind_name() != Some("veth") {
                continue;
            }
            if v.index != cont_peer || v.link != Some(cont.index) || v.master != Some(br.index) {
                continue;
            }
            if !intf.mac.is_empty() && intf.mac != net::mac_of(&v) {
                return Err(CniError::internal(format!(
                    "Interface {} Mac doesn't match: {} not found",
                    intf.name, intf.mac
                )));
            }
            veth_found = true;
            break;
        }
        if !veth_found {
            return Err(CniError::internal(format!(
                "CNI veth created for bridge {} was not found",
                l.br
            )));
        }
        net::validate_ips(&mut ch, &a.ifname, &result.ips)?;
        net::validate_routes(&mut ch, &result.routes)?;
        Ok(())
    }
}

/// `validateInterface`: the interface exists in the handle's namespace and is (or is
/// not) in a sandbox as expected.
fn validate_iface(h: &mut Handle, intf: &Interface, in_sandbox: bool) -> CniResultT<Link> {
    if intf.name.is_empty() {
        return Err(CniError::internal("Interface name missing "));
    }
    let l = h
        .get_link(intf.name.as_str())
        .ok()
        .flatten()
        .ok_or_else(|| CniError::internal(format!("Interface name {} not found", intf.name)))?;
    if in_sandbox && intf.sandbox.is_empty() {
        return Err(CniError::internal(format!(
            "Interface {} is expected to be in a sandbox",
            intf.name
        )));
    }
    if !in_sandbox && !intf.sandbox.is_empty() {
        return Err(CniError::internal(format!(
            "Interface {} should not be in sandbox",
            intf.name
        )));
    }
    Ok(l)
}
