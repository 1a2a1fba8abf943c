//! Target 3 — scale: install N IPv4 routes (a mix of /24s and /32s, dev and gateway
//! routes) through `Handle::batch`, dump and parse them with `Handle::for_each_route`,
//! against hand-written raw-socket floors, rtnetlink and `ip -batch` / `ip -j`; then
//! addresses and links. Everything in private network namespaces.

use crate::harness::{env_usize, fmt_rate, in_netns, median, rate, reset_hwm, status_kb, Checks};
use crate::raw::{self, Raw, R4};
use futures::TryStreamExt;
use rtnl::{
    AckMode, AddrFilter, Address, Family, Handle, Link, LinkFilter, Nexthop, Route, RouteFilter,
    Scope,
};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GW: [u8; 4] = [10, 0, 0, 254];

/// Route `i` of the benchmark set: even = `11.x.y.z/32 dev v0`, odd =
/// `a.b.c.0/24 via 10.0.0.254 dev v0` from 32.0.0.0 up.
fn route(i: usize, oif: u32) -> R4 {
    let k = (i / 2) as u32;
    if i & 1 == 0 {
        R4 {
            dst: (0x0b00_0000 + k).to_be_bytes(),
            len: 32,
            gw: None,
            oif,
        }
    } else {
        R4 {
            dst: (0x2000_0000 + (k << 8)).to_be_bytes(),
            len: 24,
            gw: Some(GW),
            oif,
        }
    }
}

/// The route through its nexthop object instead (`ip route add DST nhid ID`).
fn to_request_nh(r: &R4) -> Route {
    let mut q = Route::new(Family::INET);
    q.dst = Some(IpAddr::V4(Ipv4Addr::from(r.dst)));
    q.dst_len = r.len;
    q.nexthop_id = Some(raw::nh_id(r));
    q
}

/// The two nexthop objects the routes name: 1 = `dev v0`, 2 = `via 10.0.0.254 dev v0`
/// (`ip nexthop add ...`). They go with v0 when it is deleted.
fn add_nexthops(h: &mut Handle, oif: u32) {
    h.add(&Nexthop {
        id: 1,
        oif: Some(oif),
        ..Default::default()
    })
    .expect("nexthop 1");
    h.add(&Nexthop {
        id: 2,
        gateway: Some(IpAddr::V4(Ipv4Addr::from(GW))),
        oif: Some(oif),
        ..Default::default()
    })
    .expect("nexthop 2");
}

fn to_request(r: &R4) -> Route {
    let mut q = Route::new(Family::INET);
    q.dst = Some(IpAddr::V4(Ipv4Addr::from(r.dst)));
    q.dst_len = r.len;
    q.gateway = r.gw.map(|g| IpAddr::V4(Ipv4Addr::from(g)));
    q.scope = if r.gw.is_some() {
        Scope::UNIVERSE
    } else {
        Scope::LINK
    };
    q.oif = Some(r.oif);
    q
}

/// (Re)creates the veth pair v0/v1 with 10.0.0.1/24 on v0, both up; returns v0's
/// index. Deleting v0 first removes every route through it (synchronously).
///
/// The kernel frees deleted routes after an RCU grace period, in the background; the
/// routes of the previous run (`settle_routes` of them) get time to go, so that their
/// cleanup is not billed to the next variant.
fn fresh_link(h: &mut Handle, settle_routes: usize) -> u32 {
    if h.delete_link("v0").is_ok() {
        std::thread::sleep(
            Duration::from_millis(200) + Duration::from_micros(2) * settle_routes as u32,
        );
    }
    h.add(&Link::veth("v0", "v1").expect("names"))
        .expect("veth");
    let idx = h.link_index("v0").expect("index");
    h.add(&Address::new(
        idx,
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        24,
    ))
    .expect("addr");
    h.set_link_up("v1").expect("up");
    h.set_link_up("v0").expect("up");
    idx
}

/// rtnl: the whole set through one batch; returns (ok, refused, results reported).
fn rtnl_install(h: &mut Handle, routes: &[R4], mode: AckMode) -> (usize, usize, usize) {
    rtnl_install_with(h, routes, mode, to_request)
}

