//! Signals: batches and dumps run while the thread making the syscalls is hit by a
//! signal every 100 µs, with a handler installed WITHOUT `SA_RESTART` — so a blocking
//! `recvfrom`/`sendto` returns `EINTR` and the library must restart it. Everything must
//! still complete correctly: 20,000 routes added and deleted in batches, 1,000 veth
//! pairs created in a batch, dumps of 20,000 routes and 2,000+ links read whole, many
//! single requests answered — all checked against `ip -j`, and the number of signals
//! delivered to the thread counted and asserted to be above zero (else the test would
//! prove nothing).
//!
//! The signal is `SIGUSR1`, sent with `pthread_kill` from a helper thread to the one
//! thread doing the work (a process-directed timer could land on any thread).
//!
//! Run: `cargo test --release --test signals -- --nocapture` (root; prints the counts).

mod common;
use common::*;

use rtnl::abi::*;
use rtnl::wire::route::RouteMsg;
use rtnl::{Decode, Family, Link, Object, Request, Route, RouteFilter, Verb};
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const ROUTES: u32 = 20_000;
const VETH_PAIRS: u32 = 1_000;
const SINGLE_REQUESTS: u32 = 5_000;

/// The tests take turns: `ip` is never forked while another test's threads are busy
/// (qemu-user, in the aarch64 CI run, can deadlock such a child).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Signals the handler has run for.
static DELIVERED: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(_: libc::c_int) {
    DELIVERED.fetch_add(1, Ordering::Relaxed);
}

/// Installs the counting handler for SIGUSR1, without `SA_RESTART`.
fn install_handler() {
    // SAFETY: sigaction is plain data; all-zero is a valid starting value.
    let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
    sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    sa.sa_flags = 0; // no SA_RESTART: interrupted syscalls return EINTR
                     // SAFETY: `sa.sa_mask` is a valid sigset_t to initialise.
    unsafe { libc::sigemptyset(&mut sa.sa_mask) };
    // SAFETY: `sa` is fully initialised; the handler only does an atomic add, which is
    // async-signal-safe.
    let r = unsafe { libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()) };
    assert_eq!(r, 0, "sigaction: {}", std::io::Error::last_os_error());
}

/// How a phase runs: once (it changes the kernel's state), or again and again until
/// at least [`MIN_HITS`] signals landed during it (it only reads), so that a loaded
/// machine that schedules the sender late cannot make the phase pass untested.
#[derive(Clone, Copy, PartialEq)]
enum Runs {
    Once,
    UntilHit,
}

const MIN_HITS: u64 = 20;

/// Runs `work` on the calling thread while a helper thread sends it SIGUSR1 every
/// 100 µs, and asserts that signals were delivered during it. The sender is running
/// (its first signal has landed) before `work` starts.
fn under_fire<T>(what: &str, runs: Runs, mut work: impl FnMut() -> T) -> T {
    install_handler();
    // SAFETY: pthread_self has no preconditions. Carried as an integer: musl's
    // pthread_t is a pointer, which is not Send.
    let me = unsafe { libc::pthread_self() } as usize;
    let stop = AtomicBool::new(false);
    let t0 = std::time::Instant::now();
    let (out, sent, delivered, rounds) = std::thread::scope(|s| {
        let shooter = s.spawn(|| {
            let mut sent = 0u64;
            while !stop.load(Ordering::Relaxed) {
                // SAFETY: `me` is alive: the scope joins this thread before the work
                // thread can return.
                let r = unsafe { libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR1) };
                assert_eq!(r, 0);
                sent += 1;
                std::thread::sleep(Duration::from_micros(100));
            }
            sent
        });
        let warm = DELIVERED.load(Ordering::Relaxed);
        while DELIVERED.load(Ordering::Relaxed) == warm {
            std::thread::yield_now();
        }
        let before = DELIVERED.load(Ordering::Relaxed);
        let mut rounds = 1;
        let mut out = work();
        while runs == Runs::UntilHit
            && DELIVERED.load(Ordering::Relaxed) - before < MIN_HITS
            && rounds < 1000
        {
            out = work();
            rounds += 1;
        }
        let delivered = DELIVERED.load(Ordering::Relaxed) - before;
        stop.store(true, Ordering::Relaxed);
        (out, shooter.join().unwrap(), delivered, rounds)
    });
    eprintln!(
        "{what}: {rounds} run(s) in {:?}, {sent} signals sent, {delivered} delivered to the \
         working thread while it worked",
        t0.elapsed()
    );
    assert!(
        delivered > 0,
        "{what}: no signal was delivered: the test proved nothing"
    );
    out
}

