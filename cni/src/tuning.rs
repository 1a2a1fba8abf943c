//! `tuning` (chained): sysctls of the container's network namespace, and the
//! interface's MAC, MTU, promiscuous and all-multicast modes and transmit queue
//! length; what it changed is saved and restored on `DEL`. Behaves as the reference
//! plugin (`plugins/meta/tuning`); `txQLen` as upstream's newer tuning (the Debian
//! reference, 1.1.1, predates it and ignores the field).

use crate::cni::{self, ctx, CniError, CniResult, CniResultT};
use crate::net::{self, ContainerNs};
use crate::skel::{CmdArgs, Plugin};
use rtnl::{Handle, Link, LinkFlags, MacAddr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const DEFAULT_DATA_DIR: &str = "/run/cni/tuning";

#[derive(Deserialize, Default)]
struct Conf {
    #[serde(rename = "dataDir", default)]
    data_dir: String,
    #[serde(default)]
    sysctl: Option<BTreeMap<String, String>>,
    #[serde(default)]
    mac: String,
    #[serde(default)]
    promisc: bool,
    #[serde(default)]
    mtu: i64,
    #[serde(default)]
    allmulti: Option<bool>,
    #[serde(rename = "txQLen", default)]
    txqlen: Option<i64>,
    #[serde(rename = "runtimeConfig", default)]
    runtime: Option<RuntimeMac>,
    #[serde(default)]
    args: Option<ArgsWrap>,
}

#[derive(Deserialize, Default)]
struct RuntimeMac {
    #[serde(default)]
    mac: String,
}

#[derive(Deserialize, Default)]
struct ArgsWrap {
    #[serde(default)]
    cni: Option<TuningArgs>,
}

#[derive(Deserialize, Default)]
struct TuningArgs {
    #[serde(default)]
    sysctl: Option<BTreeMap<String, String>>,
    #[serde(default)]
    mac: Option<String>,
    #[serde(default)]
    promisc: Option<bool>,
    #[serde(default)]
    mtu: Option<i64>,
    #[serde(default)]
    allmulti: Option<bool>,
    #[serde(rename = "txQLen", default)]
    txqlen: Option<i64>,
}

/// What is restored on `DEL` (the reference's file format).
#[derive(Serialize, Deserialize, Default)]
struct Backup {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    mac: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    promisc: Option<bool>,
    #[serde(default, skip_serializing_if = "is_zero")]
    mtu: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allmulti: Option<bool>,
    #[serde(rename = "txQLen", default, skip_serializing_if = "Option::is_none")]
    txqlen: Option<i64>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

fn parse(a: &CmdArgs) -> CniResultT<Conf> {
    let mut c: Conf = cni::load_conf(&a.stdin)?;
    if c.data_dir.is_empty() {
        c.data_dir = DEFAULT_DATA_DIR.into();
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
    if let Some(x) = c.args.take().and_then(|w| w.cni) {
        if let Some(s) = x.sysctl {
            c.sysctl.get_or_insert_with(BTreeMap::new).extend(s);
        }
        if let Some(m) = x.mac {
            c.mac = m;
        }
        if let Some(p) = x.promisc {
            c.promisc = p;
        }
        if let Some(m) = x.mtu {
            c.mtu = m;
        }
        if x.allmulti.is_some() {
            c.allmulti = x.allmulti;
        }
        if x.txqlen.is_some() {
            c.txqlen = x.txqlen;
        }
    }
    Ok(c)
}

fn backup_path(c: &Conf, a: &CmdArgs) -> std::path::PathBuf {
    std::path::Path::new(&c.data_dir).join(format!("{}_{}.json", a.container_id, a.ifname))
}

fn parse_mac(s: &str) -> CniResultT<MacAddr> {
    s.parse::<MacAddr>().map_err(|_| {
        CniError::internal(format!(
            "invalid args {s} for MAC addr: address {s}: invalid MAC address"
        ))
    })
}

fn get(ch: &mut Handle, ifname: &str) -> CniResultT<Link> {
    ch.get_link(ifname)?
        .ok_or_else(|| CniError::internal(format!("failed to get {ifname:?}: Link not found")))
}

/// The sysctl file a key names (`IFNAME` replaced), refused outside `/proc/sys/net/`.
fn sysctl_key(key: &str, ifname: &str) -> CniResultT<String> {
    let key = key.replacen("IFNAME", ifname, 1);
    let path = key.replace('.', "/");
    let clean = path.trim_start_matches('/');
    if !clean.starts_with("net/") || clean.split('/').any(|c| c == "..") {
        return Err(CniError::internal(format!(
            "invalid net sysctl key: {key:?}"
        )));
    }
    Ok(clean.to_owned())
}

/// The tuning plugin.
pub struct Tuning;

impl Plugin for Tuning {
    fn about(&self) -> String {
        "CNI tuning plugin (rtnl) version 0.1.0".into()
    }

    fn add(&self, a: &CmdArgs) -> CniResultT<CniResult> {
        let c = parse(a)?;
        let mut prev = cni::prev_result(&a.conf, &a.version)?
            .ok_or_else(|| CniError::internal("Required prevResult missing"))?;
        let ns = ContainerNs::open(&a.netns)?;
        if let Some(s) = &c.sysctl {
            let mut keys = Vec::new();
            for (k, v) in s {
                keys.push((sysctl_key(k, &a.ifname)?, v.clone()));
            }
            ns.run(move || {
                for (k, v) in &keys {
                    std::fs::write(format!("/proc/sys/{k}"), v.as_bytes())
                        .map_err(CniError::internal)?;
                }
                Ok(())
            })?;
        }
        let mut ch = ns.handle()?;
        if !c.mac.is_empty()
            || c.mtu != 0
            || c.promisc
            || c.allmulti.is_some()
            || c.txqlen.is_some()
        {
            let l = get(&mut ch, &a.ifname)?;
            let b = Backup {
                mac: if c.mac.is_empty() {
                    String::new()
                } else {
                    net::mac_of(&l)
                },
                promisc: c.promisc.then(|| l.flags.contains(LinkFlags::PROMISC)),
                mtu: if c.mtu != 0 {
                    i64::from(l.mtu.unwrap_or(0))
                } else {
                    0
                },
                allmulti: c.allmulti.map(|_| l.flags.contains(LinkFlags::ALLMULTI)),
                txqlen: c.txqlen.map(|_| i64::from(l.txqlen.unwrap_or(0))),
            };
            std::fs::create_dir_all(&c.data_dir)
                .map_err(ctx("failed to create backup directory"))?;
            let text = serde_json::to_string_pretty(&b).map_err(CniError::internal)?;
            std::fs::write(backup_path(&c, a), text)
                .map_err(ctx(format!("failed to save file {}.json", a.ifname)))?;
        }
        let l = get(&mut ch, &a.ifname)?;
        if !c.mac.is_empty() {
            let mac = parse_mac(&c.mac)?;
            ch.set_link_address(l.index, mac)?;
            for i in prev.interfaces.iter_mut() {
                if i.name == a.ifname {
                    i.mac = c.mac.clone();
                }
            }
        }
        if c.promisc {
            net::set_flag(&mut ch, l.index, LinkFlags::PROMISC, true)?;
        }
        if c.mtu != 0 {
            ch.set_link_mtu(l.index, c.mtu as u32)?;
        }
        if let Some(on) = c.allmulti {
            net::set_flag(&mut ch, l.index, LinkFlags::ALLMULTI, on)?;
        }
        if let Some(q) = c.txqlen {
            set_txqlen(&mut ch, l.index, q)?;
        }
        Ok(prev)
    }

    fn del(&self, a: &CmdArgs) -> CniResultT<()> {
        let c = parse(a)?;
        // Errors are ignored, as the reference ignores them.
        let Ok(ns) = ContainerNs::open(&a.netns) else {
            return Ok(());
        };
        let _ = restore(&ns, &c, a);
        Ok(())
    }

    fn check(&self, a: &CmdArgs) -> CniResultT<()> {
        let c = parse(a)?;
        cni::prev_result(&a.conf, &a.version)?
            .ok_or_else(|| CniError::internal("Required prevResult missing"))?;
        let ns = ContainerNs::open(&a.netns)?;
        if let Some(s) = &c.sysctl {
            let keys: Vec<(String, String)> = s
                .iter()
                .map(|(k, v)| (k.replace('.', "/"), v.clone()))
                .collect();
            ns.run(move || {
                for (k, want) in &keys {
                    let file = format!("/proc/sys/{}", k.trim_start_matches('/'));
                    let cur = std::fs::read_to_string(&file).map_err(CniError::internal)?;
                    let cur = cur.strip_suffix('\n').unwrap_or(&cur);
                    if cur != want {
                        return Err(CniError::internal(format!(
                            "Error: Tuning configured value of {file} is {want}, current value is {cur}"
                        )));
                    }
                }
                Ok(())
            })?;
        }
        let mut ch = ns.handle()?;
        let l = ch.get_link(a.ifname.as_str())?.ok_or_else(|| {
            CniError::internal(format!("Cannot find container link {}", a.ifname))
        })?;
        if !c.mac.is_empty() && c.mac != net::mac_of(&l) {
            return Err(CniError::internal(format!(
                "Error: Tuning configured Ethernet of {} is {}, current value is {}",
                a.ifname,
                c.mac,
                net::mac_of(&l)
            )));
        }
        let promisc = l.flags.contains(LinkFlags::PROMISC);
        if c.promisc != promisc {
            return Err(CniError::internal(format!(
                "Error: Tuning link {} configured promisc is {}, current value is {}",
                a.ifname, c.promisc, promisc
            )));
        }
        if c.mtu != 0 && Some(c.mtu as u32) != l.mtu {
            return Err(CniError::internal(format!(
                "Error: Tuning configured MTU of {} is {}, current value is {}",
                a.ifname,
                c.mtu,
                l.mtu.unwrap_or(0)
            )));
        }
        if let Some(on) = c.allmulti {
            if on != l.flags.contains(LinkFlags::ALLMULTI) {
                return Err(CniError::internal(format!(
                    "Error: Tuning configured all-multicast mode of {} is {on}",
                    a.ifname
                )));
            }
        }
        if let Some(q) = c.txqlen {
            if Some(q) != l.txqlen.map(i64::from) {
                return Err(CniError::internal(format!(
                    "Error: Tuning configured Transmit Queue Length of {} is {q}, current value is {}",
                    a.ifname,
                    l.txqlen.unwrap_or(0)
                )));
            }
        }
        Ok(())
    }
}

fn set_txqlen(ch: &mut Handle, index: u32, q: i64) -> CniResultT<()> {
    let q = u32::try_from(q).map_err(|_| CniError::internal(format!("invalid txQLen {q}")))?;
    let change = Link {
        txqlen: Some(q),
        ..Default::default()
    };
    ch.set_link(index, &change)?;
    Ok(())
}

/// Restores what `ADD` saved, then removes the file; nothing saved, nothing done.
fn restore(ns: &ContainerNs, c: &Conf, a: &CmdArgs) -> CniResultT<()> {
    let path = backup_path(c, a);
    let Ok(text) = std::fs::read(&path) else {
        return Ok(());
    };
    let Ok(b) = serde_json::from_slice::<Backup>(&text) else {
        return Ok(());
    };
    let mut ch = ns.handle()?;
    let Some(l) = ch.get_link(a.ifname.as_str())? else {
        return Ok(());
    };
    let mut errs = Vec::new();
    if b.mtu != 0 {
        if let Err(e) = ch.set_link_mtu(l.index, b.mtu as u32) {
            errs.push(format!("failed to restore MTU: {e}"));
        }
    }
    if !b.mac.is_empty() {
        if let Err(e) = parse_mac(&b.mac).and_then(|m| Ok(ch.set_link_address(l.index, m)?)) {
            errs.push(format!("failed to restore MAC address: {e}"));
        }
    }
    if let Some(p) = b.promisc {
        if let Err(e) = net::set_flag(&mut ch, l.index, LinkFlags::PROMISC, p) {
            errs.push(format!("failed to restore promiscuous mode: {e}"));
        }
    }
    if let Some(m) = b.allmulti {
        if let Err(e) = net::set_flag(&mut ch, l.index, LinkFlags::ALLMULTI, m) {
            errs.push(format!("failed to restore all-multicast mode: {e}"));
        }
    }
    if let Some(q) = b.txqlen {
        if let Err(e) = set_txqlen(&mut ch, l.index, q) {
            errs.push(format!("failed to restore transmit queue length: {e}"));
        }
    }
    if !errs.is_empty() {
        return Err(CniError::internal(errs.join("; ")));
    }
    std::fs::remove_file(&path).map_err(ctx(format!("failed to remove file {}", path.display())))
}
