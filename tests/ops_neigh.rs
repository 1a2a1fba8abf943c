//! Kernel tests of ARP/NDP neighbours (`src/ops/neigh.rs`, `ip neigh`) and of the
//! bridge FDB with VXLAN flood lists (`src/ops/fdb.rs`, `bridge fdb`), each in a fresh
//! network namespace, checked against `ip -j neigh` and `bridge -j fdb`.
//!
//! qemu-user translates link, address and route messages only: under it (the aarch64
//! and s390x runs) `RTM_NEWNEIGH` fails in the emulator with `EOPNOTSUPP`, which each
//! test proves and says loudly before returning (as `tests/ops_nexthop.rs` does).

mod common;
use common::*;

use rtnl::{
    FdbEntry, FdbFilter, FdbFlush, FdbFlushed, FdbState, Handle, HwAddr, MacAddr, NeighFilter,
    NeighFlags, NeighState, Neighbour, Protocol,
};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn mac(s: &str) -> MacAddr {
    s.parse().unwrap()
}

/// veth `a`/`b`, both up, 10.40.0.1/24 and fd40::1/64 on `a`; returns `a`'s index.
fn setup(a: &str, b: &str) -> u32 {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "add", a, "type", "veth", "peer", "name", b]);
    ip(&["link", "set", a, "up"]);
    ip(&["link", "set", b, "up"]);
    ip(&["addr", "add", "10.40.0.1/24", "dev", a]);
    ip(&["addr", "add", "fd40::1/64", "dev", a, "nodad"]);
    index(a)
}

fn index(name: &str) -> u32 {
    ip_link(name).unwrap()["ifindex"].as_u64().unwrap() as u32
}

