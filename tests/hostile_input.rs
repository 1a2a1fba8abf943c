//! Hostile input: every bad argument gives an invalid-input error (caught before any
//! syscall) or the kernel's refusal, and never leaves anything half-done — the whole
//! namespace, as `ip -j` shows it, is compared before and after each call.

mod common;
use common::*;

use rtnl::{
    Address, Error, Family, Handle, IfName, Link, LinkKind, MacAddr, Netns, Route, VethPeer,
};
use serde_json::Value;
use std::net::IpAddr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Everything `ip -j` shows of the namespace: links, addresses, and the routes of
/// every table and family (`table all` dumps IPv4 and IPv6), from one `ip -batch`.
fn snapshot() -> Vec<Value> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("ip")
        .args(["-j", "-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"link show\naddr show\nroute show table all\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(v.len(), 3, "{v:?}");
    v
}

/// A namespace with something in it for bad calls to damage: a veth pair, a bridge,
/// an address and a route. Links stay down so nothing changes on its own.
fn populate() {
    ip(&["link", "add", "hv0", "type", "veth", "peer", "name", "hv1"]);
    ip(&["link", "add", "hbr0", "type", "bridge"]);
    ip(&["link", "set", "hv1", "master", "hbr0"]);
    ip(&["link", "set", "lo", "up"]);
    ip(&["addr", "add", "10.0.0.1/24", "dev", "hv0"]);
    // IPv6 state that is made synchronously (an address on a link that is down
    // gets its local route later, from the kernel's DAD worker).
    ip(&["-6", "route", "add", "fd00::/64", "dev", "lo"]);
    ip(&["route", "add", "10.1.0.0/16", "dev", "lo"]);
}

/// Runs `f` and checks that it failed as `check` wants and changed nothing.
fn refused(what: &str, check: impl Fn(&Error) -> bool, f: impl FnOnce() -> rtnl::Result<()>) {
    let before = snapshot();
    match f() {
        Ok(()) => panic!("{what}: accepted"),
        Err(e) => assert!(check(&e), "{what}: unexpected error {e:?}"),
    }
    let after = snapshot();
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(
            a, b,
            "{what}: the namespace changed (ip -batch command {i})"
        );
    }
}

fn invalid(e: &Error) -> bool {
    e.is_invalid_input()
}

/// A name that is no valid interface name (over 15 bytes) may still be a valid
/// alternative name (up to 127 bytes, the same byte rules): where the API takes a
/// link reference (`impl Into<LinkRef>`, and `link_exists`), such a name is looked up
/// as `ip link show dev ALTNAME` does (`IFLA_ALT_IFNAME`) instead of being refused
/// before any syscall. Nothing has that name here, so the kernel says so.
fn is_valid_altname(n: &str) -> bool {
    rtnl::check_altname(n).is_ok()
}

/// What a call that takes `n` as a link reference must answer: invalid input, or,
/// for a valid alternative name, that there is no such link.
fn refused_as_ref(n: &str) -> fn(&Error) -> bool {
    if is_valid_altname(n) {
        |e| e.is_not_found()
    } else {
        invalid
    }
}

/// Runs the lookup `f` of a name no link has: it must find nothing and change nothing.
fn looked_up_absent(what: &str, f: impl FnOnce() -> rtnl::Result<bool>) {
    let before = snapshot();
    match f() {
        Ok(false) => {}
        r => panic!("{what}: expected Ok(false) (no such link), got {r:?}"),
    }
    assert_eq!(snapshot(), before, "{what}: the namespace changed");
}

/// The kernel said no: `EINVAL`, or an extended-ACK text.
fn kernel_refusal(e: &Error) -> bool {
    matches!(e, Error::Kernel { .. })
        && (e.errno() == Some(libc::EINVAL) || e.kernel_message().is_some_and(|m| !m.is_empty()))
}

/// Every one-shot function that takes a name, called with `n` in one of its name
/// arguments (the other arguments valid).
type Call<'a> = Box<dyn Fn(&str) -> rtnl::Result<()> + 'a>;

