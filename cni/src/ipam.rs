//! IPAM as the reference plugins do it (`pkg/ipam`, `invoke.Delegate*`): the IPAM
//! plugin named by `ipam.type` is found on `CNI_PATH` and executed with this process's
//! environment, `CNI_COMMAND` set to the verb, and the network configuration as it
//! came on standard input; its result is read in the version it names and converted
//! to 1.0.0. A failing plugin's error JSON is passed on with its own code.
//!
//! `static` runs in process (no `exec`), with the reference `static` plugin's parsing
//! and validation, and its result takes the same trip through the configuration's
//! version as a delegated result would (so 0.2.0 loses what 0.2.0 cannot carry).

use crate::cni::{self, CniError, CniResult, CniResultT, Dns, IpConfig, IpNet, RouteCfg};
use crate::skel::CmdArgs;
use serde::Deserialize;
use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Stdio};

/// The verbs an IPAM plugin is called with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    /// `ADD`: returns a result.
    Add,
    /// `CHECK`.
    Check,
    /// `DEL`.
    Del,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Verb::Add => "ADD",
            Verb::Check => "CHECK",
            Verb::Del => "DEL",
        }
    }
}

/// `invoke.FindInPath`.
fn find_in_path(plugin: &str, path: &str) -> CniResultT<std::path::PathBuf> {
    if plugin.is_empty() {
        return Err(CniError::internal("no plugin name provided"));
    }
    if plugin.contains('/') {
        return Err(CniError::internal(format!("invalid plugin name: {plugin}")));
    }
    let dirs: Vec<&str> = path.split(':').filter(|d| !d.is_empty()).collect();
    if dirs.is_empty() {
        return Err(CniError::internal("no paths provided"));
    }
    for d in &dirs {
        let p = std::path::Path::new(d).join(plugin);
        if std::fs::metadata(&p).is_ok_and(|m| m.is_file()) {
            return Ok(p);
        }
    }
    Err(CniError::internal(format!(
        "failed to find plugin {plugin:?} in path {dirs:?}"
    )))
}

