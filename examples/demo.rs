//! A ten-minute tour of `rtnl`: build a small topology, read it back, see a kernel
//! error, tear it all down.
//!
//! ```text
//! cargo build --example demo && sudo ./target/debug/examples/demo
//! ```
//!
//! Everything happens inside two private network namespaces made for the occasion
//! (`rtnl::netns::create()`), reached through handles whose sockets live there
//! (`Handle::in_netns`): the namespace you run it from is never modified. Namespace
//! A plays the host (a bridge and the host ends of two veth pairs), namespace B a
//! container (the other ends, called `eth0` and `eth1`):
//!
//! ```text
//!   namespace A                                  namespace B
//!   demo-br0 10.42.0.1/24 fd42::1/64 (STP off)
//!     ├── demo-a0  <── veth ──>  eth0  10.42.0.2/24 fd42::2/64  default via 10.42.0.1
//!     └── demo-a1  <── veth ──>  eth1  10.42.1.2/32             default via fd42::1
//!   10.42.1.2/32 dev demo-br0
//! ```
//!
//! Needs root (CAP_SYS_ADMIN to create namespaces, CAP_NET_ADMIN to configure them);
//! without it, it says so and exits with status 1.

use rtnl::{AddrFlags, Address, Bridge, Handle, Link, LinkKind, Netns, Route, RouteFilter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::process::ExitCode;

const BRIDGE: &str = "demo-br0";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::from(2)
        }
    }
}

/// Prints the `ip` command a step stands for, then runs it.
fn step<T>(ip: &str, f: impl FnOnce() -> rtnl::Result<T>) -> rtnl::Result<T> {
    println!("    $ {ip}");
    f()
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("a valid literal address")
}

