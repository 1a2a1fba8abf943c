//! The one-shot free functions keep one socket per thread (`src/ops/oneshot.rs`). These
//! tests hold them to what that promises: one socket reused call after call; a
//! thread that changes namespace (`unshare`, `setns`) is served in its new namespace
//! at once; a forked child never uses its parent's socket; `release_thread_socket`
//! closes it. Sockets are counted in `/proc/thread-self/net/netlink`, which lists
//! the netlink sockets of the thread's own namespace only — each test has a fresh one.

mod common;
use common::*;

use std::os::fd::AsRawFd;

/// Inodes of the user-space `NETLINK_ROUTE` sockets of this thread's namespace (port
/// id not 0: the kernel's own socket has 0).
fn route_sockets() -> Vec<u64> {
    let t = std::fs::read_to_string("/proc/thread-self/net/netlink").unwrap();
    let mut v = Vec::new();
    for line in t.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        assert_eq!(f.len(), 10, "unexpected /proc/net/netlink line: {line}");
        if f[1] == "0" && f[2] != "0" {
            v.push(f[9].parse().unwrap());
        }
    }
    v
}

/// Inodes of the sockets among this process's descriptors.
fn my_socket_inodes() -> Vec<u64> {
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if let Ok(t) = std::fs::read_link(e.path()) {
            let t = t.to_string_lossy().into_owned();
            if let Some(n) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
                v.push(n.parse().unwrap());
            }
        }
    }
    v
}

