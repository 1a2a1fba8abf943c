//! `ip tuntap add|del`: tun and tap devices through `/dev/net/tun` (`rtnl::tun`).

use crate::cli::{matches, usage, Args, Res};
use rtnl::tun::{self, TunTap};
use rtnl::TunMode;

pub fn run(a: &mut Args<'_>) -> Res {
    let cmd = a.value("tuntap")?;
    let mut name = None;
    let mut mode = None;
    let mut t = TunTap::persistent("tmp", TunMode::Tap)?;
    while let Some(x) = a.next() {
        match x {
            "dev" | "name" => name = Some(a.value(x)?),
            "mode" => {
                let m = a.value("mode")?;
                mode = Some(match m {
                    "tun" => TunMode::Tun,
                    "tap" => TunMode::Tap,
                    _ => return usage(format!("unknown tuntap mode \"{m}\"")),
                });
            }
            "user" => t.owner = Some(a.number("user")?),
            "group" => t.group = Some(a.number("group")?),
            "pi" => t.packet_info = true,
            "vnet_hdr" => t.vnet_hdr = true,
            "multi_queue" => t.multi_queue = true,
            "one_queue" => {}
            x if name.is_none() => name = Some(x),
            x => return usage(format!("unexpected \"{x}\"")),
        }
    }
    let (Some(name), Some(mode)) = (name, mode) else {
        return usage("tuntap needs a name and \"mode tun|tap\"");
    };
    t.name = rtnl::IfName::new(name)?;
    t.mode = mode;
    match cmd {
        // ip tuntap add dev NAME mode tun|tap ...  →  TunTap::persistent(..).create()
        "add" => drop(t.create()?),
        // ip tuntap del dev NAME mode tun|tap  →  rtnl::tun::delete
        c if matches(c, "delete") => tun::delete(name, mode)?,
        c => return usage(format!("command \"{c}\" is unknown for tuntap")),
    }
    Ok(())
}
