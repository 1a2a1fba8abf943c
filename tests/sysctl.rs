//! The sysctl side door against the real kernel, in a fresh network namespace: values
//! set are what `/proc/sys` (read from the same thread) and `ip -j netconf` show, keys
//! are checked, a missing key is `NotFound`, and the host's values never change.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use rtnl::{read_sysctl, set_sysctl, sysctl::sysctl_path};

/// `forwarding` of `(family, interface)` per `ip -j netconf show` — the kernel's view
/// through netlink (`RTM_GETNETCONF`), not through /proc.
fn netconf_forwarding(family: &str, interface: &str) -> bool {
    let v = ip_json(&["netconf", "show"]);
    let e = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["family"] == family && e["interface"] == interface)
        .unwrap_or_else(|| panic!("no netconf entry {family} {interface}: {v}"));
    e["forwarding"]
        .as_bool()
        .unwrap_or_else(|| panic!("forwarding not a bool: {e}"))
}

/// The file itself, read from the calling thread (so in its namespace).
fn proc_sys(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn flip(v: &str) -> &'static str {
    match v {
        "0" => "1",
        "1" => "0",
        v => panic!("expected 0 or 1, got {v:?}"),
    }
}

#[test]
fn forwarding_set_and_read_back() {
    if !can_run_kernel_tests("forwarding_set_and_read_back") {
        return;
    }
    in_netns(|| {
        for (key, path, family) in [
            (
                "net.ipv4.ip_forward",
                "/proc/sys/net/ipv4/ip_forward",
                "inet",
            ),
            (
                "net.ipv6.conf.all.forwarding",
                "/proc/sys/net/ipv6/conf/all/forwarding",
                "inet6",
            ),
        ] {
            let initial = read_sysctl(key).unwrap();
            assert_eq!(format!("{initial}\n"), proc_sys(path), "{key}");
            assert_eq!(netconf_forwarding(family, "all"), initial == "1", "{key}");
            for v in [flip(&initial), &initial] {
                set_sysctl(key, v).unwrap();
                assert_eq!(proc_sys(path), format!("{v}\n"), "{key}");
                assert_eq!(read_sysctl(key).unwrap(), v, "{key}");
                assert_eq!(netconf_forwarding(family, "all"), v == "1", "{key}");
            }
            // A trailing newline (what `echo` writes) is accepted.
            set_sysctl(key, "1\n").unwrap();
            assert_eq!(read_sysctl(key).unwrap(), "1");
            set_sysctl(key, &initial).unwrap();
        }
        // ip_forward is IPv4's conf/all/forwarding under another name.
        set_sysctl("net.ipv4.ip_forward", "1").unwrap();
        assert_eq!(read_sysctl("net.ipv4.conf.all.forwarding").unwrap(), "1");
    });
}

#[test]
fn per_interface_key_with_a_dotted_name_uses_the_slash_form() {
    if !can_run_kernel_tests("per_interface_key_with_a_dotted_name_uses_the_slash_form") {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "v.1", "type", "veth", "peer", "name", "v.2"]);
        let key = "net/ipv4/conf/v.1/forwarding";
        assert_eq!(
            sysctl_path(key).unwrap(),
            std::path::Path::new("/proc/sys/net/ipv4/conf/v.1/forwarding")
        );
        let initial = read_sysctl(key).unwrap();
        let v = flip(&initial);
        set_sysctl(key, v).unwrap();
        assert_eq!(
            proc_sys("/proc/sys/net/ipv4/conf/v.1/forwarding"),
            format!("{v}\n")
        );
        assert_eq!(read_sysctl(key).unwrap(), v);
        assert_eq!(netconf_forwarding("inet", "v.1"), v == "1");
        // Only v.1 changed.
        assert_eq!(
            read_sysctl("net/ipv4/conf/v.2/forwarding").unwrap(),
            initial
        );
        assert_eq!(netconf_forwarding("inet", "v.2"), initial == "1");
        // In the dotted form the dot splits the name: conf/v/1/forwarding, absent.
        let e = read_sysctl("net.ipv4.conf.v.1.forwarding").unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
    });
}

