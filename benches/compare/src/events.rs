//! Section `events` — listening to the kernel (`rtnl::Monitor`, issue #13), in a
//! private network namespace holding a veth pair `ev0`/`ev1` (up, 10.99.0.1/24):
//!
//! 1. **Parse rate**: `RTNL_BENCH_EVENTS` route notifications (default 200,000;
//!    20,000 quick) queued in a receive buffer large enough to hold them all, then
//!    drained: rtnl's monitor (zero-copy `RouteMsg`, and owned `Route`) against a
//!    hand-written libc floor (recv + hand-parsed `rtmsg` and attributes), rtnetlink's
//!    multicast stream (`new_multicast_connection`) and `ip -rcvbuf N monitor route`
//!    (stopped with SIGSTOP during the storm, its lines counted). Allocations per
//!    event of the zero-copy path (target 0).
//! 2. **Drops at each buffer size**: a live storm of `RTNL_BENCH_STORM` route
//!    additions (default 1,000,000; 100,000 quick) against a monitor reading as fast
//!    as it can, at receive buffers from the system default up to 64 MiB: received,
//!    dropped (the kernel's count), parse rate during the storm.
//! 3. **Wake-ups per relevant event**: one link awaited (`wait_link`, up) while 5,000
//!    others appear (1,000 quick), with and without the kernel filter.
//! 4. **Latency** from `ip link set dev X up` (one `RTM_NEWLINK` sent by rtnl) to the
//!    waiter returning: `Monitor::wait_link` against the raw notification floor
//!    (a blocking `recv` on a subscribed socket) and CNI-style polling (a lookup, then
//!    a sleep of 0, 50, 500 or 1000 ms before the next).

use crate::harness::{allocs, env_usize, fmt_rate, in_netns, median, Checks};
use rtnl::abi::*;
use rtnl::wire::event::ObjectMsg;
use rtnl::{
    EventFilter, EventKind, Family, Group, Handle, Link, LinkCondition, LinkMatch, Monitor, Route,
};
use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The destination of storm route `i` (one /32 each, 11.0.0.0 up).
fn dst(i: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0b00_0000 + i))
}

/// Adds (or deletes) routes `0..n` through `oif` in batches: n notifications.
fn storm(h: &mut Handle, oif: u32, n: u32, delete: bool) {
    let mut bad = 0usize;
    let mut b = h.batch(|_, r: rtnl::Result<()>| bad += usize::from(r.is_err()));
    for i in 0..n {
        let r = Route::to(dst(i), 32).unwrap().dev(oif);
        if delete {
            b.delete(&r).unwrap();
        } else {
            b.add(&r).unwrap();
        }
    }
    b.finish().unwrap();
    assert_eq!(bad, 0, "storm: refused requests");
}

// ---- the libc floor ---------------------------------------------------------------

/// A raw `NETLINK_ROUTE` socket joined to one group: the least a listener can be.
struct RawListener {
    fd: i32,
    buf: Vec<u8>,
}