#[test]
fn one_socket_serves_every_call_of_a_thread() {
    if !can_run_kernel_tests("one_socket_serves_every_call_of_a_thread") {
        return;
    }
    in_netns(|| {
        assert!(
            route_sockets().is_empty(),
            "a fresh namespace has no socket"
        );
        rtnl::create_veth_pair("os0", "os1").unwrap();
        let first = route_sockets();
        assert_eq!(first.len(), 1, "one socket kept after the first call");
        for i in 0..200 {
            match i % 4 {
                0 => rtnl::set_link_up_by_name("os0").unwrap(),
                1 => assert!(rtnl::link_exists("os1").unwrap()),
                // A kernel refusal keeps the socket: the kernel answered.
                2 => assert!(rtnl::set_link_up_by_name("osmissing")
                    .unwrap_err()
                    .is_not_found()),
                _ => rtnl::set_link_mtu_by_name("os1", 1400 + i).unwrap(),
            }
            assert_eq!(route_sockets(), first, "call {i} used the same socket");
        }
        let l = ip_link("os1").unwrap();
        assert_eq!(l["mtu"], 1400 + 199);
        assert!(ip_link("os0").unwrap()["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "UP"));

        rtnl::release_thread_socket();
        // Released: the descriptor is closed. (The namespace-wide list is no proof
        // either way: a child forked meanwhile by a test on another thread holds a
        // copy of every descriptor of the process until it exits.)
        let mine = my_socket_inodes();
        assert!(
            first.iter().all(|s| !mine.contains(s)),
            "released: the thread's socket is no longer among our descriptors"
        );
        assert!(rtnl::link_exists("os0").unwrap());
        let second = route_sockets();
        assert_eq!(second.len(), 1);
        assert_ne!(second, first, "a new socket after the release");
    });
}

#[test]
fn a_thread_that_changes_namespace_is_served_in_its_new_one() {
    if !can_run_kernel_tests("a_thread_that_changes_namespace_is_served_in_its_new_one") {
        return;
    }
    in_netns(|| {
        let ns_a = rtnl::netns::current().unwrap();
        rtnl::create_bridge("nsA").unwrap();
        assert!(rtnl::link_exists("nsA").unwrap());

        // unshare behind the library's back: the cached socket is in A.
        // SAFETY: affects only this thread (a test thread of its own).
        assert_eq!(unsafe { libc::unshare(libc::CLONE_NEWNET) }, 0);
        assert!(
            !rtnl::link_exists("nsA").unwrap(),
            "after unshare, the free functions must look in the new namespace"
        );
        rtnl::create_bridge("nsB").unwrap();
        rtnl::set_link_up_by_name("nsB").unwrap();
        assert!(ip_link("nsB").is_some(), "nsB made in the new namespace");
        assert!(ip_link("nsA").is_none());
        assert_eq!(route_sockets().len(), 1, "one socket in B");

        // setns back to A: served in A again, B untouched.
        // SAFETY: a live namespace descriptor; affects only this thread.
        assert_eq!(
            unsafe { libc::setns(ns_a.as_raw_fd(), libc::CLONE_NEWNET) },
            0
        );
        assert!(rtnl::link_exists("nsA").unwrap());
        assert!(!rtnl::link_exists("nsB").unwrap());
        rtnl::delete_bridge("nsA").unwrap();
        assert!(ip_link("nsA").is_none(), "deleted in A");
        // One socket in A: the one made in A before the unshare was closed, not kept
        // (once every copy is closed: a child another test forks holds one until it
        // execs).
        eventually("one socket in A's list", || route_sockets().len() == 1);
    });
}

#[test]
fn a_forked_child_never_uses_its_parents_socket() {
    if !can_run_kernel_tests("a_forked_child_never_uses_its_parents_socket") {
        return;
    }
    in_netns(|| {
        rtnl::create_bridge("fk0").unwrap();
        let parent = route_sockets();
        assert_eq!(parent.len(), 1);
        // SAFETY: the child only allocates (glibc's and musl's malloc are fork-safe),
        // reads /proc, makes rtnl calls and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
        if pid == 0 {
            let code = (|| {
                if !my_socket_inodes().contains(&parent[0]) {
                    return 10; // the inherited descriptor should be there at first
                }
                if !matches!(rtnl::link_exists("fk0"), Ok(true)) {
                    return 11;
                }
                if rtnl::set_link_up_by_name("fk0").is_err() {
                    return 12;
                }
                // This process's netlink sockets in this namespace (the descriptors
                // inherited from other tests' threads are in other namespaces).
                let here = route_sockets();
                let mine: Vec<u64> = my_socket_inodes()
                    .into_iter()
                    .filter(|i| here.contains(i))
                    .collect();
                if mine.contains(&parent[0]) {
                    return 13; // still holding (and so maybe using) the parent's socket
                }
                if mine.len() != 1 {
                    return 14;
                }
                0
            })();
            // SAFETY: leave the child without running the parent's destructors.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status), "child status {status:#x}");
        assert_eq!(
            libc::WEXITSTATUS(status),
            0,
            "child: 10 = no inherited socket, 11/12 = a call failed, 13 = kept the \
             parent's socket, 14 = not exactly one socket of its own"
        );
        // The parent's socket is still its own and still works.
        assert_eq!(
            route_sockets(),
            parent,
            "the child's socket is gone with it"
        );
        rtnl::set_link_up_by_name("fk0").unwrap();
        assert_eq!(route_sockets(), parent);
        assert!(ip_link("fk0").unwrap()["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "UP"));
    });
}

#[test]
fn free_functions_in_a_with_netns_closure_use_that_threads_socket() {
    if !can_run_kernel_tests("free_functions_in_a_with_netns_closure_use_that_threads_socket") {
        return;
    }
    in_netns(|| {
        rtnl::create_bridge("rb0").unwrap();
        // with_netns_fd runs its closure on another thread: a free function there is
        // served in that namespace by that thread's own socket.
        let here = rtnl::netns::current().unwrap();
        let before = route_sockets();
        let seen = rtnl::with_netns_fd(here, || {
            let theirs = route_sockets();
            rtnl::link_exists("rb0").map(|seen| (seen, theirs))
        });
        let (seen, during) = seen.unwrap();
        assert!(seen);
        // The closure's thread closed its socket when it ended: no descriptor of ours
        // holds it. The namespace-wide list follows once every copy is closed (a child
        // another test forks meanwhile holds one until it execs).
        let mine = my_socket_inodes();
        assert!(
            during
                .iter()
                .all(|s| before.contains(s) || !mine.contains(s)),
            "the closure's thread closed its socket when it ended"
        );
        eventually("the closure's socket leaves the namespace's list", || {
            route_sockets() == before
        });
        assert!(rtnl::link_exists("rb0").unwrap());
    });
}