fn free_calls(ns: BorrowedFd<'_>) -> Vec<(&'static str, Call<'_>)> {
    let pid = std::process::id();
    let dst = ipa("10.2.0.0");
    let mac = MacAddr([2, 0, 0, 0, 0, 1]);
    vec![
        ("link_exists", Box::new(|n| rtnl::link_exists(n).map(drop))),
        (
            "create_veth_pair host",
            Box::new(|n| rtnl::create_veth_pair(n, "ok0")),
        ),
        (
            "create_veth_pair peer",
            Box::new(|n| rtnl::create_veth_pair("ok0", n)),
        ),
        ("create_bridge", Box::new(rtnl::create_bridge)),
        ("delete_link_by_name", Box::new(rtnl::delete_link_by_name)),
        ("delete_bridge", Box::new(rtnl::delete_bridge)),
        ("set_link_up_by_name", Box::new(rtnl::set_link_up_by_name)),
        (
            "set_link_mtu_by_name",
            Box::new(|n| rtnl::set_link_mtu_by_name(n, 1400)),
        ),
        (
            "set_link_address_by_name",
            Box::new(move |n| rtnl::set_link_address_by_name(n, mac)),
        ),
        (
            "add_address_to_link_by_name",
            Box::new(|n| rtnl::add_address_to_link_by_name(n, ipa("10.3.0.1"), 24)),
        ),
        (
            "add_address_to_link",
            Box::new(|n| rtnl::add_address_to_link(n, ipa("fd03::1"), 64)),
        ),
        (
            "flush_addresses_on_link_by_name",
            Box::new(rtnl::flush_addresses_on_link_by_name),
        ),
        (
            "add_default_route_via_dev v4",
            Box::new(|n| rtnl::add_default_route_via_dev(n, false)),
        ),
        (
            "add_default_route_via_dev v6",
            Box::new(|n| rtnl::add_default_route_via_dev(n, true)),
        ),
        (
            "add_route_via_dev",
            Box::new(move |n| rtnl::add_route_via_dev(dst, 16, n)),
        ),
        (
            "replace_route_via_dev",
            Box::new(move |n| rtnl::replace_route_via_dev(dst, 16, n, None)),
        ),
        (
            "delete_route_via_dev",
            Box::new(|n| rtnl::delete_route_via_dev(ipa("10.1.0.0"), 16, n)),
        ),
        (
            "move_link_into_netns_fd_and_rename link",
            Box::new(move |n| rtnl::move_link_into_netns_fd_and_rename(n, ns, "eth0")),
        ),
        (
            "move_link_into_netns_fd_and_rename new",
            Box::new(move |n| rtnl::move_link_into_netns_fd_and_rename("hv0", ns, n)),
        ),
        (
            "move_link_into_netns_and_rename link",
            Box::new(move |n| rtnl::move_link_into_netns_and_rename(n, pid, "eth0")),
        ),
        (
            "move_link_into_netns_and_rename new",
            Box::new(move |n| rtnl::move_link_into_netns_and_rename("hv0", pid, n)),
        ),
        (
            "add_link_to_bridge link",
            Box::new(|n| rtnl::add_link_to_bridge(n, "hbr0")),
        ),
        (
            "add_link_to_bridge bridge",
            Box::new(|n| rtnl::add_link_to_bridge("hv0", n)),
        ),
        (
            "set_bridge_stp",
            Box::new(|n| rtnl::set_bridge_stp(n, true)),
        ),
        (
            "bridge_member_count",
            Box::new(|n| rtnl::bridge_member_count(n).map(drop)),
        ),
    ]
}

const BAD_NAMES: &[&str] = &[
    "",
    "abcdefghijklmnop",                         // 16 bytes
    "abcdefghijklmnopqrstuvwxyz0123456789abcd", // 40 bytes
    "éééééééé",                                 // 8 chars, 16 bytes
    "a/b",
    "/",
    "a\0b",
    "\0",
    "a b",
    " ",
    "a\tb",
    "eth0\n",
    "..",
    ".",
    "a:1",
];

