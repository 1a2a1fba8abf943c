//! The ioctl side door against the real kernel: every getter agrees with `ip -j link
//! show`, every setter changes what `ip -j` shows, errors are typed; and the netlink
//! operations fall back to it when a seccomp filter refuses `AF_NETLINK`.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use rtnl::{ioctl, MacAddr};
use serde_json::Value;

const IFF_UP: u32 = 0x1;
const IFF_RUNNING: u32 = 0x40;
const IFF_NOARP: u32 = 0x80;

/// `ip link`'s flag names (iproute2 `print_link_flags`) and their `IFF_*` bits.
const FLAG_NAMES: &[(&str, u32)] = &[
    ("UP", 0x1),
    ("BROADCAST", 0x2),
    ("DEBUG", 0x4),
    ("LOOPBACK", 0x8),
    ("POINTOPOINT", 0x10),
    ("NOTRAILERS", 0x20),
    ("NOARP", 0x80),
    ("PROMISC", 0x100),
    ("ALLMULTI", 0x200),
    ("MASTER", 0x400),
    ("SLAVE", 0x800),
    ("MULTICAST", 0x1000),
    ("PORTSEL", 0x2000),
    ("AUTOMEDIA", 0x4000),
    ("DYNAMIC", 0x8000),
    ("LOWER_UP", 0x1_0000),
    ("DORMANT", 0x2_0000),
    ("ECHO", 0x4_0000),
];

/// The `IFF_*` bits `ip -j` shows for a link, as `SIOCGIFFLAGS` can report them: the
/// low 16 bits (`ifr_flags` is a short). `ip` never shows `IFF_RUNNING`; its
/// `NO-CARRIER` is derived, not a flag.
fn ip_flags(l: &Value) -> u32 {
    let mut bits = 0;
    for f in l["flags"].as_array().unwrap() {
        let f = f.as_str().unwrap();
        if f == "NO-CARRIER" || f == "M-DOWN" {
            continue;
        }
        let (_, b) = FLAG_NAMES
            .iter()
            .find(|(n, _)| *n == f)
            .unwrap_or_else(|| panic!("unknown flag {f:?} in {l}"));
        bits |= b;
    }
    bits & 0xffff
}

fn ip_mac(l: &Value) -> MacAddr {
    l["address"].as_str().unwrap().parse().unwrap()
}

fn link(name: &str) -> Value {
    ip_link(name).unwrap_or_else(|| panic!("{name} absent per ip"))
}

fn assert_getters_agree_with_ip(name: &str) {
    let l = link(name);
    assert_eq!(
        u64::from(ioctl::if_index(name).unwrap()),
        l["ifindex"],
        "{name}"
    );
    assert_eq!(u64::from(ioctl::get_mtu(name).unwrap()), l["mtu"], "{name}");
    assert_eq!(ioctl::get_mac(name).unwrap(), ip_mac(&l), "{name}");
    assert_eq!(
        ioctl::get_flags(name).unwrap() & !IFF_RUNNING,
        ip_flags(&l),
        "{name}: {l}"
    );
}

#[test]
fn getters_agree_with_ip() {
    if !can_run_kernel_tests("getters_agree_with_ip") {
        return;
    }
    in_netns(|| {
        ip(&[
            "link", "add", "iog0", "type", "veth", "peer", "name", "iog1",
        ]);
        ip(&["link", "set", "dev", "iog0", "mtu", "1234"]);
        for n in ["lo", "iog0", "iog1"] {
            assert_getters_agree_with_ip(n);
        }
        // Up, with carrier (both ends up): RUNNING appears, and UP is reported.
        ip(&["link", "set", "dev", "iog0", "up"]);
        ip(&["link", "set", "dev", "iog1", "up"]);
        ip(&["link", "set", "dev", "lo", "up"]);
        for n in ["lo", "iog0", "iog1"] {
            assert_getters_agree_with_ip(n);
            assert_ne!(ioctl::get_flags(n).unwrap() & IFF_UP, 0, "{n}");
        }
        assert_ne!(ioctl::get_flags("iog0").unwrap() & IFF_RUNNING, 0);
        // The two ends of a veth pair have distinct indexes and addresses.
        assert_ne!(
            ioctl::if_index("iog0").unwrap(),
            ioctl::if_index("iog1").unwrap()
        );
        assert_ne!(
            ioctl::get_mac("iog0").unwrap(),
            ioctl::get_mac("iog1").unwrap()
        );
    });
}

