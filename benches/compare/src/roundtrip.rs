//! Target 2 — one round trip: set a link up by name, on a veth in a private network
//! namespace, "down→up" (the link is set down, untimed, before each call) and
//! "already up".

use crate::harness::{fmt_ns, in_netns, ops, Checks, Op, Stat};
use crate::raw::Raw;
use futures::TryStreamExt;
use rtnetlink::LinkUnspec;
use std::cell::RefCell;
use std::process::Command;
use tokio::runtime::Runtime;

/// Positions of rtnl's Handle and of rtnetlink's first variant in the table.
const H: usize = 4;
const RN: usize = 6;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("tokio runtime")
}

/// rtnetlink's documented way (its `set_link_down` example): look the link up by
/// name, then set it by index — two round trips.
async fn rn_lookup_set(h: &rtnetlink::Handle, name: &str) {
    let mut links = h.link().get().match_name(name.to_string()).execute();
    let l = links.try_next().await.expect("get").expect("link");
    h.link()
        .set(LinkUnspec::new_with_index(l.header.index).up().build())
        .execute()
        .await
        .expect("set");
}

/// rtnetlink selecting the link by name in the set request itself (one round trip).
async fn rn_set_by_name(h: &rtnetlink::Handle, name: &str) {
    h.link()
        .set(LinkUnspec::new_with_name(name).up().build())
        .execute()
        .await
        .expect("set");
}

fn one_shot_rtnetlink(name: &str) {
    let rt = runtime();
    rt.block_on(async {
        let (conn, h, _) = rtnetlink::new_connection().expect("connection");
        tokio::spawn(conn);
        rn_lookup_set(&h, name).await;
    });
}

pub fn run(checks: &mut Checks, quick: bool) {
    println!("\n== 2. Round trip: set link up by name (median per call, veth in a private netns)");
    let rounds = if quick { 2 } else { 25 };
    let fast = if quick { 20 } else { 100 };
    in_netns(|| {
        let mut h = rtnl::Handle::new().expect("handle");
        h.add(&rtnl::Link::veth("v0", "v1").expect("names"))
            .expect("veth");
        let idx = h.link_index("v0").expect("index") as i32;
        let raw = RefCell::new(Raw::new().expect("raw socket"));
        let h = RefCell::new(h);
        let rt = runtime();
        let rn = {
            let _g = rt.enter();
            let (conn, handle, _) = rtnetlink::new_connection().expect("connection");
            rt.spawn(conn);
            handle
        };
        for already_up in [false, true] {
            let label = if already_up {
                "already up"
            } else {
                "down→up"
            };
            let down = || {
                if !already_up {
                    raw.borrow_mut().set_up(idx, false).expect("down");
                }
            };
            let mut v: Vec<Op<'_>> = vec![
                Op {
                    name: "floor: raw RTM_NEWLINK by ifindex (libc)",
                    prep: Box::new(down),
                    op: Box::new(|| raw.borrow_mut().set_up(idx, true).expect("up")),
                    per_round: fast,
                },
                Op {
                    name: "  diag: raw, by name",
                    prep: Box::new(down),
                    op: Box::new(|| {
                        raw.borrow_mut()
                            .set_up_by_name("v0", true, false)
                            .expect("up")
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: raw, by name, MSG_PEEK first",
                    prep: Box::new(down),
                    op: Box::new(|| {
                        raw.borrow_mut()
                            .set_up_by_name("v0", true, true)
                            .expect("up")
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: raw socket()+bind+close, then by name",
                    prep: Box::new(down),
                    op: Box::new(|| {
                        Raw::new()
                            .expect("raw")
                            .set_up_by_name("v0", true, false)
                            .expect("up")
                    }),
                    per_round: fast,
                },
                Op {
                    name: "rtnl Handle::set_link_up (reused)",
                    prep: Box::new(down),
                    op: Box::new(|| h.borrow_mut().set_link_up("v0").expect("up")),
                    per_round: fast,
                },
                Op {
                    name: "rtnl::set_link_up_by_name (one-shot)",
                    prep: Box::new(down),
                    op: Box::new(|| rtnl::set_link_up_by_name("v0").expect("up")),
                    per_round: fast,
                },
                Op {
                    name: "rtnetlink reused handle, lookup+set (its example)",
                    prep: Box::new(down),
                    op: Box::new(|| rt.block_on(rn_lookup_set(&rn, "v0"))),
                    per_round: fast,
                },
                Op {
                    name: "rtnetlink reused handle, set by name",
                    prep: Box::new(down),
                    op: Box::new(|| rt.block_on(rn_set_by_name(&rn, "v0"))),
                    per_round: fast,
                },
                Op {
                    name: "rtnetlink new runtime+connection per call",
                    prep: Box::new(down),
                    op: Box::new(|| one_shot_rtnetlink("v0")),
                    per_round: fast / 5,
                },
                Op {
                    name: "`ip link set dev v0 up` (spawn)",
                    prep: Box::new(down),
                    op: Box::new(|| {
                        let s = Command::new("ip")
                            .args(["link", "set", "dev", "v0", "up"])
                            .status()
                            .expect("ip");
                        assert!(s.success());
                    }),
                    per_round: if quick { 2 } else { 4 },
                },
                Op {
                    name: "rtnl lookup + set (link_index, set_link by index)",
                    prep: Box::new(down),
                    op: Box::new(|| {
                        let mut h = h.borrow_mut();
                        let i = h.link_index("v0").expect("index");
                        h.set_link(i, &rtnl::Link::default().up()).expect("up")
                    }),
                    per_round: fast,
                },
                Op {
                    name: "  diag: raw socket()+bind+close only",
                    prep: Box::new(|| {}),
                    op: Box::new(|| drop(Raw::new().expect("raw"))),
                    per_round: fast,
                },
                Op {
                    name: "  diag: rtnl Handle::new()+drop only",
                    prep: Box::new(|| {}),
                    op: Box::new(|| drop(rtnl::Handle::new().expect("handle"))),
                    per_round: fast,
                },
            ];
            let s: Vec<Stat> = ops(rounds, &mut v);
            let names: Vec<&str> = v.iter().map(|o| o.name).collect();
            drop(v);
            println!("-- {label}");
            println!(
                "{:<52} {:>10} {:>9} {:>8}",
                "variant", "median", "x floor", "allocs"
            );
            for (n, st) in names.iter().zip(&s) {
                println!(
                    "{:<52} {:>10} {:>8.2}x {:>8.1}",
                    n,
                    fmt_ns(st.ns),
                    st.ns / s[0].ns,
                    st.allocs
                );
            }
            println!(
                "   rtnetlink (lookup+set) / rtnl Handle = {:.1}x; rtnetlink (set by name) / rtnl Handle = {:.1}x; ip / rtnl Handle = {:.0}x",
                s[RN].ns / s[H].ns,
                s[RN + 1].ns / s[H].ns,
                s[RN + 3].ns / s[H].ns
            );
            checks.check(
                &format!("{label}: Handle::set_link_up / floor"),
                s[H].ns / s[0].ns,
                1.15,
                false,
            );
            checks.check(
                &format!("{label}: rtnl::set_link_up_by_name / floor"),
                s[H + 1].ns / s[0].ns,
                1.5,
                false,
            );
            checks.check(
                &format!("{label}: rtnetlink reused (lookup+set) / Handle::set_link_up"),
                s[RN].ns / s[H].ns,
                4.0,
                true,
            );
        }
    });
}
