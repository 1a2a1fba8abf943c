//! Section 5 — let the kernel filter: on a host with many links, one link's addresses,
//! one bridge's ports or one table's routes asked of the kernel (a dump it filters:
//! `ifa_index`, `IFLA_MASTER`, `RTA_TABLE`/`RTA_OIF`, with strict checking) against
//! the old way, a full dump filtered in user space. Everything in a private network
//! namespace holding `RTNL_BENCH_FILTER_LINKS` links (default 10,000; 1,000 in a
//! quick run: veth pairs, created in batches), one IPv4 address on each, a bridge with
//! 10 ports, `RTNL_BENCH_FILTER_ROUTES` routes in the main table (same defaults) and
//! 10 in table 100.

use crate::harness::{env_usize, fmt_ns, in_netns, ops_rotated, Checks, Op, Stat};
use rtnl::{
    AddrFilter, Address, Family, Handle, Link, LinkFilter, Object, Result, Route, RouteFilter, Verb,
};
use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

/// The table of the few routes, and how many it holds.
const TABLE: u32 = 100;
const TABLE_ROUTES: usize = 10;
/// Ports of the bridge.
const PORTS: usize = 10;
/// Addresses put on the link that is flushed, before each flush.
const FLUSHED: usize = 4;

/// Applies `verb` to every object in one batch; panics unless the kernel took them
/// all.
fn batch_all<T: Object>(h: &mut Handle, what: &str, verb: Verb, objects: &[T]) {
    let (mut ok, mut reported) = (0usize, 0usize);
    let mut first_err = None;
    let mut b = h.batch(|_, r: Result<()>| {
        reported += 1;
        match r {
            Ok(()) => ok += 1,
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    });
    for o in objects {
        b.push(&rtnl::Op::new(verb, o))
            .unwrap_or_else(|e| panic!("{what}: queue: {e}"));
    }
    b.finish().unwrap_or_else(|e| panic!("{what}: batch: {e}"));
    assert_eq!(
        reported,
        objects.len(),
        "{what}: a result for every request"
    );
    if let Some(e) = first_err {
        panic!(
            "{what}: {} of {reported} refused, first: {e}",
            reported - ok
        );
    }
}

fn v4(a: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(a))
}

/// The address of link number `i` (one /32 each, 100.64.0.0 up).
fn addr_of(i: usize) -> IpAddr {
    v4(0x6440_0000 + i as u32)
}

/// The addresses put on the flushed link before each flush: 198.18.0.1.. /32.
fn flushed(idx: u32) -> Vec<Address> {
    (0..FLUSHED)
        .map(|k| Address::new(idx, v4(0xc612_0001 + k as u32), 32))
        .collect()
}

/// The old way of `ip addr flush dev X`: a full dump, filtered here, then a batch
/// of deletes. Returns how many were deleted.
fn flush_the_old_way(h: &mut Handle, idx: u32) -> Result<usize> {
    let mine: Vec<Address> = h
        .addresses()?
        .into_iter()
        .filter(|a| a.index == idx)
        .collect();
    let mut bad = None;
    let mut b = h.batch(|_, r: Result<()>| {
        if let Err(e) = r {
            bad.get_or_insert(e);
        }
    });
    for a in &mine {
        b.delete(a)?;
    }
    b.finish()?;
    bad.map_or(Ok(mine.len()), Err)
}

/// How many messages the kernel sends for `req`'s dump (the filter's real effect:
/// a kernel that ignores it sends everything, and `matches` filters here instead).
fn sent(h: &mut Handle, req: &impl rtnl::Request) -> usize {
    let mut n = 0;
    h.dump(req, |_| {
        n += 1;
        Ok(())
    })
    .expect("dump");
    n
}