/// `bridge ARGS` from this thread; panics with stderr when it fails.
fn bridge(args: &[&str]) -> String {
    let out = Command::new("bridge")
        .args(args)
        .output()
        .expect("run bridge");
    assert!(
        out.status.success(),
        "bridge {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `bridge -j ARGS`, parsed.
fn bridge_json(args: &[&str]) -> Value {
    let mut a = vec!["-j"];
    a.extend_from_slice(args);
    let s = bridge(&a);
    if s.trim().is_empty() {
        return Value::Array(vec![]);
    }
    serde_json::from_str(&s).unwrap()
}

/// Whether neighbour requests reach the kernel. Natively they always do; qemu-user
/// refuses every rtnetlink type it does not translate with `EOPNOTSUPP`: under it,
/// this proves that exact failure, says loudly that the test cannot run there, and
/// returns false.
fn neighbours_reach_the_kernel(h: &mut Handle, oif: u32, test: &str) -> bool {
    let probe = Neighbour::permanent(oif, ipa("10.40.0.250"), mac("02:00:00:00:00:fa"));
    match (h.add(&probe), std::env::var("RTNL_QEMU_USER")) {
        (Ok(()), _) => {
            h.delete(&probe).unwrap();
            true
        }
        (Err(e), Ok(emu)) => {
            assert!(
                matches!(
                    &e,
                    rtnl::Error::Io {
                        op: "RTM_NEWNEIGH",
                        ..
                    }
                ) && e.errno() == Some(libc::EOPNOTSUPP),
                "under {emu}, expected qemu-user's EOPNOTSUPP for RTM_NEWNEIGH, got: {e}"
            );
            loud(&format!(
                "NOT RUN under {emu}: {test} — qemu-user does not translate RTM_NEWNEIGH \
                 (sendmsg fails with EOPNOTSUPP in the emulator, proven just now); the test \
                 runs natively on x86-64 and i686"
            ));
            false
        }
        (Err(e), Err(_)) => panic!("a neighbour on {oif}: {e}"),
    }
}

/// `ip -j neigh show ARGS` as sorted (dst, lladdr, states, router, extern_learn,
/// protocol) tuples.
type IpNeigh = (
    String,
    Option<String>,
    Vec<String>,
    bool,
    bool,
    Option<String>,
);

fn ip_neigh(args: &[&str]) -> Vec<IpNeigh> {
    let mut a = vec!["neigh", "show"];
    a.extend_from_slice(args);
    let mut v: Vec<_> = ip_json(&a)
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["dst"].as_str().unwrap().to_owned(),
                n["lladdr"].as_str().map(str::to_owned),
                n["state"]
                    .as_array()
                    .map(|s| s.iter().map(|x| x.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default(),
                n.get("router").is_some(),
                n.get("extern_learn").is_some(),
                n["protocol"].as_str().map(str::to_owned),
            )
        })
        .collect();
    v.sort();
    v
}

fn st(s: &str) -> Vec<String> {
    vec![s.to_owned()]
}

#[test]
fn neighbours_are_added_replaced_listed_and_deleted() {
    let test = "neighbours_are_added_replaced_listed_and_deleted";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let oif = setup("nb0", "nb1");
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, oif, test) {
            return;
        }
        // The guest agent's ARP entry: one call, one round trip; twice is no change.
        let kata = Neighbour::permanent(oif, ipa("10.40.0.2"), mac("02:00:00:00:00:02"));
        h.replace(&kata).unwrap();
        h.replace(&kata).unwrap();
        h.add(
            &Neighbour::new(oif, ipa("10.40.0.3"))
                .lladdr(mac("02:00:00:00:00:03"))
                .state(NeighState::STALE)
                .router(),
        )
        .unwrap();
        h.add(
            &Neighbour::new(oif, ipa("10.40.0.6"))
                .lladdr(mac("02:00:00:00:00:06"))
                .extern_learn()
                .protocol(Protocol::STATIC),
        )
        .unwrap();
        h.add(
            &Neighbour::new(oif, ipa("fd40::2"))
                .lladdr(mac("02:00:00:00:00:12"))
                .state(NeighState::REACHABLE)
                .router(),
        )
        .unwrap();
        h.add(&Neighbour::proxy(oif, ipa("10.40.0.7"))).unwrap();

        let ll = |s: &str| Some(s.to_owned());
        assert_eq!(
            ip_neigh(&["dev", "nb0"]),
            vec![
                (
                    "10.40.0.2".into(),
                    ll("02:00:00:00:00:02"),
                    st("PERMANENT"),
                    false,
                    false,
                    None
                ),
                (
                    "10.40.0.3".into(),
                    ll("02:00:00:00:00:03"),
                    st("STALE"),
                    true,
                    false,
                    None
                ),
                (
                    "10.40.0.6".into(),
                    ll("02:00:00:00:00:06"),
                    st("PERMANENT"),
                    false,
                    true,
                    Some("static".into())
                ),
                (
                    "fd40::2".into(),
                    ll("02:00:00:00:00:12"),
                    st("REACHABLE"),
                    true,
                    false,
                    None
                ),
            ]
        );
        assert_eq!(ip_neigh(&["proxy"]).len(), 1);

        // rtnl's own dump, filtered by the kernel by device: the same four (and none of
        // the kernel's NOARP multicast entries, left out by the states filter).
        let f = NeighFilter {
            states: Some(NeighState(!NeighState::NOARP.0)),
            ..NeighFilter::dev(oif)
        };
        let mut got: Vec<_> = h
            .neighbours(&f)
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n.dst.unwrap(),
                    n.lladdr.and_then(|a| a.mac()),
                    n.state,
                    n.flags,
                )
            })
            .collect();
        got.sort_by_key(|g| g.0.to_string());
        assert_eq!(
            got,
            vec![
                (
                    ipa("10.40.0.2"),
                    Some(mac("02:00:00:00:00:02")),
                    NeighState::PERMANENT,
                    NeighFlags::EMPTY
                ),
                (
                    ipa("10.40.0.3"),
                    Some(mac("02:00:00:00:00:03")),
                    NeighState::STALE,
                    NeighFlags::ROUTER
                ),
                (
                    ipa("10.40.0.6"),
                    Some(mac("02:00:00:00:00:06")),
                    NeighState::PERMANENT,
                    NeighFlags::EXT_LEARNED
                ),
                (
                    ipa("fd40::2"),
                    Some(mac("02:00:00:00:00:12")),
                    NeighState::REACHABLE,
                    NeighFlags::ROUTER
                ),
            ]
        );
        let proxies = h
            .neighbours(&NeighFilter {
                proxy: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(proxies.len(), 1);
        assert_eq!(proxies[0].dst, Some(ipa("10.40.0.7")));

        // Add again: EEXIST. One lookup without a dump.
        assert!(h.add(&kata).unwrap_err().is_exists());
        let n = h.get_neighbour(oif, ipa("10.40.0.2")).unwrap().unwrap();
        assert_eq!(
            n.lladdr.and_then(|a| a.mac()),
            Some(mac("02:00:00:00:00:02"))
        );
        assert!(h.get_neighbour(oif, ipa("10.40.0.99")).unwrap().is_none());

        // A dumped entry is deleted as it came.
        let stale = h
            .neighbours(&NeighFilter::dev(oif))
            .unwrap()
            .into_iter()
            .find(|n| n.dst == Some(ipa("10.40.0.3")))
            .unwrap();
        h.delete(&stale).unwrap();
        assert!(h.delete(&stale).unwrap_err().is_not_found());

        // The idempotent pair.
        h.ensure_neighbour(&kata).unwrap();
        h.ensure_neighbour(&kata).unwrap();
        assert!(h.remove_neighbour(&kata).unwrap());
        assert!(!h.remove_neighbour(&kata).unwrap());
        h.delete(&Neighbour::proxy(oif, ipa("10.40.0.7"))).unwrap();
        assert!(ip_neigh(&["proxy"]).is_empty());
        assert_eq!(ip_neigh(&["dev", "nb0"]).len(), 2);
    });
}

