//! Nothing leaks: 100,000 mixed operations on one `Handle`, and 10,000 through the
//! one-shot free functions (on the thread's kept socket), leave the number of
//! open descriptors and the live heap exactly where they were; every descriptor the
//! crate opens is close-on-exec, checked three ways: `fcntl(F_GETFD)`, a child's view
//! after `exec`, and a seccomp filter that refuses any descriptor-creating syscall
//! without the close-on-exec flag (which catches the short-lived ioctl sockets too).
//!
//! Heap accounting: a counting `#[global_allocator]` over `System`. The counts are
//! per thread (a const thread-local), so the test harness's own allocations on other
//! threads do not blur them; the operations run on one thread and free what they
//! allocate on it. A warm-up pass first lets every buffer reach its working size (the
//! handle's receive buffer, the std `io::Error` machinery); after it the counts must
//! not move at all — the tolerance is zero allocations.
//!
//! The tests in this file serialise on one lock: descriptor counts are per process.
//!
//! Run: `cargo test --release --test leaks -- --nocapture` (root; prints the numbers).

mod common;
use common::*;

use rtnl::{Address, Link, Route};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::Mutex;

// ---- counting allocator -------------------------------------------------------------

struct Counting;

thread_local! {
    static LIVE_ALLOCS: Cell<i64> = const { Cell::new(0) };
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
}

