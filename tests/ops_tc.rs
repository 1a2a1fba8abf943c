//! Kernel tests of the VM host wiring (`Handle::redirect_tap`: the tc-redirect-tap /
//! kata `tcfilter` model) and of tc qdiscs and filters read back, each in a fresh
//! network namespace, checked with `tc -j`, and with real frames: one written into
//! the tap comes out of the NIC, one arriving on the NIC comes out of the tap.
//!
//! Under qemu-user (the aarch64 and s390x runs) tc messages never reach the kernel:
//! the emulator refuses the message types it does not translate with EOPNOTSUPP. The
//! tests prove that refusal there and say loudly that they did not run.

mod common;
use common::*;

use rtnl::tun::TunTap;
use rtnl::{Filter, Handle, Hook, Link, Qdisc, QdiscKind, TunMode, Verb};
use serde_json::Value;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};

fn tc_json(args: &[&str]) -> Value {
    let out = std::process::Command::new("tc")
        .arg("-j")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "tc {args:?}: {:?}", out);
    let s = String::from_utf8(out.stdout).unwrap();
    if s.trim().is_empty() {
        return Value::Array(vec![]);
    }
    serde_json::from_str(&s).unwrap()
}

/// The `mirred` targets `tc -j filter show dev DEV PARENT` lists.
fn tc_targets(dev: &str, parent: &[&str]) -> Vec<String> {
    let mut args = vec!["filter", "show", "dev", dev];
    args.extend_from_slice(parent);
    tc_json(&args)
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["options"]["actions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|a| {
            assert_eq!(a["kind"], "mirred");
            assert_eq!(a["mirred_action"], "redirect");
            assert_eq!(a["direction"], "egress");
            a["to_dev"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn tc_reaches_kernel(h: &mut Handle, ifindex: u32, test: &str) -> bool {
    let r = h.add(&Qdisc::ingress(ifindex));
    match (r, std::env::var("RTNL_QEMU_USER")) {
        (Ok(()), _) => {
            h.delete(&Qdisc::ingress(ifindex)).unwrap();
            true
        }
        (Err(e), Ok(emu)) => {
            assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "under {emu}: {e}");
            loud(&format!(
                "NOT RUN under {emu}: {test} — qemu-user does not translate RTM_NEWQDISC \
                 (EOPNOTSUPP from the emulator, proven just now); the test runs natively on \
                 x86-64 and i686"
            ));
            false
        }
        (Err(e), Err(_)) => panic!("tc qdisc add ingress: {e}"),
    }
}

/// An Ethernet frame of the local experimental type 0x88b5, marked with `tag`.
fn frame(tag: u8) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, tag]);
    f.extend_from_slice(&[0x88, 0xb5]);
    f.extend(std::iter::repeat(tag).take(46));
    f
}

/// A raw `AF_PACKET` socket bound to `ifindex`.
fn packet_socket(ifindex: u32) -> OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket(2); checked below.
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            (0x88b5u16).to_be() as i32,
        )
    };
    assert!(fd >= 0, "{}", std::io::Error::last_os_error());
    // SAFETY: a fresh descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: sockaddr_ll is plain data.
    let mut sa: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sa.sll_family = libc::AF_PACKET as u16;
    sa.sll_protocol = (0x88b5u16).to_be();
    sa.sll_ifindex = ifindex as i32;
    // SAFETY: `sa` is a valid sockaddr_ll of the size given.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            &sa as *const libc::sockaddr_ll as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    assert_eq!(r, 0, "{}", std::io::Error::last_os_error());
    fd
}

/// Waits (poll, 5 s at most) for `fd` to be readable.
fn readable(fd: &OwnedFd) -> bool {
    let mut p = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut p, 1, 5000) == 1 }
}

/// Reads frames from `fd` until one of type 0x88b5 (the kernel may send others out of
/// a link it brings up); `None` when none comes within the poll's time.
fn next_ours(fd: OwnedFd) -> (OwnedFd, Option<Vec<u8>>) {
    let mut f = std::fs::File::from(fd);
    let mut buf = [0u8; 2048];
    for _ in 0..64 {
        let fd: OwnedFd = f.try_clone().unwrap().into();
        if !readable(&fd) {
            return (f.into(), None);
        }
        let n = f.read(&mut buf).unwrap();
        if n >= 14 && buf[12..14] == [0x88, 0xb5] {
            return (f.into(), Some(buf[..n].to_vec()));
        }
    }
    (f.into(), None)
}