impl RawListener {
    fn new(group: u32, rcvbuf: usize) -> RawListener {
        // SAFETY: plain syscalls with valid arguments; results checked.
        unsafe {
            let fd = libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            );
            assert!(fd >= 0);
            let mut a: libc::sockaddr_nl = std::mem::zeroed();
            a.nl_family = libc::AF_NETLINK as u16;
            let r = libc::bind(
                fd,
                (&a as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            );
            assert_eq!(r, 0);
            let v = rcvbuf as libc::c_int;
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&v as *const libc::c_int).cast(),
                4,
            );
            let g = group as libc::c_int;
            let r = libc::setsockopt(
                fd,
                libc::SOL_NETLINK,
                libc::NETLINK_ADD_MEMBERSHIP,
                (&g as *const libc::c_int).cast(),
                4,
            );
            assert_eq!(r, 0);
            RawListener {
                fd,
                buf: vec![0; 64 << 10],
            }
        }
    }

    /// One blocking `recv`; the datagram's length.
    fn recv(&mut self) -> usize {
        // SAFETY: the buffer is valid for its length.
        let n = unsafe { libc::recv(self.fd, self.buf.as_mut_ptr().cast(), self.buf.len(), 0) };
        assert!(n >= 0, "recv: {}", std::io::Error::last_os_error());
        n as usize
    }

    /// What a receive with a deadline does: a non-blocking `recv`, and when nothing
    /// is queued, `poll` until something is, then `recv` again.
    fn recv_polled(&mut self) -> usize {
        loop {
            // SAFETY: the buffer is valid for its length.
            let n = unsafe {
                libc::recv(
                    self.fd,
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if n >= 0 {
                return n as usize;
            }
            let e = std::io::Error::last_os_error();
            assert_eq!(e.raw_os_error(), Some(libc::EAGAIN), "recv: {e}");
            let mut p = libc::pollfd {
                fd: self.fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd, alive during the call.
            unsafe { libc::poll(&mut p, 1, 10_000) };
        }
    }
}

impl Drop for RawListener {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor.
        unsafe { libc::close(self.fd) };
    }
}

/// The floor's parse of a datagram of route notifications: every message's header,
/// `rtmsg` and the attributes `RouteMsg` reads (destination, gateway, device,
/// preferred source, table, metric), by hand. Returns how many `RTM_NEWROUTE` it
/// read, and a checksum of what it read.
fn floor_parse(d: &[u8]) -> (u32, u64) {
    let (mut n, mut sum) = (0u32, 0u64);
    let mut off = 0;
    while off + 16 <= d.len() {
        let len = u32::from_ne_bytes(d[off..off + 4].try_into().unwrap()) as usize;
        let ty = u16::from_ne_bytes(d[off + 4..off + 6].try_into().unwrap());
        if len < 16 || off + len > d.len() {
            break;
        }
        if ty == RTM_NEWROUTE && len >= 28 {
            n += 1;
            sum += u64::from(d[off + 17]); // rtm_dst_len
            let mut a = off + 28;
            while a + 4 <= off + len {
                let alen = u16::from_ne_bytes(d[a..a + 2].try_into().unwrap()) as usize;
                let aty = u16::from_ne_bytes(d[a + 2..a + 4].try_into().unwrap()) & 0x3fff;
                if alen < 4 || a + alen > off + len {
                    break;
                }
                match aty {
                    RTA_DST | RTA_GATEWAY | RTA_PREFSRC | RTA_OIF | RTA_TABLE | RTA_PRIORITY
                        if alen == 8 =>
                    {
                        sum += u64::from(u32::from_ne_bytes(d[a + 4..a + 8].try_into().unwrap()))
                    }
                    RTA_DST | RTA_GATEWAY | RTA_PREFSRC if alen == 20 => {
                        sum += u64::from(d[a + 19]);
                    }
                    _ => {}
                }
                a += (alen + 3) & !3;
            }
        }
        off += (len + 3) & !3;
    }
    (n, sum)
}

// ---- 1. parse rate ----------------------------------------------------------------

/// How one listener drains the queued storm: returns how many notifications it
/// drained, the seconds it took and the allocations it made.
type Drain<'a> = Box<dyn FnMut(&mut Handle, u32, u32) -> (u32, f64, u64) + 'a>;

fn drain_rtnl(owned: bool) -> Drain<'static> {
    Box::new(move |h, oif, n| {
        let mut m = Monitor::builder()
            .group(Group::IPV4_ROUTE)
            .recv_buffer(big(n))
            .build()
            .unwrap();
        storm(h, oif, n, false);
        let a = allocs();
        let t = Instant::now();
        let (mut seen, mut sum) = (0u32, 0u64);
        while seen < n {
            let ev = m.recv(None).unwrap().unwrap();
            if owned {
                if let rtnl::OwnedEventKind::New(rtnl::wire::event::OwnedObject::Route(r)) =
                    ev.to_owned().kind
                {
                    seen += 1;
                    sum += u64::from(r.dst_len) + u64::from(r.oif.unwrap_or(0));
                }
            } else if let EventKind::New(ObjectMsg::Route(r)) = ev.kind {
                seen += 1;
                sum += u64::from(r.dst_len()) + u64::from(r.oif.unwrap_or(0));
            }
            assert!(!matches!(ev.kind, EventKind::Overrun { .. }), "overrun");
        }
        let e = t.elapsed().as_secs_f64();
        let al = allocs() - a;
        std::hint::black_box(sum);
        drop(m);
        storm(h, oif, n, true);
        (n, e, al)
    })
}

