//! The examples, run the way the README says to run them, and checked.
//!
//! `cargo test` builds every example before it runs the integration tests, so the
//! binaries are next to this test's own executable (`target/debug/deps/examples-*`
//! → `target/debug/examples/NAME`). Each run happens from a thread inside a fresh
//! network namespace (`common::in_netns`; a child process inherits its thread's
//! namespace), so not even a bug in an example can touch the host's network.
//!
//! - `demo`: its tables name what it built, the kernel error line is there, nothing
//!   is left at the end, the namespace it ran in and the host's are unchanged, and
//!   without privileges it says what it needs and fails.
//! - `ip`: sets up bridges, veths, addresses and routes with the example itself, then
//!   compares its `link show`, `addr show` and `route show` byte for byte with
//!   iproute2's `ip -br link`, `ip -br addr` and `ip route show` on the same
//!   namespace; error paths print the kernel's text and exit non-zero.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::process::{Command, Output};

/// True when these tests cannot run here: not root (skipped loudly by
/// `can_run_kernel_tests`), or big-endian qemu-user, which does not translate the
/// nested attributes of a veth request (see CROSS_QEMU_NOTES in .ci/cross.sh).
fn cannot_run(test: &str) -> bool {
    if !can_run_kernel_tests(test) {
        return true;
    }
    if cfg!(target_endian = "big") && std::env::var_os("RTNL_QEMU_USER").is_some() {
        loud(&format!(
            "SKIPPED {test}: qemu-user on a big-endian target cannot create veth pairs \
             (nested request attributes are not byte-swapped; see .ci/cross.sh)"
        ));
        return true;
    }
    false
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs the `ip` example and returns its output, whatever the exit status.
fn ipx_out(args: &[&str]) -> Output {
    example_command("ip")
        .args(args)
        .output()
        .expect("run the ip example")
}

/// Runs the `ip` example; it must succeed. Returns stdout.
fn ipx(args: &[&str]) -> String {
    let o = ipx_out(args);
    assert!(
        o.status.success(),
        "ip example {args:?} failed ({}): {}",
        o.status,
        text(&o.stderr)
    );
    text(&o.stdout)
}

fn host_link_names() -> BTreeSet<String> {
    ip_link_names().into_iter().collect()
}

#[test]
fn demo_builds_shows_and_removes_its_topology_without_touching_the_host() {
    if cannot_run("demo_builds_shows_and_removes_its_topology_without_touching_the_host") {
        return;
    }
    // This thread is in the host's namespace (the test process's).
    let host_before = host_link_names();
    let out = in_netns(|| {
        let here_before = ip_link_names();
        let out = example_command("demo").output().expect("run the demo");
        let here_after = ip_link_names();
        assert_eq!(here_before, vec!["lo".to_owned()]);
        assert_eq!(
            here_after, here_before,
            "the demo changed the namespace it ran in"
        );
        out
    });
    let host_after = host_link_names();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed ({}):\n{stdout}\n{}",
        out.status,
        text(&out.stderr)
    );
    for name in &host_before {
        assert!(host_after.contains(name), "host link {name} disappeared");
    }
    for name in host_after.difference(&host_before) {
        assert!(
            !name.starts_with("demo-") && name != "eth1",
            "the demo left {name} in the host namespace"
        );
    }

    // Table rows, as whitespace-separated cells.
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let has_row = |want: &[&str]| rows.iter().any(|r| r.starts_with(want));
    let has_cells = |want: &[&str]| rows.iter().any(|r| want.iter().all(|w| r.contains(w)));
    // links: NAME KIND ADMIN OPER MTU MAC MASTER (OPER follows carrier, not asserted)
    assert!(
        has_row(&["demo-br0", "bridge", "(stp", "off)", "up"]),
        "{stdout}"
    );
    for port in ["demo-a0", "demo-a1"] {
        assert!(has_row(&[port, "veth", "up"]), "{stdout}");
        assert!(
            rows.iter()
                .any(|r| r.first() == Some(&port) && r.last() == Some(&"demo-br0")),
            "{port} is not shown as a port of demo-br0:\n{stdout}"
        );
    }
    assert!(has_row(&["eth0", "veth", "up"]), "{stdout}");
    assert!(has_row(&["eth1", "veth", "up"]), "{stdout}");
    // addresses: DEV ADDRESS SCOPE FLAGS
    for (dev, addr) in [
        ("demo-br0", "10.42.0.1/24"),
        ("demo-br0", "fd42::1/64"),
        ("eth0", "10.42.0.2/24"),
        ("eth0", "fd42::2/64"),
        ("eth1", "10.42.1.2/32"),
        ("lo", "127.0.0.1/8"),
    ] {
        assert!(has_row(&[dev, addr]), "address {addr} on {dev}:\n{stdout}");
    }
    // routes: FAMILY DESTINATION GATEWAY DEV SRC PROTO SCOPE METRIC
    assert!(
        has_row(&["inet", "10.42.1.2/32", "-", "demo-br0", "-", "boot", "link"]),
        "{stdout}"
    );
    assert!(
        has_row(&[
            "inet",
            "default",
            "10.42.0.1",
            "eth0",
            "-",
            "boot",
            "global"
        ]),
        "{stdout}"
    );
    assert!(
        has_row(&["inet6", "default", "fd42::1", "eth0", "-", "boot", "global"]),
        "{stdout}"
    );
    assert!(
        has_cells(&["10.42.0.0/24", "demo-br0", "10.42.0.1", "kernel", "link"]),
        "{stdout}"
    );
    // The kernel's error, in full, and the teardown.
    // rtnl words errnos as glibc does, whichever libc it is linked with.
    let unsupported = "Operation not supported (os error 95)";
    assert!(
        stdout.contains(&format!(
            "error: RTM_NEWLINK: {unsupported}: Unknown device type\n"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("links left in A: lo\n"), "{stdout}");
    assert!(stdout.contains("links left in B: lo\n"), "{stdout}");
    assert!(stdout.contains("nothing left"), "{stdout}");
}

#[test]
fn demo_without_privileges_says_what_it_needs() {
    if cannot_run("demo_without_privileges_says_what_it_needs") {
        return;
    }
    // As nobody, with no capabilities at all (setpriv is util-linux).
    let out = in_netns(|| {
        let c = example_command("demo");
        let prog = c.get_program().to_owned();
        let args: Vec<_> = c.get_args().map(|a| a.to_owned()).collect();
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
            ])
            .arg(prog)
            .args(args)
            .output()
            .expect("run setpriv (util-linux)")
    });
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for want in [
        "needs root",
        "CAP_SYS_ADMIN",
        "CAP_NET_ADMIN",
        "Operation not permitted",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in:\n{stderr}");
    }
    assert!(!text(&out.stdout).contains("[2]"), "it went on building");
}

