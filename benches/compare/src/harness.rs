//! The measuring harness: a counting global allocator, interleaved rounds, medians,
//! ratios, and a few helpers (private network namespace, peak RSS).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Counts every allocation (and reallocation) made by the process.
pub struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged;
// the counter is a side effect only.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(p, l, n) }
    }
}

/// Allocations so far.
pub fn allocs() -> u64 {
    ALLOCS.load(Relaxed)
}

/// Median of a sample (sorted in place).
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One result: median nanoseconds per operation and allocations per operation.
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    pub ns: f64,
    pub allocs: f64,
}

/// A variant of a micro-benchmark: runs its operation `n` times.
pub type Micro<'a> = (&'a str, Box<dyn FnMut(u64) + 'a>);

/// Runs the variants interleaved (`rounds` rounds, each variant one sample of `iters`
/// operations per round), so that machine load hits them alike. Returns the median
/// per-operation time and the allocations per operation of each.
pub fn micro(rounds: usize, iters: u64, variants: &mut [Micro<'_>]) -> Vec<Stat> {
    for (_, f) in variants.iter_mut() {
        f(iters); // warm up
    }
    let mut times: Vec<Vec<f64>> = variants
        .iter()
        .map(|_| Vec::with_capacity(rounds))
        .collect();
    let mut al = vec![0u64; variants.len()];
    for _ in 0..rounds {
        for (i, (_, f)) in variants.iter_mut().enumerate() {
            let a = allocs();
            let t = Instant::now();
            f(iters);
            let e = t.elapsed();
            al[i] += allocs() - a;
            times[i].push(e.as_nanos() as f64 / iters as f64);
        }
    }
    times
        .iter_mut()
        .zip(al)
        .map(|(t, a)| Stat {
            ns: median(t),
            allocs: a as f64 / (rounds as f64 * iters as f64),
        })
        .collect()
}

/// A variant of a round-trip benchmark: `prep` is untimed, `op` is timed.
pub struct Op<'a> {
    pub name: &'a str,
    pub prep: Box<dyn FnMut() + 'a>,
    pub op: Box<dyn FnMut() + 'a>,
    /// Operations per round (fewer for slow variants).
    pub per_round: usize,
}

/// Runs the operations interleaved, timing each call alone; returns the median
/// per-call time in nanoseconds and allocations per call.
pub fn ops(rounds: usize, variants: &mut [Op<'_>]) -> Vec<Stat> {
    ops_with(rounds, variants, false)
}

/// As [`ops`], but each round starts with the next variant (round `r` runs variant
/// `r % n` first), so that none always follows the same one: where one variant
/// leaves the caches cold for the next (a full dump of 10,000 links), every variant
/// gets its share.
pub fn ops_rotated(rounds: usize, variants: &mut [Op<'_>]) -> Vec<Stat> {
    ops_with(rounds, variants, true)
}

fn ops_with(rounds: usize, variants: &mut [Op<'_>], rotate: bool) -> Vec<Stat> {
    for v in variants.iter_mut() {
        (v.prep)();
        (v.op)(); // warm up
    }
    let mut times: Vec<Vec<f64>> = variants
        .iter()
        .map(|v| Vec::with_capacity(rounds * v.per_round))
        .collect();
    let mut al = vec![0u64; variants.len()];
    let n = variants.len();
    for r in 0..rounds {
        for k in 0..n {
            let i = if rotate { (k + r) % n } else { k };
            let v = &mut variants[i];
            for _ in 0..v.per_round {
                (v.prep)();
                let a = allocs();
                let t = Instant::now();
                (v.op)();
                let e = t.elapsed();
                al[i] += allocs() - a;
                times[i].push(e.as_nanos() as f64);
            }
        }
    }
    times
        .iter_mut()
        .zip(variants.iter())
        .zip(al)
        .map(|((t, v), a)| Stat {
            ns: median(t),
            allocs: a as f64 / (rounds * v.per_round) as f64,
        })
        .collect()
}

/// Runs `f` on a new thread in a fresh, private network namespace (the namespace goes
/// away with the thread).
pub fn in_netns<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: unshare changes only the calling thread's namespace.
            let r = unsafe { libc::unshare(libc::CLONE_NEWNET) };
            assert_eq!(
                r,
                0,
                "unshare(CLONE_NEWNET): {}",
                std::io::Error::last_os_error()
            );
            f()
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// A size from the environment (`_` allowed as a digit separator), else `d`.
pub fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(d)
}

/// A `/proc/self/status` field in kB (`VmHWM`, `VmRSS`).
pub fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS (`VmHWM`) to the current RSS.
pub fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Formats nanoseconds with a sensible unit.
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// Formats a rate.
pub fn fmt_rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2}M/s", per_s / 1e6)
    } else {
        format!("{:.0}k/s", per_s / 1e3)
    }
}

/// One target check, printed and remembered for the summary.
#[derive(Default)]
pub struct Checks {
    pub lines: Vec<String>,
    pub missed: usize,
}

impl Checks {
    /// Records `what` (`value` against the target `want`, higher is better when
    /// `higher`).
    pub fn check(&mut self, what: &str, value: f64, want: f64, higher: bool) {
        let ok = if higher { value >= want } else { value <= want };
        if !ok {
            self.missed += 1;
        }
        let l = format!(
            "  [{}] {what}: {value:.2} (target {} {want})",
            if ok { "PASS" } else { "MISS" },
            if higher { ">=" } else { "<=" }
        );
        println!("{l}");
        self.lines.push(l);
    }
}

/// Seconds as a `Duration`-based rate.
pub fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}