/// Executes IPAM plugin `plugin` with `verb`; returns its standard output.
fn exec(plugin: &str, verb: Verb, a: &CmdArgs) -> CniResultT<Vec<u8>> {
    let path = find_in_path(plugin, &a.path)?;
    let mut child = Command::new(&path)
        .env("CNI_COMMAND", verb.as_str())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| CniError::internal(format!("netplugin failed with no error message: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A plugin that exits without reading is reported by its status below.
        let _ = stdin.write_all(&a.stdin);
    }
    let out = child
        .wait_with_output()
        .map_err(|e| CniError::internal(format!("netplugin failed with no error message: {e}")))?;
    if !out.stderr.is_empty() {
        let _ = std::io::stderr().write_all(&out.stderr);
    }
    if out.status.success() {
        return Ok(out.stdout);
    }
    if out.stdout.is_empty() {
        if out.stderr.is_empty() {
            return Err(CniError::internal(format!(
                "netplugin failed with no error message: {}",
                out.status
            )));
        }
        return Err(CniError::internal(format!(
            "netplugin failed: {:?}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    match serde_json::from_slice::<CniError>(&out.stdout) {
        Ok(e) => Err(e),
        Err(perr) => Err(CniError {
            code: 0,
            msg: format!(
                "netplugin failed but error parsing its diagnostic message {:?}: {perr}",
                String::from_utf8_lossy(&out.stdout)
            ),
            details: String::new(),
        }),
    }
}

/// Runs the configuration's IPAM: `static` in process, anything else by `exec`.
/// `ADD` returns the result in 1.0.0 shape.
pub fn run(kind: &str, verb: Verb, a: &CmdArgs) -> CniResultT<Option<CniResult>> {
    if kind == "static" {
        return static_ipam(verb, a);
    }
    let out = exec(kind, verb, a)?;
    match verb {
        Verb::Add => CniResult::from_bytes(&out).map(Some),
        _ => Ok(None),
    }
}

/// `ADD`.
pub fn add(kind: &str, a: &CmdArgs) -> CniResultT<CniResult> {
    run(kind, Verb::Add, a)?.ok_or_else(|| CniError::internal("IPAM returned no result"))
}

/// `DEL`.
pub fn del(kind: &str, a: &CmdArgs) -> CniResultT<()> {
    run(kind, Verb::Del, a).map(drop)
}

/// `CHECK`.
pub fn check(kind: &str, a: &CmdArgs) -> CniResultT<()> {
    run(kind, Verb::Check, a).map(drop)
}

// ---- static, in process ----

#[derive(Deserialize, Default)]
struct StaticNet {
    #[serde(default)]
    ipam: Option<StaticIpam>,
    #[serde(rename = "runtimeConfig", default)]
    runtime: StaticRuntime,
    #[serde(default)]
    args: Option<StaticArgs>,
}

#[derive(Deserialize, Default)]
struct StaticRuntime {
    #[serde(default)]
    ips: Vec<String>,
}

#[derive(Deserialize, Default)]
struct StaticArgs {
    #[serde(default)]
    cni: Option<StaticArgIps>,
}

#[derive(Deserialize, Default)]
struct StaticArgIps {
    #[serde(default)]
    ips: Vec<String>,
}

#[derive(Deserialize, Default)]
struct StaticIpam {
    #[serde(default)]
    routes: Vec<RouteCfg>,
    #[serde(default)]
    addresses: Vec<StaticAddress>,
    #[serde(default)]
    dns: Dns,
}

#[derive(Deserialize, Default, Clone)]
struct StaticAddress {
    #[serde(default)]
    address: String,
    #[serde(default)]
    gateway: Option<IpAddr>,
}

/// The reference `static` plugin's `LoadIPAMConfig`: addresses from the
/// configuration, replaced by `CNI_ARGS` `IP=`/`GATEWAY=`... appended, by
/// `args.cni.ips`, then by `runtimeConfig.ips`; at most one per family before 0.3.0.
/// The addresses (with their gateways) and the rest of a `static` configuration.
type StaticConfig = (Vec<(IpNet, Option<IpAddr>)>, StaticIpam);

fn static_config(a: &CmdArgs) -> CniResultT<StaticConfig> {
    let n: StaticNet = serde_json::from_slice(&a.stdin).map_err(CniError::internal)?;
    let mut ipam = n
        .ipam
        .ok_or_else(|| CniError::internal("IPAM config missing 'ipam' key"))?;
    let mut addrs: Vec<(Option<IpNet>, StaticAddress)> =
        ipam.addresses.iter().map(|s| (None, s.clone())).collect();
    if !a.args.is_empty() {
        let kv = cni::load_args(&a.args, &["IP", "GATEWAY"])?;
        for (k, v) in &kv {
            if k == "IP" {
                for item in v.split(',') {
                    let s = item.trim();
                    let net = IpNet::parse(s).ok_or_else(|| {
                        CniError::internal(format!(
                            "the 'ip' field is expected to be in CIDR notation, got: '{s}'"
                        ))
                    })?;
                    addrs.push((
                        Some(net),
                        StaticAddress {
                            address: s.into(),
                            gateway: None,
                        },
                    ));
                }
            }
        }
        for (k, v) in &kv {
            if k == "GATEWAY" {
                for item in v.split(',') {
                    let gw: IpAddr = item.trim().parse().map_err(|_| {
                        CniError::internal(format!("invalid gateway address: {item}"))
                    })?;
                    for (net, s) in addrs.iter_mut() {
                        let net = net.or_else(|| IpNet::parse(&s.address));
                        if net.is_some_and(|n| n.contains(gw)) {
                            s.gateway = Some(gw);
                        }
                    }
                }
            }
        }
    }
    let from_list = |list: &[String]| -> CniResultT<Vec<(Option<IpNet>, StaticAddress)>> {
        list.iter()
            .map(|s| {
                let net = IpNet::parse(s).ok_or_else(|| {
                    CniError::internal(format!(
                        "an entry in the 'ips' field is NOT in CIDR notation, got: '{s}'"
                    ))
                })?;
                Ok((
                    Some(net),
                    StaticAddress {
                        address: s.clone(),
                        gateway: None,
                    },
                ))
            })
            .collect()
    };
    if let Some(ips) = n.args.and_then(|x| x.cni).map(|c| c.ips) {
        if !ips.is_empty() {
            addrs = from_list(&ips)?;
        }
    }
    if !n.runtime.ips.is_empty() {
        addrs = from_list(&n.runtime.ips)?;
    }
    let mut out = Vec::new();
    let (mut v4, mut v6) = (0, 0);
    for (net, s) in addrs {
        let net = match net {
            Some(n) => n,
            None => IpNet::parse(&s.address).ok_or_else(|| {
                CniError::internal(format!(
                    "the 'address' field is expected to be in CIDR notation, got: '{}'",
                    s.address
                ))
            })?,
        };
        if net.is_v4() {
            v4 += 1;
        } else {
            v6 += 1;
        }
        out.push((net, s.gateway));
    }
    if (v4 > 1 || v6 > 1) && matches!(a.version.as_str(), "0.1.0" | "0.2.0") {
        return Err(CniError::internal(format!(
            "CNI version {} does not support more than 1 address per family",
            a.version
        )));
    }
    ipam.addresses.clear();
    Ok((out, ipam))
}

fn static_ipam(verb: Verb, a: &CmdArgs) -> CniResultT<Option<CniResult>> {
    match verb {
        Verb::Del => Ok(None),
        Verb::Add => {
            let (addrs, ipam) = static_config(a)?;
            let r = CniResult {
                cni_version: cni::CURRENT.into(),
                interfaces: Vec::new(),
                ips: addrs
                    .into_iter()
                    .map(|(address, gateway)| IpConfig {
                        interface: None,
                        address,
                        gateway,
                    })
                    .collect(),
                routes: ipam.routes,
                dns: ipam.dns,
            };
            // The trip a delegated result makes through the configuration's version.
            r.round_trip(&a.version).map(Some)
        }
        Verb::Check => {
            let (addrs, _) = static_config(a)?;
            let prev = cni::prev_result(&a.conf, &a.version)?
                .ok_or_else(|| CniError::internal("Required prevResult missing"))?;
            for (net, gw) in addrs {
                if let Some(ipc) = prev.ips.iter().find(|c| c.address.ip == net.ip) {
                    if gw.is_some() && gw != ipc.gateway {
                        return Err(CniError::internal(format!(
                            "static: Failed to match addr {} on interface {}",
                            ipc.address.ip, a.ifname
                        )));
                    }
                }
            }
            Ok(None)
        }
    }
}