#[test]
fn link_layer_addresses_are_checked_against_the_device() {
    let test = "link_layer_addresses_are_checked_against_the_device";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let oif = setup("nl0", "nl1");
        ip(&["tuntap", "add", "mode", "tun", "name", "nlt"]);
        let tun = index("nlt");
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, oif, test) {
            return;
        }
        assert_eq!(h.link_address_len(oif).unwrap(), 6);
        assert_eq!(h.link_address_len("nlt").unwrap(), 0);
        assert!(h.link_address_len("nosuchlink").unwrap_err().is_not_found());

        // 8 bytes on Ethernet: refused before anything is sent (the kernel would keep
        // the first 6 without a word), and 4 bytes too (the kernel's "Invalid link
        // address").
        let long = Neighbour::new(oif, ipa("10.40.0.8"))
            .lladdr(HwAddr::new(&[2, 0, 0, 0, 0, 8, 0xaa, 0xbb]).unwrap());
        let e = h.ensure_neighbour(&long).unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        assert!(e.to_string().contains("6-byte"), "{e}");
        let short =
            Neighbour::new(oif, ipa("10.40.0.9")).lladdr(HwAddr::new(&[2, 0, 0, 9]).unwrap());
        assert!(h.ensure_neighbour(&short).unwrap_err().is_invalid_input());
        // A device without link-layer addresses takes none.
        let on_tun = Neighbour::permanent(tun, ipa("10.40.0.10"), mac("02:00:00:00:00:0a"));
        assert!(h.ensure_neighbour(&on_tun).unwrap_err().is_invalid_input());
        assert!(ip_neigh(&["dev", "nl0"]).is_empty());
        // What the check prevents: unchecked, the kernel truncates silently.
        h.replace(&long).unwrap();
        assert_eq!(
            ip_neigh(&["dev", "nl0"])[0].1.as_deref(),
            Some("02:00:00:00:00:08")
        );
        // Shorter: the kernel refuses it itself.
        assert_eq!(h.replace(&short).unwrap_err().errno(), Some(libc::EINVAL));

        // Mistakes the object catches, before any syscall.
        let mut bridge = Neighbour::permanent(oif, ipa("10.40.0.11"), mac("02:00:00:00:00:0b"));
        bridge.family = rtnl::Family::BRIDGE;
        assert!(h.add(&bridge).unwrap_err().is_invalid_input());
        let nodev = Neighbour::permanent(0, ipa("10.40.0.12"), mac("02:00:00:00:00:0c"));
        assert!(h.add(&nodev).unwrap_err().is_invalid_input());
        let empty = Neighbour::new(oif, ipa("10.40.0.13")).lladdr(HwAddr::new(&[]).unwrap());
        assert!(h.add(&empty).unwrap_err().is_invalid_input());
        assert!(h
            .neighbours(&NeighFilter::family(rtnl::Family::BRIDGE))
            .unwrap_err()
            .is_invalid_input());
        assert_eq!(ip_neigh(&["dev", "nl0"]).len(), 1);
    });
}

