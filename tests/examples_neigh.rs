//! The `ip` example's `neigh`, `rule` and `route get`, and the `bridge` example's
//! `fdb` and `vlan`, run as the README says and compared byte for byte with iproute2
//! (`ip neigh show`, `ip rule show`, `ip route get`, `bridge fdb show`, `bridge vlan
//! show`) on the same namespace, after configuring that namespace with the examples
//! themselves. Each run happens from a thread in a fresh network namespace
//! (`common::in_netns`), as in `tests/examples.rs`.

mod common;
use common::*;
use std::process::{Command, Output};

/// Not root (skipped loudly), or qemu-user, which does not translate neighbour and
/// rule messages (the examples need them).
fn cannot_run(test: &str) -> bool {
    if !can_run_kernel_tests(test) {
        return true;
    }
    if let Ok(emu) = std::env::var("RTNL_QEMU_USER") {
        loud(&format!(
            "NOT RUN under {emu}: {test} — qemu-user does not translate RTM_*NEIGH and \
             RTM_*RULE; the test runs natively on x86-64 and i686"
        ));
        return true;
    }
    false
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run_out(name: &str, args: &[&str]) -> Output {
    example_command(name)
        .args(args)
        .output()
        .expect("run the example")
}

/// Runs example `name`; it must succeed. Returns stdout.
fn run(name: &str, args: &[&str]) -> String {
    let o = run_out(name, args);
    assert!(
        o.status.success(),
        "{name} example {args:?} failed ({}): {}",
        o.status,
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// The real tool, from this thread.
fn tool(name: &str, args: &[&str]) -> String {
    let o = Command::new(name)
        .args(args)
        .output()
        .expect("run the tool");
    assert!(o.status.success(), "{name} {args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

/// The example's output for `args` against the tool's, byte for byte. The kernel
/// may change the namespace under both (IPv6 neighbour discovery adds and removes
/// entries), so a comparison counts when the example printed the same before and
/// after the tool ran.
fn same(name: &str, args: &[&str]) -> String {
    let mut last = None;
    for _ in 0..50 {
        let a = run(name, args);
        let b = tool(name, args);
        let c = run(name, args);
        if a == b && a == c {
            return a;
        }
        last = Some((a, b, c));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (a, b, c) = last.unwrap();
    panic!(
        "`{name}-example {}` differs from `{name} {}`:\n--- example\n{a}--- {name}\n{b}\
         --- example again\n{c}",
        args.join(" "),
        args.join(" ")
    );
}

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

#[test]
fn ip_example_neigh_rule_and_route_get_print_like_iproute2() {
    if cannot_run("ip_example_neigh_rule_and_route_get_print_like_iproute2") {
        return;
    }
    in_netns(|| {
        for args in [
            "link set lo up",
            "link add n0 type veth peer name n1",
            "link add br0 type bridge",
            "link add p0 type veth peer name p1",
            "link set p0 master br0 up",
            "link set br0 up",
            "link set n0 up",
            "link set n1 up",
            "addr add 10.60.0.1/24 dev n0",
            "addr add fd60::1/64 dev n0",
            "route add default via 10.60.0.254",
            "-6 route add default via fd60::fe",
            "route add 10.61.0.0/16 via 10.60.0.2 table 100",
            "neigh add 10.60.0.2 lladdr 02:00:00:00:00:02 dev n0",
            "neigh replace 10.60.0.3 lladdr 02:00:00:00:00:03 dev n0 nud stale router",
            "neigh add 10.60.0.6 lladdr 02:00:00:00:00:06 dev n0 extern_learn protocol static",
            "neigh add 10.60.0.8 lladdr 02:00:00:00:00:08 dev n0 nud noarp",
            "neigh add 10.60.0.9 lladdr 02:00:00:00:00:09 dev n0 nud reachable",
            "neigh change 10.60.0.9 lladdr 02:00:00:00:00:99 dev n0",
            "-6 neigh add fd60::2 lladdr 02:00:00:00:00:12 dev n0 nud reachable router",
            "neigh add proxy 10.60.0.7 dev n0",
            "neigh add 10.62.0.1 lladdr 02:00:00:00:01:01 dev p0",
            "rule add from 10.60.0.0/24 pref 100 table 100",
            "rule add not to 10.1.0.0/16 pref 200 tos 0x10 fwmark 0x10/0xff iif n0 oif n1 table 1000",
            "rule add pref 300 uidrange 1000-2000 ipproto tcp sport 1000-2000 dport 443 table 7",
            "rule add pref 400 fwmark 7 table 100",
            "rule add from 10.9.0.0/16 pref 500 blackhole",
            "rule add from 10.7.0.0/16 pref 600 goto 700",
            "rule add pref 650 nop",
            "rule add from 10.8.0.0/16 pref 700 unreachable",
            "rule add pref 1000 l3mdev",
            "rule add pref 32000 table main suppress_prefixlength 0",
            "-6 rule add from fd60::/64 pref 300 table 300",
            "rule add pref 800 table 800",
            "rule del pref 800",
        ] {
            run("ip", &words(args));
        }
        for args in [
            "neigh show",
            "neigh show dev n0",
            "-4 neigh show",
            "-6 neigh show",
            "neigh show proxy",
            "neigh show master br0",
            "neigh show nud stale",
            "neigh show nud all",
            "neigh get 10.60.0.2 dev n0",
            "rule show",
            "-6 rule show",
            "rule show table 100",
            "route get 192.0.2.1",
            "route get 10.60.0.2",
            "route get 10.60.0.1",
            "route get 127.0.0.1",
            "route get fibmatch 192.0.2.1",
            "route get 10.61.0.9 from 10.60.0.1",
            "route get 192.0.2.1 mark 7",
            "route get 192.0.2.1 uid 1500",
            "route get 10.60.0.9 oif n0",
            "route get 10.60.0.1 from 10.60.0.2 iif n1",
            "-6 route get 2001:db8::1",
            "-6 route get fd60::5",
        ] {
            let out = same("ip", &words(args));
            assert!(!out.is_empty(), "{args}: printed nothing");
        }
        // What the comparisons saw is what was configured.
        let shown = same("ip", &["neigh", "show", "dev", "n0"]);
        assert!(
            shown.contains("10.60.0.9 lladdr 02:00:00:00:00:99 PERMANENT"),
            "{shown}"
        );
        assert!(
            shown
                .contains("10.60.0.6 lladdr 02:00:00:00:00:06 extern_learn PERMANENT proto static"),
            "{shown}"
        );
        let rules = same("ip", &["rule", "show"]);
        assert!(rules.contains("200:\tnot from all to 10.1.0.0/16 tos 0x10 fwmark 0x10/0xff iif n0 oif n1 lookup 1000"), "{rules}");
        assert!(!rules.contains("800:"), "{rules}");

        // flush, del.
        run("ip", &words("neigh flush dev n0"));
        let left = same("ip", &["neigh", "show", "dev", "n0"]);
        let mut lines: Vec<_> = left.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            [
                "10.60.0.2 lladdr 02:00:00:00:00:02 PERMANENT ",
                "10.60.0.6 lladdr 02:00:00:00:00:06 extern_learn PERMANENT proto static ",
                "10.60.0.9 lladdr 02:00:00:00:00:99 PERMANENT ",
            ],
            "the stale and reachable entries went (IPv6 included); permanent ones stay"
        );
        run("ip", &words("neigh del 10.60.0.2 dev n0"));
        run("ip", &words("rule flush table 100"));
        let rules = same("ip", &["rule", "show"]);
        assert!(!rules.contains("lookup 100\n"), "{rules}");
        assert!(rules.contains("lookup 1000"), "{rules}");
    });
}

#[test]
fn bridge_example_fdb_prints_like_bridge() {
    if cannot_run("bridge_example_fdb_prints_like_bridge") {
        return;
    }
    in_netns(|| {
        for args in [
            "link set lo up",
            "link add br0 type bridge",
            "link add veth0 type veth peer name veth1",
            "link set veth0 master br0",
            "link add vx0 type vxlan id 42 dstport 4789 nolearning",
            "link add vx1 type vxlan id 43 dstport 4789 nolearning",
            "link set vx1 master br0",
        ] {
            tool("ip", &words(args));
        }
        for l in ["br0", "veth0", "veth1", "vx0", "vx1"] {
            tool("ip", &["link", "set", l, "up"]);
        }
        for args in [
            "fdb add 02:00:00:00:00:01 dev veth0 master static",
            "fdb add 02:00:00:00:00:02 dev veth0 master dynamic",
            "fdb add 02:00:00:00:00:03 dev veth0 master",
            "fdb replace 02:00:00:00:00:03 dev veth0 master static",
            "fdb add 02:00:00:00:00:04 dev veth0 self permanent",
            "fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.2",
            "fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.3",
            "fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.9",
            "fdb del 00:00:00:00:00:00 dev vx0 dst 10.0.0.9",
            "fdb add 02:00:00:00:00:05 dev vx0 dst 10.0.0.4 port 4790 vni 43 via veth1",
            "fdb add 02:00:00:00:00:06 dev vx1 master static sticky",
        ] {
            run("bridge", &words(args));
        }
        for args in [
            "fdb show",
            "fdb show br br0",
            "fdb show brport veth0",
            "fdb show dev vx0",
            "fdb show state static",
            "fdb show dynamic",
            "fdb",
        ] {
            same("bridge", &words(args));
        }
        let vx = same("bridge", &["fdb", "show", "dev", "vx0"]);
        assert_eq!(
            vx,
            "02:00:00:00:00:05 dst 10.0.0.4 port 4790 vni 43 via veth1 self permanent\n\
             00:00:00:00:00:00 dst 10.0.0.2 self permanent\n\
             00:00:00:00:00:00 dst 10.0.0.3 self permanent\n"
        );
        // An append that the kernel would ignore is refused (exit 1).
        let o = run_out(
            "bridge",
            &words("fdb append 02:00:00:00:00:09 dev vx0 dst 10.0.0.5"),
        );
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("append"), "{}", text(&o.stderr));
        // flush, one port, dynamic only.
        run("bridge", &words("fdb flush dev br0 brport veth0 dynamic"));
        let port = same("bridge", &["fdb", "show", "brport", "veth0"]);
        assert!(!port.contains("02:00:00:00:00:02"), "{port}");
        assert!(
            port.contains("02:00:00:00:00:01 master br0 static"),
            "{port}"
        );
    });
}

/// `bridge vlan show` on this host: its kernel has no bridge VLAN filtering, so the
/// ports report no VLANs and both print the header alone, and adding a VLAN is the
/// kernel's refusal (exit 2). The populated output is compared inside the qemu guest,
/// whose kernel has VLAN filtering (`tests/qemu_guest.rs`, the cni boot).
#[test]
fn bridge_example_vlan_prints_like_bridge() {
    if cannot_run("bridge_example_vlan_prints_like_bridge") {
        return;
    }
    in_netns(|| {
        for args in [
            "link add br0 type bridge",
            "link add veth0 type veth peer name veth1",
            "link set veth0 master br0",
        ] {
            tool("ip", &words(args));
        }
        for args in [
            "vlan show",
            "vlan show dev veth0",
            "vlan",
            "vlan show vid 1",
        ] {
            let out = same("bridge", &words(args));
            assert!(out.starts_with("port              vlan-id  \n"), "{out:?}");
        }
        let o = run_out("bridge", &words("vlan add dev veth0 vid 10 pvid untagged"));
        let has_filtering = o.status.success();
        if has_filtering {
            loud("bridge_example_vlan_prints_like_bridge: this kernel has VLAN filtering");
            let out = same("bridge", &words("vlan show dev veth0"));
            assert!(out.contains("10 PVID Egress Untagged"), "{out}");
        } else {
            assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
            assert!(
                text(&o.stderr).contains("Operation not supported"),
                "{}",
                text(&o.stderr)
            );
        }
        // Mistakes: exit 1, before the kernel.
        for args in [
            "vlan add dev veth0",
            "vlan add vid 10",
            "vlan add dev veth0 vid ten",
            "vlan add dev veth0 vid 4095",
            "vlan show dev",
        ] {
            let o = run_out("bridge", &words(args));
            assert_eq!(o.status.code(), Some(1), "{args}: {}", text(&o.stderr));
        }
    });
}

#[test]
fn examples_refuse_mistakes_before_the_kernel_sees_them() {
    if cannot_run("examples_refuse_mistakes_before_the_kernel_sees_them") {
        return;
    }
    in_netns(|| {
        tool("ip", &words("link add m0 type veth peer name m1"));
        for args in [
            // table 0, a prefix past the maximum, a backward goto, a port range the
            // kernel refuses, an unknown state.
            "rule add pref 10 table 0",
            "rule add from 10.0.0.0/33 pref 10 table 10",
            "rule add pref 20 goto 10",
            "rule add pref 30 dport 1-65535 table 30",
            "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev m0 nud sleepy",
            "neigh add 10.0.0.2 lladdr 02:00:00:00:00:02",
            "route get",
        ] {
            let o = run_out("ip", &words(args));
            assert_eq!(o.status.code(), Some(1), "{args}: {}", text(&o.stderr));
        }
        assert_eq!(tool("ip", &["rule", "show"]).lines().count(), 3);
        assert_eq!(tool("ip", &["neigh", "show"]), "");
        // The kernel's refusal: exit 2, the kernel's words.
        let o = run_out("ip", &words("neigh add 10.0.0.2 lladdr 02:00:00 dev m0"));
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("RTM_NEWNEIGH"),
            "{}",
            text(&o.stderr)
        );
        let o = run_out("ip", &words("route get 10.99.0.1"));
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("Network is unreachable"),
            "{}",
            text(&o.stderr)
        );
    });
}