/// `10.X.Y.0/24 dev <oif>` (link scope).
fn route(i: u32, oif: u32) -> Route {
    Route::to(
        IpAddr::V4(Ipv4Addr::new(10, (i >> 8) as u8, i as u8, 0)),
        24,
    )
    .unwrap()
    .dev(oif)
}

/// Our routes (10/8 out of `dev`) per `ip -j`.
fn ip_route_count(dev: &str) -> usize {
    ip_json(&["-4", "route", "show", "dev", dev])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["dst"].as_str().is_some_and(|d| d.starts_with("10.")))
        .count()
}

/// A real socket whose requests are sent late, by a helper thread (`send_raw`), and
/// that counts the `EINTR`s it hands back to `Conn`.
struct LateSend {
    s: rtnl::Socket,
    eintr: u64,
    late: std::sync::mpsc::Sender<Vec<u8>>,
}

/// `sendto` the kernel on `fd` (the helper thread's half of [`LateSend`]).
fn send_raw(fd: std::os::fd::RawFd, d: &[u8]) {
    // SAFETY: sockaddr_nl is plain data; all-zero is valid.
    let mut to: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    to.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    loop {
        // SAFETY: `fd` is the socket `LateSend` owns, alive until the channel closes
        // (it is dropped after); `d` and `to` are valid for the sizes given.
        let n = unsafe {
            libc::sendto(
                fd,
                d.as_ptr().cast(),
                d.len(),
                0,
                (&to as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        assert_eq!(n, d.len() as isize, "{}", std::io::Error::last_os_error());
        return;
    }
}

impl LateSend {
    fn count<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if matches!(&r, Err(e) if e.kind() == std::io::ErrorKind::Interrupted) {
            self.eintr += 1;
        }
        r
    }
}

impl rtnl::Transport for LateSend {
    fn send(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.late.send(buf.to_vec()).unwrap();
        Ok(())
    }
    fn recv(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        let r = self.s.recv(buf);
        self.count(r)
    }
    fn recv_small(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        let r = self.s.recv_small(buf);
        self.count(r)
    }
    fn port_id(&self) -> u32 {
        self.s.port_id()
    }
    fn recv_timeout(&self) -> Option<Duration> {
        self.s.recv_timeout()
    }
    fn recv_buffer(&self) -> usize {
        self.s.recv_buffer()
    }
}

#[test]
fn batches_and_dumps_complete_under_a_rain_of_signals() {
    if !can_run_kernel_tests("batches_and_dumps_complete_under_a_rain_of_signals") {
        return;
    }
    let _g = serial();
    in_netns(|| {
        let mut h = rtnl::Handle::new().unwrap();
        h.add(&Link::veth("sg0", "sg1").unwrap()).unwrap();
        h.set_link_up("sg0").unwrap();
        let oif = h.link_index("sg0").unwrap();

        // A batch of 20,000 routes.
        let results = under_fire("batch of 20000 route adds", Runs::Once, || {
            h.batch_collect(|b| {
                for i in 0..ROUTES {
                    b.add(&route(i, oif))?;
                }
                Ok(())
            })
            .unwrap()
        });
        assert_eq!(results.len(), ROUTES as usize);
        for (i, r) in results.iter().enumerate() {
            assert!(r.is_ok(), "route {i}: {r:?}");
        }
        assert_eq!(ip_route_count("sg0"), ROUTES as usize);

        // A dump of them.
        let filter = RouteFilter {
            family: Family::INET,
            table: Some(RT_TABLE_MAIN as u32),
            oif: Some(oif),
            ..Default::default()
        };
        let routes = under_fire("dump of 20000 routes", Runs::UntilHit, || {
            h.routes(&filter).unwrap()
        });
        let ours = routes
            .iter()
            .filter(|r| matches!(r.dst, Some(IpAddr::V4(a)) if a.octets()[0] == 10))
            .count();
        assert_eq!(ours, ROUTES as usize);
        let n = under_fire("streamed dump of 20000 routes", Runs::UntilHit, || {
            let mut n = 0;
            h.for_each_route(&filter, |r| {
                if matches!(r.dst, Some(IpAddr::V4(a)) if a.octets()[0] == 10) {
                    n += 1;
                }
            })
            .unwrap();
            n
        });
        assert_eq!(n, ROUTES);

        // Single requests, each a round trip, half of them refused.
        under_fire("5000 single requests", Runs::UntilHit, || {
            for i in 0..SINGLE_REQUESTS {
                if i % 2 == 0 {
                    h.set_link_up("sg0").unwrap();
                } else {
                    assert!(h.add(&route(i, oif)).unwrap_err().is_exists());
                }
            }
        });

        // The same through a transport that counts the EINTRs the socket returned and
        // `Conn` restarted. rtnetlink answers synchronously (the ACK is queued before
        // `sendto` returns; a dump's next part is built inside `recvmsg`), so a signal
        // rarely finds the thread blocked in a syscall. To make sure it does, this
        // transport hands each request to a helper thread that sends it on the same
        // socket 1 ms later: meanwhile `Conn` sits in `recvfrom`, and the signals
        // interrupt it.
        let eintr = std::thread::scope(|s| {
            let sock = rtnl::Socket::new().unwrap();
            let fd = sock.as_fd().as_raw_fd();
            let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
            s.spawn(move || {
                for d in rx {
                    std::thread::sleep(Duration::from_millis(1));
                    send_raw(fd, &d);
                }
            });
            let mut c = rtnl::Conn::new(LateSend {
                s: sock,
                eintr: 0,
                late: tx,
            });
            let mut buf = [0u8; 256];
            under_fire(
                "300 acks + 3 route dumps, each request sent 1 ms late",
                Runs::UntilHit,
                || {
                    for _ in 0..300 {
                        let n = Link::named("sg0")
                            .unwrap()
                            .up()
                            .emit(Verb::Change, &mut buf)
                            .unwrap();
                        c.ack(&mut buf[..n]).unwrap();
                    }
                    for _ in 0..3 {
                        let n = RouteFilter {
                            family: Family::INET,
                            oif: Some(oif),
                            ..Default::default()
                        }
                        .emit(&mut buf)
                        .unwrap();
                        let mut count = 0u32;
                        c.dump(&mut buf[..n], |m| {
                            let r = RouteMsg::decode(m).unwrap();
                            if r.oif == Some(oif)
                                && r.table == RT_TABLE_MAIN as u32
                                && r.dst_len() == 24
                            {
                                count += 1;
                            }
                            Ok(())
                        })
                        .unwrap();
                        assert_eq!(count, ROUTES);
                    }
                },
            );
            let n = c.transport().eintr;
            drop(c); // closes the channel: the helper ends
            n
        });
        eprintln!("EINTR returned by the socket and restarted by Conn: {eintr}");
        assert!(
            eintr > 0,
            "no recvfrom was interrupted: the restart path was not exercised"
        );

        // A batch of 1,000 veth pairs, then a dump of the 2,000+ links.
        let names: Vec<(String, String)> = (0..VETH_PAIRS)
            .map(|i| (format!("sa{i}"), format!("sb{i}")))
            .collect();
        let results = under_fire("batch of 1000 veth pair creations", Runs::Once, || {
            h.batch_collect(|b| {
                for (a, p) in &names {
                    b.add(&Link::veth(a, p)?)?;
                }
                Ok(())
            })
            .unwrap()
        });
        assert!(
            results.iter().all(|r| r.is_ok()),
            "{:?}",
            results.iter().find(|r| r.is_err())
        );
        let links = under_fire("dump of 2003 links", Runs::UntilHit, || h.links().unwrap());
        let expected = ip_link_names();
        assert_eq!(expected.len(), 2 * VETH_PAIRS as usize + 3);
        let mut got: Vec<String> = links.into_iter().map(|l| l.name_str()).collect();
        let mut want = expected;
        got.sort();
        want.sort();
        assert_eq!(got, want);

        // And the 20,000 routes deleted in a batch.
        let results = under_fire("batch of 20000 route deletes", Runs::Once, || {
            h.batch_collect(|b| {
                for i in 0..ROUTES {
                    b.delete(&route(i, oif))?;
                }
                Ok(())
            })
            .unwrap()
        });
        assert!(results.iter().all(|r| r.is_ok()));
        assert_eq!(ip_route_count("sg0"), 0);
        eprintln!(
            "total: {} signals delivered to the working thread",
            DELIVERED.load(Ordering::Relaxed)
        );
    });
}

/// The batch window is sized from the receive buffer so that the kernel never has to
/// drop a reply (`ENOBUFS`): with a 16 KiB buffer, 5,000 requests that each get their
/// own answer — an ACK each (`AckMode::Every`), or a refusal each — still give 5,000
/// results, under signals.
#[test]
fn small_receive_buffer_every_request_answered() {
    if !can_run_kernel_tests("small_receive_buffer_every_request_answered") {
        return;
    }
    let _g = serial();
    in_netns(|| {
        let mut h = rtnl::Handle::new().unwrap();
        h.add(&Link::veth("sr0", "sr1").unwrap()).unwrap();
        h.set_link_up("sr0").unwrap();
        let oif = h.link_index("sr0").unwrap();
        let got = h
            .conn("test")
            .unwrap()
            .transport_mut()
            .set_recv_buffer(8 << 10)
            .unwrap();
        assert!(got <= 64 << 10, "receive buffer {got}");
        const N: u32 = 5_000;
        let run = |h: &mut rtnl::Handle, mode: rtnl::AckMode, delete: bool| {
            let mut res = Vec::new();
            let fin = {
                let mut b = h.batch(|i, r| res.push((i, r)));
                b.ack_mode(mode);
                for i in 0..N {
                    if delete {
                        b.delete(&route(i, oif)).unwrap();
                    } else {
                        b.add(&route(i, oif)).unwrap();
                    }
                }
                b.finish()
            };
            (fin, res)
        };
        // Every request acknowledged.
        let (fin, res) = under_fire("5000 acked route adds, 16 KiB buffer", Runs::Once, || {
            run(&mut h, rtnl::AckMode::Every, false)
        });
        fin.unwrap();
        assert_eq!(res.len(), N as usize);
        assert!(res
            .iter()
            .enumerate()
            .all(|(j, (i, r))| *i == j && r.is_ok()));
        assert_eq!(ip_route_count("sr0"), N as usize);
        // Every request refused, in both modes.
        for mode in [rtnl::AckMode::Last, rtnl::AckMode::Every] {
            let (fin, res) =
                under_fire("5000 refused route adds, 16 KiB buffer", Runs::Once, || {
                    run(&mut h, mode, false)
                });
            fin.unwrap();
            assert_eq!(res.len(), N as usize);
            assert!(
                res.iter()
                    .all(|(_, r)| matches!(r, Err(e) if e.is_exists())),
                "{mode:?}: {:?}",
                res.iter()
                    .find(|(_, r)| !matches!(r, Err(e) if e.is_exists()))
            );
        }
        let (fin, res) = under_fire("5000 route deletes, 16 KiB buffer", Runs::Once, || {
            run(&mut h, rtnl::AckMode::Last, true)
        });
        fin.unwrap();
        assert!(res.iter().all(|(_, r)| r.is_ok()));
        assert_eq!(ip_route_count("sr0"), 0);
        let (fin, res) = under_fire(
            "5000 refused route deletes, 16 KiB buffer",
            Runs::Once,
            || run(&mut h, rtnl::AckMode::Every, true),
        );
        fin.unwrap();
        assert!(res
            .iter()
            .all(|(_, r)| matches!(r, Err(e) if e.is_not_found())));
    });
}