#[test]
fn setters_change_what_ip_shows() {
    if !can_run_kernel_tests("setters_change_what_ip_shows") {
        return;
    }
    in_netns(|| {
        ip(&[
            "link", "add", "ios0", "type", "veth", "peer", "name", "ios1",
        ]);

        let mac: MacAddr = "02:11:22:33:44:55".parse().unwrap();
        assert_ne!(ip_mac(&link("ios0")), mac);
        ioctl::set_mac("ios0", mac).unwrap();
        assert_eq!(ip_mac(&link("ios0")), mac);

        ioctl::set_mtu("ios0", 1400).unwrap();
        assert_eq!(link("ios0")["mtu"], 1400);
        ioctl::set_mtu("ios0", 9000).unwrap();
        assert_eq!(link("ios0")["mtu"], 9000);

        ioctl::set_up("ios0").unwrap();
        assert_ne!(ip_flags(&link("ios0")) & IFF_UP, 0);
        assert_eq!(link("ios0")["operstate"], "LOWERLAYERDOWN");
        ioctl::set_up("ios1").unwrap();
        assert_eq!(link("ios1")["operstate"], "UP");
        ioctl::set_down("ios0").unwrap();
        assert_eq!(ip_flags(&link("ios0")) & IFF_UP, 0);
        assert_eq!(link("ios0")["operstate"], "DOWN");
        // Up twice is fine (and still up).
        ioctl::set_up("ios0").unwrap();
        ioctl::set_up("ios0").unwrap();
        assert_ne!(ip_flags(&link("ios0")) & IFF_UP, 0);

        // set_flags replaces the user-settable flags: NOARP on, then off again.
        let before = ioctl::get_flags("ios0").unwrap();
        assert_eq!(before & IFF_NOARP, 0);
        ioctl::set_flags("ios0", before | IFF_NOARP).unwrap();
        assert_ne!(ip_flags(&link("ios0")) & IFF_NOARP, 0);
        ioctl::set_flags("ios0", before).unwrap();
        assert_eq!(ip_flags(&link("ios0")) & IFF_NOARP, 0);

        // Nothing leaked onto the peer.
        assert_ne!(ip_mac(&link("ios1")), mac);
        assert_eq!(link("ios1")["mtu"], 1500);
        assert_getters_agree_with_ip("ios0");
        assert_getters_agree_with_ip("ios1");
    });
}

