//! `macvlan`: a macvlan of a host interface (`master`), created in the container's
//! namespace (or, with `linkInContainer`, of an interface already there). Behaves as
//! the reference plugin (`plugins/main/macvlan`); `linkInContainer` as upstream's
//! newer macvlan (the Debian reference, 1.1.1, predates it). The link is rtnl's typed
//! macvlan ([`rtnl::Link::macvlan`]).

use crate::cni::{self, ctx, CniError, CniResult, CniResultT, Interface};
use crate::ipam;
use crate::net::{self, ContainerNs, NsError};
use crate::skel::{CmdArgs, Plugin};
use rtnl::{Family, Handle, LinkKind, MacAddr, MacvlanMode, ResultExt, RouteFilter};
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct Conf {
    #[serde(default)]
    master: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    mtu: i64,
    #[serde(default)]
    mac: String,
    #[serde(rename = "linkInContainer", default)]
    link_in_container: bool,
    #[serde(rename = "runtimeConfig", default)]
    runtime: Option<RuntimeMac>,
}

#[derive(Deserialize, Default)]
struct RuntimeMac {
    #[serde(default)]
    mac: String,
}

/// The macvlan plugin.
pub struct Macvlan;

/// The modes the reference accepts (`modeFromString`): the empty string is `bridge`;
/// `source` is not one of them.
fn mode_of(s: &str) -> CniResultT<MacvlanMode> {
    match s {
        "" | "bridge" => Ok(MacvlanMode::Bridge),
        "private" => Ok(MacvlanMode::Private),
        "vepa" => Ok(MacvlanMode::Vepa),
        "passthru" => Ok(MacvlanMode::Passthru),
        _ => Err(CniError::internal(format!("unknown macvlan mode: {s:?}"))),
    }
}

/// The mode of a macvlan link as the kernel reports it.
fn reported_mode(l: &rtnl::Link) -> Option<MacvlanMode> {
    match &l.kind {
        Some(LinkKind::Macvlan(m)) => m.mode,
        _ => None,
    }
}

/// A mode's name as the reference prints it (`modeToString`).
fn mode_name(m: Option<MacvlanMode>) -> &'static str {
    match m {
        Some(
            m @ (MacvlanMode::Bridge
            | MacvlanMode::Private
            | MacvlanMode::Vepa
            | MacvlanMode::Passthru),
        ) => m.name().unwrap_or("unknown"),
        _ => "unknown",
    }
}

/// The interface of the first default route (`master` when not configured).
fn default_route_iface(h: &mut Handle) -> CniResultT<String> {
    for r in h.routes(&RouteFilter::family(Family::UNSPEC))?.iter() {
        if r.dst_len == 0 && r.table == rtnl::abi::RT_TABLE_MAIN as u32 {
            if let Some(l) = r.oif.and_then(|i| h.get_link(i).ok().flatten()) {
                return Ok(l.name_str().to_string());
            }
        }
    }
    Err(CniError::internal("no default route interface found"))
}

fn load(a: &CmdArgs) -> CniResultT<(Conf, cni::NetConf)> {
    let mut c: Conf = cni::load_conf(&a.stdin)?;
    let common: cni::NetConf = cni::load_conf(&a.stdin)?;
    let ns = if c.link_in_container {
        Some(ContainerNs::open(&a.netns)?)
    } else {
        None
    };
    let mut h = match &ns {
        Some(ns) => ns.handle()?,
        None => Handle::new()?,
    };
    if c.master.is_empty() {
        c.master = default_route_iface(&mut h)?;
    }
    let master = h
        .get_link(c.master.as_str())?
        .ok_or_else(|| CniError::internal("Link not found"))?;
    let mtu = i64::from(master.mtu.unwrap_or(0));
    if c.mtu < 0 || c.mtu > mtu {
        return Err(CniError::internal(format!(
            "invalid MTU {}, must be [0, master MTU({mtu})]",
            c.mtu
        )));
    }
    for (_, v) in cni::load_args(&a.args, &["MAC"])? {
        if !v.is_empty() {
            c.mac = v;
        }
    }
    if let Some(m) = c.runtime.as_ref().map(|r| r.mac.clone()) {
        if !m.is_empty() {
            c.mac = m;
        }
    }
    Ok((c, common))
}

impl Macvlan {
    /// The macvlan, made and renamed in the container; its interface for the result
    /// and its index.
    fn create(&self, a: &CmdArgs, c: &Conf, ns: &ContainerNs) -> CniResultT<(Interface, u32)> {
        let mode = mode_of(&c.mode)?;
        let mut ch = ns.handle()?;
        let mut host;
        let h: &mut Handle = if c.link_in_container {
            &mut ch
        } else {
            host = Handle::new()?;
            &mut host
        };
        let m = h
            .get_link(c.master.as_str())?
            .ok_or_else(|| CniError::internal(format!("failed to lookup master {:?}", c.master)))?;
        // Created under a temporary name, renamed in the container: the name may be
        // taken on the host.
        let tmp = net::random_veth_name()?;
        // `ip link add link MASTER name TMP txqueuelen 0 type macvlan mode MODE`: the
        // reference (vishvananda/netlink) sends txqueuelen 0.
        let mut l = rtnl::Link::macvlan(&tmp, m.index, mode)?;
        l.txqlen = Some(0);
        if c.mtu > 0 {
            l.mtu = Some(c.mtu as u32);
        }
        if !c.mac.is_empty() {
            let mac: MacAddr = c
                .mac
                .parse()
                .map_err(|_| CniError::internal(format!("invalid args {} for MAC addr", c.mac)))?;
            l.address = Some(mac.into());
        }
        if !c.link_in_container {
            l.netns = Some(ns.target());
        }
        h.add(&l).map_err(ctx("failed to create macvlan"))?;
        if let Err(e) = ch.rename_link(tmp.as_str(), &a.ifname) {
            let _ = ch.delete_link(tmp.as_str());
            return Err(CniError::internal(format!(
                "failed to rename macvlan to {:?}: {e}",
                a.ifname
            )));
        }
        let l = ch.get_link(a.ifname.as_str())?.ok_or_else(|| {
            CniError::internal(format!("failed to refetch macvlan {:?}", a.ifname))
        })?;
        let iface = Interface {
            name: a.ifname.clone(),
            mac: net::mac_of(&l),
            sandbox: ns.path.clone(),
        };
        Ok((iface, l.index))
    }
}