fn drain_floor() -> Drain<'static> {
    Box::new(|h, oif, n| {
        let mut s = RawListener::new(RTNLGRP_IPV4_ROUTE, big(n));
        debug_assert!(n > 0);
        storm(h, oif, n, false);
        let a = allocs();
        let t = Instant::now();
        let (mut seen, mut sum) = (0u32, 0u64);
        while seen < n {
            let len = s.recv();
            let (k, c) = floor_parse(&s.buf[..len]);
            seen += k;
            sum += c;
        }
        std::hint::black_box(sum);
        let e = t.elapsed().as_secs_f64();
        let al = allocs() - a;
        drop(s);
        storm(h, oif, n, true);
        (n, e, al)
    })
}

fn drain_rtnetlink() -> Drain<'static> {
    Box::new(|h, oif, n| {
        use futures::StreamExt;
        use netlink_packet_core::NetlinkPayload;
        use netlink_packet_route::RouteNetlinkMessage;
        use rtnetlink::sys::AsyncSocket;
        use std::os::fd::AsRawFd;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (mut conn, _h, mut messages) = rt
            .block_on(async {
                rtnetlink::new_multicast_connection(&[rtnetlink::MulticastGroup::Ipv4Route])
            })
            .unwrap();
        let fd = conn.socket_mut().socket_mut().as_raw_fd();
        let v = big(n) as libc::c_int;
        // SAFETY: valid option pointer and size on a live descriptor.
        unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&v as *const libc::c_int).cast(),
                4,
            )
        };
        storm(h, oif, n, false);
        let a = allocs();
        let t = Instant::now();
        let seen = rt.block_on(async move {
            tokio::spawn(conn);
            let mut seen = 0u32;
            while seen < n {
                let Some((m, _)) = messages.next().await else {
                    break;
                };
                if let NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewRoute(r)) = m.payload {
                    std::hint::black_box(&r);
                    seen += 1;
                }
            }
            seen
        });
        assert_eq!(seen, n, "rtnetlink's stream ended early");
        let e = t.elapsed().as_secs_f64();
        let al = allocs() - a;
        drop(rt);
        storm(h, oif, n, true);
        (n, e, al)
    })
}

