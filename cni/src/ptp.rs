//! `ptp`: a veth pair per container routed point to point — the container's address
//! with its network reached via the gateway, the gateway's address (/32, /128) on the
//! host end, a host route to the container's address. Behaves as the reference plugin
//! (`plugins/main/ptp`) on the same configuration.

use crate::cni::{self, ctx, CniError, CniResult, CniResultT, Interface, IpNet};
use crate::ipam;
use crate::net::{self, ContainerNs, NsError};
use crate::skel::{CmdArgs, Plugin};
use rtnl::{Handle, ResultExt, Scope};
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct Conf {
    #[serde(rename = "ipMasq", default)]
    ip_masq: bool,
    #[serde(default)]
    mtu: i64,
}

/// The ptp plugin.
pub struct Ptp;

fn setup_container(
    h: &mut Handle,
    ns: &ContainerNs,
    a: &CmdArgs,
    mtu: u32,
    result: &mut CniResult,
) -> CniResultT<u32> {
    let mut ch = ns.handle()?;
    let pair = net::setup_veth(h, ns, &mut ch, &a.ifname, mtu, None, None)?;
    let host = Interface {
        name: pair.host.name_str().to_string(),
        mac: net::mac_of(&pair.host),
        sandbox: String::new(),
    };
    let cont = Interface {
        name: a.ifname.clone(),
        mac: net::mac_of(&pair.cont),
        sandbox: ns.path.clone(),
    };
    for ipc in result.ips.iter_mut() {
        ipc.interface = Some(1);
    }
    result.interfaces = vec![host, cont];
    net::container_sysctls(ns, &a.ifname, &[], net::any_v6(&result.ips))?;
    let idx = pair.cont.index;
    net::configure_iface(&mut ch, ns, &a.ifname, idx, result)?;
    for ipc in &result.ips {
        let netw = ipc.address.network();
        // The route the kernel added with the address goes; traffic to the network
        // goes through the gateway, which itself is reached on the link.
        let mut auto = net::route(&netw, idx, None, Scope::NOWHERE)?;
        auto.protocol = net::ANY_PROTOCOL;
        ch.delete(&auto).map_err(ctx(format!(
            "failed to delete route {netw} dev {}",
            a.ifname
        )))?;
        let gw = ipc.gateway.ok_or_else(|| {
            CniError::internal(format!(
                "failed to add route: no gateway for {}",
                ipc.address
            ))
        })?;
        let full = IpNet {
            ip: gw,
            prefix: ipc.address.max_prefix(),
        };
        let mut to_gw = net::route(&full, idx, None, Scope::LINK)?;
        to_gw.prefsrc = Some(ipc.address.ip);
        let mut to_net = net::route(&netw, idx, Some(gw), Scope::UNIVERSE)?;
        to_net.prefsrc = Some(ipc.address.ip);
        for r in [&to_gw, &to_net] {
            ch.add(r).map_err(ctx(format!(
                "failed to add route {:?}/{} dev {}",
                r.dst, r.dst_len, a.ifname
            )))?;
        }
    }
    Ok(pair.host.index)
}

/// The host end (`host`, by index: looked up when the pair was made) gets the
/// gateway's address and a host route to the container.
fn setup_host(h: &mut Handle, host: u32, result: &CniResult) -> CniResultT<()> {
    for ipc in &result.ips {
        let max = ipc.address.max_prefix();
        let gw = ipc
            .gateway
            .ok_or_else(|| CniError::internal("failed to add IP addr to veth: no gateway"))?;
        let gwn = IpNet {
            ip: gw,
            prefix: max,
        };
        h.add(&net::address(host, &gwn))
            .map_err(ctx(format!("failed to add IP addr ({gwn}) to veth")))?;
        let dst = IpNet {
            ip: ipc.address.ip,
            prefix: max,
        };
        h.add(&net::route(&dst, host, None, Scope::HOST)?)
            .or_exists()
            .map_err(ctx("failed to add route on host"))?;
    }
    Ok(())
}

