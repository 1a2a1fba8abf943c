//! `rtnl::guest`: the guest agent's bring-up against the real kernel (each test in a
//! fresh network namespace, checked with `ip -j`), the hosts/resolv.conf rendering
//! (golden strings), the atomic file writes (into a scratch directory) and
//! `sethostname` (in a fresh UTS namespace, never the host's).

mod common;

use common::{can_run_kernel_tests, in_netns, ip, ip_json, loud, seccomp};
use rtnl::guest::{
    configure_interface, configure_interface_ioctl, configure_interface_with, configure_loopback,
    render_hosts, render_resolv_conf, set_hostname, write_hosts, write_resolv_conf, GuestConfig,
    Hostname, InterfaceSpec, Outcome, Report, Step,
};
use rtnl::MacAddr;
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

const MAC: MacAddr = MacAddr([0x02, 0x52, 0x54, 0xab, 0xcd, 0xef]);
const IP4: Ipv4Addr = Ipv4Addr::new(10, 9, 0, 2);
const GW4: Ipv4Addr = Ipv4Addr::new(10, 9, 0, 1);
const IP6: Ipv6Addr = Ipv6Addr::new(0xfd00, 9, 0, 0, 0, 0, 0, 2);
const GW6: Ipv6Addr = Ipv6Addr::new(0xfd00, 9, 0, 0, 0, 0, 0, 1);

/// The full spec for `name`.
fn full_spec(name: &str) -> InterfaceSpec {
    InterfaceSpec {
        name: name.into(),
        mac: Some(MAC),
        mtu: Some(1400),
        ipv4: Some((IP4, 24)),
        ipv6: Some((IP6, 64)),
        gateway4: Some(GW4),
        gateway6: Some(GW6),
        dad: None,
    }
}

/// `ip link add NAME type veth peer name PEER`, peer up (so NAME gets a carrier once
/// it is up).
fn veth_with_peer_up(name: &str, peer: &str) {
    ip(&["link", "add", name, "type", "veth", "peer", "name", peer]);
    ip(&["link", "set", peer, "up"]);
}

fn link_json(name: &str) -> Value {
    common::ip_link(name).unwrap_or_else(|| panic!("no link {name}"))
}