/// Runs one comparison, interleaved and rotated (a full dump leaves the caches cold
/// for whatever runs next): `v[0]` is the kernel-filtered way, `v[old]` the full dump
/// filtered in user space; prints the table and returns full / filtered.
fn compare(title: &str, rounds: usize, old: usize, v: &mut [Op<'_>]) -> f64 {
    let s: Vec<Stat> = ops_rotated(rounds, v);
    println!("-- {title}");
    println!(
        "{:<64} {:>10} {:>9} {:>9}",
        "variant", "median", "x row 1", "allocs"
    );
    for (o, st) in v.iter().zip(&s) {
        println!(
            "{:<64} {:>10} {:>8.2}x {:>9.1}",
            o.name,
            fmt_ns(st.ns),
            st.ns / s[0].ns,
            st.allocs
        );
    }
    let r = s[old].ns / s[0].ns;
    println!("   full dump filtered in user space / kernel-filtered = {r:.1}x");
    r
}

pub fn run(checks: &mut Checks, quick: bool) {
    let nlinks = env_usize(
        "RTNL_BENCH_FILTER_LINKS",
        if quick { 1_000 } else { 10_000 },
    );
    let nroutes = env_usize(
        "RTNL_BENCH_FILTER_ROUTES",
        if quick { 1_000 } else { 10_000 },
    );
    // Ports are b10..b19; the flushed link (the last b) must not be one of them.
    let pairs = (nlinks / 2).max(PORTS + 12);
    let rounds = if quick { 2 } else { 15 };
    // Calls per round: a filtered dump is tens of µs, a full one milliseconds.
    let (fast, slow) = if quick { (5, 1) } else { (20, 3) };
    println!(
        "\n== 5. Let the kernel filter: {} links ({pairs} veth pairs) with an IPv4 address each, \
         a bridge with {PORTS} ports, {nroutes} routes in table main and {TABLE_ROUTES} in table {TABLE}; \
         {rounds} rounds, medians per call",
        pairs * 2
    );
    in_netns(|| {
        let mut h = Handle::new().expect("handle");

        // ---- setup (untimed but reported) ------------------------------------------
        let t = Instant::now();
        let pair_links: Vec<Link> = (0..pairs)
            .map(|i| Link::veth(&format!("a{i}"), &format!("b{i}")).expect("names"))
            .collect();
        batch_all(&mut h, "veth pairs", Verb::Add, &pair_links);
        drop(pair_links);
        let t_links = t.elapsed();
        // Indexes, from one dump.
        let mut index = std::collections::HashMap::new();
        h.for_each_link(&LinkFilter::default(), |l| {
            if let Some(n) = l.name_str() {
                index.insert(n.to_owned(), l.index());
            }
        })
        .expect("link dump");
        let idx = |n: &str| *index.get(n).unwrap_or_else(|| panic!("no link {n}"));
        let names: Vec<String> = (0..pairs)
            .flat_map(|i| [format!("a{i}"), format!("b{i}")])
            .collect();
        let t = Instant::now();
        let addrs: Vec<Address> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Address::new(idx(n), addr_of(i), 32))
            .collect();
        batch_all(&mut h, "addresses", Verb::Add, &addrs);
        let naddrs = addrs.len();
        drop(addrs);
        let t_addrs = t.elapsed();
        // The bridge and its ports.
        h.add(&Link::bridge("br0").expect("name")).expect("bridge");
        let br = h.link_index("br0").expect("bridge index");
        for k in 0..PORTS {
            h.set_link_master(idx(&format!("b{}", 10 + k)), br)
                .expect("port");
        }
        // Routes: a0 carries the main table's, a1 table 100's; both ends up.
        for n in ["a0", "b0", "a1", "b1"] {
            h.set_link_up(idx(n)).expect("up");
        }
        let (a0, a1) = (idx("a0"), idx("a1"));
        let t = Instant::now();
        let routes: Vec<Route> = (0..nroutes)
            .map(|i| {
                Route::to(v4(0x0b00_0000 + i as u32), 32)
                    .expect("route")
                    .dev(a0)
            })
            .chain((0..TABLE_ROUTES).map(|i| {
                Route::to(v4(0x0c00_0000 + ((i as u32) << 8)), 24)
                    .expect("route")
                    .dev(a1)
                    .table(TABLE)
            }))
            .collect();
        batch_all(&mut h, "routes", Verb::Add, &routes);
        drop(routes);
        let t_routes = t.elapsed();
        println!(
            "setup: {} links in {:.2} s, {naddrs} addresses in {:.2} s, {} routes in {:.2} s (batches)",
            pairs * 2,
            t_links.as_secs_f64(),
            t_addrs.as_secs_f64(),
            nroutes + TABLE_ROUTES,
            t_routes.as_secs_f64()
        );

        // The link whose addresses are read (one address), and the one flushed.
        let one = idx(&format!("a{}", pairs / 2));
        let fl = idx(&format!("b{}", pairs - 1));
        let by_link = AddrFilter {
            family: Family::UNSPEC,
            index: Some(one),
        };
        let ports = LinkFilter {
            master: Some(br),
            ..Default::default()
        };
        let inet = RouteFilter {
            family: Family::INET,
            ..Default::default()
        };
        let by_table = RouteFilter {
            family: Family::INET,
            table: Some(TABLE),
            ..Default::default()
        };
        let by_oif = RouteFilter {
            family: Family::INET,
            oif: Some(a1),
            ..Default::default()
        };

        // ---- the same answers both ways; what the kernel sends --------------------
        let mine = h.addresses_of(one).expect("addresses_of");
        let all_addrs = h.addresses().expect("addresses");
        let theirs: Vec<&Address> = all_addrs.iter().filter(|a| a.index == one).collect();
        assert_eq!(mine.len(), 1, "addresses_of: one address");
        assert_eq!(mine.iter().collect::<Vec<_>>(), theirs, "addresses_of");
        let p_new = h.links_matching(&ports).expect("links_matching");
        let all_links = h.links().expect("links");
        let p_old: Vec<&Link> = all_links.iter().filter(|l| l.master == Some(br)).collect();
        assert_eq!(p_new.len(), PORTS, "bridge ports");
        assert_eq!(p_new.iter().collect::<Vec<_>>(), p_old, "bridge ports");
        let r_new = h.routes(&by_table).expect("routes table");
        let all_routes = h.routes(&inet).expect("routes");
        let r_old: Vec<&Route> = all_routes.iter().filter(|r| r.table == TABLE).collect();
        assert_eq!(r_new.len(), TABLE_ROUTES, "routes of table {TABLE}");
        assert_eq!(r_new.iter().collect::<Vec<_>>(), r_old, "routes of table");
        let o_new = h.routes(&by_oif).expect("routes oif");
        let o_old: Vec<&Route> = all_routes.iter().filter(|r| r.oif == Some(a1)).collect();
        assert_eq!(o_new.iter().collect::<Vec<_>>(), o_old, "routes of a1");
        println!(
            "messages the kernel sends — addresses: {} of {}; bridge ports: {} of {}; \
             routes of table {TABLE}: {} of {}; routes of a1: {} of {}",
            sent(&mut h, &by_link),
            sent(&mut h, &AddrFilter::default()),
            sent(&mut h, &ports),
            sent(&mut h, &LinkFilter::default()),
            sent(&mut h, &by_table),
            sent(&mut h, &inet),
            sent(&mut h, &by_oif),
            all_routes.len(),
        );
        drop((all_addrs, all_links, all_routes));

        let cell = RefCell::new(h);
        let h = &cell;
        let none = || Box::new(|| {}) as Box<dyn FnMut()>;

        // ---- addresses of one link --------------------------------------------------
        let r_addr = compare(
            &format!("addresses of one link (1 of {naddrs})"),
            rounds,
            3,
            &mut [
                Op {
                    name: "rtnl addresses_of(idx): lookup + dump filtered by ifa_index",
                    prep: none(),
                    op: Box::new(|| {
                        let l = h.borrow_mut().addresses_of(one).expect("addresses_of");
                        assert_eq!(l.len(), 1);
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: addresses_matching(index), no lookup",
                    prep: none(),
                    op: Box::new(|| {
                        let l = h.borrow_mut().addresses_matching(&by_link).expect("dump");
                        assert_eq!(l.len(), 1);
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: for_each_address (all), filtered here, streamed",
                    prep: none(),
                    op: Box::new(|| {
                        let mut n = 0;
                        h.borrow_mut()
                            .for_each_address(&AddrFilter::default(), |a| {
                                n += (a.index() == one) as usize
                            })
                            .expect("dump");
                        assert_eq!(n, 1);
                    }),
                    per_round: slow,
                },
                Op {
                    name: "old: addresses() (all), filtered here",
                    prep: none(),
                    op: Box::new(|| {
                        let l: Vec<Address> = h
                            .borrow_mut()
                            .addresses()
                            .expect("dump")
                            .into_iter()
                            .filter(|a| a.index == one)
                            .collect();
                        assert_eq!(l.len(), 1);
                    }),
                    per_round: slow,
                },
            ],
        );

        // ---- flush one link's addresses -----------------------------------------
        let refill = || {
            Box::new(move || {
                batch_all(&mut h.borrow_mut(), "refill", Verb::Add, &flushed(fl));
            }) as Box<dyn FnMut()>
        };
        // The flushed link's own address goes with the first flush (the warm-up); it
        // is put back after.
        let r_flush = compare(
            &format!("flush one link's addresses ({FLUSHED} of {naddrs})"),
            rounds,
            1,
            &mut [
                Op {
                    name: "rtnl flush_addresses(idx): kernel-filtered dumps + batch",
                    prep: refill(),
                    op: Box::new(|| {
                        let n = h.borrow_mut().flush_addresses(fl).expect("flush");
                        assert!(n >= FLUSHED, "flushed {n}");
                    }),
                    per_round: fast,
                },
                Op {
                    name: "old: addresses() (all), filtered here, batch of deletes",
                    prep: refill(),
                    op: Box::new(|| {
                        let n = flush_the_old_way(&mut h.borrow_mut(), fl).expect("flush");
                        assert!(n >= FLUSHED, "flushed {n}");
                    }),
                    per_round: slow,
                },
            ],
        );
        h.borrow_mut()
            .add(&Address::new(fl, addr_of(names.len() - 1), 32))
            .expect("restore the flushed link's address");

        // ---- the ports of one bridge ---------------------------------------------
        let r_ports = compare(
            &format!("ports of one bridge ({PORTS} of {} links)", pairs * 2 + 2),
            rounds,
            3,
            &mut [
                Op {
                    name: "rtnl links_matching(master): dump filtered by IFLA_MASTER",
                    prep: none(),
                    op: Box::new(|| {
                        let l = h.borrow_mut().links_matching(&ports).expect("dump");
                        assert_eq!(l.len(), PORTS);
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: bridge_ports(idx): lookup + the same",
                    prep: none(),
                    op: Box::new(|| {
                        let l = h.borrow_mut().bridge_ports(br).expect("dump");
                        assert_eq!(l.len(), PORTS);
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: for_each_link (all), filtered here, streamed",
                    prep: none(),
                    op: Box::new(|| {
                        let mut n = 0;
                        h.borrow_mut()
                            .for_each_link(&LinkFilter::default(), |l| {
                                n += (l.master == Some(br)) as usize
                            })
                            .expect("dump");
                        assert_eq!(n, PORTS);
                    }),
                    per_round: slow,
                },
                Op {
                    name: "old: links() (all), filtered here",
                    prep: none(),
                    op: Box::new(|| {
                        let l: Vec<Link> = h
                            .borrow_mut()
                            .links()
                            .expect("dump")
                            .into_iter()
                            .filter(|l| l.master == Some(br))
                            .collect();
                        assert_eq!(l.len(), PORTS);
                    }),
                    per_round: slow,
                },
            ],
        );

        // ---- the routes of one table, of one device --------------------------------
        let n_oif = o_new.len();
        let r_routes = compare(
            &format!(
                "routes of one table ({TABLE_ROUTES} in table {TABLE}; {nroutes} in main, \
                 {naddrs} local)"
            ),
            rounds,
            3,
            &mut [
                Op {
                    name: "rtnl routes(table 100): dump filtered by RTA_TABLE",
                    prep: none(),
                    op: Box::new(|| {
                        let l = h.borrow_mut().routes(&by_table).expect("dump");
                        assert_eq!(l.len(), TABLE_ROUTES);
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: routes(oif a1): every table walked, RTA_OIF filter",
                    prep: none(),
                    op: Box::new(|| {
                        let l = h.borrow_mut().routes(&by_oif).expect("dump");
                        assert_eq!(l.len(), n_oif);
                    }),
                    per_round: slow,
                },
                Op {
                    name: "  diag: for_each_route (all), filtered here, streamed",
                    prep: none(),
                    op: Box::new(|| {
                        let mut n = 0;
                        h.borrow_mut()
                            .for_each_route(&inet, |r| n += (r.table == TABLE) as usize)
                            .expect("dump");
                        assert_eq!(n, TABLE_ROUTES);
                    }),
                    per_round: slow,
                },
                Op {
                    name: "old: routes(all), filtered here",
                    prep: none(),
                    op: Box::new(|| {
                        let l: Vec<Route> = h
                            .borrow_mut()
                            .routes(&inet)
                            .expect("dump")
                            .into_iter()
                            .filter(|r| r.table == TABLE)
                            .collect();
                        assert_eq!(l.len(), TABLE_ROUTES);
                    }),
                    per_round: slow,
                },
            ],
        );

        // Addresses of one link and one table's routes cost the kernel the same
        // whatever the number of links (and of routes elsewhere: they grow together
        // here), so the gain grows with it: at least 1x per 100 links. For the ports of a bridge the kernel still walks every link (it only
        // leaves the others out of the reply): a constant factor, at least 5x.
        let links = (pairs * 2) as f64;
        for (what, r, want) in [
            ("addresses of one link", r_addr, links / 100.0),
            ("flush one link's addresses", r_flush, links / 100.0),
            ("ports of one bridge", r_ports, 5.0),
            ("routes of one table", r_routes, links / 100.0),
        ] {
            checks.check(
                &format!("kernel filter at {links} links, {what}: full dump / filtered"),
                r,
                want,
                true,
            );
        }
    });
}
