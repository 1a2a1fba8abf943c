//! Threads: eight threads, each with its own handle in its own fresh namespace, hammer
//! veth create/delete, address add/delete and route add/delete at the same time; at
//! the end every namespace holds exactly what its thread's model says (checked with
//! `ip -j` run from that thread). And the namespace helpers — `with_netns`,
//! `with_netns_fd`, `Handle::in_netns` — never move the calling thread, not even when
//! the closure panics or the descriptor is not a namespace.
//!
//! Run: `cargo test --test threads -- --nocapture` (root; prints what was done).

mod common;
use common::*;

use rtnl::{Address, Link, Route};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::sync::{Barrier, Mutex, MutexGuard};

/// The two tests take turns, and inside the first, `ip` runs only once every thread
/// has stopped hammering: qemu-user (the aarch64 CI run) can deadlock a child forked
/// while other threads of the process are busy, so no `fork` happens then.
static SERIAL: Mutex<()> = Mutex::new(());
static FORK: Mutex<()> = Mutex::new(());

fn lock(m: &'static Mutex<()>) -> MutexGuard<'static, ()> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

const THREADS: u8 = 8;
const ITERATIONS: u8 = 60;

/// The network namespace of the calling thread, as the kernel names it (`net:[N]`).
fn my_netns() -> PathBuf {
    std::fs::read_link("/proc/thread-self/ns/net").unwrap()
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// What a thread believes its namespace holds.
#[derive(Default, Debug)]
struct Model {
    /// link name -> its IPv4 addresses ("10.t.k.1/24").
    links: BTreeMap<String, BTreeSet<String>>,
    /// our routes ("10.(100+t).k.0/24").
    routes: BTreeSet<String>,
    ops: usize,
}

/// One thread's work, in its own namespace. Also, every iteration, a round trip
/// through `with_netns_fd` into `elsewhere` that must leave this thread where it is.
fn hammer(t: u8, elsewhere: &OwnedFd) -> (Model, PathBuf) {
    let home = my_netns();
    let mut h = rtnl::Handle::new().unwrap();
    let mut m = Model::default();
    for k in 0..ITERATIONS {
        let (a, b) = (format!("a{k}"), format!("b{k}"));
        h.add(&Link::veth(&a, &b).unwrap()).unwrap();
        h.set_link_up(&a).unwrap();
        let idx = h.link_index(&a).unwrap();
        let addr = Address::new(idx, v4(10, t, k, 1), 24);
        h.add(&addr).unwrap();
        // 10.(100+t).k.0/24 dev a (link scope).
        let r = Route::to(v4(10, 100 + t, k, 0), 24).unwrap().dev(idx);
        h.add(&r).unwrap();
        assert!(h.add(&r).unwrap_err().is_exists());
        m.ops += 7;
        match k % 3 {
            0 => {
                h.delete_link(&a).unwrap();
                assert!(h.get_link(&b).unwrap().is_none(), "the peer goes too");
                m.ops += 2;
            }
            1 => {
                h.delete(&r).unwrap();
                h.delete(&addr).unwrap();
                assert!(h.delete(&r).unwrap_err().is_not_found());
                m.links.insert(a, BTreeSet::new());
                m.links.insert(b, BTreeSet::new());
                m.ops += 3;
            }
            _ => {
                m.links.insert(a, [format!("10.{t}.{k}.1/24")].into());
                m.links.insert(b, BTreeSet::new());
                m.routes.insert(format!("10.{}.{k}.0/24", 100 + t));
            }
        }
        // Our own dump sees our own links only.
        let names: BTreeSet<String> = h
            .links()
            .unwrap()
            .into_iter()
            .map(|l| l.name_str())
            .collect();
        let mut want: BTreeSet<String> = m.links.keys().cloned().collect();
        want.insert("lo".into());
        assert_eq!(names, want, "thread {t} after iteration {k}");
        m.ops += 1;
        // A trip elsewhere, and back.
        let fd = elsewhere.try_clone().unwrap();
        let there = rtnl::netns::with_netns_fd(fd, || Ok(my_netns())).unwrap();
        assert_ne!(there, home);
        assert_eq!(my_netns(), home, "with_netns_fd moved thread {t}");
    }
    (m, home)
}

/// The IPv4 addresses of `dev` as `ip -j` shows them ("10.0.1.1/24").
fn ip_v4_addrs(dev: &str) -> BTreeSet<String> {
    ip_addrs(dev)
        .into_iter()
        .filter(|(a, _)| a.parse::<Ipv4Addr>().is_ok())
        .map(|(a, p)| format!("{a}/{p}"))
        .collect()
}

/// Destinations of the main IPv4 table whose second octet is `octet`.
fn ip_routes_with(octet: u8) -> BTreeSet<String> {
    ip_json(&["-4", "route", "show"])
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["dst"].as_str().map(str::to_owned))
        .filter(|d| d.split('.').nth(1) == Some(&octet.to_string()))
        .collect()
}

#[test]
fn eight_threads_eight_namespaces_each_holds_what_its_thread_made() {
    if !can_run_kernel_tests("eight_threads_eight_namespaces_each_holds_what_its_thread_made") {
        return;
    }
    let _serial = lock(&SERIAL);
    let main_ns = my_netns();
    let elsewhere = rtnl::netns::create().unwrap();
    let done_hammering = Barrier::new(THREADS as usize);
    let start = std::time::Instant::now();
    let results: Vec<(u8, usize, PathBuf)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let elsewhere = &elsewhere;
                let done_hammering = &done_hammering;
                s.spawn(move || {
                    in_netns(|| {
                        let (m, home) = hammer(t, elsewhere);
                        done_hammering.wait();
                        let _fork = lock(&FORK);
                        // The kernel's view, from this thread (so this namespace).
                        assert_eq!(my_netns(), home);
                        let mut want: BTreeSet<String> = m.links.keys().cloned().collect();
                        want.insert("lo".into());
                        let have: BTreeSet<String> = ip_link_names().into_iter().collect();
                        assert_eq!(have, want, "links of thread {t}");
                        for (name, addrs) in &m.links {
                            assert_eq!(
                                &ip_v4_addrs(name),
                                addrs,
                                "addresses of {name}, thread {t}"
                            );
                        }
                        assert_eq!(ip_routes_with(100 + t), m.routes, "routes of thread {t}");
                        // The prefix routes of the addresses that stayed, and no others.
                        let prefixes: BTreeSet<String> = m
                            .links
                            .values()
                            .flatten()
                            .map(|a| a.replace(".1/24", ".0/24"))
                            .collect();
                        assert_eq!(ip_routes_with(t), prefixes, "prefix routes, thread {t}");
                        // Nothing of another thread leaked in.
                        for other in (0..THREADS).filter(|&o| o != t) {
                            assert!(ip_routes_with(100 + other).is_empty());
                        }
                        (t, m.ops, home)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let homes: BTreeSet<&PathBuf> = results.iter().map(|(_, _, h)| h).collect();
    assert_eq!(
        homes.len(),
        THREADS as usize,
        "every thread had its own namespace"
    );
    assert!(!homes.contains(&main_ns));
    assert_eq!(my_netns(), main_ns);
    let ops: usize = results.iter().map(|(_, n, _)| n).sum();
    eprintln!(
        "{THREADS} threads x {ITERATIONS} iterations: {ops} netlink operations in {:?}, \
         every namespace as its thread's model says",
        start.elapsed()
    );
}

/// Every way in: none moves the caller, whatever happens inside.
fn namespace_helpers_leave_the_caller_alone(use_ip: bool) {
    let home = my_netns();
    let fresh = rtnl::netns::create().unwrap();
    let fresh_ns =
        rtnl::netns::with_netns_fd(fresh.try_clone().unwrap(), || Ok(my_netns())).unwrap();
    assert_ne!(fresh_ns, home);
    assert_eq!(my_netns(), home, "create() moved the caller");

    // A closure that works, in the namespace it asked for.
    let links =
        rtnl::netns::with_netns_fd(fresh.try_clone().unwrap(), rtnl::list_all_links).unwrap();
    assert_eq!(links.len(), 1, "a fresh namespace has only lo: {links:?}");
    assert_eq!(my_netns(), home);

    // A closure that panics, with a string and with another payload.
    let e = rtnl::netns::with_netns_fd(fresh.try_clone().unwrap(), || -> rtnl::Result<()> {
        panic!("boom in the namespace")
    })
    .unwrap_err();
    assert!(
        matches!(&e, rtnl::Error::Panicked { message, .. } if message == "boom in the namespace"),
        "{e:?}"
    );
    assert_eq!(my_netns(), home, "a panicking closure moved the caller");
    let e = rtnl::netns::with_netns_fd(fresh.try_clone().unwrap(), || -> rtnl::Result<()> {
        std::panic::panic_any(42u32)
    })
    .unwrap_err();
    assert!(matches!(e, rtnl::Error::Panicked { .. }), "{e:?}");
    assert_eq!(my_netns(), home);

    // A descriptor that is not a namespace: setns refuses, the closure never runs.
    let not_ns: OwnedFd = std::fs::File::open("/dev/null").unwrap().into();
    let mut ran = false;
    let e = rtnl::netns::with_netns_fd(not_ns.try_clone().unwrap(), || {
        ran = true;
        Ok(())
    })
    .unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e:?}");
    assert!(!ran);
    assert_eq!(my_netns(), home, "a bad descriptor moved the caller");
    let e = rtnl::Handle::in_netns(not_ns.as_fd()).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e:?}");
    assert_eq!(my_netns(), home);

    // Handle::in_netns: the handle works there; the caller stays here.
    let mut h = rtnl::Handle::in_netns(fresh.as_fd()).unwrap();
    assert_eq!(my_netns(), home, "Handle::in_netns moved the caller");
    h.add(&Link::veth("inx0", "inx1").unwrap()).unwrap();
    assert!(
        !rtnl::link_exists("inx0").unwrap(),
        "created in the caller's namespace"
    );
    let seen = rtnl::netns::with_netns_fd(fresh.try_clone().unwrap(), || {
        Ok(rtnl::link_exists("inx0")? && (!use_ip || ip_link("inx0").is_some()))
    })
    .unwrap();
    assert!(seen, "not created in the target namespace");
    if use_ip {
        assert!(
            ip_link("inx0").is_none(),
            "created in the caller's namespace"
        );
    }

    // with_netns by pid: this process's main thread's namespace.
    let pid_ns = rtnl::with_netns(std::process::id(), || Ok(my_netns())).unwrap();
    assert_eq!(
        pid_ns,
        std::fs::read_link(format!("/proc/{}/ns/net", std::process::id())).unwrap()
    );
    assert_eq!(my_netns(), home, "with_netns moved the caller");
    let e = rtnl::with_netns(0, || Ok(())).unwrap_err();
    assert!(e.is_invalid_input());
    assert_eq!(my_netns(), home);
}

#[test]
fn namespace_helpers_never_move_the_calling_thread() {
    if !can_run_kernel_tests("namespace_helpers_never_move_the_calling_thread") {
        return;
    }
    let _serial = lock(&SERIAL);
    // From the test's own thread (the initial namespace)...
    namespace_helpers_leave_the_caller_alone(true);
    // ...and from a thread in a namespace of its own.
    in_netns(|| namespace_helpers_leave_the_caller_alone(true));
    // ...and from eight threads at once (no `ip` there: no fork among busy threads).
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| in_netns(|| namespace_helpers_leave_the_caller_alone(false)));
        }
    });
}