#[test]
fn dumps_filter_by_master_and_flush_keeps_permanent_entries() {
    let test = "dumps_filter_by_master_and_flush_keeps_permanent_entries";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let outside = setup("nf0", "nf1");
        ip(&["link", "add", "nfbr", "type", "bridge"]);
        ip(&[
            "link", "add", "nfp0", "type", "veth", "peer", "name", "nfp1",
        ]);
        ip(&["link", "set", "nfp0", "master", "nfbr"]);
        for l in ["nfbr", "nfp0", "nfp1"] {
            ip(&["link", "set", l, "up"]);
        }
        let (br, port) = (index("nfbr"), index("nfp0"));
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, outside, test) {
            return;
        }
        let mut b = h.batch(|i, r| r.unwrap_or_else(|e| panic!("request {i}: {e}")));
        for (i, state) in [
            NeighState::PERMANENT,
            NeighState::STALE,
            NeighState::REACHABLE,
        ]
        .into_iter()
        .enumerate()
        {
            let ll = MacAddr([2, 0, 0, 0, 1, i as u8]);
            for (dev, net) in [(outside, 40), (port, 41)] {
                let dst = IpAddr::V4(Ipv4Addr::new(10, net, 0, 20 + i as u8));
                b.add(&Neighbour::new(dev, dst).lladdr(ll).state(state))
                    .unwrap();
            }
        }
        b.finish().unwrap();

        // Master filter: the kernel returns the port's entries only.
        let of_br = h
            .neighbours(&NeighFilter {
                master: Some(br),
                family: rtnl::Family::INET,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(of_br.len(), 3);
        assert!(of_br.iter().all(|n| n.ifindex == port));
        assert_eq!(ip_neigh(&["master", "nfbr"]).len(), 3);

        // ip neigh flush dev nf0: the stale and reachable entries go, not the permanent.
        assert_eq!(h.flush_neighbours(&NeighFilter::dev(outside)).unwrap(), 2);
        let left = ip_neigh(&["dev", "nf0"]);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].2, st("PERMANENT"));
        // Asking for permanent entries flushes them too.
        let perm = NeighFilter {
            states: Some(NeighState::PERMANENT),
            ..NeighFilter::dev(outside)
        };
        assert_eq!(h.flush_neighbours(&perm).unwrap(), 1);
        assert!(ip_neigh(&["dev", "nf0"]).is_empty());
        // The bridge port's entries were not touched.
        assert_eq!(ip_neigh(&["dev", "nfp0"]).len(), 3);
    });
}

// Ten thousand entries in one batch (64 KiB datagrams), one result each: a duplicate
// in the middle is refused on its own, the rest go in.
#[test]
fn ten_thousand_neighbours_in_one_batch() {
    let test = "ten_thousand_neighbours_in_one_batch";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let oif = setup("nt0", "nt1");
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, oif, test) {
            return;
        }
        let n = 10_000u32;
        let entry = |i: u32| {
            let dst = IpAddr::V4(Ipv4Addr::from(0x0a29_0000 + i));
            let [_, _, a, b] = i.to_be_bytes();
            Neighbour::permanent(oif, dst, MacAddr([2, 0, 0, 0x29, a, b]))
        };
        let results = h
            .batch_collect(|b| {
                for i in 0..n {
                    b.add(&entry(i))?;
                    if i == 5000 {
                        b.add(&entry(i))?;
                    }
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), n as usize + 1);
        for (i, r) in results.iter().enumerate() {
            if i == 5001 {
                assert!(r.as_ref().unwrap_err().is_exists());
            } else {
                assert!(r.is_ok(), "{i}: {r:?}");
            }
        }
        assert_eq!(
            ip_json(&["neigh", "show", "dev", "nt0"])
                .as_array()
                .unwrap()
                .len(),
            n as usize
        );
        let all = NeighFilter {
            states: Some(NeighState::PERMANENT),
            ..NeighFilter::dev(oif)
        };
        assert_eq!(h.neighbours(&all).unwrap().len(), n as usize);
        assert_eq!(h.flush_neighbours(&all).unwrap(), n as usize);
        assert!(ip_neigh(&["dev", "nt0"]).is_empty());
    });
}