/// `ip -rcvbuf N monitor route`, stopped during the storm; its route lines counted.
/// `ip` sets `SO_RCVBUF`, which `net.core.rmem_max` caps (4 MiB here: the kernel
/// doubles it): it is given as many notifications as fit, 5,000.
fn drain_ip() -> Drain<'static> {
    Box::new(|h, oif, n| {
        let n = n.min(5_000);
        let mut child = Command::new("ip")
            .args(["-rcvbuf", &big(n).to_string(), "monitor", "route"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("ip monitor");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines() {
                let Ok(l) = l else { return };
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        // Listening once it prints a change: toggle a sentinel route until it does.
        let sentinel = Route::to(IpAddr::V4(Ipv4Addr::new(10, 250, 0, 1)), 32)
            .unwrap()
            .dev(oif);
        loop {
            let _ = h.add(&sentinel);
            let _ = h.delete(&sentinel);
            if rx
                .recv_timeout(Duration::from_millis(100))
                .is_ok_and(|l| l.contains("10.250.0.1"))
            {
                break;
            }
        }
        while rx.try_recv().is_ok() {}
        // SAFETY: plain kill on our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGSTOP) };
        storm(h, oif, n, false);
        let t = Instant::now();
        // SAFETY: as above.
        unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
        let mut seen = 0u32;
        let mut e = t.elapsed().as_secs_f64();
        while seen < n {
            match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(l) if l.starts_with("11.") => {
                    seen += 1;
                    e = t.elapsed().as_secs_f64();
                }
                Ok(_) => {}
                Err(_) => break, // what was dropped never comes
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        drop(rx);
        let _ = reader.join();
        storm(h, oif, n, true);
        (seen, e, 0)
    })
}

/// A receive buffer that holds `n` route notifications (about 1 KiB each as the
/// kernel counts them), at least 4 MiB.
fn big(n: u32) -> usize {
    (n as usize * 1280).max(4 << 20)
}

fn parse_rate(checks: &mut Checks, h: &mut Handle, oif: u32, n: u32, rounds: usize) {
    let mut variants: Vec<(&str, Drain<'_>)> = vec![
        (
            "libc floor (recv + hand-parsed rtmsg/attributes)",
            drain_floor(),
        ),
        ("rtnl Monitor::recv, zero-copy RouteMsg", drain_rtnl(false)),
        ("rtnl Monitor::recv + to_owned (Route)", drain_rtnl(true)),
        (
            "rtnetlink new_multicast_connection stream",
            drain_rtnetlink(),
        ),
        ("ip -rcvbuf N monitor route (lines printed)", drain_ip()),
    ];
    let mut rate: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let mut al: Vec<u64> = vec![0; variants.len()];
    let mut count: Vec<u64> = vec![0; variants.len()];
    for r in 0..rounds {
        for k in 0..variants.len() {
            let i = (k + r) % variants.len();
            // The kernel frees the last storm's routes after an RCU grace period,
            // on these same two CPUs: let it finish before the next drain.
            std::thread::sleep(Duration::from_millis(300));
            let (got, e, a) = (variants[i].1)(h, oif, n);
            rate[i].push(f64::from(got) / e);
            al[i] += a;
            count[i] += u64::from(got);
        }
    }
    println!(
        "-- parse rate: {n} route notifications queued, then drained ({rounds} rounds, median)"
    );
    println!(
        "{:<52} {:>12} {:>9} {:>12}",
        "listener", "events/s", "x floor", "allocs/event"
    );
    let rates: Vec<f64> = rate.iter_mut().map(|s| median(s)).collect();
    for (i, (name, _)) in variants.iter().enumerate() {
        // `ip` is another process: its allocations are not counted here.
        let per = if i == 4 {
            "—".to_string()
        } else {
            format!("{:.3}", al[i] as f64 / count[i].max(1) as f64)
        };
        println!(
            "{:<52} {:>12} {:>8.2}x {:>12}",
            name,
            fmt_rate(rates[i]),
            rates[i] / rates[0],
            per
        );
    }
    checks.check(
        "events: rtnl zero-copy parse rate / libc floor",
        rates[1] / rates[0],
        0.8,
        true,
    );
    checks.check(
        "events: allocations per event, rtnl zero-copy path",
        al[1] as f64 / count[1].max(1) as f64,
        0.0,
        false,
    );
    checks.check(
        "events: rtnl zero-copy parse rate / rtnetlink stream",
        rates[1] / rates[3],
        1.0,
        true,
    );
}

// ---- 2. drops at each buffer size -------------------------------------------------

fn drops(checks: &mut Checks, h: &mut Handle, oif: u32, n: u32) {
    println!(
        "-- drops: a live storm of {n} route additions against a monitor reading as fast as it can"
    );
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>9} {:>12}",
        "asked buffer", "granted", "received", "dropped", "overruns", "events/s"
    );
    let sizes: [(usize, &str); 5] = [
        (0, "default (rmem_default)"),
        (1 << 20, "1 MiB"),
        (4 << 20, "4 MiB"),
        (16 << 20, "16 MiB"),
        (64 << 20, "64 MiB"),
    ];
    for (size, label) in sizes {
        let mut b = Monitor::builder().group(Group::IPV4_ROUTE);
        if size > 0 {
            b = b.recv_buffer(size);
        }
        let mut m = b.build().unwrap();
        let granted = if size > 0 {
            m.set_recv_buffer(size).unwrap()
        } else {
            std::fs::read_to_string("/proc/sys/net/core/rmem_default")
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0)
        };
        let done = AtomicBool::new(false);
        let (received, took, st) = std::thread::scope(|s| {
            let consumer = s.spawn(|| {
                let t = Instant::now();
                let mut got = 0u32;
                let mut last = t;
                loop {
                    let quiet = done.load(Ordering::Acquire);
                    match m.recv(Some(
                        Instant::now() + Duration::from_millis(if quiet { 300 } else { 2000 }),
                    )) {
                        Ok(Some(ev)) => {
                            if let EventKind::New(ObjectMsg::Route(r)) = ev.kind {
                                std::hint::black_box(r.dst);
                                got += 1;
                                last = Instant::now();
                            }
                        }
                        Ok(None) if quiet => break,
                        Ok(None) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
                (got, last - t, m.stats())
            });
            storm(h, oif, n, false);
            done.store(true, Ordering::Release);
            consumer.join().unwrap()
        });
        storm(h, oif, n, true);
        let dropped = n - received;
        println!(
            "{:<22} {:>10} {:>10} {:>10} {:>9} {:>12}",
            label,
            granted,
            received,
            dropped,
            st.overruns,
            fmt_rate(f64::from(received) / took.as_secs_f64())
        );
        // The size the README states: no drop at 4 MiB (8 MiB granted).
        if size == 4 << 20 {
            checks.check(
                &format!(
                    "events: notifications dropped during a {n}-route storm with a 4 MiB buffer"
                ),
                f64::from(dropped),
                0.0,
                false,
            );
        }
    }
}

// ---- 3. wake-ups ------------------------------------------------------------------

fn wakeups(checks: &mut Checks, others: usize) {
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        h.add(&Link::veth("wk0", "wk1").unwrap()).unwrap();
        let w0 = h.link_index("wk0").unwrap();
        let (ready_tx, ready_rx) = mpsc::channel();
        let results = std::thread::scope(|s| {
            let spawn = |filtered: bool, ready: mpsc::Sender<()>| {
                s.spawn(move || {
                    let mut b = Monitor::builder().recv_buffer(64 << 20);
                    if filtered {
                        b = b.filter(EventFilter::types(&[RTM_NEWLINK, RTM_DELLINK]).index(w0));
                    }
                    let mut m = b.build().unwrap();
                    m.join(Group::LINK).unwrap();
                    ready.send(()).unwrap();
                    m.wait_link(
                        LinkMatch::Index(w0),
                        LinkCondition::Up,
                        Instant::now() + Duration::from_secs(120),
                    )
                    .unwrap();
                    m.stats()
                })
            };
            let with = spawn(true, ready_tx.clone());
            let without = spawn(false, ready_tx);
            ready_rx.recv().unwrap();
            ready_rx.recv().unwrap();
            let mut b = h.batch(|_, r: rtnl::Result<()>| {
                r.unwrap();
            });
            for i in 0..others / 2 {
                b.add(&Link::veth(&format!("o{i}"), &format!("p{i}")).unwrap())
                    .unwrap();
            }
            b.finish().unwrap();
            h.set_link_up("wk0").unwrap();
            (with.join().unwrap(), without.join().unwrap())
        });
        let (with, without) = results;
        // The relevant events: the lookup's answer and the link coming up.
        let relevant = 2.0;
        println!("-- wake-ups: one link awaited (up) while {others} others appear");
        println!(
            "   with the kernel filter: {} datagrams ({:.1} per relevant event); without: {} ({:.1} per relevant event, {} overruns)",
            with.datagrams,
            with.datagrams as f64 / relevant,
            without.datagrams,
            without.datagrams as f64 / relevant,
            without.overruns
        );
        checks.check(
            "events: wake-ups per relevant event with the kernel filter",
            with.datagrams as f64 / relevant,
            1.5,
            false,
        );
    });
}