fn bump(allocs: i64, bytes: i64) {
    // `try_with`: during thread teardown the slots may be gone; those frees are not
    // ours to count.
    let _ = LIVE_ALLOCS.try_with(|c| c.set(c.get() + allocs));
    let _ = LIVE_BYTES.try_with(|c| c.set(c.get() + bytes));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged and
// only adds bookkeeping in thread-locals that never allocate (const-initialised, no
// destructor).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `alloc`'s contract.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            bump(1, l.size() as i64);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            bump(1, l.size() as i64);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: forwarded as is; `p` came from this allocator with layout `l`.
        unsafe { System.dealloc(p, l) };
        bump(-1, -(l.size() as i64));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            bump(0, new as i64 - l.size() as i64);
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// `(live allocations, live bytes)` made by this thread and not yet freed.
fn heap() -> (i64, i64) {
    (LIVE_ALLOCS.with(Cell::get), LIVE_BYTES.with(Cell::get))
}

// ---- descriptors ----------------------------------------------------------------------

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Every open descriptor of the process and what it points to (`socket:[123]`, a path).
/// The directory's own descriptor is left out.
fn open_fds() -> BTreeMap<RawFd, String> {
    let mut out = BTreeMap::new();
    let dir = std::fs::read_dir("/proc/self/fd").unwrap();
    for e in dir {
        let e = e.unwrap();
        let fd: RawFd = e.file_name().to_str().unwrap().parse().unwrap();
        // The read_dir's own fd is gone by the time we readlink it: skip what fails.
        if let Ok(t) = std::fs::read_link(e.path()) {
            out.insert(fd, t.display().to_string());
        }
    }
    // The read_dir's own descriptor, if listed, points at /proc/<pid>/fd.
    out.retain(|_, t| !t.ends_with("/fd"));
    out
}

fn cloexec(fd: RawFd) -> bool {
    // SAFETY: F_GETFD on any integer is safe; an unknown fd gives EBADF.
    let r = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    assert!(
        r >= 0,
        "fcntl({fd}, F_GETFD): {}",
        std::io::Error::last_os_error()
    );
    r & libc::FD_CLOEXEC != 0
}

// ---- the operations -------------------------------------------------------------------

const HANDLE_OPS: usize = 100_000;
const ONESHOT_OPS: usize = 10_000;
const WARMUP: usize = 2_000;

/// One of eight operations, half of them failures, each checked.
fn handle_op(h: &mut rtnl::Handle, va: u32, i: usize) {
    // One address per round of eight: added, refused as existing, deleted.
    let r = i / 8;
    let a = IpAddr::V4(Ipv4Addr::new(10, 1, (r >> 8) as u8, r as u8));
    match i % 8 {
        0 => h.set_link_up("lk0").unwrap(),
        1 => assert!(h.set_link_up("lkmissing").unwrap_err().is_not_found()),
        2 => assert_eq!(h.get_link("lk0").unwrap().unwrap().index, va),
        3 => assert!(h.get_link("lkmissing").unwrap().is_none()),
        4 => h.add(&Address::new(va, a, 32)).unwrap(),
        5 => assert!(h.add(&Address::new(va, a, 32)).unwrap_err().is_exists()),
        6 => h.delete(&Address::new(va, a, 32)).unwrap(),
        _ => {
            // A refusal with extended-ACK text: the error owns a String.
            let e = h.add(&Link::of_kind("lkd", "dummy").unwrap()).unwrap_err();
            assert_eq!(e.errno(), Some(libc::EOPNOTSUPP));
            assert!(e.kernel_message().is_some());
        }
    }
}

fn oneshot_op(i: usize) {
    match i % 5 {
        0 => rtnl::set_link_up_by_name("lk0").unwrap(),
        1 => assert!(rtnl::set_link_up_by_name("lkmissing")
            .unwrap_err()
            .is_not_found()),
        2 => assert!(rtnl::link_exists("lk0").unwrap()),
        3 => assert!(!rtnl::link_exists("lkmissing").unwrap()),
        _ => rtnl::set_link_mtu_by_name("lk0", 1400 + (i % 100) as u32).unwrap(),
    }
}

#[test]
fn many_operations_leak_no_descriptor_and_no_memory() {
    if !can_run_kernel_tests("many_operations_leak_no_descriptor_and_no_memory") {
        return;
    }
    let _g = serial();
    in_netns(|| {
        // The counter sees this thread's allocations.
        let h0 = heap();
        let b = std::hint::black_box(Box::new([7u8; 100]));
        assert_eq!(
            heap(),
            (h0.0 + 1, h0.1 + 100),
            "the counting allocator is not counting"
        );
        drop(b);
        assert_eq!(heap(), h0);

        rtnl::create_veth_pair("lk0", "lk1").unwrap();
        let mut h = rtnl::Handle::new().unwrap();
        let va = h.link_index("lk0").unwrap();

        for i in 0..WARMUP {
            handle_op(&mut h, va, i);
        }
        let fds0 = open_fds();
        let heap0 = heap();
        let t = std::time::Instant::now();
        for i in 0..HANDLE_OPS {
            handle_op(&mut h, va, i);
        }
        // The heap first: the fd listing itself allocates.
        let heap1 = heap();
        let fds1 = open_fds();
        eprintln!(
            "{HANDLE_OPS} handle operations in {:?}: fds {} -> {}, live allocations {} -> {}, \
             live bytes {} -> {}",
            t.elapsed(),
            fds0.len(),
            fds1.len(),
            heap0.0,
            heap1.0,
            heap0.1,
            heap1.1
        );
        assert_eq!(
            fds0, fds1,
            "descriptors changed over {HANDLE_OPS} operations"
        );
        assert_eq!(heap0, heap1, "heap changed over {HANDLE_OPS} operations");

        for i in 0..WARMUP / 10 {
            oneshot_op(i);
        }
        let fds0 = open_fds();
        let heap0 = heap();
        let t = std::time::Instant::now();
        for i in 0..ONESHOT_OPS {
            oneshot_op(i);
        }
        // The heap first: the fd listing itself allocates.
        let heap1 = heap();
        let fds1 = open_fds();
        eprintln!(
            "{ONESHOT_OPS} one-shot operations in {:?}: fds {} -> {}, live allocations {} -> {}, \
             live bytes {} -> {}",
            t.elapsed(),
            fds0.len(),
            fds1.len(),
            heap0.0,
            heap1.0,
            heap0.1,
            heap1.1
        );
        assert_eq!(
            fds0, fds1,
            "descriptors changed over {ONESHOT_OPS} one-shot calls"
        );
        assert_eq!(
            heap0, heap1,
            "heap changed over {ONESHOT_OPS} one-shot calls"
        );

        // The operations did what they said: the link is up, every address added was
        // deleted again.
        drop(h);
        let l = ip_link("lk0").unwrap();
        assert!(l["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
        assert!(ip_addrs("lk0").is_empty(), "{:?}", ip_addrs("lk0"));
    });
}

#[test]
fn every_descriptor_the_crate_opens_is_close_on_exec() {
    if !can_run_kernel_tests("every_descriptor_the_crate_opens_is_close_on_exec") {
        return;
    }
    let _g = serial();
    in_netns(|| {
        let before = open_fds();
        let mut h = rtnl::Handle::new().unwrap();
        let cur = rtnl::netns::current().unwrap();
        let fresh = rtnl::netns::create().unwrap();
        let mut inside = rtnl::Handle::in_netns(fresh.as_fd()).unwrap();
        let by_pid = rtnl::netns::open_pid(std::process::id()).unwrap();
        let after = open_fds();

        let ours: BTreeMap<RawFd, String> = after
            .iter()
            .filter(|(fd, t)| before.get(fd) != Some(t))
            .map(|(fd, t)| (*fd, t.clone()))
            .collect();
        let expect = [
            h.conn("test").unwrap().transport().as_fd().as_raw_fd(),
            cur.as_raw_fd(),
            fresh.as_raw_fd(),
            inside.conn("test").unwrap().transport().as_fd().as_raw_fd(),
            by_pid.as_raw_fd(),
        ];
        // Exactly the descriptors we hold: nothing else was opened and left open.
        assert_eq!(
            ours.keys().copied().collect::<Vec<_>>(),
            {
                let mut e = expect.to_vec();
                e.sort_unstable();
                e
            },
            "new descriptors: {ours:?}"
        );
        for (fd, target) in &ours {
            assert!(cloexec(*fd), "fd {fd} ({target}) lacks FD_CLOEXEC");
        }

        // After an exec, none of them is there.
        let out = std::process::Command::new("sh")
            .args([
                "-c",
                "for f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink $f)\"; done",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let child = String::from_utf8(out.stdout).unwrap();
        let child_targets: Vec<&str> = child
            .lines()
            .filter_map(|l| l.split_once(' ').map(|(_, t)| t))
            .collect();
        assert!(
            child_targets.iter().any(|t| t.starts_with("pipe:")),
            "the child's listing is not what we think: {child}"
        );
        for (fd, target) in &ours {
            assert!(
                !child_targets.contains(&target.as_str()),
                "fd {fd} ({target}) survived exec: child has {child}"
            );
        }
        eprintln!(
            "{} descriptors checked close-on-exec (fcntl and after exec): {ours:?}",
            ours.len()
        );
        drop((h, inside, cur, fresh, by_pid));
    });
}

// ---- the seccomp net for short-lived descriptors ---------------------------------------

/// The errno the filter returns for a descriptor opened without close-on-exec.
#[cfg(target_arch = "x86_64")]
const NO_CLOEXEC: i32 = libc::ENOTRECOVERABLE;

/// A seccomp filter for the calling thread (and threads it creates) that makes every
/// x86-64 syscall creating a descriptor without close-on-exec fail with
/// [`NO_CLOEXEC`]: `socket`/`socketpair`/`accept4`/`pipe2` without `SOCK_CLOEXEC`/
/// `O_CLOEXEC`, `open`/`openat` without `O_CLOEXEC`, `dup3` without it, and `accept`,
/// `pipe`, `dup`, `dup2` and `fcntl(F_DUPFD)` always.
#[cfg(target_arch = "x86_64")]
fn deny_fds_without_cloexec() -> std::io::Result<()> {
    use libc::{sock_filter, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W};
    const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
    let ld = |off: u32| sock_filter {
        code: (BPF_LD | BPF_W | BPF_ABS) as u16,
        jt: 0,
        jf: 0,
        k: off,
    };
    let jmp = |op: u32, k: u32, jt: u8, jf: u8| sock_filter {
        code: (BPF_JMP | op | BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let ret = |k: u32| sock_filter {
        code: (BPF_RET | BPF_K) as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let allow = libc::SECCOMP_RET_ALLOW;
    let deny = libc::SECCOMP_RET_ERRNO | NO_CLOEXEC as u32;
    // Low 32 bits of args[i] in struct seccomp_data (little-endian).
    let arg = |i: u32| 16 + 8 * i;
    enum Rule {
        Always,
        NeedsFlag(u32, u32),
        DenyIfEq(u32, u32),
    }
    let cl = libc::O_CLOEXEC as u32;
    let rules = [
        (libc::SYS_socket, Rule::NeedsFlag(1, cl)),
        (libc::SYS_socketpair, Rule::NeedsFlag(1, cl)),
        (libc::SYS_accept4, Rule::NeedsFlag(3, cl)),
        (libc::SYS_pipe2, Rule::NeedsFlag(1, cl)),
        (libc::SYS_open, Rule::NeedsFlag(1, cl)),
        (libc::SYS_openat, Rule::NeedsFlag(2, cl)),
        (libc::SYS_dup3, Rule::NeedsFlag(2, cl)),
        (libc::SYS_accept, Rule::Always),
        (libc::SYS_pipe, Rule::Always),
        (libc::SYS_dup, Rule::Always),
        (libc::SYS_dup2, Rule::Always),
        (libc::SYS_fcntl, Rule::DenyIfEq(1, libc::F_DUPFD as u32)),
    ];
    let mut p = vec![ld(4), jmp(BPF_JEQ, AUDIT_ARCH_X86_64, 1, 0), ret(allow)];
    for (nr, rule) in rules {
        let block = match rule {
            Rule::Always => vec![ret(deny)],
            Rule::NeedsFlag(i, bit) => {
                vec![ld(arg(i)), jmp(BPF_JSET, bit, 0, 1), ret(allow), ret(deny)]
            }
            Rule::DenyIfEq(i, v) => vec![ld(arg(i)), jmp(BPF_JEQ, v, 0, 1), ret(deny), ret(allow)],
        };
        p.push(ld(0));
        p.push(jmp(BPF_JEQ, nr as u32, 0, block.len() as u8));
        p.extend(block);
    }
    p.push(ret(allow));
    let prog = libc::sock_fprog {
        len: u16::try_from(p.len()).unwrap(),
        filter: p.as_mut_ptr(),
    };
    // SAFETY: plain prctl with integer arguments; affects only this thread.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `prog` points to `p`, a valid filter of `len` instructions that outlives
    // the call (the kernel copies it). No TSYNC: this thread and its children only.
    let r = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER as libc::c_ulong,
            &prog as *const libc::sock_fprog,
        )
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
#[test]
fn no_descriptor_is_ever_opened_without_close_on_exec() {
    if !can_run_kernel_tests("no_descriptor_is_ever_opened_without_close_on_exec") {
        return;
    }
    if std::env::var_os("RTNL_QEMU_USER").is_some() {
        loud(
            "SKIPPED no_descriptor_is_ever_opened_without_close_on_exec: qemu-user refuses seccomp",
        );
        return;
    }
    let _g = serial();
    in_netns(|| {
        rtnl::create_veth_pair("cx0", "cx1").unwrap();
        let before = open_fds();
        // The filter goes on a sub-thread (same namespace): this thread stays free
        // to run `ip`.
        let calls = std::thread::scope(|s| {
            s.spawn(|| {
                deny_fds_without_cloexec().expect("install seccomp filter");
                // The filter bites: these are refused with our errno...
                // SAFETY: plain syscalls; a successful result is closed at once.
                let bad = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0) };
                let err = std::io::Error::last_os_error().raw_os_error();
                assert_eq!((bad, err), (-1, Some(NO_CLOEXEC)), "filter not active");
                // SAFETY: as above; the path is a valid C string.
                let bad = unsafe { libc::open(c"/proc/self/stat".as_ptr(), libc::O_RDONLY) };
                let err = std::io::Error::last_os_error().raw_os_error();
                assert_eq!((bad, err), (-1, Some(NO_CLOEXEC)), "filter not active");
                // ...while close-on-exec ones pass.
                drop(std::fs::File::open("/proc/self/stat").unwrap());

                let mut n = 0;
                let mut ok = |r: rtnl::Result<()>| {
                    if let Err(e) = &r {
                        assert_ne!(e.errno(), Some(NO_CLOEXEC), "opened without CLOEXEC: {e}");
                    }
                    n += 1;
                    r
                };
                let mut h = rtnl::Handle::new().unwrap();
                ok(h.set_link_up("cx0")).unwrap();
                ok(rtnl::set_link_up_by_name("cx1")).unwrap();
                ok(rtnl::link_exists("cx0").map(drop)).unwrap();
                ok(rtnl::list_all_links().map(drop)).unwrap();
                let cur = rtnl::netns::current().unwrap();
                let fresh = rtnl::netns::create().unwrap();
                ok(rtnl::Handle::in_netns(fresh.as_fd()).map(drop)).unwrap();
                ok(rtnl::netns::with_netns_fd(
                    rtnl::netns::current().unwrap(),
                    || Ok(()),
                ))
                .unwrap();
                ok(rtnl::with_netns(std::process::id(), || Ok(()))).unwrap();
                // The ioctl side door opens a socket per call.
                ok(rtnl::ioctl::get_mtu("cx0").map(drop)).unwrap();
                ok(rtnl::ioctl::set_mtu("cx0", 1280)).unwrap();
                ok(rtnl::ioctl::set_up("cx0")).unwrap();
                ok(rtnl::ioctl::get_flags("cx0").map(drop)).unwrap();
                assert!(ok(rtnl::ioctl::set_up("cxmissing"))
                    .unwrap_err()
                    .is_not_found());
                // sysctl opens files.
                ok(rtnl::read_sysctl("net.ipv4.ip_forward").map(drop)).unwrap();
                ok(rtnl::set_sysctl("net.ipv4.conf.cx0.forwarding", "1")).unwrap();
                drop((h, cur, fresh));
                n
            })
            .join()
            .unwrap()
        });
        assert_eq!(open_fds(), before, "descriptors left open");
        // The filtered calls really happened.
        assert_eq!(ip_link("cx0").unwrap()["mtu"], 1280);
        eprintln!("{calls} operations ran under the close-on-exec seccomp filter");
    });
}

// ---- misuse of the batch API: errors, never panics --------------------------------------

/// `10.7.i.0/24 dev <oif>` (link scope).
fn route_to(i: u32, oif: u32) -> Route {
    Route::to(IpAddr::V4(Ipv4Addr::new(10, 7, i as u8, 0)), 24)
        .unwrap()
        .dev(oif)
}

/// A request whose encoder claims one byte more than the buffer it was given.
struct LyingEncoder;

impl rtnl::Request for LyingEncoder {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, rtnl::WireError> {
        Ok(buf.len() + 1)
    }
}

/// Regression: shrinking the limits below what a batch already held made the next
/// `push` slice its buffer backwards (`buf[len..cap]` with `len > cap`) and panic; an
/// encoder claiming more bytes than it was given was trusted; `max_bytes: usize::MAX`
/// made the buffer try to grow to it (capacity overflow panic).
#[test]
fn batch_misuse_gives_errors_not_panics() {
    if !can_run_kernel_tests("batch_misuse_gives_errors_not_panics") {
        return;
    }
    let _g = serial();
    in_netns(|| {
        let mut h = rtnl::Handle::new().unwrap();
        h.add(&Link::veth("bm0", "bm1").unwrap()).unwrap();
        h.set_link_up("bm0").unwrap();
        let oif = h.link_index("bm0").unwrap();
        let fds0 = open_fds();

        // Limits shrunk mid-batch, then grown again.
        let results = h
            .batch_collect(|b| {
                for i in 0..150 {
                    b.add(&route_to(i, oif))?;
                    if i == 60 {
                        b.limits(rtnl::BatchLimits {
                            max_bytes: 512,
                            max_msgs: 0,
                        });
                    }
                    if i == 100 {
                        b.limits(rtnl::BatchLimits::default());
                    }
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), 150);
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        let routes = ip_json(&["-4", "route", "show", "dev", "bm0"]);
        let ours = routes
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["dst"].as_str().is_some_and(|d| d.starts_with("10.7.")))
            .count();
        assert_eq!(ours, 150);

        // An encoder that lies about its length; a limit below one message.
        let mut seen = Vec::new();
        let mut b = h.batch(|i, r| seen.push((i, r.is_ok())));
        let e = b.push(&LyingEncoder).unwrap_err();
        assert!(
            matches!(
                e,
                rtnl::Error::Encode {
                    source: rtnl::wire::WireError::BadLength,
                    ..
                }
            ),
            "{e:?}"
        );
        let r = route_to(200, oif);
        assert_eq!(b.add(&r).unwrap(), 0);
        b.limits(rtnl::BatchLimits {
            max_bytes: 16,
            max_msgs: 0,
        });
        let e = b.add(&route_to(201, oif)).unwrap_err();
        assert!(
            matches!(
                e,
                rtnl::Error::Encode {
                    source: rtnl::wire::WireError::BufferTooSmall,
                    ..
                }
            ),
            "{e:?}"
        );
        b.limits(rtnl::BatchLimits::default());
        assert_eq!(b.add(&route_to(202, oif)).unwrap(), 1);
        // An absurd limit: the buffer does not try to grow to it.
        b.limits(rtnl::BatchLimits {
            max_bytes: usize::MAX,
            max_msgs: 0,
        });
        assert_eq!(b.add(&route_to(203, oif)).unwrap(), 2);
        b.finish().unwrap();
        assert_eq!(seen, [(0, true), (1, true), (2, true)]);
        assert_eq!(open_fds(), fds0);
    });
}