#[test]
fn bad_keys_values_and_missing_keys() {
    if !can_run_kernel_tests("bad_keys_values_and_missing_keys") {
        return;
    }
    in_netns(|| {
        let before = read_sysctl("net.ipv4.ip_forward").unwrap();
        for bad in [
            "../x",
            "net//ipv4",
            "net.ipv4.ip_forward\0x",
            "",
            "net..x",
            "net.ipv4.ip_forward/",
            "/net/ipv4/ip_forward",
            ".net.ipv4.ip_forward",
            "net/ipv4/../../../etc/passwd",
            "net.ipv4.ip forward",
        ] {
            let e = set_sysctl(bad, "1").unwrap_err();
            assert!(e.is_invalid_input(), "{bad:?}: {e:?}");
            let e = read_sysctl(bad).unwrap_err();
            assert!(e.is_invalid_input(), "{bad:?}: {e:?}");
        }
        for bad in ["1\0", "1\n0", "1\n\n"] {
            let e = set_sysctl("net.ipv4.ip_forward", bad).unwrap_err();
            assert!(e.is_invalid_input(), "{bad:?}: {e:?}");
        }
        assert_eq!(read_sysctl("net.ipv4.ip_forward").unwrap(), before);

        for missing in [
            "net.ipv4.no_such_key",
            "net/ipv4/conf/absent0/forwarding",
            "no_such_tree",
        ] {
            match read_sysctl(missing).unwrap_err() {
                rtnl::Error::NotFound { kind, name } => {
                    assert_eq!((kind, name.as_str()), ("sysctl", missing))
                }
                e => panic!("{missing}: expected NotFound, got {e:?}"),
            }
            assert!(set_sysctl(missing, "1").unwrap_err().is_not_found());
        }

        // The kernel's refusals keep their errno: a non-number, a read-only key.
        let e = set_sysctl("net.ipv4.ip_forward", "abc").unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e:?}");
        assert_eq!(read_sysctl("net.ipv4.ip_forward").unwrap(), before);
        let release = read_sysctl("kernel.osrelease").unwrap();
        let e = set_sysctl("kernel.osrelease", "x").unwrap_err();
        assert_eq!(e.errno(), Some(libc::EACCES), "{e:?}");
        assert_eq!(read_sysctl("kernel.osrelease").unwrap(), release);
    });
}

#[test]
fn values_stay_in_their_namespace() {
    if !can_run_kernel_tests("values_stay_in_their_namespace") {
        return;
    }
    const KEY: &str = "net.ipv4.ip_forward";
    const PATH: &str = "/proc/sys/net/ipv4/ip_forward";
    // This thread stays in the original namespace; nothing here writes to it.
    let host_before = read_sysctl(KEY).unwrap();
    let host_ns = rtnl::netns::current().unwrap();
    in_netns(|| {
        // The value the host does NOT have, so a leak would show.
        let v = flip(&host_before);
        set_sysctl(KEY, v).unwrap();
        assert_eq!(read_sysctl(KEY).unwrap(), v);
        assert_eq!(proc_sys(PATH), format!("{v}\n"));
        // Meanwhile, seen from a thread in the original namespace: unchanged, both
        // through this crate and through the file.
        let (host_now, host_file) =
            rtnl::netns::with_netns_fd(host_ns, || Ok((read_sysctl(KEY)?, proc_sys(PATH))))
                .unwrap();
        assert_eq!(host_now, host_before);
        assert_eq!(host_file, format!("{host_before}\n"));
        // And a change in a second fresh namespace stays there.
        let other = rtnl::netns::create().unwrap();
        let in_other = rtnl::netns::with_netns_fd(other, || {
            set_sysctl(KEY, flip(v))?;
            read_sysctl(KEY)
        })
        .unwrap();
        assert_eq!(in_other, flip(v));
        assert_eq!(read_sysctl(KEY).unwrap(), v);
    });
    assert_eq!(read_sysctl(KEY).unwrap(), host_before);
}