fn flags(link: &Value) -> Vec<String> {
    link["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// `(family, local, prefixlen)` of every address on `dev` except IPv6 link-local.
fn addrs(dev: &str) -> Vec<(String, String, u64)> {
    let v = ip_json(&["addr", "show", "dev", dev]);
    let mut out = Vec::new();
    for l in v.as_array().unwrap() {
        for a in l["addr_info"].as_array().unwrap() {
            if a["scope"] == "link" {
                continue;
            }
            out.push((
                a["family"].as_str().unwrap().to_owned(),
                a["local"].as_str().unwrap().to_owned(),
                a["prefixlen"].as_u64().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// `(gateway, dev)` of every default route of the family (`-4` / `-6`).
fn default_routes(family: &str) -> Vec<(String, String)> {
    ip_json(&[family, "route", "show", "default"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["dst"], "default", "{r}");
            (
                r["gateway"].as_str().unwrap_or("-").to_owned(),
                r["dev"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What `ip -j` shows about links, addresses and routes (all tables), minus what the
/// kernel changes by itself in the second after a link goes up (operstate, set by
/// linkwatch; IPv6 link-local addresses and their routes, which wait for DAD).
fn snapshot() -> String {
    let mut out = Vec::new();
    for l in ip_json(&["link", "show"]).as_array().unwrap() {
        out.push(format!(
            "link {} {} {} {:?}",
            l["ifname"],
            l["address"],
            l["mtu"],
            flags(l)
        ));
    }
    for l in ip_json(&["addr", "show"]).as_array().unwrap() {
        for a in l["addr_info"].as_array().unwrap() {
            if a["scope"] != "link" {
                out.push(format!(
                    "addr {} {} {}/{}",
                    l["ifname"], a["family"], a["local"], a["prefixlen"]
                ));
            }
        }
    }
    for family in ["-4", "-6"] {
        for r in ip_json(&[family, "route", "show", "table", "all"])
            .as_array()
            .unwrap()
        {
            if r["dst"].as_str().unwrap_or("").starts_with("fe80:") {
                continue;
            }
            out.push(format!(
                "route {} {} {} {} {} {}",
                r["type"], r["dst"], r["gateway"], r["dev"], r["table"], r["protocol"]
            ));
        }
    }
    out.sort();
    out.join("\n")
}

/// The outcomes of the report's steps, in order, as `(step, outcome)`; panics on a
/// failed step.
fn outcomes(r: &Report) -> Vec<(Step, Outcome)> {
    r.steps
        .iter()
        .map(|s| match &s.result {
            Ok(o) => (s.step.clone(), *o),
            Err(e) => panic!("step {} failed: {e}\n{r}", s.step),
        })
        .collect()
}

fn expected_steps(name: &str) -> Vec<Step> {
    let link = || name.to_string();
    vec![
        Step::Lookup { link: link() },
        Step::Mac {
            link: link(),
            mac: MAC,
        },
        Step::Mtu {
            link: link(),
            mtu: 1400,
        },
        Step::Address {
            link: link(),
            address: IP4.into(),
            prefix_len: 24,
        },
        Step::Address {
            link: link(),
            address: IP6.into(),
            prefix_len: 64,
        },
        Step::Up { link: link() },
        Step::DefaultRoute {
            link: link(),
            gateway: GW4.into(),
        },
        Step::DefaultRoute {
            link: link(),
            gateway: GW6.into(),
        },
    ]
}

/// Checks, with `ip -j`, that `name` is configured as [`full_spec`] says.
fn assert_fully_configured(name: &str) {
    let l = link_json(name);
    assert_eq!(l["address"], MAC.to_string(), "{l}");
    assert_eq!(l["mtu"], 1400, "{l}");
    assert!(flags(&l).contains(&"UP".to_string()), "{l}");
    assert_eq!(
        addrs(name),
        vec![
            ("inet".into(), IP4.to_string(), 24),
            ("inet6".into(), IP6.to_string(), 64),
        ]
    );
    assert_eq!(
        default_routes("-4"),
        vec![(GW4.to_string(), name.to_string())]
    );
    assert_eq!(
        default_routes("-6"),
        vec![(GW6.to_string(), name.to_string())]
    );
}

/// A fresh, empty scratch directory (no tempfile crate).
fn scratch(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let d = std::env::temp_dir().join(format!("rtnl-guest-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// The calling thread's host name, via `gethostname(2)`.
fn gethostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its length.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    assert_eq!(rc, 0, "gethostname: {}", std::io::Error::last_os_error());
    let n = buf.iter().position(|&b| b == 0).unwrap();
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

/// Moves the calling thread into a new UTS namespace.
fn unshare_uts() {
    // SAFETY: unshare affects only the calling thread.
    let r = unsafe { libc::unshare(libc::CLONE_NEWUTS) };
    assert_eq!(
        r,
        0,
        "unshare(CLONE_NEWUTS): {}",
        std::io::Error::last_os_error()
    );
}

fn h(s: &str) -> Hostname {
    Hostname::new(s).unwrap()
}

/// A valid host name of exactly `len` bytes: `aaaaaaaaa.aaaaaaaaa.aaa...`.
fn name_of_len(len: usize) -> String {
    let s: String = (0..len)
        .map(|i| if i % 10 == 9 && i + 1 < len { '.' } else { 'a' })
        .collect();
    Hostname::new(s.as_str()).unwrap();
    s
}

// ---------------------------------------------------------------------------------
// Loopback
// ---------------------------------------------------------------------------------

#[test]
fn loopback_comes_up_with_both_addresses_in_one_round_trip_and_twice() {
    if !can_run_kernel_tests("loopback_comes_up_with_both_addresses_in_one_round_trip_and_twice") {
        return;
    }
    in_netns(|| {
        // A fresh namespace: lo down, no addresses.
        assert!(!flags(&link_json("lo")).contains(&"UP".to_string()));
        assert!(addrs("lo").is_empty());

        let r = configure_loopback().unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        assert_eq!(r.round_trips, 1);
        assert!(!r.ioctl_fallback);
        let got = outcomes(&r);
        let steps: Vec<String> = got.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(
            steps,
            [
                "ip link set dev lo up",
                "ip addr add 127.0.0.1/8 dev lo",
                "ip addr add ::1/128 dev lo"
            ]
        );
        assert_eq!(got[0].1, Outcome::Done);
        for (s, o) in &got[1..] {
            assert!(
                matches!(o, Outcome::Done | Outcome::AlreadyPresent),
                "{s}: {o}"
            );
        }

        let check = || {
            let l = link_json("lo");
            assert_eq!(l["ifindex"], 1, "lo is LOOPBACK_IFINDEX: {l}");
            assert!(flags(&l).contains(&"UP".to_string()), "{l}");
            assert_eq!(
                addrs("lo"),
                vec![
                    ("inet".into(), "127.0.0.1".into(), 8),
                    ("inet6".into(), "::1".into(), 128),
                ]
            );
        };
        check();

        // Again: idempotent; the addresses are now certainly there.
        let r = configure_loopback().unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        let got = outcomes(&r);
        assert_eq!(got[1].1, Outcome::AlreadyPresent);
        assert_eq!(got[2].1, Outcome::AlreadyPresent);
        check();
    });
}

#[test]
fn loopback_addresses_are_added_when_missing() {
    if !can_run_kernel_tests("loopback_addresses_are_added_when_missing") {
        return;
    }
    in_netns(|| {
        ip(&["link", "set", "lo", "up"]);
        ip(&["addr", "del", "127.0.0.1/8", "dev", "lo"]);
        ip(&["addr", "del", "::1/128", "dev", "lo"]);
        assert!(addrs("lo").is_empty());
        let r = configure_loopback().unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        let got = outcomes(&r);
        assert_eq!(got[1].1, Outcome::Done);
        assert_eq!(got[2].1, Outcome::Done);
        assert_eq!(
            addrs("lo"),
            vec![
                ("inet".into(), "127.0.0.1".into(), 8),
                ("inet6".into(), "::1".into(), 128),
            ]
        );
        // Host scope, like the kernel's own 127.0.0.1.
        let v = ip_json(&["-4", "addr", "show", "dev", "lo"]);
        assert_eq!(v[0]["addr_info"][0]["scope"], "host", "{v}");
    });
}

// ---------------------------------------------------------------------------------
// One interface
// ---------------------------------------------------------------------------------

#[test]
fn interface_gets_every_field_in_two_round_trips_and_again() {
    if !can_run_kernel_tests("interface_gets_every_field_in_two_round_trips_and_again") {
        return;
    }
    in_netns(|| {
        veth_with_peer_up("vg0", "vg1");
        let r = configure_interface(&full_spec("vg0"))
            .unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        eprint!("{r}");
        assert_eq!(r.round_trips, 2);
        assert!(!r.ioctl_fallback);
        assert_eq!(
            Some(u64::from(r.index.unwrap())),
            link_json("vg0")["ifindex"].as_u64()
        );
        let got = outcomes(&r);
        assert_eq!(
            got.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
            expected_steps("vg0")
        );
        assert!(
            got.iter().all(|(_, o)| *o == Outcome::Done),
            "first run: every step done\n{r}"
        );
        assert_fully_configured("vg0");
        let after_first = snapshot();

        // Second run (an init started again): Ok, nothing new, nothing duplicated.
        let r = configure_interface(&full_spec("vg0"))
            .unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        assert_eq!(r.round_trips, 2);
        let got: Vec<Outcome> = outcomes(&r).into_iter().map(|(_, o)| o).collect();
        use Outcome::*;
        // lookup, mac, mtu, ip4, ip6, up, route4 (replace), route6 (replace)
        assert_eq!(
            got,
            [
                Done,
                AlreadyPresent,
                AlreadyPresent,
                AlreadyPresent,
                AlreadyPresent,
                AlreadyPresent,
                Done,
                Done
            ]
        );
        assert_fully_configured("vg0");
        assert_eq!(snapshot(), after_first);
    });
}

#[test]
fn link_local_ipv6_gateway_works_because_routes_are_bound_to_the_link() {
    if !can_run_kernel_tests("link_local_ipv6_gateway_works_because_routes_are_bound_to_the_link") {
        return;
    }
    in_netns(|| {
        veth_with_peer_up("vg0", "vg1");
        let spec = InterfaceSpec {
            gateway6: Some("fe80::1".parse().unwrap()),
            ..full_spec("vg0")
        };
        configure_interface(&spec).unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        assert_eq!(
            default_routes("-6"),
            vec![("fe80::1".to_string(), "vg0".to_string())]
        );
    });
}

#[test]
fn partial_spec_touches_only_what_it_names() {
    if !can_run_kernel_tests("partial_spec_touches_only_what_it_names") {
        return;
    }
    in_netns(|| {
        veth_with_peer_up("vg0", "vg1");
        let mac_before = link_json("vg0")["address"].clone();
        let spec = InterfaceSpec {
            ipv4: Some((IP4, 24)),
            ..InterfaceSpec::new("vg0")
        };
        let r = configure_interface(&spec).unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        let steps: Vec<String> = r.steps.iter().map(|s| s.step.to_string()).collect();
        assert_eq!(
            steps,
            [
                "ip link show dev vg0",
                "ip addr add 10.9.0.2/24 dev vg0",
                "ip link set dev vg0 up"
            ]
        );
        let l = link_json("vg0");
        assert_eq!(l["address"], mac_before);
        assert_eq!(l["mtu"], 1500);
        assert!(flags(&l).contains(&"UP".to_string()));
        assert_eq!(addrs("vg0"), vec![("inet".into(), IP4.to_string(), 24)]);
        assert!(default_routes("-4").is_empty());
        assert!(default_routes("-6").is_empty());
    });
}

#[test]
fn a_refused_step_is_reported_and_the_others_still_happen() {
    if !can_run_kernel_tests("a_refused_step_is_reported_and_the_others_still_happen") {
        return;
    }
    in_netns(|| {
        veth_with_peer_up("vg0", "vg1");
        // The IPv4 gateway is off-link: the kernel refuses that route (ENETUNREACH)
        // and goes on with the IPv6 one.
        let off_link: Ipv4Addr = "10.99.0.1".parse().unwrap();
        let spec = InterfaceSpec {
            gateway4: Some(off_link),
            ..full_spec("vg0")
        };
        let e = configure_interface(&spec).unwrap_err();
        eprintln!("{e}\n{}", e.report());
        assert!(!e.is_invalid_input());
        let bad = Step::DefaultRoute {
            link: "vg0".into(),
            gateway: off_link.into(),
        };
        assert_eq!(e.failed_step(), Some(&bad));
        assert_eq!(e.error().errno(), Some(libc::ENETUNREACH), "{e}");
        assert_eq!(e.report().failures().count(), 1);
        assert_eq!(e.report().round_trips, 2);
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "ip route replace default via 10.99.0.1 dev vg0: FAILED: RTM_NEWROUTE:"
            ),
            "{msg}"
        );
        assert!(msg.ends_with("(1 of 8 steps failed)"), "{msg}");
        // Everything else is in place.
        let l = link_json("vg0");
        assert_eq!(l["address"], MAC.to_string());
        assert_eq!(l["mtu"], 1400);
        assert!(flags(&l).contains(&"UP".to_string()));
        assert_eq!(addrs("vg0").len(), 2);
        assert!(default_routes("-4").is_empty());
        assert_eq!(
            default_routes("-6"),
            vec![(GW6.to_string(), "vg0".to_string())]
        );
        // Into rtnl::Error for `?`: the first failure's error.
        let err: rtnl::Error = e.into();
        assert_eq!(err.errno(), Some(libc::ENETUNREACH));
    });
}

#[test]
fn a_missing_interface_fails_at_the_lookup() {
    if !can_run_kernel_tests("a_missing_interface_fails_at_the_lookup") {
        return;
    }
    in_netns(|| {
        let before = snapshot();
        let e = configure_interface(&full_spec("nosuch0")).unwrap_err();
        assert_eq!(
            e.failed_step(),
            Some(&Step::Lookup {
                link: "nosuch0".into()
            })
        );
        assert!(e.error().is_not_found(), "{e}");
        assert_eq!(e.report().steps.len(), 1);
        assert_eq!(e.report().round_trips, 1);
        assert_eq!(e.report().index, None);
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn invalid_specs_are_refused_before_any_syscall() {
    if !can_run_kernel_tests("invalid_specs_are_refused_before_any_syscall") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "vg0", "type", "veth", "peer", "name", "vg1"]);
        let before = snapshot();
        let base = full_spec("vg0");
        let cases: Vec<(&str, InterfaceSpec)> = vec![
            (
                "IPv4 prefix 33",
                InterfaceSpec {
                    ipv4: Some((IP4, 33)),
                    ..base.clone()
                },
            ),
            (
                "IPv6 prefix 129",
                InterfaceSpec {
                    ipv6: Some((IP6, 129)),
                    ..base.clone()
                },
            ),
            (
                "gateway6 without ipv6",
                InterfaceSpec {
                    ipv6: None,
                    ..base.clone()
                },
            ),
            (
                "gateway4 without ipv4",
                InterfaceSpec {
                    ipv4: None,
                    ..base.clone()
                },
            ),
            (
                "multicast MAC",
                InterfaceSpec {
                    mac: Some(MacAddr([0x01, 0, 0x5e, 0, 0, 1])),
                    ..base.clone()
                },
            ),
            (
                "zero MAC",
                InterfaceSpec {
                    mac: Some(MacAddr([0; 6])),
                    ..base.clone()
                },
            ),
            (
                "bad name",
                InterfaceSpec {
                    name: "vg0/x".into(),
                    ..base.clone()
                },
            ),
            (
                "empty name",
                InterfaceSpec {
                    name: String::new(),
                    ..base.clone()
                },
            ),
            (
                "unspecified address",
                InterfaceSpec {
                    ipv4: Some((Ipv4Addr::UNSPECIFIED, 24)),
                    ..base.clone()
                },
            ),
            (
                "multicast gateway",
                InterfaceSpec {
                    gateway6: Some("ff02::1".parse().unwrap()),
                    ..base.clone()
                },
            ),
        ];
        for (what, spec) in &cases {
            assert!(spec.validate().unwrap_err().is_invalid_input(), "{what}");
            for r in [
                configure_interface(spec),
                configure_interface_ioctl(spec),
                configure_interface_with(&mut rtnl::Handle::new().unwrap(), spec),
            ] {
                let e = r.expect_err(what);
                assert!(e.is_invalid_input(), "{what}: {e}");
                assert!(e.report().steps.is_empty(), "{what}");
                assert_eq!(e.failed_step(), None);
                assert!(e.to_string().ends_with("(nothing was changed)"), "{e}");
            }
        }
        // A whole config with one bad part changes nothing either: no link change, no
        // file, no host name.
        let root = scratch("invalid");
        let cfg = GuestConfig {
            interface: Some(InterfaceSpec {
                ipv4: Some((IP4, 33)),
                ..base.clone()
            }),
            hostname: Some(h("vm1")),
            nameservers: vec![IpAddr::V4(GW4)],
            root: root.clone(),
            ..GuestConfig::default()
        };
        assert!(cfg.apply().unwrap_err().is_invalid_input());
        let too_long = GuestConfig {
            hostname: Some(h(&name_of_len(65))),
            root: root.clone(),
            ..GuestConfig::default()
        };
        assert!(too_long.apply().unwrap_err().is_invalid_input());
        assert!(file_names(&root).is_empty());
        assert_eq!(snapshot(), before);
        std::fs::remove_dir_all(root).unwrap();
    });
}

#[test]
fn apply_with_a_handle_in_another_namespace_configures_that_namespace() {
    let name = "apply_with_a_handle_in_another_namespace_configures_that_namespace";
    if !can_run_kernel_tests(name) {
        return;
    }
    use std::os::fd::AsFd;
    // A container's namespace, configured from outside (this thread never enters it).
    let ns = rtnl::netns::create().unwrap();
    rtnl::with_netns_fd(ns.try_clone().unwrap(), || {
        veth_with_peer_up("vg0", "vg1");
        Ok(())
    })
    .unwrap();
    let mut h = rtnl::Handle::in_netns(ns.as_fd()).unwrap();
    let cfg = GuestConfig {
        interface: Some(full_spec("vg0")),
        write_hosts: false,
        ..GuestConfig::default()
    };
    let r = cfg
        .apply_with(&mut h)
        .unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
    assert_eq!(r.round_trips, 2);
    assert_eq!(r.steps.len(), 1 + 3 + 7, "lookup, lo x3, vg0 x7\n{r}");
    rtnl::with_netns_fd(ns.try_clone().unwrap(), || {
        assert_fully_configured("vg0");
        assert!(flags(&link_json("lo")).contains(&"UP".to_string()));
        assert_eq!(addrs("lo").len(), 2);
        Ok(())
    })
    .unwrap();
    let r = configure_interface_with(&mut h, &full_spec("vg0"))
        .unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
    assert_eq!(r.failures().count(), 0);
}

// ---------------------------------------------------------------------------------
// Without netlink
// ---------------------------------------------------------------------------------

#[test]
fn ioctl_path_applies_mac_mtu_up_and_names_netlink_for_the_rest() {
    if !can_run_kernel_tests("ioctl_path_applies_mac_mtu_up_and_names_netlink_for_the_rest") {
        return;
    }
    in_netns(|| {
        veth_with_peer_up("vg0", "vg1");
        let e = configure_interface_ioctl(&full_spec("vg0")).unwrap_err();
        eprintln!("{e}\n{}", e.report());
        let r = e.report();
        assert!(r.ioctl_fallback);
        assert_eq!(r.round_trips, 0);
        assert_eq!(r.index.map(u64::from), link_json("vg0")["ifindex"].as_u64());
        assert_eq!(
            r.steps.iter().map(|s| s.step.clone()).collect::<Vec<_>>(),
            expected_steps("vg0")
        );
        let done: Vec<bool> = r.steps.iter().map(|s| s.is_ok()).collect();
        // lookup, mac, mtu ok; ip4, ip6 fail; up ok; both routes fail
        assert_eq!(done, [true, true, true, false, false, true, false, false]);
        for s in r.failures() {
            let text = s.to_string();
            assert!(text.contains("socket(AF_NETLINK)"), "{text}");
        }
        assert!(e.to_string().contains("(4 of 8 steps failed)"), "{e}");
        let l = link_json("vg0");
        assert_eq!(l["address"], MAC.to_string());
        assert_eq!(l["mtu"], 1400);
        assert!(flags(&l).contains(&"UP".to_string()));
        assert!(addrs("vg0").is_empty());
        assert!(default_routes("-4").is_empty());

        // Link-only spec: Ok, and a second run finds everything in place.
        let spec = InterfaceSpec {
            mac: Some(MAC),
            mtu: Some(1400),
            ..InterfaceSpec::new("vg0")
        };
        let r = configure_interface_ioctl(&spec).unwrap();
        let got: Vec<Outcome> = outcomes(&r).into_iter().map(|(_, o)| o).collect();
        use Outcome::*;
        assert_eq!(got, [Done, AlreadyPresent, AlreadyPresent, AlreadyPresent]);

        let e = configure_interface_ioctl(&InterfaceSpec::new("nosuch0")).unwrap_err();
        assert!(e.error().is_not_found(), "{e}");
    });
}

#[test]
fn under_a_seccomp_filter_the_link_steps_fall_back_to_ioctls() {
    let name = "under_a_seccomp_filter_the_link_steps_fall_back_to_ioctls";
    if !can_run_kernel_tests(name) {
        return;
    }
    let host_before = gethostname();
    let root = scratch("seccomp");
    let ran = in_netns(|| {
        unshare_uts(); // inherited by the filtered thread
        veth_with_peer_up("vg0", "vg1");
        let r = seccomp::without_netlink(|| {
            let e =
                rtnl::Handle::netlink_only().expect_err("netlink still available under the filter");
            // Handle::new() still gives a handle: the ioctl fallback one.
            assert!(!rtnl::Handle::new().unwrap().has_netlink());
            assert!(e.is_netlink_unavailable(), "{e:?}");

            // lo: up by ioctl, the kernel assigns its addresses.
            let r = configure_loopback().unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
            assert!(r.ioctl_fallback);
            assert_eq!(r.round_trips, 0);
            let got: Vec<Outcome> = outcomes(&r).into_iter().map(|(_, o)| o).collect();
            use Outcome::*;
            assert_eq!(got, [Done, LeftToKernel, LeftToKernel]);

            // The interface: MAC, MTU, up done; addresses and routes fail naming netlink.
            let e = configure_interface(&full_spec("vg0")).unwrap_err();
            eprintln!("{e}\n{}", e.report());
            let r = e.report();
            assert!(r.ioctl_fallback);
            assert_eq!(r.round_trips, 0);
            assert!(r.index.is_some());
            assert_eq!(
                r.steps.iter().map(|s| s.step.clone()).collect::<Vec<_>>(),
                expected_steps("vg0")
            );
            let ok: Vec<bool> = r.steps.iter().map(|s| s.is_ok()).collect();
            assert_eq!(ok, [true, true, true, false, false, true, false, false]);
            for s in r.failures() {
                let err = s.result.as_ref().unwrap_err();
                assert!(err.is_netlink_unavailable(), "{err:?}");
                assert_eq!(err.errno(), Some(libc::EAFNOSUPPORT));
                assert!(
                    s.to_string()
                        .contains("needs netlink, which is unavailable"),
                    "{s}"
                );
            }
            assert_eq!(
                e.failed_step(),
                Some(&Step::Address {
                    link: "vg0".into(),
                    address: IP4.into(),
                    prefix_len: 24
                })
            );
            assert!(e.error().is_netlink_unavailable());

            // A whole config: the link steps fail as above, the host name and the
            // files are still done.
            let cfg = GuestConfig {
                interface: Some(full_spec("vg0")),
                hostname: Some(h("vm-seccomp")),
                nameservers: vec![IpAddr::V4(GW4)],
                root: root.clone(),
                ..GuestConfig::default()
            };
            let e = cfg.apply().unwrap_err();
            let r = e.report();
            assert_eq!(r.failures().count(), 4, "{r}");
            let tail: Vec<String> = r.steps[r.steps.len() - 3..]
                .iter()
                .map(|s| s.to_string())
                .collect();
            assert_eq!(
                tail,
                [
                    "hostname vm-seccomp: done".to_string(),
                    format!("write {}: done", root.join("etc/hosts").display()),
                    format!("write {}: done", root.join("etc/resolv.conf").display()),
                ]
            );
            assert_eq!(gethostname(), "vm-seccomp");
        });
        if r.is_none() {
            return false;
        }
        // The kernel's view, from this (unfiltered) thread.
        let l = link_json("vg0");
        assert_eq!(l["address"], MAC.to_string());
        assert_eq!(l["mtu"], 1400);
        assert!(flags(&l).contains(&"UP".to_string()));
        assert!(addrs("vg0").is_empty());
        assert!(default_routes("-4").is_empty());
        assert!(default_routes("-6").is_empty());
        assert!(flags(&link_json("lo")).contains(&"UP".to_string()));
        assert_eq!(
            addrs("lo"),
            vec![
                ("inet".into(), "127.0.0.1".into(), 8),
                ("inet6".into(), "::1".into(), 128),
            ]
        );
        assert_eq!(gethostname(), "vm-seccomp");
        true
    });
    if !ran {
        loud(&format!("SKIPPED {name}: qemu-user refuses PR_SET_SECCOMP"));
    }
    assert_eq!(
        std::fs::read_to_string(root.join("etc/resolv.conf")).unwrap_or_default(),
        if ran { "nameserver 10.9.0.1\n" } else { "" }
    );
    assert_eq!(
        gethostname(),
        host_before,
        "the host's name must not change"
    );
    std::fs::remove_dir_all(root).unwrap();
}

// ---------------------------------------------------------------------------------
// Files and host name
// ---------------------------------------------------------------------------------

#[test]
fn hosts_golden() {
    assert_eq!(
        render_hosts(None, &[]),
        "127.0.0.1\tlocalhost\n\
         ::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\n\
         ff00::0\tip6-mcastprefix\n\
         ff02::1\tip6-allnodes\n\
         ff02::2\tip6-allrouters\n"
    );
    let alias = h("host.internal");
    assert_eq!(
        render_hosts(
            Some(&h("vm1")),
            &[(IpAddr::V4(GW4), &alias), (IpAddr::V6(GW6), &alias)]
        ),
        "127.0.0.1\tlocalhost\n\
         127.0.1.1\tvm1\n\
         ::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\n\
         ff00::0\tip6-mcastprefix\n\
         ff02::1\tip6-allnodes\n\
         ff02::2\tip6-allrouters\n\
         10.9.0.1\thost.internal\n\
         fd00:9::1\thost.internal\n"
    );
}

#[test]
fn resolv_conf_golden() {
    assert_eq!(render_resolv_conf(&[], &[]), "");
    assert_eq!(
        render_resolv_conf(
            &["10.0.2.3".parse().unwrap(), "fd00:1::3".parse().unwrap()],
            &[h("example.com"), h("corp.example")]
        ),
        "nameserver 10.0.2.3\nnameserver fd00:1::3\nsearch example.com corp.example\n"
    );
    assert_eq!(
        render_resolv_conf(&["1.1.1.1".parse().unwrap()], &[]),
        "nameserver 1.1.1.1\n"
    );
}

#[test]
fn files_are_written_atomically_under_the_root() {
    use std::os::unix::fs::PermissionsExt;
    let root = scratch("files");
    // etc/ does not exist yet: it is created.
    let p = write_hosts(&root, Some(&h("vm1")), &[]).unwrap();
    assert_eq!(p, root.join("etc/hosts"));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        render_hosts(Some(&h("vm1")), &[])
    );
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o644
    );
    // Overwrites an existing, longer file completely.
    std::fs::write(root.join("etc/resolv.conf"), "x".repeat(10_000)).unwrap();
    let ns: Vec<IpAddr> = vec!["10.0.2.3".parse().unwrap()];
    let p = write_resolv_conf(&root, &ns, &[h("example.com")]).unwrap();
    assert_eq!(p, root.join("etc/resolv.conf"));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "nameserver 10.0.2.3\nsearch example.com\n"
    );
    // No temporary file is left behind.
    assert_eq!(file_names(&root.join("etc")), ["hosts", "resolv.conf"]);
    // A root that cannot hold etc/ is an error, not a panic.
    let file_root = root.join("etc/hosts");
    let e = write_hosts(&file_root, None, &[]).unwrap_err();
    assert!(e.errno().is_some(), "{e}");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn set_hostname_in_a_fresh_uts_namespace() {
    if !can_run_kernel_tests("set_hostname_in_a_fresh_uts_namespace") {
        return;
    }
    let host_before = gethostname();
    std::thread::spawn(|| {
        unshare_uts();
        set_hostname(&h("rtnl-guest-test")).unwrap();
        assert_eq!(gethostname(), "rtnl-guest-test");
        // A child of this thread is in the same UTS namespace.
        let out = std::process::Command::new("hostname").output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "rtnl-guest-test"
        );
        // 64 bytes is the limit.
        let max = name_of_len(64);
        set_hostname(&h(&max)).unwrap();
        assert_eq!(gethostname(), max);
        let e = set_hostname(&h(&name_of_len(65))).unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        assert_eq!(gethostname(), max);
    })
    .join()
    .unwrap();
    assert_eq!(
        gethostname(),
        host_before,
        "the host's name must not change"
    );
}

// ---------------------------------------------------------------------------------
// Everything at once
// ---------------------------------------------------------------------------------

#[test]
fn guest_config_applies_everything_in_two_round_trips() {
    if !can_run_kernel_tests("guest_config_applies_everything_in_two_round_trips") {
        return;
    }
    let host_before = gethostname();
    let root = scratch("apply");
    in_netns(|| {
        unshare_uts(); // same thread: its own network and UTS namespaces
        veth_with_peer_up("vg0", "vg1");
        let cfg = GuestConfig {
            interface: Some(full_spec("vg0")),
            hostname: Some(h("vm1")),
            gateway_alias: Some(h("host.internal")),
            nameservers: vec!["10.9.0.1".parse().unwrap(), GW6.into()],
            search: vec![h("example.com")],
            root: root.clone(),
            ..GuestConfig::default()
        };
        let r = cfg
            .apply()
            .unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        eprint!("{r}");
        assert_eq!(r.round_trips, 2, "lo and vg0 share the batch");
        let steps: Vec<String> = r.steps.iter().map(|s| s.step.to_string()).collect();
        let hosts = root.join("etc/hosts");
        let resolv = root.join("etc/resolv.conf");
        assert_eq!(
            steps,
            [
                "ip link show dev vg0".to_string(),
                "ip link set dev lo up".into(),
                "ip addr add 127.0.0.1/8 dev lo".into(),
                "ip addr add ::1/128 dev lo".into(),
                "ip link set dev vg0 address 02:52:54:ab:cd:ef".into(),
                "ip link set dev vg0 mtu 1400".into(),
                "ip addr add 10.9.0.2/24 dev vg0".into(),
                "ip addr add fd00:9::2/64 dev vg0".into(),
                "ip link set dev vg0 up".into(),
                "ip route replace default via 10.9.0.1 dev vg0".into(),
                "ip -6 route replace default via fd00:9::1 dev vg0".into(),
                "hostname vm1".into(),
                format!("write {}", hosts.display()),
                format!("write {}", resolv.display()),
            ]
        );
        assert_fully_configured("vg0");
        assert!(flags(&link_json("lo")).contains(&"UP".to_string()));
        assert_eq!(addrs("lo").len(), 2);
        assert_eq!(gethostname(), "vm1");
        assert_eq!(
            std::fs::read_to_string(&hosts).unwrap(),
            "127.0.0.1\tlocalhost\n\
             127.0.1.1\tvm1\n\
             ::1\tlocalhost ip6-localhost ip6-loopback\n\
             fe00::0\tip6-localnet\n\
             ff00::0\tip6-mcastprefix\n\
             ff02::1\tip6-allnodes\n\
             ff02::2\tip6-allrouters\n\
             10.9.0.1\thost.internal\n\
             fd00:9::1\thost.internal\n"
        );
        assert_eq!(
            std::fs::read_to_string(&resolv).unwrap(),
            "nameserver 10.9.0.1\nnameserver fd00:9::1\nsearch example.com\n"
        );
        // And again: Ok.
        let before = snapshot();
        cfg.apply()
            .unwrap_or_else(|e| panic!("{e}\n{}", e.report()));
        assert_eq!(snapshot(), before);
    });
    assert_eq!(
        gethostname(),
        host_before,
        "the host's name must not change"
    );
    std::fs::remove_dir_all(root).unwrap();
}
