//! Kernel tests of policy routing rules (`src/ops/rule.rs`, `ip rule`), IPv4 and IPv6,
//! each in a fresh network namespace, checked against `ip -j rule`.
//!
//! Under qemu-user `RTM_NEWRULE` is not translated (`EOPNOTSUPP` in the emulator):
//! each test proves that and says loudly that it did not run.

mod common;
use common::*;

use rtnl::{Family, Handle, Protocol, Rule, RuleAction, RuleFilter};
use serde_json::Value;
use std::net::IpAddr;

fn ipa(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn setup() {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "add", "rl0", "type", "veth", "peer", "name", "rl1"]);
}

/// Whether rule requests reach the kernel (see `tests/ops_nexthop.rs`).
fn rules_reach_the_kernel(h: &mut Handle, test: &str) -> bool {
    let probe = Rule::new(Family::INET).priority(4242).table(4242);
    match (h.add(&probe), std::env::var("RTNL_QEMU_USER")) {
        (Ok(()), _) => {
            h.delete(&probe).unwrap();
            true
        }
        (Err(e), Ok(emu)) => {
            assert!(
                matches!(
                    &e,
                    rtnl::Error::Io {
                        op: "RTM_NEWRULE",
                        ..
                    }
                ) && e.errno() == Some(libc::EOPNOTSUPP),
                "under {emu}, expected qemu-user's EOPNOTSUPP for RTM_NEWRULE, got: {e}"
            );
            loud(&format!(
                "NOT RUN under {emu}: {test} — qemu-user does not translate RTM_NEWRULE \
                 (sendmsg fails with EOPNOTSUPP in the emulator, proven just now); the test \
                 runs natively on x86-64 and i686"
            ));
            false
        }
        (Err(e), Err(_)) => panic!("a rule: {e}"),
    }
}

/// `ip -j [-6] rule show` as a list of objects.
fn ip_rules(v6: bool) -> Vec<Value> {
    let args: &[&str] = if v6 {
        &["-6", "rule", "show"]
    } else {
        &["rule", "show"]
    };
    ip_json(args).as_array().unwrap().clone()
}

fn by_pref(rules: &[Value], p: u64) -> Value {
    rules
        .iter()
        .find(|r| r["priority"].as_u64() == Some(p))
        .unwrap_or_else(|| panic!("no rule {p} in {rules:?}"))
        .clone()
}

fn prios(v6: bool) -> Vec<u64> {
    ip_rules(v6)
        .iter()
        .map(|r| r["priority"].as_u64().unwrap())
        .collect()
}

/// The rules of the tests below, as iproute2 would add them.
fn rules() -> Vec<Rule> {
    let v4 = Rule::new(Family::INET);
    let mut full = v4
        .clone()
        .invert()
        .to_prefix(ipa("10.1.0.0"), 16)
        .unwrap()
        .priority(200)
        .fwmark(0x10, 0xff)
        .table(1000)
        .iif("rl0")
        .unwrap();
    full.protocol = Some(Protocol::STATIC);
    let mut ports = v4.clone().priority(700).table(7).oif("rl1").unwrap();
    ports.uid_range = Some((1000, 2000));
    ports.ip_proto = Some(6);
    ports.sport = Some((1000, 2000));
    ports.dport = Some((443, 443));
    let mut suppress = v4.clone().priority(32000);
    suppress.suppress_prefixlength = Some(0);
    vec![
        v4.clone()
            .from_prefix(ipa("10.0.0.0"), 24)
            .unwrap()
            .priority(100)
            .table(100),
        full,
        v4.clone()
            .from_prefix(ipa("10.9.0.0"), 16)
            .unwrap()
            .priority(500)
            .action(RuleAction::BLACKHOLE),
        v4.clone().priority(600).goto(700),
        v4.clone().priority(650).action(RuleAction::NOP),
        ports,
        v4.clone().priority(1000).l3mdev(),
        suppress,
        Rule::new(Family::INET6)
            .from_prefix(ipa("fd00::"), 64)
            .unwrap()
            .priority(300)
            .table(300),
        Rule::new(Family::INET6)
            .priority(310)
            .action(RuleAction::UNREACHABLE),
    ]
}