// ------------------------------------------------------------------ bridge FDB

/// Bridge `fbr` with veth port `fp0` (peer `fp1`) and VXLAN device `fvx` (VNI 42, no
/// learning), all up; returns (bridge, port, vxlan) indexes.
fn fdb_setup() -> (u32, u32, u32) {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "add", "fbr", "type", "bridge"]);
    ip(&["link", "add", "fp0", "type", "veth", "peer", "name", "fp1"]);
    ip(&["link", "set", "fp0", "master", "fbr"]);
    ip(&[
        "link",
        "add",
        "fvx",
        "type",
        "vxlan",
        "id",
        "42",
        "dstport",
        "4789",
        "nolearning",
    ]);
    for l in ["fbr", "fp0", "fp1", "fvx"] {
        ip(&["link", "set", l, "up"]);
    }
    (index("fbr"), index("fp0"), index("fvx"))
}

/// `bridge -j fdb show ARGS` as sorted (mac, dst, state, master?) tuples, the kernel's
/// own multicast entries (33:33:..., 01:00:5e:...) left out.
fn bridge_fdb(args: &[&str]) -> Vec<(String, Option<String>, String, Option<String>)> {
    let mut a = vec!["fdb", "show"];
    a.extend_from_slice(args);
    let mut v: Vec<_> = bridge_json(&a)
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let m = e["mac"].as_str().unwrap();
            !m.starts_with("33:33:") && !m.starts_with("01:00:5e:")
        })
        .map(|e| {
            (
                e["mac"].as_str().unwrap().to_owned(),
                e["dst"].as_str().map(str::to_owned),
                e["state"].as_str().unwrap_or("").to_owned(),
                e["master"].as_str().map(str::to_owned),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn fdb_entries_are_added_listed_and_deleted() {
    let test = "fdb_entries_are_added_listed_and_deleted";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let (br, port, vx) = fdb_setup();
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, port, test) {
            return;
        }
        let stat = FdbEntry::master(port, mac("02:00:00:00:00:01")).state(FdbState::Static);
        let dyna = FdbEntry::master(port, mac("02:00:00:00:00:02")).state(FdbState::Dynamic);
        h.add(&stat).unwrap();
        h.add(&dyna).unwrap();
        let remote = FdbEntry::on_self(vx, mac("02:00:00:00:00:05"))
            .dst(ipa("10.0.0.4"))
            .port(4790)
            .vni(43);
        h.add(&remote).unwrap();
        assert!(h.add(&stat).unwrap_err().is_exists());

        let s = |x: &str| x.to_owned();
        let in_br: Vec<_> = bridge_fdb(&["brport", "fp0"])
            .into_iter()
            .filter(|e| e.0.starts_with("02:00:00"))
            .collect();
        assert_eq!(
            in_br,
            vec![
                (s("02:00:00:00:00:01"), None, s("static"), Some(s("fbr"))),
                (s("02:00:00:00:00:02"), None, s(""), Some(s("fbr"))),
            ]
        );
        let j = bridge_json(&["fdb", "show", "dev", "fvx"]);
        let r = j
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["mac"] == "02:00:00:00:00:05")
            .unwrap();
        assert_eq!(
            (r["dst"].as_str(), r["port"].as_u64(), r["vni"].as_u64()),
            (Some("10.0.0.4"), Some(4790), Some(43))
        );

        // rtnl's dumps: by port (the kernel filters) and by bridge.
        let on_port = h.fdb(&FdbFilter::port(port)).unwrap();
        let mut ours: Vec<_> = on_port
            .iter()
            .filter(|e| e.master == Some(br) && e.mac.unwrap().0[..3] == [2, 0, 0])
            .map(|e| (e.mac.unwrap().0, e.state))
            .collect();
        ours.sort_by_key(|x| x.0);
        assert_eq!(
            ours,
            vec![
                (mac("02:00:00:00:00:01").0, FdbState::Static),
                (mac("02:00:00:00:00:02").0, FdbState::Dynamic)
            ]
        );
        let of_br = h.fdb(&FdbFilter::bridge(br)).unwrap();
        assert!(of_br
            .iter()
            .any(|e| e.mac == Some(mac("02:00:00:00:00:01"))));
        assert!(
            of_br.iter().all(|e| e.ifindex != vx),
            "fvx is not a port of fbr"
        );
        let on_vx = h.fdb(&FdbFilter::port(vx)).unwrap();
        let r = on_vx
            .iter()
            .find(|e| e.mac == Some(mac("02:00:00:00:00:05")))
            .unwrap();
        assert_eq!(
            (r.dst, r.port, r.vni),
            (Some(ipa("10.0.0.4")), Some(4790), Some(43))
        );

        // Deleted as dumped; the idempotent pair.
        let d = on_port
            .iter()
            .find(|e| e.mac == Some(mac("02:00:00:00:00:02")))
            .unwrap();
        h.delete(d).unwrap();
        assert!(h.delete(d).unwrap_err().is_not_found());
        h.ensure_fdb(&stat).unwrap();
        h.ensure_fdb(&stat).unwrap();
        assert!(h.remove_fdb(&stat).unwrap());
        assert!(!h.remove_fdb(&stat).unwrap());
        assert!(h.remove_fdb(r).unwrap());
        assert!(bridge_fdb(&["brport", "fp0"])
            .iter()
            .all(|e| !e.0.starts_with("02:00:00:00:00:0")));
    });
}

