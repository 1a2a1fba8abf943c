//! What the plugins share on the kernel side, on rtnl: namespaces, veth pairs born
//! with their container end in place, addresses and routes as the reference's
//! `ipam.ConfigureIface` sets them, sysctls, teardown, and the checks of `CHECK`.

use crate::cni::{ctx, CniError, CniResult, CniResultT, IpConfig, IpNet, RouteCfg};
use rtnl::{
    AddrFilter, Address, Family, Handle, IfName, Link, LinkFlags, MacAddr, Netns, Protocol,
    ResultExt, Route, RouteFilter, Scope,
};
use std::io::Read;
use std::net::IpAddr;
use std::os::fd::{AsFd, OwnedFd};

/// A container's network namespace, opened from `CNI_NETNS`.
pub struct ContainerNs {
    /// The descriptor.
    pub fd: OwnedFd,
    /// The path it came from (the `sandbox` of the result).
    pub path: String,
}

/// Why a namespace could not be opened.
pub enum NsError {
    /// The path does not exist (DEL treats it as already gone).
    NotExist(CniError),
    /// Anything else.
    Other(CniError),
}

impl From<NsError> for CniError {
    fn from(e: NsError) -> CniError {
        match e {
            NsError::NotExist(e) | NsError::Other(e) => e,
        }
    }
}

impl ContainerNs {
    /// Opens `path`; the error reads as the reference's (`failed to open netns ...`).
    pub fn open(path: &str) -> Result<ContainerNs, NsError> {
        match std::fs::File::open(path) {
            Ok(f) => Ok(ContainerNs {
                fd: OwnedFd::from(f),
                path: path.to_owned(),
            }),
            Err(e) => {
                let err = CniError::internal(format!(
                    "failed to open netns {path:?}: failed to Statfs {path:?}: {e}"
                ));
                if e.kind() == std::io::ErrorKind::NotFound {
                    Err(NsError::NotExist(err))
                } else {
                    Err(NsError::Other(err))
                }
            }
        }
    }

    /// A handle whose socket lives in the namespace.
    pub fn handle(&self) -> CniResultT<Handle> {
        Handle::in_netns(self.fd.as_fd()).map_err(ctx("open netlink in the container"))
    }

    /// Runs `f` on a thread inside the namespace (sysctls of the container).
    pub fn run<T: Send>(&self, f: impl FnOnce() -> CniResultT<T> + Send) -> CniResultT<T> {
        let fd = self.fd.try_clone().map_err(CniError::internal)?;
        rtnl::with_netns_fd(fd, || Ok(f())).map_err(CniError::from)?
    }

    /// The namespace as a place to create a link in.
    pub fn target(&self) -> Netns {
        Netns::fd(self.fd.as_fd())
    }
}

/// `vethXXXXXXXX` from 4 random bytes, as the reference names host ends.
pub fn random_veth_name() -> CniResultT<String> {
    let mut b = [0u8; 4];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(ctx("failed to generate random veth name"))?;
    Ok(format!(
        "veth{:02x}{:02x}{:02x}{:02x}",
        b[0], b[1], b[2], b[3]
    ))
}

/// A link's MAC as the results print it.
pub fn mac_of(l: &Link) -> String {
    l.address.map(|a| a.to_string()).unwrap_or_default()
}

/// The two ends of a new veth pair.
pub struct VethPair {
    /// The host end (`vethXXXXXXXX`), up.
    pub host: Link,
    /// The container end, named `CNI_IFNAME`, down.
    pub cont: Link,
}