impl Plugin for Macvlan {
    fn about(&self) -> String {
        "CNI macvlan plugin (rtnl) version 0.1.0".into()
    }

    fn add(&self, a: &CmdArgs) -> CniResultT<CniResult> {
        let (c, common) = load(a)?;
        let ns = ContainerNs::open(&a.netns)?;
        let (iface, index) = self.create(a, &c, &ns)?;
        let mut result = CniResult {
            cni_version: cni::CURRENT.into(),
            interfaces: vec![iface],
            ..Default::default()
        };
        let outcome = (|| -> CniResultT<bool> {
            let mut ch = ns.handle()?;
            if common.ipam.kind.is_empty() {
                ch.set_link_up(a.ifname.as_str())
                    .map_err(ctx(format!("failed to set {:?} UP", a.ifname)))?;
                return Ok(false);
            }
            let r = ipam::add(&common.ipam.kind, a)?;
            let res = (|| {
                if r.ips.is_empty() {
                    return Err(CniError::internal("IPAM plugin returned missing IP config"));
                }
                result.ips = r.ips;
                result.routes = r.routes;
                for ipc in result.ips.iter_mut() {
                    ipc.interface = Some(0);
                }
                let set = [(format!("net/ipv4/conf/{}/arp_notify", a.ifname), "1")];
                net::container_sysctls(&ns, &a.ifname, &set, net::any_v6(&result.ips))?;
                net::configure_iface(&mut ch, &ns, &a.ifname, index, &result)
            })();
            if res.is_err() {
                let _ = ipam::del(&common.ipam.kind, a);
            }
            res.map(|()| true)
        })();
        if let Err(e) = outcome {
            let _ = net::del_link(&ns, &a.ifname);
            return Err(e);
        }
        result.dns = common.dns;
        Ok(result)
    }

    fn del(&self, a: &CmdArgs) -> CniResultT<()> {
        let (_, common) = load(a)?;
        if !common.ipam.kind.is_empty() {
            ipam::del(&common.ipam.kind, a)?;
        }
        if a.netns.is_empty() {
            return Ok(());
        }
        match ContainerNs::open(&a.netns) {
            Ok(ns) => {
                let mut ch = ns.handle()?;
                ch.delete_link(a.ifname.as_str())
                    .or_absent()
                    .map_err(ctx(format!("failed to delete {:?}", a.ifname)))?;
                Ok(())
            }
            Err(NsError::NotExist(_)) => Ok(()),
            Err(NsError::Other(e)) => Err(e),
        }
    }

    fn check(&self, a: &CmdArgs) -> CniResultT<()> {
        let (c, common) = load(a)?;
        let ns = ContainerNs::open(&a.netns)?;
        if !common.ipam.kind.is_empty() {
            ipam::check(&common.ipam.kind, a)?;
        }
        let result = cni::prev_result(&a.conf, &a.version)?
            .ok_or_else(|| CniError::internal("Required prevResult missing"))?;
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
        let mut mh = if c.link_in_container {
            ns.handle()?
        } else {
            Handle::new()?
        };
        if mh.get_link(c.master.as_str())?.is_none() {
            return Err(CniError::internal(format!(
                "failed to lookup master {:?}: Link not found",
                c.master
            )));
        }
        let mut ch = ns.handle()?;
        let l = ch.get_link(a.ifname.as_str())?.ok_or_else(|| {
            CniError::internal(format!(
                "Container Interface name in prevResult: {} not found",
                a.ifname
            ))
        })?;
        if l.kind_name() != Some("macvlan") {
            return Err(CniError::internal(format!(
                "Container interface {} not of type macvlan",
                a.ifname
            )));
        }
        let want = mode_of(&c.mode)?;
        let have = reported_mode(&l);
        if have != Some(want) {
            return Err(CniError::internal(format!(
                "Container macvlan mode {} does not match expected value: {}",
                mode_name(have),
                mode_name(Some(want))
            )));
        }
        if !cont_map.mac.is_empty() && cont_map.mac != net::mac_of(&l) {
            return Err(CniError::internal(format!(
                "Interface {} Mac {} doesn't match container Mac: {}",
                a.ifname,
                cont_map.mac,
                net::mac_of(&l)
            )));
        }
        net::validate_ips(&mut ch, &a.ifname, &result.ips)?;
        net::validate_routes(&mut ch, &result.routes)?;
        Ok(())
    }
}
