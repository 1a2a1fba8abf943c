//! Issue #12 §1/§6: the `ioctl` fallback of [`Handle`]. Under a seccomp filter that
//! refuses `socket(AF_NETLINK)` (as a sandbox would), `Handle::new()` still gives a
//! handle, without netlink, whose `set_link_up/down/mtu/address` work through ioctls
//! (by name and by index; checked with `ip -j` from an unfiltered thread); every
//! other operation, and the same four with the fallback turned off
//! (`set_ioctl_fallback(false)`), give the typed netlink error; and
//! `Handle::netlink_only()` gives that error at once.

mod common;
use common::*;

use rtnl::{Error, Handle, MacAddr};

fn flags_of(name: &str) -> Vec<String> {
    ip_link(name).unwrap()["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

fn unavailable(e: &Error, op: &str) {
    assert!(
        matches!(e, Error::NetlinkUnavailable { op: o, .. } if *o == op),
        "{e:?}"
    );
    assert!(e.is_netlink_unavailable());
    assert_eq!(e.errno(), Some(libc::EAFNOSUPPORT), "{e}");
}

#[test]
fn handle_falls_back_to_ioctls_without_netlink_and_can_opt_out() {
    let name = "handle_falls_back_to_ioctls_without_netlink_and_can_opt_out";
    if !can_run_kernel_tests(name) {
        return;
    }
    in_netns(|| {
        ip(&["link", "add", "hi0", "type", "veth", "peer", "name", "hi1"]);
        let hi1 = ip_link("hi1").unwrap()["ifindex"].as_u64().unwrap() as u32;
        let mac: MacAddr = "02:12:34:56:78:9a".parse().unwrap();
        let mac1: MacAddr = "02:12:34:56:78:9b".parse().unwrap();

        // Phase 1, filtered: the fallback sets everything.
        let r = common::seccomp::without_netlink(|| {
            let e = Handle::netlink_only().expect_err("netlink refused by the filter");
            unavailable(&e, "socket(AF_NETLINK)");

            let mut h = Handle::new().expect("a handle without netlink");
            assert!(!h.has_netlink());
            h.set_link_up("hi0").unwrap();
            h.set_link_mtu("hi0", 1400).unwrap();
            h.set_link_address("hi0", mac).unwrap();
            // By index: the ioctl socket finds the name (SIOCGIFNAME).
            h.set_link_mtu(hi1, 1450).unwrap();
            h.set_link_address(hi1, mac1).unwrap();
            h.set_link_up(hi1).unwrap();
            // Errors are as the netlink path gives them.
            assert!(h.set_link_up("hi-absent").unwrap_err().is_not_found());
            assert!(h
                .set_link_address("hi0", MacAddr([0; 6]))
                .unwrap_err()
                .is_invalid_input());
            // Operations without a fallback: the typed error, naming the request.
            unavailable(&h.links().unwrap_err(), "RTM_GETLINK");
            unavailable(&h.get_link("hi0").unwrap_err(), "RTM_GETLINK");
            unavailable(&h.routes(&Default::default()).unwrap_err(), "RTM_GETROUTE");
        });
        if r.is_none() {
            loud(&format!(
                "NOT RUN under {}: {name} — qemu-user refuses PR_SET_SECCOMP (EINVAL), so \
                 netlink cannot be denied there; the test runs natively on x86-64 and i686",
                std::env::var("RTNL_QEMU_USER").unwrap_or_default()
            ));
            return;
        }
        let l0 = ip_link("hi0").unwrap();
        assert!(flags_of("hi0").iter().any(|f| f == "UP"), "{l0}");
        assert_eq!(l0["mtu"], 1400);
        assert_eq!(l0["address"], mac.to_string());
        let l1 = ip_link("hi1").unwrap();
        assert!(flags_of("hi1").iter().any(|f| f == "UP"), "{l1}");
        assert_eq!(l1["mtu"], 1450);
        assert_eq!(l1["address"], mac1.to_string());

        // Phase 2, filtered: down works too; with the fallback off, the netlink error.
        common::seccomp::without_netlink(|| {
            let mut h = Handle::new().unwrap();
            h.set_link_down("hi0").unwrap();
            h.set_ioctl_fallback(false);
            unavailable(&h.set_link_up("hi0").unwrap_err(), "RTM_NEWLINK");
            unavailable(&h.set_link_down(hi1).unwrap_err(), "RTM_NEWLINK");
            unavailable(&h.set_link_mtu("hi0", 1300).unwrap_err(), "RTM_NEWLINK");
            unavailable(&h.set_link_address("hi0", mac1).unwrap_err(), "RTM_NEWLINK");
            // Back on: it works again.
            h.set_ioctl_fallback(true);
            h.set_link_mtu("hi0", 1380).unwrap();
        })
        .unwrap();
        let l0 = ip_link("hi0").unwrap();
        assert!(!flags_of("hi0").iter().any(|f| f == "UP"), "{l0}");
        assert_eq!(l0["mtu"], 1380, "the opt-out changed nothing: {l0}");
        assert_eq!(l0["address"], mac.to_string());
        assert!(flags_of("hi1").iter().any(|f| f == "UP"));

        // Unfiltered, the same handle calls go through netlink.
        let mut h = Handle::new().unwrap();
        assert!(h.has_netlink());
        h.set_ioctl_fallback(false);
        h.set_link_up("hi0").unwrap();
        assert!(flags_of("hi0").iter().any(|f| f == "UP"));
    });
}