#[test]
fn errors_are_typed() {
    if !can_run_kernel_tests("errors_are_typed") {
        return;
    }
    in_netns(|| {
        // Absent link: ENODEV from the kernel becomes NotFound, for every call.
        let mac: MacAddr = "02:00:00:00:00:01".parse().unwrap();
        let results = [
            ioctl::if_index("ioabsent").map(drop),
            ioctl::get_mac("ioabsent").map(drop),
            ioctl::set_mac("ioabsent", mac),
            ioctl::get_mtu("ioabsent").map(drop),
            ioctl::set_mtu("ioabsent", 1400),
            ioctl::get_flags("ioabsent").map(drop),
            ioctl::set_flags("ioabsent", 0),
            ioctl::set_up("ioabsent"),
            ioctl::set_down("ioabsent"),
        ];
        for r in results {
            match r.unwrap_err() {
                rtnl::Error::NotFound { kind, name } => {
                    assert_eq!((kind, name.as_str()), ("link", "ioabsent"))
                }
                e => panic!("expected NotFound, got {e:?}"),
            }
        }

        // Bad names: refused before any syscall.
        for bad in ["", "a/b", "a b", "a\0b", "abcdefghijklmnop", "..", "a:1"] {
            assert!(
                ioctl::if_index(bad).unwrap_err().is_invalid_input(),
                "{bad:?}"
            );
            assert!(ioctl::get_mtu(bad).unwrap_err().is_invalid_input());
            assert!(ioctl::set_mtu(bad, 1400).unwrap_err().is_invalid_input());
            assert!(ioctl::set_mac(bad, mac).unwrap_err().is_invalid_input());
            assert!(ioctl::set_down(bad).unwrap_err().is_invalid_input());
        }

        ip(&[
            "link", "add", "ioe0", "type", "veth", "peer", "name", "ioe1",
        ]);
        // Bad values caught before the kernel.
        assert!(ioctl::set_mtu("ioe0", u32::MAX)
            .unwrap_err()
            .is_invalid_input());
        assert!(ioctl::set_mac("ioe0", MacAddr([0; 6]))
            .unwrap_err()
            .is_invalid_input());
        assert!(ioctl::set_mac("ioe0", "01:00:5e:00:00:01".parse().unwrap())
            .unwrap_err()
            .is_invalid_input());
        assert!(ioctl::set_flags("ioe0", 0x1_0000)
            .unwrap_err()
            .is_invalid_input());

        // Values the kernel refuses: EINVAL, kept with the request's name.
        for mtu in [0, 65536] {
            let e = ioctl::set_mtu("ioe0", mtu).unwrap_err();
            assert_eq!(e.errno(), Some(libc::EINVAL), "{mtu}: {e}");
            assert!(
                matches!(
                    e,
                    rtnl::Error::Io {
                        op: "SIOCSIFMTU",
                        ..
                    }
                ),
                "{e:?}"
            );
        }
        assert_eq!(link("ioe0")["mtu"], 1500);
        // lo is ARPHRD_LOOPBACK: an ARPHRD_ETHER address does not fit it.
        let e = ioctl::set_mac("lo", mac).unwrap_err();
        assert!(
            matches!(
                e,
                rtnl::Error::Io {
                    op: "SIOCSIFHWADDR",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        assert_eq!(link("lo")["address"], "00:00:00:00:00:00");
    });
}

#[test]
fn free_functions_fall_back_to_ioctl_without_netlink() {
    let name = "free_functions_fall_back_to_ioctl_without_netlink";
    if !can_run_kernel_tests(name) {
        return;
    }
    in_netns(|| {
        // The links are made before any filter exists, and `ip` is only ever run from
        // this thread, which is never filtered (a filter is inherited by children).
        ip(&[
            "link", "add", "iof0", "type", "veth", "peer", "name", "iof1",
        ]);
        let mac: MacAddr = "02:de:ad:be:ef:01".parse().unwrap();

        let r = seccomp::without_netlink(|| {
            // The filter works: netlink is refused, and so is `ip`.
            let e = rtnl::Handle::netlink_only()
                .expect_err("netlink still available under the filter (a libc using socketcall?)");
            // Handle::new() still gives a handle: the ioctl fallback one.
            assert!(!rtnl::Handle::new().unwrap().has_netlink());
            assert!(e.is_netlink_unavailable(), "{e:?}");
            assert_eq!(e.errno(), Some(libc::EAFNOSUPPORT));
            let st = std::process::Command::new("ip")
                .args(["link", "show"])
                .stderr(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(!st.success(), "ip ran under the filter");
            // Operations without a fallback fail with that same error.
            assert!(rtnl::link_exists("iof0")
                .unwrap_err()
                .is_netlink_unavailable());

            // The fallbacks do the work.
            rtnl::set_link_up_by_name("iof0").unwrap();
            rtnl::set_link_mtu_by_name("iof0", 1300).unwrap();
            rtnl::set_link_address_by_name("iof0", mac).unwrap();
            // and report errors as the netlink path would.
            let e = rtnl::set_link_up_by_name("ioabsent").unwrap_err();
            assert!(e.is_not_found(), "{e:?}");
            let e = rtnl::set_link_mtu_by_name("iof0", 0).unwrap_err();
            assert_eq!(e.errno(), Some(libc::EINVAL), "{e:?}");
            assert!(rtnl::set_link_address_by_name("iof0", MacAddr([0xff; 6]))
                .unwrap_err()
                .is_invalid_input());
        });
        if r.is_none() {
            loud(&format!("SKIPPED {name}: qemu-user refuses PR_SET_SECCOMP"));
            return;
        }

        let l = link("iof0");
        assert!(
            l["flags"].as_array().unwrap().iter().any(|f| f == "UP"),
            "{l}"
        );
        assert_eq!(l["mtu"], 1300);
        assert_eq!(ip_mac(&l), mac);

        // The filter was on that thread only: netlink still works here.
        let mut h = rtnl::Handle::new().unwrap();
        assert_eq!(h.get_link("iof0").unwrap().unwrap().mtu, Some(1300));
    });
}