/// Compares the example's output for `ours` with iproute2's for `theirs`, byte for
/// byte. The kernel may change the namespace under both (IPv6 link-local addresses
/// and their routes appear when a link comes up), so a comparison only counts when
/// the example printed the same thing before and after `ip` ran.
fn same_as_iproute2(ours: &[&str], theirs: &[&str]) -> String {
    let mut last = None;
    for _ in 0..50 {
        let a = ipx(ours);
        let b = ip(theirs);
        let c = ipx(ours);
        if a == c && a == b {
            return a;
        }
        last = Some((a, b, c));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (a, b, c) = last.unwrap();
    panic!(
        "`ip-example {}` differs from `ip {}`:\n--- example\n{a}--- iproute2\n{b}\
         --- example again\n{c}",
        ours.join(" "),
        theirs.join(" ")
    );
}

#[test]
fn ip_example_configures_and_shows_like_iproute2() {
    if cannot_run("ip_example_configures_and_shows_like_iproute2") {
        return;
    }
    // A peer in another namespace shows as `vx0@ifN`; that namespace must outlive
    // the comparisons.
    let other = rtnl::netns::create().unwrap();
    in_netns(|| {
        for args in [
            "link add br0 type bridge",
            "link add v0 type veth peer name v1",
            "link add name v2 type veth peer v3",
            "link add t0 type veth peer name t1",
            "link set dev t0 name v4",
            "link set v0 master br0 up",
            "link set dev br0 up mtu 1400",
            "link set dev v1 address 02:00:00:00:00:11 up",
            "link set dev v2 up",
            "addr add 10.1.0.1/24 dev br0",
            "addr add 10.1.0.9/24 dev br0",
            "addr add fd01::1/64 dev br0",
            "addr add 192.0.2.5 dev v1",
            "addr add 2001:db8:1::5/128 dev v1",
            "route add default via 10.1.0.254",
            "route add 198.51.100.0/24 via 10.1.0.2 dev br0 src 10.1.0.1 metric 10",
            "route replace 198.51.100.0/24 via 10.1.0.3 dev br0 src 10.1.0.1 metric 10",
            "route add 203.0.113.7/32 dev v1",
            "route add 203.0.113.0/24 via 10.1.0.3 table 100",
            "-6 route add default via fd01::fe",
            "route add 2001:db8::/32 dev br0 metric 5",
        ] {
            ipx(&args.split(' ').collect::<Vec<_>>());
        }
        let mut h = rtnl::Handle::new().unwrap();
        use std::os::fd::AsFd;
        let mut pair = rtnl::Link::veth("vx0", "vx1").unwrap();
        if let Some(rtnl::LinkKind::Veth(peer)) = &mut pair.kind {
            peer.netns = Some(rtnl::Netns::fd(other.as_fd()));
        }
        h.add(&pair).unwrap();

        // What was asked is what the kernel has (iproute2's JSON view).
        let v1 = ip_link("v1").unwrap();
        assert_eq!(v1["address"], "02:00:00:00:00:11");
        assert_eq!(ip_link("br0").unwrap()["mtu"], 1400);
        assert_eq!(ip_link("v0").unwrap()["master"], "br0");
        assert!(ip_link("v4").is_some() && ip_link("t0").is_none());
        let r = ip_json(&["route", "show", "198.51.100.0/24"]);
        assert_eq!(r[0]["gateway"], "10.1.0.3", "route replace: {r}");
        assert_eq!(r[0]["metric"], 10);
        let r = ip_json(&["route", "show", "table", "100"]);
        assert_eq!(r[0]["dst"], "203.0.113.0/24", "{r}");

        // The example's views against iproute2's, byte for byte.
        let links = same_as_iproute2(&["link", "show"], &["-br", "link", "show"]);
        assert!(links.contains("v1@v0 "), "{links}");
        assert!(links.contains("vx0@if"), "{links}");
        assert!(links.contains("M-DOWN"), "{links}");
        same_as_iproute2(
            &["link", "show", "dev", "br0"],
            &["-br", "link", "show", "dev", "br0"],
        );
        let addrs = same_as_iproute2(&["addr", "show"], &["-br", "addr", "show"]);
        assert!(
            addrs.contains("10.1.0.1/24 10.1.0.9/24 fd01::1/64"),
            "{addrs}"
        );
        same_as_iproute2(&["-4", "addr"], &["-br", "-4", "addr"]);
        same_as_iproute2(&["-6", "addr", "show"], &["-br", "-6", "addr", "show"]);
        same_as_iproute2(
            &["addr", "show", "dev", "v1"],
            &["-br", "addr", "show", "dev", "v1"],
        );
        let routes = same_as_iproute2(&["route", "show"], &["route", "show"]);
        assert!(
            routes.contains("default via 10.1.0.254 dev br0"),
            "{routes}"
        );
        assert!(routes.contains("203.0.113.7 dev v1 scope link"), "{routes}");
        let routes6 = same_as_iproute2(&["-6", "route", "show"], &["-6", "route", "show"]);
        assert!(routes6.contains("pref medium"), "{routes6}");
        same_as_iproute2(
            &["route", "show", "table", "100"],
            &["route", "show", "table", "100"],
        );
        same_as_iproute2(
            &["route", "show", "table", "all"],
            &["route", "show", "table", "all"],
        );

        // Undo it, command by command, checking each with iproute2.
        ipx(&["route", "del", "2001:db8::/32", "dev", "br0"]);
        assert_eq!(
            ip_json(&["-6", "route", "show", "2001:db8::/32"]),
            serde_json::json!([])
        );
        ipx(&["route", "del", "default"]);
        assert_eq!(
            ip_json(&["route", "show", "default"]),
            serde_json::json!([])
        );
        ipx(&["route", "del", "203.0.113.0/24", "table", "100"]);
        assert_eq!(
            ip_json(&["route", "show", "table", "100"]),
            serde_json::json!([])
        );
        ipx(&["addr", "del", "10.1.0.9/24", "dev", "br0"]);
        assert!(!ip_addrs("br0").contains(&("10.1.0.9".into(), 24)));
        ipx(&["addr", "flush", "dev", "br0"]);
        assert_eq!(ip_addrs("br0"), vec![]);
        ipx(&["link", "set", "dev", "v0", "nomaster", "down"]);
        let v0 = ip_link("v0").unwrap();
        assert!(v0.get("master").is_none(), "{v0}");
        assert!(!v0["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
        ipx(&["link", "del", "br0"]);
        ipx(&["link", "delete", "dev", "v0"]);
        ipx(&["link", "del", "v2"]);
        ipx(&["link", "del", "v4"]);
        ipx(&["link", "del", "vx0"]);
        assert_eq!(ip_link_names(), vec!["lo".to_owned()]);
        assert_eq!(ipx(&["link", "show"]), ip(&["-br", "link", "show"]));
    });
}

#[test]
fn ip_example_manages_nexthops_like_iproute2() {
    if cannot_run("ip_example_manages_nexthops_like_iproute2") {
        return;
    }
    in_netns(|| {
        // Nexthops need a device with carrier (the kernel flushes them when it goes
        // down) and, for a blackhole, lo up.
        for args in [
            "link set lo up",
            "link add n0 type veth peer name n1",
            "link set n0 up",
            "link set n1 up",
            "addr add 10.5.0.1/24 dev n0",
            "addr add fd05::1/64 dev n0",
        ] {
            ipx(&args.split(' ').collect::<Vec<_>>());
        }
        if let Ok(emu) = std::env::var("RTNL_QEMU_USER") {
            // qemu-user refuses RTM_*NEXTHOP (tests/ops_nexthop.rs proves it).
            let out = ipx_out(&["nexthop", "add", "id", "1", "dev", "n0"]);
            assert!(!out.status.success());
            loud(&format!("NOT RUN under {emu}: ip_example_manages_nexthops_like_iproute2 (qemu-user refuses RTM_NEWNEXTHOP)"));
            return;
        }
        for args in [
            "nexthop add id 1 via 10.5.0.254 dev n0",
            "nexthop add id 2 dev n0",
            "nexthop add id 3 blackhole",
            "nexthop add id 4 group 1/2,5",
            "-6 nexthop add id 5 via fd05::fe dev n0",
            "nexthop replace id 1 via 10.5.0.253 dev n0",
        ] {
            ipx(&args.split(' ').collect::<Vec<_>>());
        }
        // What was asked is what the kernel has (iproute2's JSON view).
        let g = ip_json(&["nexthop", "show", "id", "4"]);
        assert_eq!(g[0]["group"][1]["weight"], 5, "{g}");
        let n1 = ip_json(&["nexthop", "show", "id", "1"]);
        assert_eq!(n1[0]["gateway"], "10.5.0.253", "replace: {n1}");

        // The example's views against iproute2's, byte for byte.
        let all = same_as_iproute2(&["nexthop", "show"], &["nexthop", "show"]);
        assert!(all.contains("id 4 group 1/2,5 \n"), "{all}");
        assert!(all.contains("id 3 blackhole \n"), "{all}");
        same_as_iproute2(&["-6", "nexthop", "show"], &["-6", "nexthop", "show"]);
        same_as_iproute2(&["-4", "nexthop", "show"], &["-4", "nexthop", "show"]);
        same_as_iproute2(
            &["nexthop", "show", "id", "2"],
            &["nexthop", "show", "id", "2"],
        );

        // A route through the group, spread over both members.
        ipx(&["route", "add", "10.6.0.0/24", "nhid", "4"]);
        let r = ip_json(&["route", "show", "10.6.0.0/24"]);
        assert_eq!(r[0]["nhid"], 4, "{r}");
        assert_eq!(r[0]["nexthops"].as_array().map(Vec::len), Some(2), "{r}");
        ipx(&["route", "del", "10.6.0.0/24", "nhid", "4"]);
        assert_eq!(
            ip_json(&["route", "show", "10.6.0.0/24"]),
            serde_json::json!([])
        );

        // Undo it, command by command.
        ipx(&["nexthop", "del", "id", "4"]);
        ipx(&["nexthop", "del", "id", "1"]);
        let left: Vec<u64> = ip_json(&["nexthop", "show"])
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_u64().unwrap())
            .collect();
        assert_eq!(left, vec![2, 3, 5]);
        // A missing id: the kernel's refusal, exit 2.
        let out = ipx_out(&["nexthop", "del", "id", "4"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("RTM_DELNEXTHOP"),
            "{}",
            text(&out.stderr)
        );
    });
}

#[test]
fn ip_example_reports_kernel_errors_and_bad_arguments() {
    if cannot_run("ip_example_reports_kernel_errors_and_bad_arguments") {
        return;
    }
    in_netns(|| {
        // The kernel's refusal, in its own words; exit status 2 as with ip.
        let o = ipx_out(&["link", "add", "d0", "type", "dummy"]);
        assert_eq!(o.status.code(), Some(2));
        let unsupported = "Operation not supported (os error 95)";
        assert_eq!(
            text(&o.stderr),
            format!("ip: RTM_NEWLINK: {unsupported}: Unknown device type\n")
        );
        assert_eq!(text(&o.stdout), "");
        assert!(ip_link("d0").is_none());

        ipx(&["link", "set", "lo", "up"]);
        let o = ipx_out(&["route", "add", "10.0.0.0/8", "via", "192.0.2.1"]);
        assert_eq!(o.status.code(), Some(2));
        let e = text(&o.stderr);
        assert!(e.starts_with("ip: RTM_NEWROUTE: "), "{e}");
        assert!(e.contains("Nexthop has invalid gateway"), "{e}");

        let o = ipx_out(&["addr", "add", "10.0.0.1/24", "dev", "nosuch0"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o.stderr).contains("\"nosuch0\" not found"),
            "{}",
            text(&o.stderr)
        );

        // Command-line mistakes: exit 1, and usage where the command was not understood.
        for args in [
            &[][..],
            &["link", "frobnicate"],
            &["bogus"],
            &["-x", "link"],
            &["link", "set", "dev", "lo", "mtu", "many"],
            &["addr", "add", "10.0.0.1/24"],
            &["route", "add", "10.0.0.1/8", "dev", "lo"],
            &["route", "add", "10.0.0.0/8", "via", "fd00::1"],
        ] {
            let o = ipx_out(args);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o.stderr));
            let e = text(&o.stderr);
            assert!(e.starts_with("ip: "), "{args:?}: {e}");
            assert!(e.contains("Usage: ip"), "{args:?}: {e}");
            assert_eq!(text(&o.stdout), "", "{args:?}");
        }
        let o = ipx_out(&["addr", "add", "10.0.0.1/33", "dev", "lo"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            text(&o.stderr).contains("invalid prefix length"),
            "{}",
            text(&o.stderr)
        );

        let o = ipx_out(&["help"]);
        assert!(o.status.success());
        assert!(text(&o.stdout).starts_with("Usage: ip"));
        // Nothing above changed the namespace but `lo up`.
        assert_eq!(ip_link_names(), vec!["lo".to_owned()]);
    });
}

#[test]
fn ip_example_makes_every_kind_and_shows_it_like_iproute2() {
    if cannot_run("ip_example_makes_every_kind_and_shows_it_like_iproute2") {
        return;
    }
    in_netns(|| {
        for args in [
            "link add kx0 type veth peer name kx1",
            "link add kbr0 type bridge",
            "link add kp0 type veth peer name kp1",
            "link add link kx0 name kmv0 type macvlan mode bridge",
            "link add link kx0 name kmv1 address 02:00:00:00:00:31 mtu 1400 type macvlan mode private",
            "link add link kx1 name kmt0 type macvtap mode vepa",
            "link add kvx0 type vxlan id 42 dev kx0 remote 10.0.0.2 local 10.0.0.1 dstport 4789 ttl 64 nolearning",
            "link add kvx1 type vxlan id 7 remote fd00::2 dstport 4789 srcport 1000 2000",
            "link add kifb0 type ifb",
            "tuntap add dev ktap0 mode tap vnet_hdr multi_queue",
            "tuntap add ktun0 mode tun",
            "link set dev kp0 master kbr0 promisc on allmulticast on txqueuelen 77 alias uplink group 5",
            "link set dev kx1 arp off up",
        ] {
            ipx(&args.split(' ').collect::<Vec<_>>());
        }
        let alt = [
            "link",
            "property",
            "add",
            "dev",
            "kx0",
            "altname",
            "kx0-with-a-long-alternative-name",
        ];
        let altnames = match std::env::var("RTNL_QEMU_USER") {
            Ok(emu) => {
                let o = ipx_out(&alt);
                let e = text(&o.stderr);
                if !o.status.success() {
                    assert!(e.starts_with("ip: RTM_NEWLINKPROP: "), "{e}");
                    loud(&format!(
                        "NOT RUN under {emu}: the altname part of \
                         ip_example_makes_every_kind_and_shows_it_like_iproute2 (qemu-user \
                         refuses RTM_NEWLINKPROP: {e})"
                    ));
                }
                o.status.success()
            }
            Err(_) => {
                ipx(&alt);
                true
            }
        };
        // What was asked is what the kernel has.
        let d = ip_json(&["-d", "link", "show", "dev", "kmv1"]);
        assert_eq!(d[0]["linkinfo"]["info_data"]["mode"], "private");
        assert_eq!(
            (d[0]["address"].as_str(), d[0]["mtu"].as_u64()),
            (Some("02:00:00:00:00:31"), Some(1400))
        );
        let d = ip_json(&["-d", "link", "show", "dev", "kvx0"]);
        let x = &d[0]["linkinfo"]["info_data"];
        assert_eq!(
            (x["id"].as_u64(), x["remote"].as_str(), x["port"].as_u64()),
            (Some(42), Some("10.0.0.2"), Some(4789))
        );
        assert_eq!(x["learning"], false);
        let d = ip_json(&["-d", "link", "show", "dev", "ktap0"]);
        assert_eq!(d[0]["linkinfo"]["info_data"]["vnet_hdr"], true);
        assert_eq!(d[0]["linkinfo"]["info_data"]["persist"], true);
        let kp0 = ip_link("kp0").unwrap();
        assert_eq!(
            (kp0["txqlen"].as_u64(), kp0["group"].as_str()),
            (Some(77), Some("5"))
        );
        assert_eq!(kp0["master"], "kbr0");
        let d = ip_json(&["link", "show", "dev", "kp0"]);
        assert_eq!(d[0]["ifalias"], "uplink");
        let flags = kp0["flags"].as_array().unwrap();
        assert!(flags.iter().any(|f| f == "PROMISC") && flags.iter().any(|f| f == "ALLMULTI"));
        assert!(ip_link("kx1").unwrap()["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "NOARP"));
        if altnames {
            assert_eq!(
                ip_json(&["link", "show", "dev", "kx0-with-a-long-alternative-name"])[0]["ifname"],
                "kx0"
            );
        }

        // `link show` is `ip -br link`, byte for byte, with every kind in it.
        let links = same_as_iproute2(&["link", "show"], &["-br", "link", "show"]);
        for want in [
            "kmv0@kx0 ",
            "kmt0@kx1 ",
            "kvx0 ",
            "kifb0 ",
            "ktap0 ",
            "ktun0 ",
            "kbr0 ",
        ] {
            assert!(links.contains(want), "{want:?} in\n{links}");
        }
        same_as_iproute2(
            &["link", "show", "dev", "ktun0"],
            &["-br", "link", "show", "dev", "ktun0"],
        );

        // The kinds this kernel lacks: its refusal, in its words (exit 2).
        for args in [
            "link add link kx0 name kv0 type vlan id 5",
            "link add link kx0 name kv0 type vlan id 5 ingress-qos-map 1:2 3:4 egress-qos-map 5:6",
            "link add link kx0 name kiv0 type ipvlan mode l2",
            "link add kvrf0 type vrf table 10",
            "link add kbond0 type bond mode active-backup miimon 100",
            "link add kbond0 type bond mode active-backup arp_interval 100 arp_ip_target 10.0.0.1,10.0.0.2 arp_validate all arp_all_targets all",
            "link add kgnv0 type geneve id 5 remote 10.0.0.2",
            "link add kdum0 type dummy",
        ] {
            let o = ipx_out(&args.split(' ').collect::<Vec<_>>());
            assert_eq!(o.status.code(), Some(2), "{args}: {}", text(&o.stderr));
            assert_eq!(
                text(&o.stderr),
                "ip: RTM_NEWLINK: Operation not supported (os error 95): Unknown device type\n",
                "{args}"
            );
        }
        // Mistakes are refused before the kernel sees them (exit 1).
        for args in [
            "link add link kx0 name kv0 type vlan id 4095",
            "link add link kx0 name kv0 type vlan id 5 ingress-qos-map 8:1",
            "link add link kx0 name kv0 type vlan id 5 egress-qos-map 1:8",
            "link add link kx0 name kv0 type vlan id 5 egress-qos-map 1-2",
            "link add kbond9 type bond arp_ip_target 255.255.255.255",
            "link add kbond9 type bond arp_validate sometimes",
            "link add kvx9 type vxlan id 16777216",
            "link add kmv9 type macvlan mode bridge",
            "link add link kx0 name kmv9 type macvlan mode sideways",
            "link set dev kx0 promisc maybe",
            "tuntap add dev kt9 mode tan",
        ] {
            let o = ipx_out(&args.split(' ').collect::<Vec<_>>());
            assert_eq!(o.status.code(), Some(1), "{args}: {}", text(&o.stderr));
        }

        // Undone, command by command.
        if altnames {
            let del = [
                "link",
                "property",
                "del",
                "dev",
                "kx0",
                "altname",
                "kx0-with-a-long-alternative-name",
            ];
            ipx(&del);
            assert!(ip_link("kx0-with-a-long-alternative-name").is_none());
        }
        ipx(&[
            "link",
            "set",
            "dev",
            "kp0",
            "promisc",
            "off",
            "allmulticast",
            "off",
            "nomaster",
        ]);
        let flags = ip_link("kp0").unwrap()["flags"].clone();
        assert!(
            !flags.as_array().unwrap().iter().any(|f| f == "PROMISC"),
            "{flags}"
        );
        ipx(&["tuntap", "del", "dev", "ktap0", "mode", "tap"]);
        ipx(&["tuntap", "del", "ktun0", "mode", "tun"]);
        assert!(ip_link("ktap0").is_none() && ip_link("ktun0").is_none());
        for l in ["kvx0", "kvx1", "kifb0", "kbr0", "kx0", "kp0"] {
            ipx(&["link", "del", l]);
        }
        assert_eq!(ip_link_names(), vec!["lo".to_owned()]);
    });
}

/// A running `ip monitor`: its lines as they come, read on a thread.
struct Listener {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Listener {
    fn start(mut cmd: Command) -> Listener {
        use std::io::BufRead;
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("start a monitor");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines() {
                let Ok(l) = l else { return };
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        Listener {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads lines until one contains `needle` (within `wait`); true when found.
    fn until(&mut self, needle: &str, wait: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + wait;
        if self.seen.iter().any(|l| l.contains(needle)) {
            return true;
        }
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.contains(needle);
                    self.seen.push(l);
                    if hit {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    /// The lines after the last one containing `from`, up to and including the
    /// first one containing `to` after it (and the line that continues it).
    fn between(&self, from: &str, to: &str) -> Vec<String> {
        let start = self.seen.iter().rposition(|l| l.contains(from)).unwrap() + 2;
        let end = start
            + self.seen[start..]
                .iter()
                .position(|l| l.contains(to))
                .unwrap()
            + 2;
        self.seen[start..end.min(self.seen.len())].to_vec()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// `ip monitor` (the example) and iproute2's, side by side on the same namespace
// while links, addresses, routes, neighbours, nexthops and rules change: the same
// lines, in the same order. Both start listening, then `lo`'s MTU is changed until
// both have printed it (so both are listening); the changes follow; a last MTU
// change closes the comparison. Under qemu-user only links, addresses and routes
// (the emulator translates nothing else).
#[test]
fn ip_monitor_prints_what_iproute2_prints_line_for_line() {
    if cannot_run("ip_monitor_prints_what_iproute2_prints_line_for_line") {
        return;
    }
    in_netns(|| {
        ip(&["link", "set", "lo", "up"]);
        let qemu = std::env::var_os("RTNL_QEMU_USER").is_some();
        let objects: &[&str] = if qemu {
            &["link", "address", "route"]
        } else {
            &["link", "address", "route", "neigh", "nexthop", "rule"]
        };
        let mut theirs = Command::new("ip");
        theirs.args(["monitor", "label"]).args(objects);
        let mut ours = example_command("ip");
        if qemu {
            ours.args(["monitor", "label"]).args(objects);
            loud(
                "ip_monitor_prints_what_iproute2_prints_line_for_line: under qemu-user \
                 neighbours, nexthops and rules are NOT compared (the emulator does not \
                 translate them); natively all six objects are",
            );
        } else {
            ours.args(["monitor", "all"]);
        }
        let mut theirs = Listener::start(theirs);
        let mut ours = Listener::start(ours);
        let wait = std::time::Duration::from_millis(200);
        let mut synced = None;
        for k in 0..100 {
            let mtu = format!("mtu {}", 60000 + k);
            ip(&["link", "set", "lo", "mtu", &mtu[4..]]);
            if theirs.until(&mtu, wait) && ours.until(&mtu, wait) {
                synced = Some(mtu);
                break;
            }
        }
        let start = synced.expect("both monitors listening");
        let steps: Vec<&[&str]> = vec![
            &["link", "add", "mo0", "type", "veth", "peer", "name", "mo1"],
            &["link", "set", "mo0", "up"],
            &["link", "set", "mo1", "up"],
            &["addr", "add", "10.70.0.1/24", "dev", "mo0"],
            &["addr", "add", "fd70::1/64", "dev", "mo0", "nodad"],
            &["route", "add", "10.71.0.0/16", "via", "10.70.0.2"],
            &[
                "-6",
                "route",
                "add",
                "fd71::/64",
                "via",
                "fd70::2",
                "dev",
                "mo0",
            ],
            &["route", "add", "blackhole", "10.72.0.0/16", "table", "300"],
        ];
        let more: Vec<&[&str]> = vec![
            &[
                "neigh",
                "add",
                "10.70.0.7",
                "lladdr",
                "02:00:00:00:00:07",
                "dev",
                "mo0",
            ],
            &[
                "neigh",
                "add",
                "fd70::7",
                "lladdr",
                "02:00:00:00:00:08",
                "dev",
                "mo0",
                "router",
            ],
            &["rule", "add", "from", "10.1.0.0/16", "table", "100"],
            &[
                "-6",
                "rule",
                "add",
                "to",
                "fd02::/64",
                "table",
                "200",
                "pref",
                "500",
            ],
            &[
                "rule",
                "add",
                "not",
                "fwmark",
                "0x10/0xff",
                "iif",
                "mo0",
                "lookup",
                "main",
                "pref",
                "600",
            ],
            &[
                "nexthop",
                "add",
                "id",
                "5",
                "via",
                "10.70.0.3",
                "dev",
                "mo0",
            ],
            &["nexthop", "add", "id", "6", "group", "5"],
            &["nexthop", "add", "id", "7", "blackhole"],
            &["nexthop", "del", "id", "6"],
            &["rule", "del", "pref", "600"],
            &["neigh", "del", "10.70.0.7", "dev", "mo0"],
        ];
        let last: Vec<&[&str]> = vec![
            &["route", "del", "10.71.0.0/16"],
            &["addr", "del", "10.70.0.1/24", "dev", "mo0"],
            &["link", "set", "mo0", "mtu", "1400"],
        ];
        let none: Vec<&[&str]> = Vec::new();
        for s in steps
            .iter()
            .chain(if qemu { none.iter() } else { more.iter() })
            .chain(last.iter())
        {
            ip(s);
        }
        ip(&["link", "del", "mo0"]);
        ip(&["link", "set", "lo", "mtu", "65000"]);
        let long = std::time::Duration::from_secs(10);
        assert!(
            theirs.until("mtu 65000", long),
            "iproute2: {:#?}",
            theirs.seen
        );
        assert!(ours.until("mtu 65000", long), "ours: {:#?}", ours.seen);
        let want = theirs.between(&start, "mtu 65000");
        let got = ours.between(&start, "mtu 65000");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(
                g,
                w,
                "line {i} differs:\nours:\n{}\niproute2:\n{}",
                got.join("\n"),
                want.join("\n")
            );
        }
        assert_eq!(
            got.len(),
            want.len(),
            "ours:\n{}\niproute2:\n{}",
            got.join("\n"),
            want.join("\n")
        );
        for label in ["[LINK]", "[ADDR]", "[ROUTE]", "Deleted "] {
            assert!(
                got.iter().any(|l| l.contains(label)),
                "{label} in\n{}",
                got.join("\n")
            );
        }
        loud(&format!(
            "ip monitor: {} lines, identical to iproute2's ({start} to mtu 65000)",
            got.len()
        ));
        if !qemu {
            for label in ["[NEIGH]", "[RULE]", "[NEXTHOP]"] {
                assert!(
                    got.iter().any(|l| l.starts_with(label)),
                    "{label} in\n{}",
                    got.join("\n")
                );
            }
        }
    });
}