fn rtnl_install_with(
    h: &mut Handle,
    routes: &[R4],
    mode: AckMode,
    req: fn(&R4) -> Route,
) -> (usize, usize, usize) {
    let (mut ok, mut bad, mut reported) = (0usize, 0usize, 0usize);
    let mut b = h.batch(|_, r| {
        reported += 1;
        match r {
            Ok(()) => ok += 1,
            Err(_) => bad += 1,
        }
    });
    b.ack_mode(mode);
    for r in routes {
        b.add(&req(r)).expect("queue");
    }
    b.finish().expect("batch");
    (ok, bad, reported)
}

fn ip_batch(lines: impl Iterator<Item = String>) -> Duration {
    let path = std::env::temp_dir().join(format!("rtnl-bench-{}.batch", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("batch file"));
        for l in lines {
            writeln!(f, "{l}").expect("write");
        }
    }
    let t = Instant::now();
    let out = Command::new("ip")
        .arg("-batch")
        .arg(&path)
        .stdout(Stdio::null())
        .output()
        .expect("ip -batch");
    let d = t.elapsed();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "ip -batch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn ip4(b: [u8; 4]) -> Ipv4Addr {
    Ipv4Addr::from(b)
}

fn rtnetlink_install(routes: &[R4]) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("rt");
    rt.block_on(async {
        let (conn, h, _) = rtnetlink::new_connection().expect("connection");
        tokio::spawn(conn);
        let t = Instant::now();
        for r in routes {
            let mut m = rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new()
                .destination_prefix(ip4(r.dst), r.len);
            if let Some(g) = r.gw {
                m = m.gateway(ip4(g));
            } else {
                m = m.scope(netlink_packet_route::route::RouteScope::Link);
            }
            h.route()
                .add(m.output_interface(r.oif).build())
                .execute()
                .await
                .expect("route add");
        }
        t.elapsed()
    })
}

fn rtnetlink_dump() -> (usize, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("rt");
    rt.block_on(async {
        let (conn, h, _) = rtnetlink::new_connection().expect("connection");
        tokio::spawn(conn);
        let t = Instant::now();
        let mut s = h
            .route()
            .get(rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new().build())
            .execute();
        let mut n = 0;
        while let Some(m) = s.try_next().await.expect("dump") {
            std::hint::black_box(&m);
            n += 1;
        }
        (n, t.elapsed())
    })
}

fn print_rate(name: &str, n: usize, d: Duration, base: Option<f64>) -> f64 {
    let r = rate(n, d);
    match base {
        Some(b) => println!(
            "{name:<58} {n:>9} {:>10.3} s {:>10} {:>7.2}x",
            d.as_secs_f64(),
            fmt_rate(r),
            r / b
        ),
        None => println!(
            "{name:<58} {n:>9} {:>10.3} s {:>10}",
            d.as_secs_f64(),
            fmt_rate(r)
        ),
    }
    r
}

