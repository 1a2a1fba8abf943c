//! A small `ip` for an initramfs: std and `rtnl` only, no argument-parsing crate.
//!
//! ```text
//! cargo run --example ip -- link show
//! cargo run --example ip -- link add br0 type bridge
//! cargo run --example ip -- link set dev br0 up mtu 1400
//! cargo run --example ip -- addr add 10.0.0.1/24 dev br0
//! cargo run --example ip -- route add default via 10.0.0.254
//! cargo run --example ip -- -6 route show
//! ```
//!
//! `link show`, `addr show`, `route show` and `nexthop show` print what `ip -br link`,
//! `ip -br addr`, `ip route show` and `ip nexthop show` print, byte for byte
//! (`tests/examples.rs` compares them on the same namespace). A kernel refusal prints
//! the kernel's own text, e.g. `ip: RTM_NEWLINK: Operation not supported (os error
//! 95): Unknown device type`, and exits with 2 (as `ip` does; also for a device that
//! does not exist); a mistake on the command line exits with 1.
//!
//! Every command maps to one `rtnl` call (see the table in the README): these files
//! are also a catalogue of the API. One module per object: `link.rs`, `addr.rs`,
//! `route.rs`, `nexthop.rs`; `cli.rs` holds the command line and the shared printers.

mod addr;
mod cli;
mod kinds;
mod link;
mod monitor;
mod neigh;
mod nexthop;
mod route;
mod rule;
mod tuntap;

use cli::{matches, usage, Args, Fail, Res};
use rtnl::{Error, Family, Handle};
use std::process::ExitCode;

const USAGE: &str = "\
Usage: ip [-4|-6] OBJECT COMMAND
OBJECT and COMMAND:
  link show [dev NAME]
  link add [name] NAME type veth [peer name PEER]
  link add [name] NAME type bridge
  link add [name] NAME type KIND
  link add [link DEV] [name] NAME [address MAC] [mtu MTU] [txqueuelen N]
           [netns NS] type { vlan [protocol 802.1Q|802.1ad] id ID [reorder_hdr|gvrp|
           mvrp|loose_binding|bridge_binding on|off] [ingress-qos-map|egress-qos-map
           FROM:TO ...] | macvlan|macvtap mode MODE
           [nopromisc] [nodst] | ipvlan mode l2|l3|l3s [bridge|private|vepa] |
           vxlan id VNI [remote|group ADDR] [local ADDR] [dev DEV] [dstport PORT]
           [srcport LOW HIGH] [ttl TTL] [tos TOS] [df DF] [[no]learning] ... |
           geneve id VNI remote ADDR [ttl TTL] [tos TOS] [dstport PORT] |
           vrf table TABLE | bond [mode MODE] [miimon MS] [arp_interval MS]
           [arp_ip_target ADDR,...] [arp_validate MODE] ... | dummy | ifb |
           wireguard | bridge [vlan_filtering 0|1] [vlan_default_pvid N] }
  link del|delete [dev] NAME
  link set [dev] NAME { up | down | mtu MTU | address MAC | name NEW |
                        master BRIDGE | nomaster } ...
  link set [dev] NAME { promisc on|off | allmulticast on|off | arp on|off |
                        txqueuelen N | alias TEXT | group N } ...
  link property add|del dev NAME altname ALTNAME
  tuntap add|del [dev] NAME mode tun|tap [user UID] [group GID] [pi] [vnet_hdr]
                        [multi_queue]
  addr show [dev NAME]
  addr add|del ADDR[/PREFIX] [peer PEER[/PREFIX]] dev NAME
  addr flush dev NAME
  route show [table TABLE|all]
  route add|replace|append|del { DST[/PREFIX] | default } [via GW] [dev NAME]
                        [nhid ID] [src ADDR] [metric N] [table TABLE]
  nexthop show [id ID]
  nexthop add|replace id ID { [via GW] [dev NAME] | blackhole | group ID[,W]/... }
  nexthop del id ID
  route get [fibmatch] ADDR [from ADDR] [iif NAME] [oif NAME] [mark N] [uid N]
  neigh show|flush [dev NAME] [master NAME] [proxy] [nud STATE|all]
  neigh add|replace|change|del ADDR [lladdr LLADDR] [nud STATE] [router]
                        [extern_learn] [protocol P] dev NAME | proxy ADDR dev NAME
  neigh get ADDR dev NAME
  rule show [table TABLE] [pref N]
  rule add|del [not] [from PREFIX] [to PREFIX] [pref N] [fwmark M[/K]] [iif NAME]
                        [oif NAME] [uidrange A-B] [ipproto P] [sport A[-B]] [dport A[-B]]
                        [table TABLE | goto N | blackhole | unreachable | prohibit | nop]
  rule flush [table TABLE]
  monitor [link|address|route|neigh|nexthop|rule|all] [label] [all-nsid]
  help
Options: -4 (IPv4 only), -6 (IPv6 only); -br is accepted (output is always brief).
Exit status: 0 ok, 1 bad command line, 2 the kernel (or the system) refused.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Usage(m)) => {
            eprintln!("ip: {m}\n{USAGE}");
            ExitCode::from(1)
        }
        Err(Fail::Rtnl(e)) => {
            // The Display of rtnl::Error: operation, errno text, the kernel's
            // extended-ACK message and the attribute it pointed at, e.g.
            // "RTM_NEWLINK: Operation not supported (os error 95): Unknown device type".
            eprintln!("ip: {e}");
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
    let mut a = Args::new(argv);
    let mut family = Family::UNSPEC;
    let object = loop {
        match a.next() {
            Some("-4") => family = Family::INET,
            Some("-6") => family = Family::INET6,
            Some("-br" | "-brief") => {}
            Some("-h" | "-help" | "--help" | "help") => {
                println!("{USAGE}");
                return Ok(());
            }
            Some(o) if o.starts_with('-') => return usage(format!("unknown option \"{o}\"")),
            Some(o) => break o,
            None => return usage("no object given"),
        }
    };
    let mut h = Handle::new()?;
    if matches(object, "link") {
        link::run(&mut h, &mut a)
    } else if matches(object, "address") || object == "addr" {
        addr::run(&mut h, &mut a, family)
    } else if matches(object, "route") {
        route::run(&mut h, &mut a, family)
    } else if matches(object, "nexthop") {
        nexthop::run(&mut h, &mut a, family)
    } else if matches(object, "neighbour") || matches(object, "neighbor") {
        neigh::run(&mut h, &mut a, family)
    } else if matches(object, "rule") {
        rule::run(&mut h, &mut a, family)
    } else if matches(object, "tuntap") {
        tuntap::run(&mut a)
    } else if matches(object, "monitor") {
        monitor::run(&mut h, &mut a, family)
    } else {
        usage(format!("object \"{object}\" is unknown"))
    }
}