#[test]
fn rules_are_added_listed_and_deleted() {
    let test = "rules_are_added_listed_and_deleted";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        setup();
        let mut h = Handle::new().unwrap();
        if !rules_reach_the_kernel(&mut h, test) {
            return;
        }
        for r in rules() {
            h.add(&r).unwrap_or_else(|e| panic!("{r:?}: {e}"));
        }
        let v4 = ip_rules(false);
        assert_eq!(
            prios(false),
            [0, 100, 200, 500, 600, 650, 700, 1000, 32000, 32766, 32767]
        );
        let r = by_pref(&v4, 100);
        assert_eq!(
            (r["src"].as_str(), r["srclen"].as_u64(), r["table"].as_str()),
            (Some("10.0.0.0"), Some(24), Some("100"))
        );
        let r = by_pref(&v4, 200);
        assert!(r.get("not").is_some());
        assert_eq!(r["dst"], "10.1.0.0");
        assert_eq!(r["fwmark"], "0x10");
        assert_eq!(r["fwmask"], "0xff");
        assert_eq!(r["iif"], "rl0");
        assert_eq!(r["table"], "1000");
        assert_eq!(r["protocol"], "static");
        assert_eq!(by_pref(&v4, 500)["action"], "blackhole");
        assert_eq!(by_pref(&v4, 600)["goto"], 700);
        assert!(by_pref(&v4, 650).get("nop").is_some());
        let r = by_pref(&v4, 700);
        assert_eq!(
            (r["uid_start"].as_u64(), r["uid_end"].as_u64()),
            (Some(1000), Some(2000))
        );
        assert_eq!(r["ipproto"], "tcp");
        assert_eq!(
            (r["sport_start"].as_u64(), r["sport_end"].as_u64()),
            (Some(1000), Some(2000))
        );
        assert_eq!(r["dport"], 443);
        assert_eq!(r["oif"], "rl1");
        assert!(by_pref(&v4, 1000).get("l3mdev").is_some());
        assert_eq!(by_pref(&v4, 32000)["suppress_prefixlen"], 0);
        let v6 = ip_rules(true);
        assert_eq!(by_pref(&v6, 300)["src"], "fd00::");
        assert_eq!(by_pref(&v6, 310)["action"], "unreachable");

        // rtnl's dump of both families: every rule added, as the kernel reports it.
        let dumped = h.rules(&RuleFilter::default()).unwrap();
        for want in rules() {
            assert!(
                dumped.iter().any(|r| r.same_rule(&want)),
                "{want:?} not in the dump"
            );
        }
        // Filtered here by table: the kernel does not filter rule dumps.
        let t1000 = h.rules(&RuleFilter::table(Family::INET, 1000)).unwrap();
        assert_eq!(t1000.len(), 1);
        assert_eq!(t1000[0].priority, Some(200));
        assert_eq!(
            h.rules(&RuleFilter::family(Family::INET6)).unwrap().len(),
            4
        );

        // Deleted as dumped; absent afterwards.
        let r = t1000[0].clone();
        h.delete(&r).unwrap();
        assert!(h.delete(&r).unwrap_err().is_not_found());
        assert!(!prios(false).contains(&200));
        // ip rule del pref 600: the kernel matches any action and table.
        let by_prio = Rule {
            action: RuleAction::UNSPEC,
            table: 0,
            ..Rule::new(Family::INET).priority(600)
        };
        h.delete(&by_prio).unwrap();
        assert!(!prios(false).contains(&600));
    });
}

