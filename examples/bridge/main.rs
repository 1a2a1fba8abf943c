//! A small `bridge`: the forwarding database of bridges and VXLAN devices, and the
//! VLANs of bridge ports, std and `rtnl` only.
//!
//! ```text
//! cargo run --example bridge -- fdb show [br BR] [brport DEV] [vlan V]
//! cargo run --example bridge -- fdb add 02:00:00:00:00:01 dev veth0 master static
//! cargo run --example bridge -- fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.0.2.2
//! cargo run --example bridge -- fdb flush dev br0 brport veth0 dynamic
//! cargo run --example bridge -- vlan add dev veth0 vid 10 pvid untagged
//! cargo run --example bridge -- vlan show [dev veth0] [vid 10]
//! ```
//!
//! `fdb show` prints what `bridge fdb show` prints, byte for byte (`tests/examples_neigh.rs`
//! compares them on the same namespace); `vlan show` what `bridge vlan show` prints
//! (compared on this host, whose kernel has no VLAN filtering, and inside the qemu
//! guest, whose kernel has: `tests/qemu_guest.rs`, the cni boot). Exit status as the `ip` example's: 0, 1 for a
//! bad command line, 2 when the kernel refused.

mod fdb;
mod vlan;

use rtnl::{Error, Handle, LinkFilter};
use std::collections::HashMap;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: bridge { fdb | vlan } COMMAND
COMMAND:
  fdb show [br BRDEV] [brport DEV] [vlan VID] [state STATE] [dynamic]
  fdb add|append|replace|del ADDR dev DEV [self] [master] [router] [use]
                        [extern_learn] [sticky] [local|permanent|static|dynamic]
                        [vlan VID] [dst IPADDR] [port PORT] [vni VNI] [src_vni VNI]
                        [via DEV] [nhid ID]
  fdb flush dev DEV [brport DEV] [vlan VID] [self] [master]
                        [[no]permanent | [no]static | [no]dynamic]
                        [[no]extern_learn] [[no]sticky] [[no]offloaded] [[no]added_by_user]
  vlan show [dev DEV] [vid VID]
  vlan add|del dev DEV vid VID[-END] [pvid] [untagged] [self] [master]
Exit status: 0 ok, 1 bad command line, 2 the kernel (or the system) refused.";

/// What went wrong: a bad command line, or an error from rtnl.
pub enum Fail {
    Usage(String),
    Rtnl(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Rtnl(e)
    }
}

pub type Res<T = ()> = Result<T, Fail>;

pub fn usage<T>(msg: impl Into<String>) -> Res<T> {
    Err(Fail::Usage(msg.into()))
}

/// iproute2's `matches()`: `arg` is a non-empty prefix of `word`.
pub fn matches(arg: &str, word: &str) -> bool {
    !arg.is_empty() && word.starts_with(arg)
}

/// Every link's name by index (one streamed dump), for printing ports as `bridge`
/// does.
pub fn link_names(h: &mut Handle) -> Res<HashMap<u32, String>> {
    let mut names = HashMap::new();
    h.for_each_link(&LinkFilter::default(), |l| {
        let n = l.name.map(|b| String::from_utf8_lossy(b).into_owned());
        names.insert(l.index(), n.unwrap_or_default());
    })?;
    Ok(names)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Usage(m)) => {
            eprintln!("bridge: {m}\n{USAGE}");
            ExitCode::from(1)
        }
        Err(Fail::Rtnl(e)) => {
            eprintln!("bridge: {e}");
            ExitCode::from(match e {
                Error::Kernel { .. }
                | Error::NotFound { .. }
                | Error::Io { .. }
                | Error::NetlinkUnavailable { .. }
                | Error::Timeout { .. } => 2,
                _ => 1,
            })
        }
    }
}

fn run(argv: &[String]) -> Res {
    let mut a = argv.iter().map(String::as_str);
    match a.next() {
        Some("-h" | "-help" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(o) if matches(o, "fdb") => {
            let rest: Vec<&str> = a.collect();
            let mut h = Handle::new()?;
            fdb::run(&mut h, &rest)
        }
        Some(o) if matches(o, "vlan") => {
            let rest: Vec<&str> = a.collect();
            let mut h = Handle::new()?;
            vlan::run(&mut h, &rest)
        }
        Some(o) => usage(format!("object \"{o}\" is unknown")),
    }
}