impl Ptp {
    fn add_inner(&self, a: &CmdArgs, c: &Conf, result: &mut CniResult) -> CniResultT<()> {
        if result.ips.is_empty() {
            return Err(CniError::internal("IPAM plugin returned missing IP config"));
        }
        let v4 = result.ips.iter().any(|i| i.address.is_v4());
        let v6 = result.ips.iter().any(|i| !i.address.is_v4());
        net::enable_forward(v4, v6)
            .map_err(|e| CniError::internal(format!("Could not enable IP forwarding: {e}")))?;
        let ns = ContainerNs::open(&a.netns)?;
        let mut h = Handle::new()?;
        let mtu = u32::try_from(c.mtu.max(0)).unwrap_or(0);
        let host = setup_container(&mut h, &ns, a, mtu, result)?;
        setup_host(&mut h, host, result)
    }
}

impl Plugin for Ptp {
    fn about(&self) -> String {
        "CNI ptp plugin (rtnl) version 0.1.0".into()
    }

    fn add(&self, a: &CmdArgs) -> CniResultT<CniResult> {
        let c: Conf = cni::load_conf(&a.stdin)?;
        let common: cni::NetConf = cni::load_conf(&a.stdin)?;
        if c.ip_masq {
            return Err(CniError::new(
                cni::code::UNSUPPORTED_FIELD,
                "ipMasq is not supported by this plugin (it needs iptables/nftables)",
            ));
        }
        let mut result = ipam::add(&common.ipam.kind, a)?;
        if let Err(e) = self.add_inner(a, &c, &mut result) {
            let _ = ipam::del(&common.ipam.kind, a);
            return Err(e);
        }
        if !common.dns.is_empty() {
            result.dns = common.dns;
        }
        Ok(result)
    }

    fn del(&self, a: &CmdArgs) -> CniResultT<()> {
        let _: Conf = cni::load_conf(&a.stdin)?;
        let common: cni::NetConf = cni::load_conf(&a.stdin)?;
        ipam::del(&common.ipam.kind, a)?;
        if a.netns.is_empty() {
            return Ok(());
        }
        match ContainerNs::open(&a.netns) {
            Ok(ns) => net::del_link(&ns, &a.ifname),
            Err(NsError::NotExist(_)) => Ok(()),
            Err(NsError::Other(e)) => Err(e),
        }
    }

    fn check(&self, a: &CmdArgs) -> CniResultT<()> {
        let _: Conf = cni::load_conf(&a.stdin)?;
        let common: cni::NetConf = cni::load_conf(&a.stdin)?;
        let ns = ContainerNs::open(&a.netns)?;
        ipam::check(&common.ipam.kind, a)?;
        let result = cni::prev_result(&a.conf, &a.version)?
            .ok_or_else(|| CniError::internal("ptp: Required prevResult missing"))?;
        let cont_map = result
            .interfaces
            .iter()
            .find(|i| i.name == a.ifname && i.sandbox == a.netns)
            .cloned()
            .unwrap_or_default();
        if a.netns != cont_map.sandbox {
            return Err(CniError::internal(format!(
                "Sandbox in prevResult {} doesn't match configured netns: {}",
                cont_map.sandbox, a.netns
            )));
        }
        let mut ch = ns.handle()?;
        if cont_map.name.is_empty() {
            return Err(CniError::internal(
                "Container interface name missing in prevResult: ",
            ));
        }
        let link = ch
            .get_link(cont_map.name.as_str())
            .ok()
            .flatten()
            .ok_or_else(|| {
                CniError::internal(format!(
                    "ptp: Container Interface name in prevResult: {} not found",
                    cont_map.name
                ))
            })?;
        if link.kind_name() != Some("veth") {
            return Err(CniError::internal(format!(
                "Error: Container interface {} not of type veth/p2p",
                cont_map.name
            )));
        }
        if !cont_map.mac.is_empty() && cont_map.mac != net::mac_of(&link) {
            return Err(CniError::internal(format!(
                "ptp: Interface {} Mac {} doesn't match container Mac: {}",
                cont_map.name,
                cont_map.mac,
                net::mac_of(&link)
            )));
        }
        net::validate_ips(&mut ch, &a.ifname, &result.ips)?;
        net::validate_routes(&mut ch, &result.routes)?;
        Ok(())
    }
}
