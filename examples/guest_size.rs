//! A guest's network bring-up, written with rtnl's `Handle`, for the size benchmark
//! (BENCHMARKS.md, target 4): the static binary this makes is compared with an empty
//! `main` built the same way.
//!
//! ```text
//! cargo build --profile guest --target x86_64-unknown-linux-musl --example guest_size
//! ls -l target/x86_64-unknown-linux-musl/guest/examples/guest_size
//! ```
//!
//! The sequence — what a VM or container init does for its one interface:
//!
//! ```text
//! ip link set dev IF address 02:00:00:00:00:01
//! ip link set dev IF mtu 1400
//! ip link set dev IF up
//! ip addr add 10.0.2.15/24 dev IF
//! ip addr add fd00::15/64 dev IF nodad
//! ip route add default via 10.0.2.2
//! ip -6 route add default via fd00::2
//! ```
//!
//! Usage: `guest_size [IF]` (default `eth0`). Run it only in a namespace you own: it
//! changes the interface.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::ExitCode;

fn configure(ifname: &str) -> rtnl::Result<()> {
    let mut h = rtnl::Handle::netlink_only()?;
    h.set_link_address(ifname, rtnl::MacAddr([0x02, 0, 0, 0, 0, 0x01]))?;
    h.set_link_mtu(ifname, 1400)?;
    h.set_link_up(ifname)?;
    let index = h.link_index(ifname)?;
    h.add(&rtnl::Address::new(
        index,
        IpAddr::V4(Ipv4Addr::new(10, 0, 2, 15)),
        24,
    ))?;
    let v6 = IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 0x15));
    h.add(&rtnl::Address::new(index, v6, 64).with_flags(rtnl::AddrFlags::NODAD))?;
    h.add(&rtnl::Route::default_via(IpAddr::V4(Ipv4Addr::new(
        10, 0, 2, 2,
    ))))?;
    h.add(&rtnl::Route::default_via(IpAddr::V6(Ipv6Addr::new(
        0xfd00, 0, 0, 0, 0, 0, 0, 2,
    ))))?;
    Ok(())
}

fn main() -> ExitCode {
    // `args_os`: a non-UTF-8 argument is an error message, not a panic.
    let ifname = match std::env::args_os().nth(1).map(|a| a.into_string()) {
        None => "eth0".to_owned(),
        Some(Ok(name)) => name,
        Some(Err(_)) => {
            eprintln!("guest_size: the interface name is not UTF-8");
            return ExitCode::FAILURE;
        }
    };
    match configure(&ifname) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guest_size: {e}");
            ExitCode::FAILURE
        }
    }
}
