//! `bridge vlan show|add|del`: the VLANs of bridge ports (and of bridges themselves)
//! through `Handle::bridge_vlans` and `BridgeVlan`.

use crate::{link_names, matches, usage, Res};
use rtnl::{BridgeVlan, Handle};
use std::fmt::Write as _;
use std::io::Write as _;

pub fn run(h: &mut Handle, args: &[&str]) -> Res {
    match args.first() {
        None => show(h, &[]),
        Some(&c) if matches(c, "show") || matches(c, "list") || c == "lst" => show(h, &args[1..]),
        Some(&c) if matches(c, "add") => {
            // bridge vlan add dev DEV vid V[-E] [pvid] [untagged] [self] [master]
            //   →  Handle::add(&BridgeVlan { .. })
            let v = parse(h, &args[1..])?;
            Ok(h.add(&v)?)
        }
        Some(&c) if matches(c, "delete") => {
            // bridge vlan del dev DEV vid V[-E] [self] [master]
            //   →  Handle::delete(&BridgeVlan { .. })
            let v = parse(h, &args[1..])?;
            Ok(h.delete(&v)?)
        }
        Some(c) => usage(format!("command \"{c}\" is unknown for vlan")),
    }
}

fn value<'a>(it: &mut std::slice::Iter<'a, &'a str>, after: &str) -> Res<&'a str> {
    match it.next() {
        Some(v) => Ok(v),
        None => usage(format!("\"{after}\" needs a value")),
    }
}

fn vid(s: &str) -> Res<u16> {
    s.parse()
        .or_else(|_| usage(format!("invalid VLAN id \"{s}\"")))
}

/// `dev DEV vid V[-E] [pvid] [untagged] [self] [master]`.
fn parse(h: &mut Handle, args: &[&str]) -> Res<BridgeVlan> {
    let (mut dev, mut range) = (None, None);
    let (mut pvid, mut untagged, mut self_, mut master) = (false, false, false, false);
    let mut it = args.iter();
    while let Some(&x) = it.next() {
        match x {
            "dev" => dev = Some(value(&mut it, x)?),
            "vid" => {
                let v = value(&mut it, x)?;
                range = Some(match v.split_once('-') {
                    Some((a, b)) => (vid(a)?, Some(vid(b)?)),
                    None => (vid(v)?, None),
                });
            }
            "pvid" => pvid = true,
            "untagged" => untagged = true,
            "self" => self_ = true,
            "master" => master = true,
            x => return usage(format!("unexpected \"{x}\" for vlan")),
        }
    }
    let Some(dev) = dev else {
        return usage("vlan add|del needs \"dev DEV\"");
    };
    let Some((start, end)) = range else {
        return usage("vlan add|del needs \"vid VLAN_ID\"");
    };
    Ok(BridgeVlan {
        vid_end: end,
        pvid,
        untagged,
        self_,
        master,
        ..BridgeVlan::new(h.link_index(dev)?, start)
    })
}

/// `bridge vlan show [dev DEV] [vid VID]`: each port with its VLANs, one per line, as
/// iproute2 6.1 prints them (`%-16s  ` for the port's name, then the VLAN and its
/// flags; ranges reported by the kernel are printed one VLAN per line, as `bridge`
/// asks for them uncompressed).
fn show(h: &mut Handle, args: &[&str]) -> Res {
    let (mut dev, mut only) = (None, None);
    let mut it = args.iter();
    while let Some(&x) = it.next() {
        match x {
            "dev" => dev = Some(value(&mut it, x)?),
            "vid" => only = Some(vid(value(&mut it, x)?)?),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    // bridge vlan show [dev DEV]  →  Handle::bridge_vlans(Some(DEV) | None)
    let vlans = h.bridge_vlans(dev.map(Into::into))?;
    let names = link_names(h)?;
    let mut out = String::new();
    let _ = writeln!(out, "{:<16}  {:<9}", "port", "vlan-id");
    let mut port = None;
    for v in &vlans {
        for id in v.vid..=v.vid_end.unwrap_or(v.vid) {
            if only.is_some_and(|o| o != id) {
                continue;
            }
            if port == Some(v.index) {
                let _ = write!(out, "{:<16}  ", "");
            } else {
                let name = names.get(&v.index).cloned();
                let _ = write!(
                    out,
                    "{:<16}  ",
                    name.unwrap_or_else(|| format!("if{}", v.index))
                );
                port = Some(v.index);
            }
            let _ = write!(out, "{id}");
            if v.pvid {
                out.push_str(" PVID");
            }
            if v.untagged {
                out.push_str(" Egress Untagged");
            }
            out.push('\n');
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}