/// `ip.SetupVeth` of the reference: a veth pair whose container end is created in the
/// container's namespace under `ifname` (it never appears on the host) and whose host
/// end gets a random free name; `mtu` on both ends, `mac` on the container's; the
/// host end up with `accept_ra` 0 and, with `master`, a port of that bridge. One
/// `RTM_NEWLINK` for the pair, one for the host end's state (up and master together:
/// the reference sends two), one lookup per end.
pub fn setup_veth(
    h: &mut Handle,
    ns: &ContainerNs,
    ch: &mut Handle,
    ifname: &str,
    mtu: u32,
    mac: Option<MacAddr>,
    master: Option<u32>,
) -> CniResultT<VethPair> {
    let cont_name = IfName::new(ifname).map_err(CniError::internal)?;
    for _ in 0..10 {
        let host_name = random_veth_name()?;
        let mut pair = Link::veth(&host_name, ifname)?.peer_netns(ns.target());
        if mtu > 0 {
            pair.mtu = Some(mtu);
        }
        // The reference (vishvananda/netlink) sends txqueuelen 0 for both ends.
        pair.txqlen = Some(0);
        if let Some(rtnl::LinkKind::Veth(peer)) = &mut pair.kind {
            peer.txqlen = Some(0);
            peer.name = Some(cont_name);
            if mtu > 0 {
                peer.mtu = Some(mtu);
            }
            peer.address = mac.map(Into::into);
        }
        match h.add(&pair) {
            Ok(()) => {}
            Err(e) if e.is_exists() => {
                // Which name is taken: the random one (try another) or the container's?
                if h.get_link(host_name.as_str())?.is_some() {
                    continue;
                }
                return Err(CniError::internal(format!(
                    "container veth name provided ({ifname}) already exists"
                )));
            }
            Err(e) => return Err(ctx("failed to make veth pair")(e)),
        }
        // No name in the change: selected by name, it is one request (a name in it
        // would be a rename, which needs the index first).
        let mut state = Link::default().up();
        state.master = master;
        h.set_link(host_name.as_str(), &state)
            .map_err(|e| match master {
                Some(_) => ctx(format!("failed to connect {host_name:?} to the bridge"))(e),
                None => ctx(format!("failed to set {host_name:?} up"))(e),
            })?;
        let host = h
            .get_link(host_name.as_str())?
            .ok_or_else(|| CniError::internal(format!("failed to lookup {host_name:?}")))?;
        // We want to own the routes of this interface.
        let _ = rtnl::set_sysctl(&format!("net/ipv6/conf/{host_name}/accept_ra"), "0");
        let cont = ch
            .get_link(ifname)?
            .ok_or_else(|| CniError::internal(format!("failed to lookup {ifname:?}")))?;
        return Ok(VethPair { host, cont });
    }
    Err(CniError::internal("failed to find a unique veth name"))
}

/// An address as the reference adds it (vishvananda's `AddrAdd`): IPv4 with the
/// broadcast address computed from the prefix.
pub fn address(index: u32, net: &IpNet) -> Address {
    let mut a = Address::new(index, net.ip, net.prefix);
    if let IpAddr::V4(v4) = net.ip {
        if net.prefix < 31 {
            let host = u32::MAX >> net.prefix;
            a.broadcast = Some(IpAddr::V4((u32::from(v4) | host).into()));
        }
    }
    a
}

/// A route as vishvananda sends one: main table, protocol `boot`, the given scope.
pub fn route(dst: &IpNet, oif: u32, gw: Option<IpAddr>, scope: Scope) -> CniResultT<Route> {
    let mut r = Route::to(dst.ip, dst.prefix)?;
    r.oif = Some(oif);
    r.gateway = gw;
    r.scope = scope;
    Ok(r)
}

/// The sysctls `ConfigureIface` needs inside the container before an IPv6 address:
/// `disable_ipv6` 0 on `lo` and the interface (read first; written only when not 0).
fn enable_ipv6(ifname: &str) -> CniResultT<()> {
    for iface in ["lo", ifname] {
        let key = format!("net/ipv6/conf/{iface}/disable_ipv6");
        match rtnl::read_sysctl(&key) {
            Ok(v) if v.trim() == "0" => continue,
            Ok(_) => rtnl::set_sysctl(&key, "0").map_err(|e| {
                CniError::internal(format!(
                    "failed to enable IPv6 for interface {iface:?} ({key}): {e}"
                ))
            })?,
            Err(e) => eprintln!("ipam_linux: failed to read sysctl {key:?}: {e}"),
        }
    }
    Ok(())
}