fn setup(h: &mut Handle, tap: &str, nic: &str, peer: &str) -> (rtnl::tun::TunDevice, u32, u32) {
    let dev = TunTap::new(tap, TunMode::Tap).unwrap().create().unwrap();
    h.add(&Link::veth(nic, peer).unwrap()).unwrap();
    for n in [tap, nic, peer] {
        h.set_link_up(n).unwrap();
    }
    let t = h.link_index(tap).unwrap();
    let n = h.link_index(nic).unwrap();
    (dev, t, n)
}

fn redirect_moves_frames_both_ways(hook: Hook, test: &str) {
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let (tap, nic, peer) = match hook {
            Hook::Ingress => ("rt-tap0", "rt-nic0", "rt-peer0"),
            Hook::Clsact => ("rc-tap0", "rc-nic0", "rc-peer0"),
        };
        let (dev, t, n) = setup(&mut h, tap, nic, peer);
        if !tc_reaches_kernel(&mut h, t, test) {
            return;
        }
        h.redirect_tap(t, n, hook).unwrap();
        // Idempotent: again, still one filter each way.
        h.redirect_tap(t, n, hook).unwrap();
        let parent: &[&str] = match hook {
            Hook::Ingress => &["parent", "ffff:"],
            Hook::Clsact => &["ingress"],
        };
        assert_eq!(tc_targets(tap, parent), [nic]);
        assert_eq!(tc_targets(nic, parent), [tap]);
        let kind = match hook {
            Hook::Ingress => "ingress",
            Hook::Clsact => "clsact",
        };
        let qs = tc_json(&["qdisc", "show", "dev", tap]);
        assert!(
            qs.as_array().unwrap().iter().any(|q| q["kind"] == kind),
            "{qs}"
        );
        // Read back through rtnl.
        assert_eq!(h.tap_redirect_targets(t, hook).unwrap(), [n]);
        assert_eq!(h.tap_redirect_targets(n, hook).unwrap(), [t]);
        let want = match hook {
            Hook::Ingress => QdiscKind::Ingress,
            Hook::Clsact => QdiscKind::Clsact,
        };
        assert!(h.qdiscs(t).unwrap().iter().any(|q| q.kind == want));
        let filters = h.filters(t, hook.parent()).unwrap();
        let f = filters
            .iter()
            .find(|f| f.mirred().next().is_some())
            .unwrap();
        assert_eq!((f.priority, f.handle, f.protocol), (1, 0x8000_0800, 3));

        // A frame written into the tap leaves through the NIC (counted there as sent,
        // before write() returns: the tap's ingress runs in the writer's context).
        let tx0 = h
            .get_link_stats(n)
            .unwrap()
            .unwrap()
            .stats
            .unwrap()
            .tx_packets;
        let mut q = std::fs::File::from(dev.queues.into_iter().next().unwrap());
        q.write_all(&frame(1)).unwrap();
        let tx1 = h
            .get_link_stats(n)
            .unwrap()
            .unwrap()
            .stats
            .unwrap()
            .tx_packets;
        assert_eq!(tx1, tx0 + 1, "the frame did not leave through {nic}");
        // A frame arriving on the NIC (sent from its peer) comes out of the tap.
        let p = packet_socket(h.link_index(peer).unwrap());
        let mut pf = std::fs::File::from(p);
        pf.write_all(&frame(2)).unwrap();
        let (_q, got) = next_ours(q.into());
        assert_eq!(
            got.as_deref(),
            Some(&frame(2)[..]),
            "nothing came out of {tap}"
        );

        // Removed cleanly, and again (already gone is fine).
        h.remove_tap_redirect(t, n, hook).unwrap();
        h.remove_tap_redirect(t, n, hook).unwrap();
        for d in [tap, nic] {
            assert!(tc_json(&["filter", "show", "dev", d, "ingress"])
                .as_array()
                .unwrap()
                .is_empty());
            let qs = tc_json(&["qdisc", "show", "dev", d]);
            assert!(
                !qs.as_array().unwrap().iter().any(|q| q["kind"] == kind),
                "{qs}"
            );
        }
        assert!(h.tap_redirect_targets(t, hook).unwrap().is_empty());
        let e = h.redirect_tap(t, t, hook).unwrap_err();
        assert!(e.is_invalid_input());
    });
}

#[test]
fn a_tap_and_a_nic_are_joined_through_ingress_and_parted() {
    if !can_run_kernel_tests("a_tap_and_a_nic_are_joined_through_ingress_and_parted") {
        return;
    }
    redirect_moves_frames_both_ways(
        Hook::Ingress,
        "a_tap_and_a_nic_are_joined_through_ingress_and_parted",
    );
}

#[test]
fn a_tap_and_a_nic_are_joined_through_clsact_and_parted() {
    if !can_run_kernel_tests("a_tap_and_a_nic_are_joined_through_clsact_and_parted") {
        return;
    }
    redirect_moves_frames_both_ways(
        Hook::Clsact,
        "a_tap_and_a_nic_are_joined_through_clsact_and_parted",
    );
}

