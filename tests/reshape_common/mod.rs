//! Helpers of the issue-#12 kernel tests (`tests/reshape_*.rs`), beside `tests/common`
//! (which they use too): `ip -batch`, waiting on the kernel's notifications instead of
//! sleeping, and a namespace whose IPv6 side holds still.
#![allow(dead_code)]

use rtnl::abi::*;
use rtnl::{Socket, Transport};
use std::collections::BTreeMap;
use std::time::Duration;

/// Runs `cmds` (one `ip` command per line, without the leading `ip`) with `ip -batch -`
/// from the calling thread (so in its namespace); panics with `ip`'s stderr.
pub fn ip_batch(cmds: &str) {
    use std::io::Write;
    let mut c = std::process::Command::new("ip")
        .args(["-batch", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ip -batch");
    c.stdin.take().unwrap().write_all(cmds.as_bytes()).unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ip -batch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `ip ARGS` and returns its status and stderr, without panicking.
pub fn ip_status(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .expect("run ip");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `index -> name` of every link, per `ip -j link show`.
pub fn link_names() -> BTreeMap<u32, String> {
    crate::common::ip_json(&["link", "show"])
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ifindex"].as_u64().unwrap() as u32,
                l["ifname"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Returns once `ready()` holds. Between two checks it blocks on the kernel's
/// notifications about links, addresses and routes (joined before the first check, so
/// that none is missed) — no sleeps. Panics when nothing happens for 10 s.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let mut s = Socket::new().expect("netlink socket");
    for g in [
        RTNLGRP_LINK,
        RTNLGRP_IPV4_IFADDR,
        RTNLGRP_IPV4_ROUTE,
        RTNLGRP_IPV6_IFADDR,
        RTNLGRP_IPV6_ROUTE,
    ] {
        s.add_membership(g).expect("join a group");
    }
    s.set_recv_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    while !ready() {
        if let Err(e) = s.recv(&mut buf) {
            panic!("waiting for {what}: no notification within 10 s ({e})");
        }
    }
}

/// Makes the namespace's IPv6 side deterministic before any link is made: no
/// link-local addresses (`addr_gen_mode` none), so no duplicate address detection runs
/// in the background and no `fe80::/64` routes come and go during a test.
pub fn quiet_ipv6() {
    for k in ["all", "default"] {
        rtnl::set_sysctl(&format!("net.ipv6.conf.{k}.addr_gen_mode"), "1").unwrap();
    }
}