/// Sysctls to write in the container before `ConfigureIface` (errors ignored, as the
/// reference ignores them), and whether IPv6 must be enabled for `ifname` first.
pub fn container_sysctls(
    ns: &ContainerNs,
    ifname: &str,
    set: &[(String, &str)],
    any_v6: bool,
) -> CniResultT<()> {
    if set.is_empty() && !any_v6 {
        return Ok(()); // no thread to spawn for nothing
    }
    ns.run(move || {
        for (k, v) in set {
            let _ = rtnl::set_sysctl(k, v);
        }
        if any_v6 {
            enable_ipv6(ifname)?;
        }
        Ok(())
    })
}

/// `ipam.ConfigureIface` of the reference, on the container's handle: the result's
/// addresses of `ifname` added, the link set up, IPv6 duplicate address detection
/// waited for when an IPv6 gateway is configured, then the routes (each without a
/// gateway takes the first gateway of its family), added as ECMP-capable routes.
/// IPv6 must already be enabled on the link ([`container_sysctls`]).
pub fn configure_iface(
    ch: &mut Handle,
    ns: &ContainerNs,
    ifname: &str,
    index: u32,
    res: &CniResult,
) -> CniResultT<()> {
    if res.interfaces.is_empty() {
        return Err(CniError::internal("no interfaces to configure"));
    }
    let (mut v4gw, mut v6gw) = (None, None);
    for ipc in &res.ips {
        let Some(i) = ipc.interface else { continue };
        if i < 0 || i as usize >= res.interfaces.len() || res.interfaces[i as usize].name != ifname
        {
            return Err(CniError::internal(format!(
                "failed to add IP addr {} to {ifname:?}: invalid interface index",
                ipc.address
            )));
        }
        ch.add(&address(index, &ipc.address)).map_err(ctx(format!(
            "failed to add IP addr {} to {ifname:?}",
            ipc.address
        )))?;
        // As the reference: a missing gateway counts as IPv6's.
        let gw_is_v4 = ipc.gateway.is_some_and(|g| g.is_ipv4());
        if gw_is_v4 && v4gw.is_none() {
            v4gw = ipc.gateway;
        } else if !gw_is_v4 && v6gw.is_none() {
            v6gw = ipc.gateway;
        }
    }
    ch.set_link_up(index)
        .map_err(ctx(format!("failed to set {ifname:?} UP")))?;
    if v6gw.is_some() {
        // The reference ignores the outcome (it gives up after 10 s).
        let _ = crate::wait::addresses_settled(ch, ns.fd.as_fd(), index, crate::wait::DAD_TIMEOUT);
    }
    for r in &res.routes {
        let gw = r.gw.or(if r.dst.is_v4() { v4gw } else { v6gw });
        let rt = route(&r.dst, index, gw, Scope::UNIVERSE)?;
        ch.prepend(&rt).map_err(ctx(format!(
            "failed to add route '{} via {} dev {ifname}'",
            r.dst,
            gw.map(|g| g.to_string()).unwrap_or_else(|| "<nil>".into())
        )))?;
    }
    Ok(())
}

/// Whether any configured address is IPv6 (for the interface of `ifname`).
pub fn any_v6(ips: &[IpConfig]) -> bool {
    ips.iter().any(|c| !c.address.is_v4())
}

/// `ip_forward` / `conf/all/forwarding` set to 1 for each family in `ips` (written
/// only when not already 1), as `ip.EnableForward`.
pub fn enable_forward(v4: bool, v6: bool) -> CniResultT<()> {
    for (on, key) in [
        (v4, "net/ipv4/ip_forward"),
        (v6, "net/ipv6/conf/all/forwarding"),
    ] {
        if on
            && rtnl::read_sysctl(key)
                .map(|v| v.trim() != "1")
                .unwrap_or(true)
        {
            rtnl::set_sysctl(key, "1")?;
        }
    }
    Ok(())
}