// A VXLAN flood list: the all-zero MAC with several remotes (BUM traffic to each),
// built with `append` — the FDB entry a library once turned into an ARP entry.
#[test]
fn vxlan_flood_list_holds_several_remotes() {
    let test = "vxlan_flood_list_holds_several_remotes";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let (_, port, vx) = fdb_setup();
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, port, test) {
            return;
        }
        let remotes = ["192.0.2.2", "192.0.2.3", "192.0.2.4"];
        for r in remotes {
            h.append(&FdbEntry::flood(vx, ipa(r))).unwrap();
        }
        // Appending a remote that is there already changes nothing, and is no error.
        h.ensure_fdb(&FdbEntry::flood(vx, ipa("192.0.2.2")))
            .unwrap();
        let flood = || {
            let mut d: Vec<String> = bridge_fdb(&["dev", "fvx"])
                .into_iter()
                .filter(|e| e.0 == "00:00:00:00:00:00")
                .map(|e| e.1.unwrap())
                .collect();
            d.sort();
            d
        };
        assert_eq!(flood(), ["192.0.2.2", "192.0.2.3", "192.0.2.4"]);
        let ours: Vec<_> = h
            .fdb(&FdbFilter::port(vx))
            .unwrap()
            .into_iter()
            .filter(|e| e.is_multi_remote())
            .collect();
        assert_eq!(ours.len(), 3);
        assert!(ours.iter().all(|e| e.state == FdbState::Permanent));
        // Deleting one remote leaves the others.
        h.delete(&FdbEntry::flood(vx, ipa("192.0.2.3"))).unwrap();
        assert_eq!(flood(), ["192.0.2.2", "192.0.2.4"]);
        // Append to a unicast MAC: the kernel would ignore it silently; refused here.
        let uni = FdbEntry::on_self(vx, mac("02:00:00:00:00:09")).dst(ipa("192.0.2.9"));
        assert!(h.append(&uni).unwrap_err().is_invalid_input());
        assert!(bridge_fdb(&["dev", "fvx"])
            .iter()
            .all(|e| e.0 != "02:00:00:00:00:09"));
        // And the neighbour table is untouched: no ARP entry was made.
        assert!(ip_neigh(&["dev", "fvx"]).is_empty());
    });
}