#[test]
fn ensure_and_remove_are_idempotent_and_priority_clashes_are_refused() {
    let test = "ensure_and_remove_are_idempotent_and_priority_clashes_are_refused";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        setup();
        let mut h = Handle::new().unwrap();
        if !rules_reach_the_kernel(&mut h, test) {
            return;
        }
        // The CNI sbr plugin's rule.
        let sbr = Rule::new(Family::INET)
            .from_prefix(ipa("10.0.0.5"), 32)
            .unwrap()
            .priority(100)
            .table(100);
        assert!(h.ensure_rule(&sbr).unwrap());
        assert!(!h.ensure_rule(&sbr).unwrap());
        // The same rule as the kernel reports it is the same rule (a mark without a
        // mask is reported with the mask all ones).
        let mut m = Rule::new(Family::INET).priority(150).table(150);
        m.fwmark = Some(7);
        assert!(h.ensure_rule(&m).unwrap());
        assert!(!h.ensure_rule(&m).unwrap());
        let before = ip_rules(false);
        // Another rule at priority 100: a clash, refused before anything changes.
        let other = Rule::new(Family::INET)
            .from_prefix(ipa("10.0.0.6"), 32)
            .unwrap()
            .priority(100)
            .table(100);
        let e = h.ensure_rule(&other).unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        assert!(e.to_string().contains("priority"), "{e}");
        // No priority: refused (it could not be found again).
        let mut nopref = other.clone();
        nopref.priority = None;
        assert!(h.ensure_rule(&nopref).unwrap_err().is_invalid_input());
        assert_eq!(ip_rules(false), before);
        // The IPv6 list is another list: the same priority is free there.
        let v6 = Rule::new(Family::INET6)
            .from_prefix(ipa("fd00::5"), 128)
            .unwrap()
            .priority(100)
            .table(100);
        assert!(h.ensure_rule(&v6).unwrap());

        assert!(h.remove_rule(&sbr).unwrap());
        assert!(!h.remove_rule(&sbr).unwrap());
        assert!(h.remove_rule(&v6).unwrap());
        assert!(!prios(false).contains(&100));

        // A set at once: the missing ones added in one batch, the rest left alone.
        let set: Vec<Rule> = (0..3u32)
            .map(|i| {
                Rule::new(Family::INET)
                    .from_prefix(IpAddr::from([10, 70, i as u8, 0]), 24)
                    .unwrap()
                    .priority(400 + i)
                    .table(400)
            })
            .collect();
        assert_eq!(h.ensure_rules(&set[..1]).unwrap(), 1);
        assert_eq!(h.ensure_rules(&set).unwrap(), 2);
        assert_eq!(h.ensure_rules(&set).unwrap(), 0);
        // Two different rules of one set at one priority: refused before any syscall.
        let before = ip_rules(false);
        let mut clash = set.clone();
        clash.push(
            Rule::new(Family::INET)
                .from_prefix(ipa("10.71.0.0"), 24)
                .unwrap()
                .priority(500)
                .table(500),
        );
        clash.push(
            Rule::new(Family::INET)
                .from_prefix(ipa("10.72.0.0"), 24)
                .unwrap()
                .priority(500)
                .table(500),
        );
        let e = h.ensure_rules(&clash).unwrap_err();
        assert!(e.is_invalid_input(), "{e}");
        assert_eq!(ip_rules(false), before, "nothing changed");
        assert_eq!(
            h.flush_rules(&RuleFilter::table(Family::INET, 400))
                .unwrap(),
            3
        );
    });
}