fn run() -> rtnl::Result<ExitCode> {
    println!("rtnl demo: a bridge, two veth pairs and a second namespace\n");

    // 1. Two private namespaces. `create()` unshares on a throwaway thread and
    //    returns a descriptor that keeps the namespace alive; this thread (and the
    //    namespace you started in) stays where it is.
    println!("[1] two private network namespaces, A (\"host\") and B (\"container\")");
    println!("    (like ip netns add, without the bind mount: rtnl::netns::create())");
    let ns_a = match rtnl::netns::create() {
        Ok(fd) => fd,
        Err(e) if e.errno() == Some(libc::EPERM) => {
            eprintln!(
                "demo: this demo needs root: CAP_SYS_ADMIN to create network namespaces and \
                 CAP_NET_ADMIN to configure them.\n\
                 It never touches your own network: everything happens in two private \
                 namespaces that vanish when it exits.\n\
                 Run it as: cargo build --example demo && sudo ./target/debug/examples/demo\n\
                 ({e})"
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e),
    };
    let ns_b = rtnl::netns::create()?;
    // The namespace the demo was started in, only to show it is left alone.
    let mut here = Handle::new()?;
    let here_before = names(&mut here)?;

    let mut a = Handle::in_netns(ns_a.as_fd())?;
    let mut b = Handle::in_netns(ns_b.as_fd())?;
    println!();

    // 2. The topology.
    println!("[2] building the topology");
    step("ip link add demo-br0 type bridge stp_state 0", || {
        let mut br = Link::bridge(BRIDGE)?;
        br.kind = Some(LinkKind::Bridge(Bridge {
            stp: Some(false),
            ..Default::default()
        }));
        a.add(&br)
    })?;
    step("ip link add demo-a0 type veth peer name demo-b0", || {
        a.add(&Link::veth("demo-a0", "demo-b0")?)
    })?;
    // One RTM_NEWLINK with IFLA_NET_NS_FD and the new IFLA_IFNAME: the link never
    // exists in B under its old name.
    step("ip link set dev demo-b0 netns B name eth0", || {
        a.move_link_to_netns("demo-b0", ns_b.as_fd(), Some("eth0"))
    })?;
    // Or have the peer born in B under its final name, in the same request.
    step(
        "ip link add demo-a1 type veth peer name eth1 netns B",
        || {
            let mut pair = Link::veth("demo-a1", "eth1")?;
            if let Some(LinkKind::Veth(peer)) = &mut pair.kind {
                peer.netns = Some(Netns::fd(ns_b.as_fd()));
            }
            a.add(&pair)
        },
    )?;
    for port in ["demo-a0", "demo-a1"] {
        step(&format!("ip link set dev {port} master {BRIDGE}"), || {
            a.set_link_master(port, BRIDGE)
        })?;
    }
    for dev in [BRIDGE, "demo-a0", "demo-a1"] {
        step(&format!("ip link set dev {dev} up"), || a.set_link_up(dev))?;
    }
    for dev in ["lo", "eth0", "eth1"] {
        step(&format!("ip -n B link set dev {dev} up"), || {
            b.set_link_up(dev)
        })?;
    }
    let br = a.link_index(BRIDGE)?;
    step("ip addr add 10.42.0.1/24 dev demo-br0", || {
        a.add(&Address::new(br, ip("10.42.0.1"), 24))
    })?;
    step("ip addr add fd42::1/64 dev demo-br0 nodad", || {
        a.add(&Address::new(br, ip("fd42::1"), 64).with_flags(AddrFlags::NODAD))
    })?;
    let eth0 = b.link_index("eth0")?;
    let eth1 = b.link_index("eth1")?;
    step("ip -n B addr add 10.42.0.2/24 dev eth0", || {
        b.add(&Address::new(eth0, ip("10.42.0.2"), 24))
    })?;
    step("ip -n B addr add fd42::2/64 dev eth0 nodad", || {
        b.add(&Address::new(eth0, ip("fd42::2"), 64).with_flags(AddrFlags::NODAD))
    })?;
    step("ip -n B addr add 10.42.1.2/32 dev eth1", || {
        b.add(&Address::new(eth1, ip("10.42.1.2"), 32))
    })?;
    step("ip route add 10.42.1.2/32 dev demo-br0", || {
        a.add(&Route::to(ip("10.42.1.2"), 32)?.dev(br))
    })?;
    step("ip -n B route add default via 10.42.0.1", || {
        b.add(&Route::default_via(ip("10.42.0.1")))
    })?;
    step("ip -n B -6 route add default via fd42::1", || {
        b.add(&Route::default_via(ip("fd42::1")))
    })?;
    println!();

    // 3. Read it all back through the library.
    println!("[3] what the kernel reports (read back with Handle::links, addresses, routes)");
    show(&mut a, "namespace A")?;
    show(&mut b, "namespace B")?;

    // 4. One deliberate mistake: a typo in the link kind. The kernel's extended ACK
    //    comes back inside the error, next to the errno.
    println!("[4] a kernel error, as rtnl reports it");
    match step("ip link add demo-oops type bidge", || {
        a.add(&Link::of_kind("demo-oops", "bidge")?)
    }) {
        Err(e) => {
            // Display: "RTM_NEWLINK: Operation not supported (os error 95): Unknown
            // device type". The parts are data too: e.errno(), e.kernel_message().
            println!("    error: {e}");
            println!(
                "    (e.errno() = {}, e.kernel_message() = {:?})\n",
                e.errno().unwrap_or(0),
                e.kernel_message().unwrap_or("")
            );
        }
        Ok(()) => {
            println!("    unexpectedly accepted: this kernel knows a link kind \"bidge\"\n");
            a.delete_link("demo-oops")?;
        }
    }

    // 5. Tear down. Deleting one end of a veth pair deletes the other, wherever it is.
    println!("[5] tearing down");
    for dev in ["demo-a0", "demo-a1", BRIDGE] {
        step(&format!("ip link del {dev}"), || a.delete_link(dev))?;
    }
    let left_a = names(&mut a)?;
    let left_b = names(&mut b)?;
    println!("    links left in A: {}", left_a.join(", "));
    println!("    links left in B: {}", left_b.join(", "));
    let here_after = names(&mut here)?;
    drop((a, b, ns_a, ns_b)); // the last descriptors: both namespaces are gone now
    if left_a != ["lo"] || left_b != ["lo"] {
        println!("    something was left behind");
        return Ok(ExitCode::from(1));
    }
    println!("    nothing left: both namespaces hold only lo, and closing them removes them");
    if here_before != here_after {
        println!("    your own namespace changed while the demo ran (not by the demo)");
    } else {
        println!(
            "    your own namespace was not touched ({} links before, the same {} after)",
            here_before.len(),
            here_after.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn names(h: &mut Handle) -> rtnl::Result<Vec<String>> {
    Ok(h.links()?.iter().map(Link::name_str).collect())
}

/// The links, addresses and routes of one namespace as three tables.
fn show(h: &mut Handle, title: &str) -> rtnl::Result<()> {
    println!("  {title}");
    let links = h.links()?;
    let name: HashMap<u32, String> = links.iter().map(|l| (l.index, l.name_str())).collect();
    let dev = |i: u32| name.get(&i).cloned().unwrap_or_else(|| format!("if{i}"));

    let rows = links
        .iter()
        .map(|l| {
            // The kind and its options (the bridge's STP state) come with the link.
            let kind = match &l.kind {
                Some(LinkKind::Bridge(Bridge { stp: Some(on), .. })) => {
                    format!("bridge (stp {})", if *on { "on" } else { "off" })
                }
                Some(k) => k.name().to_owned(),
                None => "-".into(),
            };
            vec![
                l.name_str(),
                kind,
                if l.is_up() { "up" } else { "down" }.into(),
                l.operstate.map_or("-".into(), |s| s.to_string()),
                l.mtu.map_or("-".into(), |m| m.to_string()),
                l.mac().map_or("-".into(), |m| m.to_string()),
                l.master.map_or("-".into(), dev),
            ]
        })
        .collect();
    table(
        "links",
        &["NAME", "KIND", "ADMIN", "OPER", "MTU", "MAC", "MASTER"],
        rows,
    );

    let rows = h
        .addresses()?
        .iter()
        .map(|a| {
            vec![
                dev(a.index),
                format!("{}/{}", a.address, a.prefix_len),
                a.scope.to_string(),
                addr_flags(a.flags),
            ]
        })
        .collect();
    table("addresses", &["DEV", "ADDRESS", "SCOPE", "FLAGS"], rows);

    let routes = h.routes(&RouteFilter {
        table: Some(254), // main
        ..Default::default()
    })?;
    let rows = routes
        .iter()
        .map(|r| {
            let dst = match r.dst {
                Some(d) => format!("{d}/{}", r.dst_len),
                None => "default".into(),
            };
            vec![
                r.family.to_string(),
                dst,
                r.gateway.map_or("-".into(), |g| g.to_string()),
                r.oif.map_or("-".into(), dev),
                r.prefsrc.map_or("-".into(), |s| s.to_string()),
                r.protocol.to_string(),
                r.scope.to_string(),
                r.priority.map_or("-".into(), |p| p.to_string()),
            ]
        })
        .collect();
    table(
        "routes (main table)",
        &[
            "FAMILY",
            "DESTINATION",
            "GATEWAY",
            "DEV",
            "SRC",
            "PROTO",
            "SCOPE",
            "METRIC",
        ],
        rows,
    );
    Ok(())
}

/// Prints an aligned table, indented, under a caption.
fn table(caption: &str, head: &[&str], rows: Vec<Vec<String>>) {
    let mut width: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let s: Vec<String> = cells
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("      {}", s.join("  ").trim_end());
    };
    println!("    {caption}:");
    line(head.to_vec());
    for r in &rows {
        line(r.iter().map(String::as_str).collect());
    }
    println!();
}

fn addr_flags(f: AddrFlags) -> String {
    let shown = AddrFlags::SECONDARY
        | AddrFlags::NODAD
        | AddrFlags::TENTATIVE
        | AddrFlags::DADFAILED
        | AddrFlags::DEPRECATED
        | AddrFlags::PERMANENT;
    let v: Vec<&str> = (f & shown).names().collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(",")
    }
}