// ---- 4. latency -------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Waiter {
    Rtnl,
    Floor,
    FloorPolled,
    Poll(u64),
}

/// One round: `lt0` is down; the waiter starts, then rtnl sets the link up; returns
/// the time from just before the request to the waiter's return, and the lookups a
/// poller made meanwhile.
fn one_latency(h: &mut Handle, index: u32, w: Waiter) -> (Duration, u64) {
    let (ready_tx, ready_rx) = mpsc::channel();
    let lookups = std::sync::atomic::AtomicU64::new(0);
    let lookups = &lookups;
    let t0 = std::thread::scope(|s| {
        let waiter = s.spawn(move || -> Instant {
            match w {
                Waiter::Rtnl => {
                    let mut m = Monitor::new(&[Group::LINK]).unwrap();
                    ready_tx.send(()).unwrap();
                    m.wait_link(
                        LinkMatch::Index(index),
                        LinkCondition::Up,
                        Instant::now() + Duration::from_secs(10),
                    )
                    .unwrap();
                    Instant::now()
                }
                Waiter::Floor | Waiter::FloorPolled => {
                    let mut s = RawListener::new(RTNLGRP_LINK, 1 << 20);
                    ready_tx.send(()).unwrap();
                    loop {
                        let n = if matches!(w, Waiter::Floor) {
                            s.recv()
                        } else {
                            s.recv_polled()
                        };
                        let d = &s.buf[..n];
                        if n >= 32
                            && u16::from_ne_bytes([d[4], d[5]]) == RTM_NEWLINK
                            && i32::from_ne_bytes(d[20..24].try_into().unwrap()) == index as i32
                            && u32::from_ne_bytes(d[24..28].try_into().unwrap()) & IFF_UP != 0
                        {
                            return Instant::now();
                        }
                    }
                }
                Waiter::Poll(ms) => {
                    let mut p = Handle::new().unwrap();
                    ready_tx.send(()).unwrap();
                    loop {
                        lookups.fetch_add(1, Ordering::Relaxed);
                        let up = p.get_link(index).unwrap().is_some_and(|l| l.is_up());
                        if up {
                            return Instant::now();
                        }
                        if ms > 0 {
                            std::thread::sleep(Duration::from_millis(ms));
                        }
                    }
                }
            }
        });
        ready_rx.recv().unwrap();
        // Let a waiter that looks first (rtnl's lookup, the poller's first GET) look.
        std::thread::sleep(Duration::from_millis(5));
        let t0 = Instant::now();
        h.set_link_up(index).unwrap();
        (t0, waiter.join().unwrap())
    });
    h.set_link_down(index).unwrap();
    (t0.1 - t0.0, lookups.load(Ordering::Relaxed))
}