#[test]
fn mistakes_are_refused_before_any_syscall() {
    let test = "mistakes_are_refused_before_any_syscall";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        setup();
        let mut h = Handle::new().unwrap();
        if !rules_reach_the_kernel(&mut h, test) {
            return;
        }
        let before = ip_rules(false);
        // Table 0: the kernel would allocate an empty table and point the rule at it.
        let t0 = Rule::new(Family::INET).priority(10).table(0);
        let e = h.add(&t0).unwrap_err();
        assert!(
            e.is_invalid_input() && e.to_string().contains("table 0"),
            "{e}"
        );
        // Prefixes past the family's maximum, or of the other family.
        assert!(Rule::new(Family::INET)
            .from_prefix(ipa("10.0.0.0"), 33)
            .is_err());
        assert!(Rule::new(Family::INET6)
            .to_prefix(ipa("fd00::"), 129)
            .is_err());
        let mut mixed = Rule::new(Family::INET).priority(11).table(11);
        mixed.src = Some(ipa("fd00::"));
        mixed.src_len = 64;
        assert!(h.add(&mixed).unwrap_err().is_invalid_input());
        // A goto backwards, a port range the kernel refuses, l3mdev with a table.
        assert!(h
            .add(&Rule::new(Family::INET).priority(20).goto(10))
            .unwrap_err()
            .is_invalid_input());
        let mut p = Rule::new(Family::INET).priority(12).table(12);
        p.dport = Some((1, 65535));
        assert!(h.add(&p).unwrap_err().is_invalid_input());
        let mut l = Rule::new(Family::INET).priority(13).l3mdev();
        l.table = 13;
        assert!(h.add(&l).unwrap_err().is_invalid_input());
        // A whole batch: the refused request is not queued; the others go.
        let results = h
            .batch_collect(|b| {
                assert!(b.add(&t0).unwrap_err().is_invalid_input());
                b.add(&Rule::new(Family::INET).priority(14).table(14))?;
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), 1);
        assert!(results[0].is_ok());
        let after: Vec<_> = ip_rules(false)
            .into_iter()
            .filter(|r| r["priority"] != 14)
            .collect();
        assert_eq!(after, before, "nothing else reached the kernel");
    });
}

#[test]
fn flush_by_table_leaves_the_others() {
    let test = "flush_by_table_leaves_the_others";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        setup();
        let mut h = Handle::new().unwrap();
        if !rules_reach_the_kernel(&mut h, test) {
            return;
        }
        let mut b = h.batch(|i, r| r.unwrap_or_else(|e| panic!("{i}: {e}")));
        for i in 0..5u32 {
            b.add(&Rule::new(Family::INET).priority(100 + i).table(100))
                .unwrap();
            b.add(&Rule::new(Family::INET).priority(200 + i).table(200))
                .unwrap();
            b.add(&Rule::new(Family::INET6).priority(100 + i).table(100))
                .unwrap();
        }
        b.finish().unwrap();
        assert_eq!(
            h.flush_rules(&RuleFilter::table(Family::INET, 100))
                .unwrap(),
            5
        );
        assert_eq!(
            prios(false),
            [0, 200, 201, 202, 203, 204, 32766, 32767],
            "table 200 and the kernel's rules stay"
        );
        assert_eq!(ip_rules(true).len(), 2 + 5, "IPv6 untouched");
        assert_eq!(
            h.flush_rules(&RuleFilter::table(Family::UNSPEC, 100))
                .unwrap(),
            5
        );
        assert_eq!(ip_rules(true).len(), 2);
    });
}

// Ten thousand rules in one batch (64 KiB datagrams), one result each.
#[test]
fn ten_thousand_rules_in_one_batch() {
    let test = "ten_thousand_rules_in_one_batch";
    if !can_run_kernel_tests(test) {
        return;
    }
    in_netns(|| {
        setup();
        let mut h = Handle::new().unwrap();
        if !rules_reach_the_kernel(&mut h, test) {
            return;
        }
        let n = 10_000u32;
        let results = h
            .batch_collect(|b| {
                for i in 0..n {
                    let mut r = Rule::new(Family::INET).priority(1000 + i).table(300);
                    r.fwmark = Some(i + 1);
                    b.add(&r)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(results.len(), n as usize);
        assert!(results.iter().all(|r| r.is_ok()));
        assert_eq!(ip_rules(false).len(), n as usize + 3);
        let t = RuleFilter::table(Family::INET, 300);
        assert_eq!(h.rules(&t).unwrap().len(), n as usize);
        assert_eq!(h.flush_rules(&t).unwrap(), n as usize);
        assert_eq!(prios(false), [0, 32766, 32767]);
    });
}