#[test]
fn bad_names_are_refused_by_every_operation() {
    if !can_run_kernel_tests("bad_names_are_refused_by_every_operation") {
        return;
    }
    in_netns(|| {
        populate();
        let ns = rtnl::netns::create().unwrap();
        let ns_before = rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(snapshot())).unwrap();
        let dst = ipa("10.2.0.0");
        let mut h = Handle::new().unwrap();
        for &n in BAD_NAMES {
            // Where `n` is a new name (one the call gives a link): invalid input.
            let r = |what: &str, f: &mut dyn FnMut() -> rtnl::Result<()>| {
                refused(&format!("{what}({n:?})"), invalid, f)
            };
            // Where `n` names an existing link (a link reference): invalid input, or
            // no such link for a valid alternative name.
            let rr = |what: &str, f: &mut dyn FnMut() -> rtnl::Result<()>| {
                refused(&format!("{what}({n:?})"), refused_as_ref(n), f)
            };
            for (what, call) in free_calls(ns.as_fd()) {
                if what == "link_exists" && is_valid_altname(n) {
                    looked_up_absent(&format!("{what}({n:?})"), || rtnl::link_exists(n));
                } else {
                    r(what, &mut || call(n));
                }
            }
            // The Handle methods.
            if is_valid_altname(n) {
                looked_up_absent(&format!("Handle::get_link({n:?})"), || {
                    h.get_link(n).map(|l| l.is_some())
                });
            } else {
                r("Handle::get_link", &mut || h.get_link(n).map(drop));
            }
            rr("Handle::link_index", &mut || h.link_index(n).map(drop));
            r("Handle::add bridge", &mut || h.add(&Link::bridge(n)?));
            r("Handle::add veth peer", &mut || {
                h.add(&Link::veth("ok0", n)?)
            });
            r("Handle::add veth peer into netns", &mut || {
                h.add(&Link {
                    name: Some(IfName::new("ok0")?),
                    kind: Some(LinkKind::Veth(VethPeer {
                        name: Some(IfName::new(n)?),
                        netns: Some(Netns::fd(ns.as_fd())),
                        ..Default::default()
                    })),
                    ..Default::default()
                })
            });
            rr("Handle::delete_link", &mut || h.delete_link(n));
            rr("Handle::set_link_up", &mut || h.set_link_up(n));
            rr("Handle::set_link_down", &mut || h.set_link_down(n));
            rr("Handle::set_link_mtu", &mut || h.set_link_mtu(n, 1400));
            rr("Handle::set_link_master link", &mut || {
                h.set_link_master(n, "hbr0")
            });
            rr("Handle::set_link_master bridge", &mut || {
                h.set_link_master("hv0", n)
            });
            rr("Handle::set_link_nomaster", &mut || h.set_link_nomaster(n));
            rr("Handle::rename_link old", &mut || h.rename_link(n, "ok0"));
            r("Handle::rename_link new", &mut || h.rename_link("hv0", n));
            rr("Handle::move_link_to_netns", &mut || {
                h.move_link_to_netns(n, ns.as_fd(), None)
            });
            r("Handle::move_link_to_netns new", &mut || {
                h.move_link_to_netns("hv0", ns.as_fd(), Some(n))
            });
            rr("Handle::addresses_of", &mut || h.addresses_of(n).map(drop));
            rr("Handle::add address by link name", &mut || {
                let index = h.link_index(n)?;
                h.add(&Address::new(index, ipa("10.3.0.1"), 24))
            });
            rr("Handle::flush_addresses", &mut || {
                h.flush_addresses(n).map(drop)
            });
            rr("Handle::add route via dev", &mut || {
                let oif = h.link_index(n)?;
                h.add(&Route::to(dst, 16)?.dev(oif))
            });
            rr("Handle::add default route via dev", &mut || {
                let oif = h.link_index(n)?;
                h.add(&Route::new(Family::INET).dev(oif))
            });
            rr("Handle::set_bridge_stp", &mut || h.set_bridge_stp(n, false));
            rr("Handle::bridge_ports", &mut || h.bridge_ports(n).map(drop));
        }
        // Bad link kinds, through the constructor and built by hand.
        for k in ["", "bri\0dge"] {
            refused(&format!("Link::of_kind {k:?}"), invalid, || {
                h.add(&Link::of_kind("ok0", k)?)
            });
            refused(&format!("Handle::add kind {k:?}"), invalid, || {
                h.add(&Link {
                    name: Some(IfName::new("ok0")?),
                    kind: Some(LinkKind::other(k)),
                    ..Default::default()
                })
            });
        }
        // Nothing reached the other namespace either.
        assert_eq!(
            rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(snapshot())).unwrap(),
            ns_before
        );

        // The boundary: 15 bytes is a valid name, and really works.
        rtnl::create_veth_pair("abcdefghijklmno", "p15").unwrap();
        assert!(ip_link("abcdefghijklmno").is_some());
    });
}

