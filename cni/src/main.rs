//! `rtnl-cni`: CNI plugins on rtnl, one static binary serving several plugin types by
//! the name it is called under, as busybox does — install it once and link `bridge`,
//! `ptp`, `macvlan`, `tuning` and `static` to it (or copy it under those names):
//!
//! ```text
//! /opt/cni/bin/bridge -> rtnl-cni        CNI_COMMAND=ADD ... /opt/cni/bin/bridge < conf
//! ```
//!
//! Called as `rtnl-cni` itself, the first argument names the type (`rtnl-cni bridge`).

mod bridge;
mod cni;
mod ipam;
mod macvlan;
mod net;
mod ptp;
mod skel;
mod tuning;
mod wait;

use cni::{CniResult, CniResultT};
use skel::{CmdArgs, Plugin};

/// The plugin types this binary serves.
pub const TYPES: &[&str] = &["bridge", "ptp", "macvlan", "tuning", "static"];

/// `static` as a plugin of its own (the IPAM plugin the others run in process).
struct Static;

impl Plugin for Static {
    fn about(&self) -> String {
        "CNI static plugin (rtnl) version 0.1.0".into()
    }
    fn add(&self, a: &CmdArgs) -> CniResultT<CniResult> {
        ipam::add("static", a)
    }
    fn check(&self, a: &CmdArgs) -> CniResultT<()> {
        ipam::check("static", a)
    }
    fn del(&self, a: &CmdArgs) -> CniResultT<()> {
        ipam::del("static", a)
    }
}

fn plugin(name: &str) -> Option<&'static dyn Plugin> {
    match name {
        "bridge" => Some(&bridge::Bridge),
        "ptp" => Some(&ptp::Ptp),
        "macvlan" => Some(&macvlan::Macvlan),
        "tuning" => Some(&tuning::Tuning),
        "static" => Some(&Static),
        _ => None,
    }
}

fn main() {
    let mut argv = std::env::args();
    let arg0 = argv.next().unwrap_or_default();
    let base = std::path::Path::new(&arg0)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = if plugin(&base).is_some() {
        base
    } else {
        argv.next().unwrap_or_default()
    };
    let Some(p) = plugin(&name) else {
        // Not a plugin type this binary serves: say so as a CNI error (invalid
        // configuration, code 7), on stdout like any other error.
        let e = cni::CniError::new(
            cni::code::INVALID_CONFIG,
            format!("unknown plugin type {name:?}"),
        )
        .details(format!("this binary serves {}", TYPES.join(", ")));
        print!("{}", cni::to_pretty(&e));
        std::process::exit(1);
    };
    std::process::exit(skel::run(p));
}