pub fn run(checks: &mut Checks, quick: bool) {
    let n = env_usize("RTNL_BENCH_ROUTES", if quick { 4_000 } else { 100_000 });
    let small = env_usize("RTNL_BENCH_SMALL", if quick { 1_000 } else { 100_000 }).min(n);
    let naddr = env_usize("RTNL_BENCH_ADDRS", if quick { 500 } else { 20_000 });
    let nlink = env_usize("RTNL_BENCH_LINKS", if quick { 50 } else { 2_000 });
    let reps = env_usize("RTNL_BENCH_REPS", if quick || n > 300_000 { 1 } else { 5 });
    println!(
        "\n== 3. Scale: {n} routes (rtnetlink and ip -batch: {small}), {naddr} addresses, {nlink} links; {reps} repetition(s), medians"
    );
    println!(
        "{:<58} {:>9} {:>12} {:>10} {:>8}",
        "variant", "count", "time", "rate", "x floor"
    );
    in_netns(|| {
        let mut h = Handle::new().expect("handle");
        let mut raw = Raw::new().expect("raw");
        raw.big_rcvbuf();

        // ---- install -----------------------------------------------------------
        let mut t_floor = Vec::new();
        let mut t_rtnl = Vec::new();
        let mut t_floor_every = Vec::new();
        let mut t_rtnl_every = Vec::new();
        let mut all_reported = true;
        for rep in 0..reps {
            // Rotate the order each repetition, so no variant always goes first.
            for k in 0..4 {
                let variant = (k + rep) % 4;
                let idx = fresh_link(&mut h, n);
                let routes: Vec<R4> = (0..n).map(|i| route(i, idx)).collect();
                let t = Instant::now();
                match variant {
                    0 => {
                        let bad = raw::install_routes(&mut raw, &routes, false).expect("floor");
                        t_floor.push(t.elapsed().as_secs_f64());
                        assert_eq!(bad, 0, "floor: refused routes");
                    }
                    1 => {
                        let (ok, bad, reported) = rtnl_install(&mut h, &routes, AckMode::Last);
                        t_rtnl.push(t.elapsed().as_secs_f64());
                        assert_eq!(bad, 0, "rtnl: refused routes");
                        all_reported &= reported == n && ok == n;
                    }
                    2 => {
                        let bad = raw::install_routes(&mut raw, &routes, true).expect("floor");
                        t_floor_every.push(t.elapsed().as_secs_f64());
                        assert_eq!(bad, 0);
                    }
                    _ => {
                        let (ok, _, reported) = rtnl_install(&mut h, &routes, AckMode::Every);
                        t_rtnl_every.push(t.elapsed().as_secs_f64());
                        all_reported &= reported == n && ok == n;
                    }
                }
            }
        }
        if std::env::var_os("RTNL_BENCH_VERBOSE").is_some() {
            println!("   samples (s): floor {t_floor:.3?} rtnl {t_rtnl:.3?} floor-every {t_floor_every:.3?} rtnl-every {t_rtnl_every:.3?}");
        }
        let d = |v: &mut Vec<f64>| Duration::from_secs_f64(median(v));
        let floor = print_rate(
            "floor: raw socket, 64 KiB batches, ACK at batch end",
            n,
            d(&mut t_floor),
            None,
        );
        let r_rtnl = print_rate(
            "rtnl Handle::batch add(&Route), AckMode::Last",
            n,
            d(&mut t_rtnl),
            Some(floor),
        );
        let floor_every = print_rate(
            "floor: raw socket, 64 KiB batches, ACK per message",
            n,
            d(&mut t_floor_every),
            Some(floor),
        );
        print_rate(
            "rtnl Handle::batch add(&Route), AckMode::Every",
            n,
            d(&mut t_rtnl_every),
            Some(floor),
        );
        let _ = floor_every;

        // ip -batch and rtnetlink on the smaller set.
        let idx = fresh_link(&mut h, n);
        let routes: Vec<R4> = (0..small).map(|i| route(i, idx)).collect();
        let t_ip = ip_batch(routes.iter().map(|r| match r.gw {
            Some(g) => format!("route add {}/{} via {} dev v0", ip4(r.dst), r.len, ip4(g)),
            None => format!("route add {}/{} dev v0", ip4(r.dst), r.len),
        }));
        let r_ip = print_rate("`ip -batch FILE` (route add ...)", small, t_ip, Some(floor));
        let idx = fresh_link(&mut h, small);
        let routes: Vec<R4> = (0..small).map(|i| route(i, idx)).collect();
        let t_rn = rtnetlink_install(&routes);
        let r_rn = print_rate(
            "rtnetlink route().add().execute().await, one by one",
            small,
            t_rn,
            Some(floor),
        );
        checks.check(
            "routes: rtnl batch rate / ACK-at-end floor",
            r_rtnl / floor,
            1.0,
            true,
        );
        checks.check(
            "routes: rtnl batch rate / ip -batch rate",
            r_rtnl / r_ip,
            4.0,
            true,
        );
        checks.check(
            "routes: a result reported for every route (1 = yes)",
            all_reported as u8 as f64,
            1.0,
            true,
        );
        println!("   rtnl batch / rtnetlink = {:.1}x", r_rtnl / r_rn);

        // ---- the same routes through nexthop objects -----------------------------
        // Every variant alike: two nexthop objects (`ip nexthop add`), each route
        // naming one (`RTA_NH_ID`). The kernel then validates the next hop once,
        // not once per route; this is what the library offers for a full table.
        println!(
            "-- the same routes through nexthop objects (ip nexthop; ip route add DST nhid ID)"
        );
        let mut t_floor_nh = Vec::new();
        let mut t_rtnl_nh = Vec::new();
        let mut nh_reported = true;
        for rep in 0..reps {
            for k in 0..2 {
                let idx = fresh_link(&mut h, n);
                add_nexthops(&mut h, idx);
                let routes: Vec<R4> = (0..n).map(|i| route(i, idx)).collect();
                let t = Instant::now();
                if (k + rep) % 2 == 0 {
                    let bad = raw::install_routes_nh(&mut raw, &routes).expect("floor nh");
                    t_floor_nh.push(t.elapsed().as_secs_f64());
                    assert_eq!(bad, 0, "floor nh: refused routes");
                } else {
                    let (ok, bad, reported) =
                        rtnl_install_with(&mut h, &routes, AckMode::Last, to_request_nh);
                    t_rtnl_nh.push(t.elapsed().as_secs_f64());
                    assert_eq!(bad, 0, "rtnl nh: refused routes");
                    nh_reported &= reported == n && ok == n;
                }
            }
        }
        if std::env::var_os("RTNL_BENCH_VERBOSE").is_some() {
            println!("   samples (s): floor-nh {t_floor_nh:.3?} rtnl-nh {t_rtnl_nh:.3?}");
        }
        let floor_nh = print_rate(
            "floor: raw socket, RTA_NH_ID, ACK at batch end",
            n,
            d(&mut t_floor_nh),
            Some(floor),
        );
        let r_rtnl_nh = print_rate(
            "rtnl Handle::batch add(&Route) (nexthop_id), AckMode::Last",
            n,
            d(&mut t_rtnl_nh),
            Some(floor),
        );
        let idx = fresh_link(&mut h, n);
        add_nexthops(&mut h, idx);
        let routes: Vec<R4> = (0..small).map(|i| route(i, idx)).collect();
        let t_ip_nh = ip_batch(
            routes
                .iter()
                .map(|r| format!("route add {}/{} nhid {}", ip4(r.dst), r.len, raw::nh_id(r))),
        );
        let r_ip_nh = print_rate(
            "`ip -batch FILE` (route add ... nhid ID)",
            small,
            t_ip_nh,
            Some(floor),
        );
        println!(
            "   through nexthop objects: rtnl / its floor = {:.2}x, rtnl / ip -batch = {:.1}x; \
             rtnl with nexthop objects / ip -batch without = {:.1}x",
            r_rtnl_nh / floor_nh,
            r_rtnl_nh / r_ip_nh,
            r_rtnl_nh / r_ip
        );
        checks.check(
            "routes via nexthop objects (all variants alike): rtnl / floor",
            r_rtnl_nh / floor_nh,
            1.0,
            true,
        );
        checks.check(
            "routes via nexthop objects (all variants alike): rtnl / ip -batch",
            r_rtnl_nh / r_ip_nh,
            4.0,
            true,
        );
        checks.check(
            "routes via nexthop objects: a result reported for every route (1 = yes)",
            nh_reported as u8 as f64,
            1.0,
            true,
        );

        // ---- dump --------------------------------------------------------------
        let idx = fresh_link(&mut h, small);
        let routes: Vec<R4> = (0..n).map(|i| route(i, idx)).collect();
        let (_, bad, _) = rtnl_install(&mut h, &routes, AckMode::Last);
        assert_eq!(bad, 0);
        drop(routes);
        println!(
            "-- dump and parse (table holds {n} + a few routes; {} samples each, interleaved)",
            (reps * 3).max(15)
        );
        std::thread::sleep(Duration::from_millis(200) + Duration::from_micros(2) * n as u32);
        raw::dump_routes(&mut raw, |_| {}).expect("warm-up dump");
        let all = RouteFilter {
            family: Family::INET,
            ..Default::default()
        };
        let by_table = RouteFilter {
            family: Family::INET,
            table: Some(254),
            ..Default::default()
        };
        let by_oif = RouteFilter {
            family: Family::INET,
            oif: Some(idx),
            ..Default::default()
        };
        let mut times: [Vec<f64>; 4] = Default::default();
        let mut counts = [0usize; 4];
        let mut hwm = (0, 0, 0);
        // Dumps are short (tens of ms at 100k routes): many more samples than the
        // installs, so that the medians stand above this machine's noise.
        for rep in 0..(reps * 3).max(15) {
            for k in 0..4 {
                let v = (k + rep) % 4;
                if v == 1 && rep == 0 {
                    reset_hwm();
                    hwm.0 = status_kb("VmHWM");
                }
                let t = Instant::now();
                let mut c = 0usize;
                let mut sum = 0u64;
                match v {
                    0 => {
                        c = raw::dump_routes(&mut raw, |p| {
                            sum += p.len as u64 + p.dst[3] as u64 + p.oif.unwrap_or(0) as u64
                        })
                        .expect("dump");
                    }
                    _ => {
                        let f = [all, by_table, by_oif][v - 1];
                        h.for_each_route(&f, |r| {
                            c += 1;
                            sum += r.dst_len() as u64 + r.oif.unwrap_or(0) as u64;
                        })
                        .expect("for_each_route");
                    }
                }
                times[v].push(t.elapsed().as_secs_f64());
                std::hint::black_box(sum);
                counts[v] = c;
                if v == 1 && rep == 0 {
                    hwm.1 = status_kb("VmHWM");
                    hwm.2 = status_kb("VmRSS");
                }
            }
        }
        let [t_fl, t_rt, t_tab, t_oif] = &mut times;
        let fl = print_rate(
            "floor: hand-written dump + parse (raw socket)",
            counts[0],
            d(t_fl),
            None,
        );
        let rt = print_rate(
            "rtnl Handle::for_each_route (all tables)",
            counts[1],
            d(t_rt),
            Some(fl),
        );
        print_rate(
            "rtnl for_each_route, RouteFilter table=main (kernel-side)",
            counts[2],
            d(t_tab),
            Some(fl),
        );
        print_rate(
            "rtnl for_each_route, RouteFilter oif=v0 (kernel-side)",
            counts[3],
            d(t_oif),
            Some(fl),
        );
        let counts = (counts[0], counts[1]);
        reset_hwm();
        let before_collect = status_kb("VmHWM");
        let t = Instant::now();
        let c = h
            .routes(&RouteFilter {
                family: Family::INET,
                ..Default::default()
            })
            .expect("routes")
            .len();
        print_rate(
            "rtnl Handle::routes (collects Vec<Route>)",
            c,
            t.elapsed(),
            Some(fl),
        );
        let collect_growth = status_kb("VmHWM").saturating_sub(before_collect);
        let (c, t_rn) = rtnetlink_dump();
        let r_rn = print_rate(
            "rtnetlink route().get().execute() stream",
            c,
            t_rn,
            Some(fl),
        );
        let t = Instant::now();
        let out = Command::new("ip")
            .args(["-j", "route", "show"])
            .output()
            .expect("ip -j");
        let t_ipj = t.elapsed();
        assert!(out.status.success());
        let c_ip = out.stdout.windows(6).filter(|w| w == b"\"dst\":").count();
        let r_ipj = print_rate("`ip -j route show` (main table)", c_ip, t_ipj, Some(fl));
        println!(
            "   peak RSS during rtnl for_each_route over {} routes: VmHWM {} kB before, {} kB after (+{} kB); VmRSS {} kB",
            counts.1,
            hwm.0,
            hwm.1,
            hwm.1.saturating_sub(hwm.0),
            hwm.2
        );
        println!("   for contrast, Handle::routes (collecting a Vec) raised VmHWM by {collect_growth} kB");
        println!(
            "   rtnl / rtnetlink = {:.1}x, rtnl / ip -j = {:.1}x",
            rt / r_rn,
            rt / r_ipj
        );
        checks.check(
            "dump: rtnl for_each_route rate / hand-written floor",
            rt / fl,
            1.0,
            true,
        );
        checks.check(
            "dump: VmHWM growth during for_each_route, kB",
            hwm.1.saturating_sub(hwm.0) as f64,
            1024.0,
            false,
        );

        // ---- addresses ---------------------------------------------------------
        let _ = h.delete_link("v0");
        // The kernel keeps a device's IPv4 addresses in a list that each add walks:
        // spread them over enough links that this stays linear overall.
        let nl = (naddr / 1000).clamp(10, 200);
        println!("-- {naddr} IPv4 /32 addresses over {nl} veth links");
        let mut idxs = Vec::new();
        for i in 0..nl {
            let a = format!("a{i}");
            h.add(&Link::veth(&a, &format!("b{i}")).expect("names"))
                .expect("veth");
            idxs.push(h.link_index(&a).expect("idx"));
        }
        let t = Instant::now();
        let (mut ok, mut reported) = (0, 0);
        {
            let mut b = h.batch(|_, r| {
                reported += 1;
                ok += r.is_ok() as usize;
            });
            for i in 0..naddr {
                let a = Address::new(
                    idxs[i % nl],
                    IpAddr::V4(Ipv4Addr::from(0x6440_0000u32 + i as u32)),
                    32,
                );
                b.add(&a).expect("queue");
            }
            b.finish().expect("batch");
        }
        let r_addr = print_rate("rtnl Handle::batch add(&Address)", naddr, t.elapsed(), None);
        assert_eq!((ok, reported), (naddr, naddr), "address results");
        let t = Instant::now();
        let mut c = 0;
        let v4 = AddrFilter {
            family: Family::INET,
            index: None,
        };
        h.for_each_address(&v4, |_| c += 1).expect("addr dump");
        print_rate(
            "rtnl Handle::for_each_address (dump + parse)",
            c,
            t.elapsed(),
            None,
        );
        for i in 0..nl {
            h.delete_link(&format!("a{i}")).expect("del");
        }
        for i in 0..nl {
            h.add(&Link::veth(&format!("a{i}"), &format!("b{i}")).expect("names"))
                .expect("veth");
        }
        let t_ip = ip_batch((0..naddr).map(|i| {
            format!(
                "addr add {}/32 dev a{}",
                Ipv4Addr::from(0x6440_0000u32 + i as u32),
                i % nl
            )
        }));
        let r_ipa = rate(naddr, t_ip);
        println!(
            "{:<58} {naddr:>9} {:>10.3} s {:>10}   (rtnl {:.1}x faster)",
            "`ip -batch FILE` (addr add ...)",
            t_ip.as_secs_f64(),
            fmt_rate(r_ipa),
            r_addr / r_ipa
        );
        for i in 0..nl {
            h.delete_link(&format!("a{i}")).expect("del");
        }

        // ---- links -------------------------------------------------------------
        println!(
            "-- {nlink} links ({} veth pairs) created in one batch, then dumped",
            nlink / 2
        );
        let names: Vec<(String, String)> = (0..nlink / 2)
            .map(|i| (format!("l{i}"), format!("p{i}")))
            .collect();
        let t = Instant::now();
        let (mut ok, mut reported) = (0, 0);
        {
            let mut b = h.batch(|_, r| {
                reported += 1;
                ok += r.is_ok() as usize;
            });
            for (l, p) in &names {
                b.add(&Link::veth(l, p).expect("names")).expect("queue");
            }
            b.finish().expect("batch");
        }
        let r_links = print_rate(
            "rtnl Handle::batch add Link::veth (2 links each)",
            names.len() * 2,
            t.elapsed(),
            None,
        );
        assert_eq!((ok, reported), (names.len(), names.len()), "link results");
        let t = Instant::now();
        let mut c = 0;
        h.for_each_link(&LinkFilter::default(), |_| c += 1)
            .expect("link dump");
        print_rate(
            "rtnl Handle::for_each_link (dump + parse)",
            c,
            t.elapsed(),
            None,
        );
        let _ = r_links;
    });
    // The same link count through ip -batch, in its own namespace.
    in_netns(|| {
        let t = ip_batch((0..nlink / 2).map(|i| format!("link add l{i} type veth peer name p{i}")));
        print_rate(
            "`ip -batch FILE` (link add ... type veth)",
            (nlink / 2) * 2,
            t,
            None,
        );
    });
}