#[test]
fn bad_names_never_reach_a_syscall() {
    if !can_run_kernel_tests("bad_names_never_reach_a_syscall") {
        return;
    }
    in_netns(|| {
        populate();
        let ns = rtnl::netns::create().unwrap();
        let before = snapshot();
        // On a thread where socket(AF_NETLINK) fails, as in a sandbox: a function that
        // opened its socket before checking its names would fail with that instead.
        let installed = std::thread::scope(|s| {
            s.spawn(|| -> std::io::Result<()> {
                common::seccomp::deny_netlink_sockets()?;
                let e = rtnl::link_exists("lo").unwrap_err();
                assert!(
                    matches!(e, Error::NetlinkUnavailable { .. }) && e.is_netlink_unavailable(),
                    "the filter is not working: {e:?}"
                );
                for &n in BAD_NAMES {
                    for (what, call) in free_calls(ns.as_fd()) {
                        match call(n) {
                            Err(e) if e.is_invalid_input() => {}
                            // A valid alternative name is a lookup (see
                            // `is_valid_altname`): it needs netlink.
                            Err(Error::NetlinkUnavailable { .. })
                                if what == "link_exists" && is_valid_altname(n) => {}
                            r => panic!("{what}({n:?}): {r:?}"),
                        }
                    }
                }
                Ok(())
            })
            .join()
            .unwrap()
        });
        match installed {
            Ok(()) => assert_eq!(snapshot(), before),
            // qemu-user refuses seccomp filters: this check cannot run there.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => loud(&format!(
                "SKIPPED bad_names_never_reach_a_syscall: seccomp refused: {e}"
            )),
            Err(e) => panic!("installing the seccomp filter: {e}"),
        }
    });
}

#[test]
fn bad_prefix_lengths_are_refused() {
    if !can_run_kernel_tests("bad_prefix_lengths_are_refused") {
        return;
    }
    in_netns(|| {
        populate();
        let mut h = Handle::new().unwrap();
        let hv0 = h.link_index("hv0").unwrap();
        for (a, p) in [("10.4.0.1", 33u8), ("fd04::1", 129), ("10.4.0.1", 255)] {
            let a = ipa(a);
            let w = |what: &str| format!("{what}({a}/{p})");
            refused(&w("add_address_to_link_by_name"), invalid, || {
                rtnl::add_address_to_link_by_name("hv0", a, p)
            });
            refused(&w("add_address_to_link"), invalid, || {
                rtnl::add_address_to_link("hv0", a, p)
            });
            refused(&w("add_route_via_dev"), invalid, || {
                rtnl::add_route_via_dev(a, p, "hv0")
            });
            refused(&w("replace_route_via_dev"), invalid, || {
                rtnl::replace_route_via_dev(a, p, "hv0", None)
            });
            refused(&w("delete_route_via_dev"), invalid, || {
                rtnl::delete_route_via_dev(a, p, "hv0")
            });
            refused(&w("Handle::add Address"), invalid, || {
                h.add(&Address::new(hv0, a, p))
            });
            refused(&w("Handle::delete Address"), invalid, || {
                h.delete(&Address::new(hv0, a, p))
            });
            refused(&w("Route::to"), invalid, || {
                let r = Route::to(a, p)?;
                let oif = h.link_index("hv0")?;
                h.add(&r.dev(oif))
            });
            // A route built by hand: the handle's check refuses it.
            refused(&w("Handle::add Route"), invalid, || {
                let mut r = Route::new(Family::of(a)).dev(hv0);
                r.dst = Some(a);
                r.dst_len = p;
                h.add(&r)
            });
        }
        // 32 and 128 are fine.
        rtnl::add_address_to_link_by_name("hv0", ipa("10.4.0.1"), 32).unwrap();
        rtnl::add_route_via_dev(ipa("fd04::1"), 128, "lo").unwrap();
    });
}

