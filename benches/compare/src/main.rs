//! rtnl benchmarks: every comparison side by side in one process, with ratios.
//!
//! ```text
//! cargo run --release --manifest-path benches/compare/Cargo.toml            # everything
//! cargo run --release --manifest-path benches/compare/Cargo.toml -- encode roundtrip
//! cargo run --release --manifest-path benches/compare/Cargo.toml -- --quick # smoke run
//! ```
//!
//! Sections: `encode` (target 1), `roundtrip` (2), `scale` (3), `size` (4), `filter`
//! (5: kernel-filtered dumps against full dumps filtered here), `neigh` (issue 15:
//! neighbours, FDB entries and rules installed in batches; `route get` round trips;
//! sizes in `src/neigh.rs`), `kinds` (every new kind of link: encoding, and 1,000
//! macvlans / vxlans created; RTNL_BENCH_KIND_LINKS sets the count), `events` (6: the
//! monitor: parse rate, drops per buffer size, wake-ups with the kernel filter,
//! latency of a wait; RTNL_BENCH_EVENTS, RTNL_BENCH_STORM, RTNL_BENCH_CHURN_LINKS).
//! Sizes of the scale
//! runs: RTNL_BENCH_ROUTES (default 100000), RTNL_BENCH_SMALL (100000: routes for
//! rtnetlink and `ip -batch`), RTNL_BENCH_ADDRS (20000), RTNL_BENCH_LINKS (2000),
//! RTNL_BENCH_REPS (5; 1 above 300000 routes); RTNL_BENCH_VERBOSE=1 prints every
//! sample of the route installs. Sizes of the filter run: RTNL_BENCH_FILTER_LINKS
//! (10000; 1000 quick), RTNL_BENCH_FILTER_ROUTES (10000; 1000 quick). Kernel
//! benchmarks run in private network namespaces (needs root). See BENCHMARKS.md.

mod encode;
mod events;
mod filter;
mod harness;
mod neigh;
mod kinds;
mod raw;
mod roundtrip;
mod scale;
mod size;

#[global_allocator]
static GLOBAL: harness::Counting = harness::Counting;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut sections: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    if sections.is_empty() || sections == ["all"] {
        sections = vec!["encode", "roundtrip", "scale", "size", "filter", "neigh", "kinds", "events"];
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "rtnl benchmarks — {} — loadavg {} — {} CPUs{}",
        now(),
        load.trim(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if quick { " — QUICK (smoke) run" } else { "" }
    );
    let mut checks = harness::Checks::default();
    for s in &sections {
        match *s {
            "encode" => encode::run(&mut checks, quick),
            "roundtrip" => roundtrip::run(&mut checks, quick),
            "scale" => scale::run(&mut checks, quick),
            "size" => size::run(&mut checks, quick),
            "filter" => filter::run(&mut checks, quick),
            "neigh" => neigh::run(&mut checks, quick),
            "kinds" => kinds::run(&mut checks, quick),
            "events" => events::run(&mut checks, quick),
            other => {
                eprintln!("unknown section {other:?}: encode roundtrip scale size filter neigh kinds events");
                std::process::exit(2);
            }
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\n== Summary (loadavg at end {})", load.trim());
    for l in &checks.lines {
        println!("{l}");
    }
    println!("{} targets, {} missed", checks.lines.len(), checks.missed);
}

fn now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