/// `ip.DelLinkByName` in the container: deletes `ifname`; absent is fine.
pub fn del_link(ns: &ContainerNs, ifname: &str) -> CniResultT<()> {
    let mut ch = ns.handle()?;
    ch.delete_link(ifname)
        .or_absent()
        .map_err(ctx(format!("failed to delete {ifname:?}")))?;
    Ok(())
}

/// Sets or clears link flags (`ip link set dev X promisc on|off`, `allmulticast`).
pub fn set_flag(h: &mut Handle, index: u32, flag: LinkFlags, on: bool) -> CniResultT<()> {
    let change = Link {
        flags: if on { flag } else { LinkFlags::EMPTY },
        change: flag,
        ..Default::default()
    };
    h.set_link(index, &change)?;
    Ok(())
}

/// `ip.ValidateExpectedInterfaceIPs`: each address is on `ifname`, and a route to its
/// network exists in the main table.
pub fn validate_ips(ch: &mut Handle, ifname: &str, ips: &[IpConfig]) -> CniResultT<()> {
    for ipc in ips {
        let link = ch
            .get_link(ifname)?
            .ok_or_else(|| CniError::internal(format!("Cannot find container link {ifname}")))?;
        let addrs = ch
            .addresses_matching(&AddrFilter {
                family: Family::UNSPEC,
                index: Some(link.index),
            })
            .map_err(|_| CniError::internal("Cannot obtain List of IP Addresses"))?;
        let found = addrs
            .iter()
            .any(|a| a.address == ipc.address.ip && a.prefix_len == ipc.address.prefix);
        if !found {
            return Err(CniError::internal(format!(
                "Failed to match addr {} on interface {ifname}",
                ipc.address
            )));
        }
        let net = ipc.address.network();
        let family = Family::of(net.ip);
        let has = routes_main(ch, family)?
            .iter()
            .any(|r| r.dst_len == net.prefix && dst_of(r, family) == net.ip);
        if !has {
            return Err(CniError::internal(format!(
                "Failed to find Gateway {} for interface {ifname}",
                ipc.gateway
                    .map(|g| g.to_string())
                    .unwrap_or_else(|| "<nil>".into())
            )));
        }
    }
    Ok(())
}

fn dst_of(r: &Route, family: Family) -> IpAddr {
    r.dst.unwrap_or(if family == Family::INET {
        IpAddr::V4(0.into())
    } else {
        IpAddr::V6(0u128.into())
    })
}

fn routes_main(ch: &mut Handle, family: Family) -> CniResultT<Vec<Route>> {
    let f = RouteFilter {
        family,
        table: Some(rtnl::abi::RT_TABLE_MAIN as u32),
        ..Default::default()
    };
    Ok(ch
        .routes(&f)?
        .into_vec()
        .into_iter()
        .filter(|r| r.table == rtnl::abi::RT_TABLE_MAIN as u32)
        .collect())
}

/// `ip.ValidateExpectedRoute`: every route of the result is in the main table (a
/// default route matched by destination only, others by destination and gateway).
pub fn validate_routes(ch: &mut Handle, routes: &[RouteCfg]) -> CniResultT<()> {
    for rt in routes {
        let family = Family::of(rt.dst.ip);
        let default = rt.dst.prefix == 0 && rt.dst.ip.is_unspecified();
        let found = routes_main(ch, family)?.iter().any(|r| {
            let dst_ok = if default {
                r.dst_len == 0
            } else {
                r.dst_len == rt.dst.prefix && dst_of(r, family) == rt.dst.ip
            };
            dst_ok && (default || r.gateway == rt.gw)
        });
        if !found {
            return Err(CniError::internal(format!(
                "Expected Route {{Dst:{} GW:{}}} not found in routing table",
                rt.dst,
                rt.gw
                    .map(|g| g.to_string())
                    .unwrap_or_else(|| "<nil>".into())
            )));
        }
    }
    Ok(())
}

/// Protocol 0 in a route to delete: matches a route of any protocol (the kernel's
/// `proto kernel` prefix route, say).
pub const ANY_PROTOCOL: Protocol = Protocol(0);