#[test]
fn bad_mtu_is_refused_by_the_kernel() {
    if !can_run_kernel_tests("bad_mtu_is_refused_by_the_kernel") {
        return;
    }
    in_netns(|| {
        populate();
        let mut h = Handle::new().unwrap();
        for mtu in [0, 67, 65536, u32::MAX] {
            refused(
                &format!("set_link_mtu_by_name({mtu})"),
                kernel_refusal,
                || rtnl::set_link_mtu_by_name("hv0", mtu),
            );
            refused(
                &format!("Handle::set_link_mtu({mtu})"),
                kernel_refusal,
                || h.set_link_mtu("hv0", mtu),
            );
        }
        // The kernel's own words come through.
        let e = rtnl::set_link_mtu_by_name("hv0", 0).unwrap_err();
        let m = e.kernel_message().expect("extended ACK text");
        assert!(m.contains("mtu"), "{m}");
        assert_eq!(e.errno(), Some(libc::EINVAL));
        // The limits themselves are accepted (veth: 68..=65535).
        rtnl::set_link_mtu_by_name("hv0", 68).unwrap();
        rtnl::set_link_mtu_by_name("hv0", 65535).unwrap();
        assert_eq!(ip_link("hv0").unwrap()["mtu"], 65535);
    });
}

#[test]
fn bad_mac_addresses_are_refused() {
    if !can_run_kernel_tests("bad_mac_addresses_are_refused") {
        return;
    }
    in_netns(|| {
        populate();
        let mut h = Handle::new().unwrap();
        for mac in [
            [0u8; 6],
            [0xff; 6],
            [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01],
            [0x33, 0x33, 0, 0, 0, 1],
        ] {
            let m = MacAddr(mac);
            refused(&format!("Handle::set_link_address({m})"), invalid, || {
                h.set_link_address("hv0", m)
            });
            refused(&format!("set_link_address_by_name({m})"), invalid, || {
                rtnl::set_link_address_by_name("hv0", m)
            });
        }
        for s in [
            "",
            "02:00:00:00:00",
            "02:00:00:00:00:00:00",
            "zz:00:00:00:00:01",
            "2:0:0:0:0:1:",
        ] {
            assert!(
                s.parse::<MacAddr>().unwrap_err().is_invalid_input(),
                "{s:?}"
            );
        }
    });
}

#[test]
fn family_mismatch_is_refused_before_any_syscall() {
    if !can_run_kernel_tests("family_mismatch_is_refused_before_any_syscall") {
        return;
    }
    in_netns(|| {
        populate();
        for (d, s) in [("10.5.0.0", "::1"), ("fd05::", "10.0.0.1")] {
            refused(
                &format!("replace_route_via_dev({d} src {s})"),
                invalid,
                || rtnl::replace_route_via_dev(ipa(d), 24, "hv0", Some(ipa(s))),
            );
            // Even with an absent device: the family check comes first.
            let e = rtnl::replace_route_via_dev(ipa(d), 24, "absent0", Some(ipa(s))).unwrap_err();
            assert!(e.is_invalid_input(), "{e:?}");
        }
    });
}

fn thread_netns() -> std::path::PathBuf {
    std::fs::read_link("/proc/thread-self/ns/net").unwrap()
}

#[test]
fn with_netns_fd_on_a_non_namespace_fd() {
    if !can_run_kernel_tests("with_netns_fd_on_a_non_namespace_fd") {
        return;
    }
    in_netns(|| {
        let before = thread_netns();
        let ran = AtomicBool::new(false);
        for path in ["/dev/null", "/proc/self/ns/uts", "/"] {
            let fd = OwnedFd::from(std::fs::File::open(path).unwrap());
            let e = rtnl::with_netns_fd(fd, || {
                ran.store(true, Ordering::SeqCst);
                Ok(())
            })
            .unwrap_err();
            assert!(matches!(e, Error::Io { .. }), "{path}: {e:?}");
            assert_eq!(e.errno(), Some(libc::EINVAL), "{path}: {e:?}");
            assert!(!ran.load(Ordering::SeqCst), "{path}: the closure ran");
            assert_eq!(thread_netns(), before);
        }
        // A namespace that does not exist: pid 0 and an absent pid.
        assert!(rtnl::with_netns(0, || Ok(()))
            .unwrap_err()
            .is_invalid_input());
        assert!(matches!(
            rtnl::with_netns(u32::MAX, || Ok(())),
            Err(Error::Io { .. })
        ));
        assert_eq!(thread_netns(), before);
    });
}