#[test]
fn filters_are_added_replaced_and_deleted_by_the_generic_verbs() {
    if !can_run_kernel_tests("filters_are_added_replaced_and_deleted_by_the_generic_verbs") {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        let (_dev, t, n) = setup(&mut h, "fv-tap0", "fv-nic0", "fv-peer0");
        if !tc_reaches_kernel(
            &mut h,
            t,
            "filters_are_added_replaced_and_deleted_by_the_generic_verbs",
        ) {
            return;
        }
        h.add(&Qdisc::ingress(n)).unwrap();
        assert!(h.add(&Qdisc::ingress(n)).unwrap_err().is_exists());
        h.replace(&Qdisc::ingress(n)).unwrap();
        let f = Filter::redirect(n, 0xffff_0000, t);
        h.add(&f).unwrap();
        assert!(h.add(&f).unwrap_err().is_exists());
        h.replace(&f).unwrap();
        assert_eq!(tc_targets("fv-nic0", &["parent", "ffff:"]), ["fv-tap0"]);
        // A filter read back and sent back as it came, deleted.
        let back = h
            .filters(n, 0xffff_0000)
            .unwrap()
            .into_iter()
            .find(|f| f.handle == 0x8000_0800)
            .unwrap();
        h.delete(&back).unwrap();
        assert!(tc_targets("fv-nic0", &["parent", "ffff:"]).is_empty());
        assert!(h.delete(&f).is_err());
        // Without the qdisc, a filter has nowhere to go.
        h.delete(&Qdisc::ingress(n)).unwrap();
        // Gone: "Invalid handle" (EINVAL) once the link has had one, not ENOENT.
        let e = h.delete(&Qdisc::ingress(n)).unwrap_err();
        assert!(
            matches!(e.errno(), Some(libc::EINVAL | libc::ENOENT)),
            "{e}"
        );
        assert!(h.add(&f).is_err());
        // Mistakes never reach the kernel.
        assert!(Filter::redirect(n, 0xffff_0000, 0)
            .check(Verb::Add)
            .is_err());
        use rtnl::Object;
        let _ = Filter::redirect(n, 0, t).check(Verb::Add).unwrap_err();
    });
}

/// `matchall` + `mirred`: where the kernel has the classifier (the qemu kinds boot
/// checks that too), it is created and read back whole, and `tc` agrees; where it has
/// not (this CI host's), the kernel's refusal arrives as such — `ENOENT`, "TC
/// classifier not found" — and nothing is left behind.
#[test]
fn a_matchall_redirect_is_made_or_refused_by_the_kernel_in_its_words() {
    let test = "a_matchall_redirect_is_made_or_refused_by_the_kernel_in_its_words";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        h.add(&Link::veth("ma0", "ma1").unwrap()).unwrap();
        let (a, b) = (h.link_index("ma0").unwrap(), h.link_index("ma1").unwrap());
        if !tc_reaches_kernel(&mut h, a, test) {
            return;
        }
        h.add(&Qdisc::ingress(a)).unwrap();
        let f = Filter::matchall(
            a,
            0xffff_0000,
            rtnl::Matchall::new(vec![rtnl::Action::from(rtnl::Mirred::redirect(b))]),
        );
        match h.add(&f) {
            Ok(()) => {
                loud(&format!(
                    "{test}: this kernel has matchall: made and read back"
                ));
                // The dump lists the classifier's head (no handle) and the filter.
                let back = h.filters(a, 0xffff_0000).unwrap().into_vec();
                assert!(back.iter().all(|f| f.kind.name() == "matchall"), "{back:?}");
                let made: Vec<_> = back.iter().filter(|f| f.handle != 0).collect();
                assert_eq!(made.len(), 1, "{back:?}");
                assert_eq!(made[0].mirred().map(|m| m.ifindex).collect::<Vec<_>>(), [b]);
                assert_eq!(tc_targets("ma0", &["parent", "ffff:"]), ["ma1"]);
                h.delete(made[0]).unwrap();
            }
            Err(e) => {
                assert_eq!(e.errno(), Some(libc::ENOENT), "{e}");
                assert!(
                    e.to_string().contains("TC classifier not found"),
                    "the kernel's words: {e}"
                );
                loud(&format!(
                    "{test}: this kernel has no matchall classifier; refused: {e}"
                ));
            }
        }
        assert!(h.filters(a, 0xffff_0000).unwrap().into_vec().is_empty());
        assert_eq!(
            tc_json(&["filter", "show", "dev", "ma0", "parent", "ffff:"]),
            Value::Array(vec![])
        );
    });
}
