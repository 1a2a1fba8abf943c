//! Issue #12 §9: what was found wrong when the decoders were held against independent
//! sources, each proven fixed for real:
//! (a) a link whose name is not UTF-8 does not hide the other links;
//! (b) an `AF_MPLS` route's label is not decoded as an IPv4 address (this host has no
//!     MPLS: a hand-built message);
//! (c) `flush_addresses` removes point-to-point addresses, and a flush the kernel
//!     refuses is an error, never `Ok`;
//! (d) a link is found and deleted by an alternative name of up to 127 bytes.

mod common;
mod reshape_common;
use common::*;
use reshape_common::*;

use rtnl::abi::*;
use rtnl::wire::{Messages, MsgBuilder};
use rtnl::{Decode, Family, Handle, Object, Route, Verb};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

/// (a) `ip link add $'\xff\xfe' type veth peer name ok1`: the kernel accepts any byte
/// but NUL, `/`, `:` and whitespace. Every listing still returns every link, the odd
/// one with its bytes.
#[test]
fn a_link_named_with_bytes_that_are_not_utf8_hides_no_other_link() {
    if !can_run_kernel_tests("a_link_named_with_bytes_that_are_not_utf8_hides_no_other_link") {
        return;
    }
    in_netns(|| {
        let odd: &[u8] = b"\xff\xfe";
        let out = Command::new("ip")
            .args(["link", "add"])
            .arg(OsStr::from_bytes(odd))
            .args(["type", "veth", "peer", "name", "ok1"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ip(&["link", "add", "ok2", "type", "veth", "peer", "name", "ok3"]);
        // (`ip -j` prints the name's bytes as they are, which is not JSON's UTF-8: read
        // `ip -o` as bytes instead, one line per link.)
        let raw = Command::new("ip")
            .args(["-o", "link", "show"])
            .output()
            .unwrap()
            .stdout;
        let ip_count = raw.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
        assert_eq!(ip_count, 5);
        assert!(raw.windows(4).any(|w| w == b": \xff\xfe"));

        let mut h = Handle::new().unwrap();
        let links = h.links().unwrap();
        assert!(links.is_complete(), "{:?}", links.undecodable());
        assert_eq!(links.len(), ip_count);
        let odd_link = links
            .iter()
            .find(|l| l.name.map(|n| n.as_bytes() == odd).unwrap_or(false))
            .expect("the odd link, with its bytes");
        assert_eq!(odd_link.name.unwrap().to_str(), None);
        assert_eq!(odd_link.name_str(), "\\xff\\xfe");
        for n in ["lo", "ok1", "ok2", "ok3"] {
            assert!(links.iter().any(|l| l.name_str() == n), "{n} missing");
        }
        // The same through the streaming view and the seed's free function.
        let mut seen = 0;
        h.for_each_link(&Default::default(), |_| seen += 1).unwrap();
        assert_eq!(seen, ip_count);
        let all = rtnl::list_all_links().unwrap();
        assert_eq!(all.len(), ip_count, "{all:?}");
        assert!(all
            .iter()
            .any(|(i, n)| *i == odd_link.index && n == "\\xff\\xfe"));
        // It can be looked up and deleted by its bytes.
        let got = h.get_link(rtnl::LinkRef::Name(odd)).unwrap().unwrap();
        assert_eq!(got.index, odd_link.index);
        h.delete_link(rtnl::LinkRef::Name(odd)).unwrap();
        assert_eq!(h.links().unwrap().len(), ip_count - 2);
    });
}

/// (b) An MPLS route (`ip -f mpls route add 20 as 21 via inet 10.1.0.2 dev X`): its
/// destination is a label, kept raw, never shown as an IPv4 address; its `RTA_VIA`
/// is an IPv4 gateway; it is emitted back byte for byte.
#[test]
fn an_mpls_label_is_not_decoded_as_an_ipv4_address() {
    let label = |l: u32, bos: bool| ((l << 12) | (u32::from(bos) << 8)).to_be_bytes();
    let mut buf = [0u8; 128];
    let mut b = MsgBuilder::new(&mut buf, RTM_NEWROUTE, 0).unwrap();
    b.header(&RtMsg {
        rtm_family: AF_MPLS,
        rtm_dst_len: 20,
        rtm_table: RT_TABLE_MAIN,
        rtm_protocol: RTPROT_BOOT,
        rtm_type: RTN_UNICAST,
        ..Default::default()
    })
    .unwrap();
    b.attr_bytes(RTA_DST, &label(20, true)).unwrap();
    b.attr_bytes(RTA_NEWDST, &label(21, true)).unwrap();
    let mut via = [0u8; 6];
    via[..2].copy_from_slice(&(AF_INET as u16).to_ne_bytes());
    via[2..].copy_from_slice(&[10, 1, 0, 2]);
    b.attr_bytes(RTA_VIA, &via).unwrap();
    b.attr_u32(RTA_OIF, 3).unwrap();
    let n = b.finish().unwrap();
    let m = Messages::new(&buf[..n]).next().unwrap().unwrap();

    let v = rtnl::wire::route::RouteMsg::decode(&m).unwrap();
    assert_eq!(v.dst, None, "a label is not an IP address");
    let r = Route::decode(&m).unwrap();
    assert_eq!(r.family, Family(AF_MPLS));
    assert_eq!((r.dst, r.dst_len), (None, 20));
    assert_eq!(r.other.get(RTA_DST).unwrap().value, label(20, true));
    assert_eq!(r.other.get(RTA_NEWDST).unwrap().value, label(21, true));
    assert_eq!(r.gateway, Some("10.1.0.2".parse().unwrap()));
    assert_eq!(r.oif, Some(3));
    // Emitted back, then decoded again: the same route, the label's bytes unchanged.
    let mut out = [0u8; 128];
    let n2 = r.emit(Verb::Add, &mut out).unwrap();
    let m2 = Messages::new(&out[..n2]).next().unwrap().unwrap();
    let r2 = Route::decode(&m2).unwrap();
    assert_eq!(r2, r);
    assert_eq!(r2.other.get(RTA_DST).unwrap().value, label(20, true));
}

/// Runs `f` on a new thread of this namespace whose effective capabilities lack
/// `CAP_NET_ADMIN` (capabilities are per thread; the permitted set is left alone).
fn without_net_admin<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    const CAP_NET_ADMIN: u32 = 12;
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut h = Header {
                version: VERSION_3,
                pid: 0,
            };
            let mut d = [Data::default(); 2];
            // SAFETY: capget with a v3 header and room for two data structs.
            let r = unsafe { libc::syscall(libc::SYS_capget, &mut h, d.as_mut_ptr()) };
            assert_eq!(r, 0, "capget: {}", std::io::Error::last_os_error());
            d[0].effective &= !(1 << CAP_NET_ADMIN);
            // SAFETY: capset on this thread (pid 0) with the structs capget filled.
            let r = unsafe { libc::syscall(libc::SYS_capset, &mut h, d.as_ptr()) };
            assert_eq!(r, 0, "capset: {}", std::io::Error::last_os_error());
            f()
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// (c) `ip addr flush dev X` with a point-to-point address among the others: all go.
/// And a flush the kernel refuses (here: run without `CAP_NET_ADMIN`, so each
/// `RTM_DELADDR` is refused with `EPERM` while the dump is allowed) is that refusal,
/// not `Ok`, and nothing is removed.
#[test]
fn flush_removes_point_to_point_addresses_and_a_refused_flush_is_an_error() {
    if !can_run_kernel_tests(
        "flush_removes_point_to_point_addresses_and_a_refused_flush_is_an_error",
    ) {
        return;
    }
    in_netns(|| {
        quiet_ipv6();
        let fill = || {
            ip_batch(
                "addr add 10.80.0.1 peer 10.80.0.2/32 dev fl0
addr add 10.81.0.1/24 dev fl0
addr add 10.81.0.2/24 dev fl0
addr add fd80::1 peer fd80::2/128 dev fl0 nodad
addr add fd81::1/64 dev fl0 nodad
",
            )
        };
        ip_batch("link add fl0 type veth peer name fl1\nlink set fl0 up\n");
        fill();
        assert_eq!(ip_addrs("fl0").len(), 5);

        // Refused: an error, and every address is still there.
        let (r, free) = without_net_admin(|| {
            let mut h = Handle::new().unwrap();
            let r = h.flush_addresses("fl0");
            (r, rtnl::flush_addresses_on_link_by_name("fl0"))
        });
        let e = r.expect_err("a refused flush is not Ok");
        assert_eq!(e.errno(), Some(libc::EPERM), "{e}");
        assert!(
            matches!(
                e,
                rtnl::Error::Kernel {
                    op: "RTM_DELADDR",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = free.expect_err("the free function too");
        assert_eq!(e.errno(), Some(libc::EPERM), "{e}");
        assert_eq!(ip_addrs("fl0").len(), 5);

        // Allowed: everything goes, the point-to-point ones too. (The secondary
        // 10.81.0.2 goes with its primary: one fewer delete, not an error.)
        let mut h = Handle::new().unwrap();
        let n = h.flush_addresses("fl0").unwrap();
        assert!((4..=5).contains(&n), "{n}");
        assert_eq!(ip_addrs("fl0"), vec![]);
        assert!(h.addresses_of("fl0").unwrap().is_empty());

        // The seed's free function does the same.
        fill();
        rtnl::flush_addresses_on_link_by_name("fl0").unwrap();
        assert_eq!(ip_addrs("fl0"), vec![]);
    });
}

/// (d) `ip link property add dev X altname NAME` with names of 16 and 127 bytes (the
/// most `ALTIFNAMSIZ` allows): found by every lookup, deleted by `delete_link`.
#[test]
fn a_link_is_found_and_deleted_by_an_alternative_name_of_up_to_127_bytes() {
    if !can_run_kernel_tests(
        "a_link_is_found_and_deleted_by_an_alternative_name_of_up_to_127_bytes",
    ) {
        return;
    }
    in_netns(|| {
        let long: String = "alt-".repeat(32)[..127].to_owned();
        let sixteen = "sixteen-bytes-ab";
        assert_eq!((long.len(), sixteen.len()), (127, 16));
        ip(&["link", "add", "an0", "type", "veth", "peer", "name", "an1"]);
        ip(&["link", "property", "add", "dev", "an0", "altname", &long]);
        ip(&["link", "property", "add", "dev", "an1", "altname", sixteen]);
        let mut h = Handle::new().unwrap();
        let an0 = h.link_index("an0").unwrap();
        let an1 = h.link_index("an1").unwrap();

        for (alt, idx) in [(long.as_str(), an0), (sixteen, an1)] {
            let l = h
                .get_link(alt)
                .unwrap()
                .expect("found by its alternative name");
            assert_eq!(l.index, idx);
            assert!(l.alt_names.iter().any(|a| a == alt), "{:?}", l.alt_names);
            assert_eq!(h.link_index(alt).unwrap(), idx);
            assert!(rtnl::link_exists(alt).unwrap());
            // A change through it, too.
            h.set_link_up(alt).unwrap();
        }
        assert!(ip_link("an0").unwrap()["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "UP"));
        // ip agrees on the names.
        let j = ip_link("an0").unwrap();
        assert_eq!(j["altnames"][0], long.as_str());

        // One byte more is refused before any syscall; an absent one is not found.
        let too_long = "x".repeat(128);
        assert!(h
            .get_link(too_long.as_str())
            .unwrap_err()
            .is_invalid_input());
        assert!(!rtnl::link_exists(&"y".repeat(127)).unwrap());
        assert!(h
            .link_index("y".repeat(127).as_str())
            .unwrap_err()
            .is_not_found());

        h.delete_link(long.as_str()).unwrap();
        assert!(ip_link("an0").is_none() && ip_link("an1").is_none());
        assert!(h.get_link(long.as_str()).unwrap().is_none());
        assert!(!rtnl::link_exists(&long).unwrap());
        assert!(h.delete_link(long.as_str()).unwrap_err().is_not_found());
    });
}