#[test]
fn with_netns_fd_survives_a_panicking_closure() {
    if !can_run_kernel_tests("with_netns_fd_survives_a_panicking_closure") {
        return;
    }
    in_netns(|| {
        let before = thread_netns();
        let ns = rtnl::netns::create().unwrap();
        let inside = rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(thread_netns())).unwrap();
        assert_ne!(inside, before);

        let e = rtnl::with_netns_fd(ns.try_clone().unwrap(), || -> rtnl::Result<()> {
            assert_ne!(thread_netns(), before);
            panic!("boom in the namespace")
        })
        .unwrap_err();
        match &e {
            Error::Panicked { message, .. } => assert_eq!(message, "boom in the namespace"),
            e => panic!("{e:?}"),
        }
        assert_eq!(thread_netns(), before);
        let e = rtnl::with_netns_fd(ns.try_clone().unwrap(), || -> rtnl::Result<()> {
            std::panic::panic_any(42u32)
        })
        .unwrap_err();
        assert!(matches!(e, Error::Panicked { .. }), "{e:?}");
        assert_eq!(thread_netns(), before);

        // The namespace and this thread still work afterwards.
        let names = rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(ip_link_names())).unwrap();
        assert_eq!(names, vec!["lo"]);
        assert_eq!(
            rtnl::with_netns_fd(ns.try_clone().unwrap(), || Ok(thread_netns())).unwrap(),
            inside
        );
        assert_eq!(thread_netns(), before);
    });
}

/// `check_ifname` must refuse exactly what the kernel's `dev_valid_name` refuses:
/// each name is offered to the kernel by `ip link add` (iproute2 checks only length,
/// `/`, `:` and C-locale whitespace, so the rest reaches the kernel) and to rtnl, and
/// the verdicts must agree — including the kernel's byte-wise quirks (0xA0 inside
/// `à` is a space to its `isspace()`, U+2003 is not).
#[test]
fn name_check_agrees_with_the_kernel() {
    if !can_run_kernel_tests("name_check_agrees_with_the_kernel") {
        return;
    }
    in_netns(|| {
        let names = [
            "ok0",
            "é",
            "a\u{2003}b", // EM SPACE: E2 80 83, no byte the kernel calls a space
            "\u{e0}",     // à: C3 A0
            "\u{a0}",     // NO-BREAK SPACE: C2 A0
            "x\u{b}y",    // vertical tab
            "x\u{c}y",    // form feed
            "x.y",
            "..",
            "fifteen-bytes-x",
        ];
        let mut h = Handle::new().unwrap();
        for (i, name) in names.iter().enumerate() {
            let out = std::process::Command::new("ip")
                .args(["link", "add", "dev", name, "type", "bridge"])
                .output()
                .expect("run ip");
            let kernel_ok = out.status.success();
            if kernel_ok {
                ip(&["link", "del", "dev", name]);
            }
            let ours = Link::bridge(name).and_then(|l| h.add(&l));
            assert_eq!(
                ours.is_ok(),
                kernel_ok,
                "name #{i} {name:?}: rtnl says {ours:?}, the kernel (via ip) says {}",
                if kernel_ok {
                    "ok".to_string()
                } else {
                    String::from_utf8_lossy(&out.stderr).trim().to_string()
                }
            );
            match ours {
                Ok(()) => assert!(ip_link(name).is_some(), "{name:?} created by rtnl"),
                Err(e) => assert!(
                    e.is_invalid_input(),
                    "{name:?}: refused before any syscall: {e}"
                ),
            }
        }
    });
}