fn latency(checks: &mut Checks, h: &mut Handle, rounds: usize) {
    h.add(&Link::veth("lt0", "lt1").unwrap()).unwrap();
    let index = h.link_index("lt0").unwrap();
    let variants: [(&str, Waiter); 7] = [
        ("raw notification floor (blocking recv)", Waiter::Floor),
        ("  diag: raw, recv after poll (a deadline's way)", Waiter::FloorPolled),
        ("rtnl Monitor::wait_link(Up)", Waiter::Rtnl),
        ("CNI-style polling, 0 ms between lookups", Waiter::Poll(0)),
        ("CNI-style polling, 50 ms", Waiter::Poll(50)),
        ("CNI-style polling, 500 ms", Waiter::Poll(500)),
        ("CNI-style polling, 1000 ms", Waiter::Poll(1000)),
    ];
    let mut us: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let mut polls: Vec<u64> = vec![0; variants.len()];
    for r in 0..rounds {
        for k in 0..variants.len() {
            let i = (k + r) % variants.len();
            // The slow pollers take part in a few rounds only.
            if matches!(variants[i].1, Waiter::Poll(ms) if ms >= 500) && r >= 3 {
                continue;
            }
            let (d, p) = one_latency(h, index, variants[i].1);
            us[i].push(d.as_secs_f64() * 1e6);
            polls[i] += p;
        }
    }
    println!("-- latency: `ip link set dev lt0 up` (one request) to the waiter returning ({rounds} rounds, median)");
    let med: Vec<f64> = us.iter_mut().map(|v| median(v)).collect();
    for (i, (name, _)) in variants.iter().enumerate() {
        let extra = match variants[i].1 {
            Waiter::Poll(_) => format!(
                "  ({:.0} lookups per wait, 5 ms of them before the change)",
                polls[i] as f64 / us[i].len().max(1) as f64
            ),
            _ => String::new(),
        };
        println!(
            "{:<44} {:>10.1} µs {:>8.2}x floor{extra}",
            name,
            med[i],
            med[i] / med[0]
        );
    }
    checks.check(
        "events: rtnl wait_link latency / raw notification floor",
        med[2] / med[0],
        1.2,
        false,
    );
}

pub fn run(checks: &mut Checks, quick: bool) {
    let n = env_usize("RTNL_BENCH_EVENTS", if quick { 20_000 } else { 200_000 }) as u32;
    let storm_n = env_usize("RTNL_BENCH_STORM", if quick { 100_000 } else { 1_000_000 }) as u32;
    let others = env_usize("RTNL_BENCH_CHURN_LINKS", if quick { 1_000 } else { 5_000 });
    let rounds = if quick { 1 } else { 5 };
    println!("\n== events: listening to the kernel (rtnl::Monitor)");
    in_netns(|| {
        let mut h = Handle::new().unwrap();
        h.add(&Link::veth("ev0", "ev1").unwrap()).unwrap();
        let oif = h.link_index("ev0").unwrap();
        h.add(&rtnl::Address::new(
            oif,
            IpAddr::V4(Ipv4Addr::new(10, 99, 0, 1)),
            24,
        ))
        .unwrap();
        h.set_link_up("ev1").unwrap();
        h.set_link_up("ev0").unwrap();
        let _ = Family::INET;
        parse_rate(checks, &mut h, oif, n, rounds);
        drops(checks, &mut h, oif, storm_n);
        latency(checks, &mut h, if quick { 5 } else { 120 });
    });
    wakeups(checks, others);
}