#[test]
fn fdb_flush_by_port_state_and_device() {
    let test = "fdb_flush_by_port_state_and_device";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let (br, port, vx) = fdb_setup();
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, port, test) {
            return;
        }
        let mut b = h.batch(|i, r| r.unwrap_or_else(|e| panic!("request {i}: {e}")));
        for i in 0..4u8 {
            let state = if i % 2 == 0 {
                FdbState::Static
            } else {
                FdbState::Dynamic
            };
            b.add(&FdbEntry::master(port, MacAddr([2, 0, 0, 0, 3, i])).state(state))
                .unwrap();
        }
        b.append(&FdbEntry::flood(vx, ipa("192.0.2.2"))).unwrap();
        b.append(&FdbEntry::flood(vx, ipa("192.0.2.3"))).unwrap();
        b.finish().unwrap();
        let ours = |args: &[&str]| {
            bridge_fdb(args)
                .into_iter()
                .filter(|e| e.0.starts_with("02:00:00:00:03") || e.1.is_some())
                .count()
        };
        assert_eq!(ours(&["brport", "fp0"]), 4);

        // Dynamic entries of the port: one bulk request on this kernel.
        let dynamic = FdbFlush {
            state: Some(FdbState::Dynamic),
            port: Some(port),
            ..FdbFlush::bridge(br)
        };
        assert_eq!(h.flush_fdb(&dynamic).unwrap(), FdbFlushed::Bulk);
        assert_eq!(ours(&["brport", "fp0"]), 2);
        // Everything of the port in its bridge.
        assert_eq!(
            h.flush_fdb(&FdbFlush::port(port)).unwrap(),
            FdbFlushed::Bulk
        );
        assert_eq!(ours(&["brport", "fp0"]), 0);
        // The VXLAN device's own table (bulk since Linux 6.8).
        h.flush_fdb(&FdbFlush::device(vx)).unwrap();
        assert_eq!(ours(&["dev", "fvx"]), 0);
        // A device without bulk deletes (a veth's own table): EOPNOTSUPP from the
        // kernel, so the entries are dumped and deleted one by one.
        let own = FdbEntry::on_self(port, mac("02:00:00:00:04:01"));
        h.add(&own).unwrap();
        let only_ours = FdbFlush {
            with: NeighFlags::EMPTY,
            ..FdbFlush::device(port)
        };
        match h.flush_fdb(&only_ours).unwrap() {
            FdbFlushed::Each(n) => assert!(n >= 1, "{n}"),
            FdbFlushed::Bulk => panic!("a veth has no bulk FDB delete"),
        }
        assert!(bridge_fdb(&["dev", "fp0"])
            .iter()
            .all(|e| e.0 != "02:00:00:00:04:01"));
        // Bad input, before any syscall.
        let bad = FdbFlush {
            vlan: Some(4095),
            ..FdbFlush::bridge(br)
        };
        assert!(h.flush_fdb(&bad).unwrap_err().is_invalid_input());
        let vlan0 = FdbEntry::master(port, mac("02:00:00:00:00:01")).vlan(0);
        assert!(h.add(&vlan0).unwrap_err().is_invalid_input());
    });
}

// Ten thousand static FDB entries in one batch, one result each; then one bulk flush.
#[test]
fn ten_thousand_fdb_entries_in_one_batch() {
    let test = "ten_thousand_fdb_entries_in_one_batch";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        let (_, port, _) = fdb_setup();
        let mut h = Handle::new().unwrap();
        if !neighbours_reach_the_kernel(&mut h, port, test) {
            return;
        }
        let n = 10_000u32;
        let results = h
            .batch_collect(|b| {
                for i in 0..n {
                    let [_, _, a, c] = i.to_be_bytes();
                    b.add(
                        &FdbEntry::master(port, MacAddr([2, 0, 0, 5, a, c]))
                            .state(FdbState::Static),
                    )?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), n as usize);
        assert!(results.iter().all(|r| r.is_ok()));
        let count = || h_count(&["brport", "fp0"], |m| m.starts_with("02:00:00:05"));
        assert_eq!(count(), n as usize);
        assert_eq!(
            h.flush_fdb(&FdbFlush::port(port)).unwrap(),
            FdbFlushed::Bulk
        );
        assert_eq!(count(), 0);
    });
}

/// How many entries `bridge -j fdb show ARGS` lists whose MAC passes `f`.
fn h_count(args: &[&str], f: impl Fn(&str) -> bool) -> usize {
    let mut a = vec!["fdb", "show"];
    a.extend_from_slice(args);
    bridge_json(&a)
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| f(e["mac"].as_str().unwrap()))
        .count()
}
