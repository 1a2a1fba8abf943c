//! rtnl's plugins held side by side against the reference plugins (Debian's
//! `containernetworking-plugins`, `/usr/lib/cni`): the same configurations, each run
//! in fresh namespaces, compared on the kernel state `ip -j` shows after ADD and after
//! DEL, the result JSON, CHECK, a second DEL, and the error codes. Only generated
//! names, MACs and the link-local addresses derived from MACs are normalised.

mod common;

use common::{chained, diff, Env, Impl, Normaliser};
use serde_json::{json, Value};

/// One configuration: a chain of plugins (one for a plain plugin), as a `.conflist`.
#[derive(Clone)]
struct Case {
    name: &'static str,
    version: &'static str,
    chain: Vec<(&'static str, Value)>,
    ifname: &'static str,
    cni_args: &'static str,
    /// Commands run in the host namespace first (`{dir}` is the scratch directory).
    host_setup: Vec<Vec<&'static str>>,
    /// Commands run in the container namespace first.
    cont_setup: Vec<Vec<&'static str>>,
}

impl Case {
    fn new(name: &'static str, version: &'static str, plugin: &'static str, conf: Value) -> Case {
        Case {
            name,
            version,
            chain: vec![(plugin, conf)],
            ifname: "eth0",
            cni_args: "",
            host_setup: vec![],
            cont_setup: vec![],
        }
    }
    fn then(mut self, plugin: &'static str, conf: Value) -> Case {
        self.chain.push((plugin, conf));
        self
    }
    fn host(mut self, cmd: &[&'static str]) -> Case {
        self.host_setup.push(cmd.to_vec());
        self
    }
    fn args(mut self, a: &'static str) -> Case {
        self.cni_args = a;
        self
    }
}

/// `{dir}` in a configuration is the run's scratch directory (host-local, tuning).
fn with_dir(v: &Value, dir: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("{dir}", dir)),
        Value::Array(a) => Value::Array(a.iter().map(|x| with_dir(x, dir)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), with_dir(x, dir)))
                .collect(),
        ),
        x => x.clone(),
    }
}

fn err_code(out: &Value) -> Value {
    out.get("code").cloned().unwrap_or(Value::Null)
}

fn setup(e: &Env, c: &Case) {
    for cmd in &c.host_setup {
        e.host_sh(cmd);
    }
    for cmd in &c.cont_setup {
        e.cont_sh(cmd);
    }
}

/// ADD through the chain; the last result, or the failing step's error code.
fn add_chain(e: &Env, w: Impl, c: &Case) -> (bool, Value, Value) {
    let dir = e.dir.display().to_string();
    let mut prev: Option<Value> = None;
    let mut log = vec![];
    for (i, (plugin, conf)) in c.chain.iter().enumerate() {
        let conf = chained(&with_dir(conf, &dir), "testnet", c.version, prev.as_ref());
        let (rc, out, err) = e.run(w, plugin, "ADD", &conf, c.ifname, None, c.cni_args);
        if rc != 0 {
            log.push(json!({"step": i, "rc": rc, "code": err_code(&out)}));
            if std::env::var("CNI_TEST_VERBOSE").is_ok() {
                eprintln!("{:?} {} ADD step {i}: {out} {err}", w, c.name);
            }
            return (false, prev.unwrap_or(Value::Null), Value::Array(log));
        }
        log.push(json!({"step": i, "rc": 0}));
        prev = Some(out);
    }
    (true, prev.unwrap_or(Value::Null), Value::Array(log))
}

fn run_chain(e: &Env, w: Impl, c: &Case, cmd: &str, prev: &Value) -> Value {
    let dir = e.dir.display().to_string();
    let mut log = vec![];
    let steps: Vec<_> = if cmd == "DEL" {
        c.chain.iter().rev().collect()
    } else {
        c.chain.iter().collect()
    };
    for (plugin, conf) in steps {
        let p = if prev.is_null() { None } else { Some(prev) };
        let conf = chained(&with_dir(conf, &dir), "testnet", c.version, p);
        let (rc, out, err) = e.run(w, plugin, cmd, &conf, c.ifname, None, c.cni_args);
        if std::env::var("CNI_TEST_VERBOSE").is_ok() && rc != 0 {
            eprintln!("{:?} {} {cmd} {plugin}: {out} {err}", w, c.name);
        }
        log.push(json!({"plugin": plugin, "rc": rc, "code": err_code(&out)}));
    }
    Value::Array(log)
}

/// Everything one implementation does with a case, normalised.
fn record(w: Impl, c: &Case) -> Value {
    let e = Env::new(if w == Impl::Ref { "r" } else { "o" });
    setup(&e, c);
    let (ok, result, add_log) = add_chain(&e, w, c);
    let after_add = json!({"host": e.state(&e.host), "cont": e.state(&e.cont)});
    let check = if ok && c.version >= "0.4.0" {
        run_chain(&e, w, c, "CHECK", &result)
    } else {
        Value::Null
    };
    let del = run_chain(&e, w, c, "DEL", &result);
    let after_del = json!({"host": e.state(&e.host), "cont": e.state(&e.cont)});
    let del2 = run_chain(&e, w, c, "DEL", &result);
    let rec = json!({
        "add": add_log,
        "result": if ok { result } else { Value::Null },
        "after_add": after_add,
        "check": check,
        "del": del,
        "after_del": after_del,
        "del_again": del2,
    });
    Normaliser::for_env(&e).value(&rec)
}

fn compare(c: &Case) {
    let (r, o) = std::thread::scope(|s| {
        let r = s.spawn(|| record(Impl::Ref, c));
        let o = s.spawn(|| record(Impl::Ours, c));
        (r.join().unwrap(), o.join().unwrap())
    });
    if std::env::var("CNI_TEST_DUMP").is_ok_and(|v| v == c.name) {
        eprintln!("{}", serde_json::to_string_pretty(&o).unwrap());
    }
    let mut d = vec![];
    diff(&r, &o, c.name, &mut d);
    assert!(
        d.is_empty(),
        "{} differs from the reference:\n{}",
        c.name,
        d.join("\n")
    );
}

fn run_all(cases: &[Case]) {
    if !common::can_run() {
        return;
    }
    let mut failed = vec![];
    for c in cases {
        if let Err(p) = std::panic::catch_unwind(|| compare(c)) {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "panic".into());
            failed.push(msg);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

fn static_v4(addr: &str, gw: &str) -> Value {
    json!({"type": "static", "addresses": [{"address": addr, "gateway": gw}],
           "routes": [{"dst": "0.0.0.0/0"}, {"dst": "192.168.99.0/24", "gw": gw}]})
}

fn static_dual() -> Value {
    json!({"type": "static",
           "addresses": [{"address": "10.21.0.5/24", "gateway": "10.21.0.1"},
                         {"address": "fd21::5/64", "gateway": "fd21::1"}],
           "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}],
           "dns": {"nameservers": ["10.21.0.53"], "search": ["example.org"]}})
}

fn host_local_v4(subnet: &str) -> Value {
    json!({"type": "host-local", "dataDir": "{dir}/ipam",
           "ranges": [[{"subnet": subnet}]], "routes": [{"dst": "0.0.0.0/0"}]})
}

fn host_local_dual() -> Value {
    json!({"type": "host-local", "dataDir": "{dir}/ipam",
           "ranges": [[{"subnet": "10.23.0.0/24"}], [{"subnet": "fd23::/64"}]],
           "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]})
}

#[test]
fn bridge_like_the_reference() {
    let cases = vec![
        Case::new("bridge-l2", "1.0.0", "bridge", json!({"type": "bridge", "bridge": "br0"})),
        Case::new("bridge-static-gw", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-static-defgw-nogw", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isDefaultGateway": true,
                   "ipam": {"type": "static", "addresses": [{"address": "10.20.0.6/24"}]}})),
        Case::new("bridge-dual-stack", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true, "ipam": static_dual()})),
        Case::new("bridge-host-local-mtu", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isDefaultGateway": true, "mtu": 1400,
                   "ipam": host_local_v4("10.22.0.0/24")})),
        Case::new("bridge-host-local-dual", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isDefaultGateway": true,
                   "ipam": host_local_dual()})),
        Case::new("bridge-hairpin", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "hairpinMode": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-promisc", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "promiscMode": true, "isGateway": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-hairpin-and-promisc", "1.0.0", "bridge",
            json!({"type": "bridge", "hairpinMode": true, "promiscMode": true})),
        Case::new("bridge-force-address", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true, "forceAddress": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")}))
            .host(&["ip", "link", "add", "br0", "type", "bridge"])
            .host(&["ip", "addr", "add", "10.99.0.1/24", "dev", "br0"]),
        Case::new("bridge-address-conflict", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")}))
            .host(&["ip", "link", "add", "br0", "type", "bridge"])
            .host(&["ip", "addr", "add", "10.99.0.1/24", "dev", "br0"]),
        Case::new("bridge-not-a-bridge", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "notbr"}))
            .host(&["ip", "link", "add", "notbr", "type", "veth", "peer", "name", "notbr1"]),
        Case::new("bridge-vlan-refused-here", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "vlan": 100,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-vlan-gateway-refused-here", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "vlan": 100, "isGateway": true,
                   "ipam": static_dual()})),
        Case::new("bridge-vlan-out-of-range", "1.0.0", "bridge",
            json!({"type": "bridge", "vlan": 5000})),
        Case::new("bridge-mac-runtime", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "runtimeConfig": {"mac": "0a:58:0a:14:00:05"},
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-mac-cni-args", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "ipam": static_v4("10.20.0.5/24", "10.20.0.1")}))
            .args("IgnoreUnknown=1;MAC=0a:58:0a:14:00:07;K8S_POD_NAME=x"),
        Case::new("bridge-unknown-cni-args", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0"}))
            .args("K8S_POD_NAME=x"),
        Case::new("bridge-enabledad", "1.0.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "enabledad": true, "isGateway": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-v0.4.0", "0.4.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true, "ipam": static_dual()})),
        Case::new("bridge-v0.3.1", "0.3.1", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isDefaultGateway": true,
                   "ipam": host_local_v4("10.22.0.0/24")})),
        Case::new("bridge-v0.2.0", "0.2.0", "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true,
                   "ipam": static_v4("10.20.0.5/24", "10.20.0.1")})),
        Case::new("bridge-v0.1.0-two-v4-refused", "0.1.0", "bridge",
            json!({"type": "bridge", "bridge": "br0",
                   "ipam": {"type": "static", "addresses": [{"address": "10.20.0.5/24"}, {"address": "10.20.1.5/24"}]}})),
    ];
    run_all(&cases);
}

#[test]
fn ptp_like_the_reference() {
    let cases = vec![
        Case::new(
            "ptp-static-v4",
            "1.0.0",
            "ptp",
            json!({"type": "ptp", "ipam": static_v4("10.30.0.5/24", "10.30.0.1")}),
        ),
        Case::new(
            "ptp-host-local-mtu",
            "1.0.0",
            "ptp",
            json!({"type": "ptp", "mtu": 1400, "ipam": host_local_v4("10.31.0.0/24")}),
        ),
        Case::new(
            "ptp-dual-stack-dns",
            "1.0.0",
            "ptp",
            json!({"type": "ptp", "ipam": static_dual(), "dns": {"nameservers": ["1.1.1.1"]}}),
        ),
        Case::new(
            "ptp-host-local-dual-v0.4.0",
            "0.4.0",
            "ptp",
            json!({"type": "ptp", "ipam": host_local_dual()}),
        ),
        Case::new("ptp-no-ipam", "1.0.0", "ptp", json!({"type": "ptp"})),
    ];
    run_all(&cases);
}

#[test]
fn tuning_chained_like_the_reference() {
    let cases = vec![
        Case::new(
            "bridge+tuning",
            "1.0.0",
            "bridge",
            json!({"type": "bridge", "bridge": "br0", "isGateway": true,
                   "ipam": static_v4("10.40.0.5/24", "10.40.0.1")}),
        )
        .then(
            "tuning",
            json!({"type": "tuning", "dataDir": "{dir}/tuning",
                "sysctl": {"net.ipv4.conf.IFNAME.proxy_arp": "1", "net.core.somaxconn": "512"},
                "mac": "0a:58:0a:28:00:05", "mtu": 1300, "promisc": true, "allmulti": true}),
        ),
        Case::new(
            "ptp+tuning-v0.4.0",
            "0.4.0",
            "ptp",
            json!({"type": "ptp", "ipam": static_v4("10.41.0.5/24", "10.41.0.1")}),
        )
        .then(
            "tuning",
            json!({"type": "tuning", "dataDir": "{dir}/tuning",
                "sysctl": {"net.ipv4.conf.eth0.forwarding": "1"}, "allmulti": false}),
        ),
        Case::new(
            "tuning-bad-sysctl",
            "1.0.0",
            "ptp",
            json!({"type": "ptp", "ipam": static_v4("10.41.0.5/24", "10.41.0.1")}),
        )
        .then(
            "tuning",
            json!({"type": "tuning", "sysctl": {"kernel.hostname": "x"}}),
        ),
    ];
    run_all(&cases);
}

#[test]
fn macvlan_like_the_reference() {
    let m = |c: Case| {
        c.host(&[
            "ip", "link", "add", "m0", "type", "veth", "peer", "name", "m1",
        ])
        .host(&["ip", "link", "set", "m0", "up"])
    };
    let cases = vec![
        m(Case::new(
            "macvlan-l2",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0"}),
        )),
        m(Case::new(
            "macvlan-bridge-static",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0", "mode": "bridge",
                   "ipam": static_v4("10.50.0.5/24", "10.50.0.1")}),
        )),
        m(Case::new(
            "macvlan-private-mtu",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0", "mode": "private", "mtu": 1400,
                   "ipam": host_local_v4("10.51.0.0/24")}),
        )),
        m(Case::new(
            "macvlan-vepa",
            "0.4.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0", "mode": "vepa",
                   "ipam": static_v4("10.50.0.5/24", "10.50.0.1")}),
        )),
        m(Case::new(
            "macvlan-passthru",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0", "mode": "passthru"}),
        )),
        m(Case::new(
            "macvlan-bad-mode",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0", "mode": "nope"}),
        )),
        m(Case::new(
            "macvlan-mtu-too-big",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "m0", "mtu": 9000}),
        )),
        Case::new(
            "macvlan-no-master",
            "1.0.0",
            "macvlan",
            json!({"type": "macvlan", "master": "nosuch"}),
        ),
    ];
    run_all(&cases);
}

/// CHECK after a drift: the same outcome and error code as the reference.
fn drift_case(base: &Case, drift: &[&str], in_cont: bool) -> Value {
    let go = |w: Impl| {
        let e = Env::new(if w == Impl::Ref { "r" } else { "o" });
        setup(&e, base);
        let (ok, result, log) = add_chain(&e, w, base);
        assert!(ok, "{}: ADD failed: {log}", base.name);
        // `{host}`: the run's own host namespace (never the real host's).
        let d: Vec<String> = drift.iter().map(|s| s.replace("{host}", &e.host)).collect();
        let d: Vec<&str> = d.iter().map(|s| s.as_str()).collect();
        if in_cont {
            e.cont_sh(&d);
        } else {
            e.host_sh(&d);
        }
        run_chain(&e, w, base, "CHECK", &result)
    };
    let (r, o) = std::thread::scope(|s| {
        let r = s.spawn(|| go(Impl::Ref));
        let o = s.spawn(|| go(Impl::Ours));
        (r.join().unwrap(), o.join().unwrap())
    });
    assert_eq!(r, o, "{}: CHECK after {drift:?}", base.name);
    eprintln!("{}: CHECK after {drift:?}: {r} (both)", base.name);
    r
}

#[test]
fn check_detects_the_same_drifts() {
    if !common::can_run() {
        return;
    }
    let bridge = Case::new(
        "bridge-check",
        "1.0.0",
        "bridge",
        json!({"type": "bridge", "bridge": "br0", "isGateway": true, "ipam": static_dual()}),
    );
    let ptp = Case::new(
        "ptp-check",
        "1.0.0",
        "ptp",
        json!({"type": "ptp", "ipam": static_v4("10.30.0.5/24", "10.30.0.1")}),
    );
    let tuned = Case::new(
        "tuning-check",
        "1.0.0",
        "ptp",
        json!({"type": "ptp", "ipam": static_v4("10.30.0.5/24", "10.30.0.1")}),
    )
    .then(
        "tuning",
        json!({"type": "tuning", "dataDir": "{dir}/tuning", "mtu": 1300}),
    );
    let drifts: &[&[&str]] = &[
        &["ip", "addr", "del", "10.21.0.5/24", "dev", "eth0"],
        &["ip", "addr", "del", "fd21::5/64", "dev", "eth0"],
        &["ip", "route", "del", "default"],
        &["ip", "link", "set", "eth0", "mtu", "1400"],
        &["ip", "link", "set", "eth0", "netns", "{host}"],
    ];
    let mut seen = vec![];
    for d in drifts {
        seen.push(drift_case(&bridge, d, true));
    }
    for d in [
        &["ip", "addr", "del", "10.30.0.5/24", "dev", "eth0"][..],
        &["ip", "route", "del", "10.30.0.0/24"],
        &["ip", "link", "set", "eth0", "mtu", "1400"],
        &["ip", "link", "set", "eth0", "netns", "{host}"],
    ] {
        seen.push(drift_case(&ptp, d, true));
    }
    for d in [
        &["ip", "link", "set", "eth0", "mtu", "1400"][..],
        &["ip", "link", "set", "eth0", "mtu", "1300"],
    ] {
        seen.push(drift_case(&tuned, d, true));
    }
    let mv = Case::new("macvlan-check", "1.0.0", "macvlan",
        json!({"type": "macvlan", "master": "m0", "mode": "private", "ipam": static_v4("10.50.0.5/24", "10.50.0.1")}))
        .host(&["ip", "link", "add", "m0", "type", "veth", "peer", "name", "m1"])
        .host(&["ip", "link", "set", "m0", "up"]);
    for d in [
        &["ip", "addr", "del", "10.50.0.5/24", "dev", "eth0"][..],
        &[
            "ip", "link", "set", "eth0", "type", "macvlan", "mode", "vepa",
        ],
        &["ip", "link", "set", "eth0", "netns", "{host}"],
    ] {
        seen.push(drift_case(&mv, d, true));
    }
    // At least one drift must have been detected (else the comparison proves little).
    assert!(
        seen.iter().any(|v| v.to_string().contains("999")),
        "{seen:?}"
    );
}

/// The mistakes a runtime can make: same exit status and error code.
#[test]
fn errors_have_the_reference_codes() {
    if !common::can_run() {
        return;
    }
    let conf = json!({"cniVersion": "1.0.0", "name": "n", "type": "bridge", "bridge": "br0",
                      "ipam": static_v4("10.20.0.5/24", "10.20.0.1")});
    let ptp = json!({"cniVersion": "1.0.0", "name": "n", "type": "ptp",
                     "ipam": static_v4("10.30.0.5/24", "10.30.0.1")});
    type Mk = fn(&Value) -> Value;
    // (name, plugin, command, conf change, CNI_NETNS, raw stdin)
    type ErrCase = (
        &'static str,
        &'static str,
        &'static str,
        Mk,
        Option<&'static str>,
        &'static str,
    );
    let cases: Vec<ErrCase> = vec![
        // (name, plugin, command, conf change, CNI_NETNS, raw stdin)
        (
            "missing-netns",
            "bridge",
            "ADD",
            |c| c.clone(),
            Some("/run/netns/nope-rtnl-cni"),
            "",
        ),
        (
            "missing-netns-ptp",
            "ptp",
            "ADD",
            |c| c.clone(),
            Some("/run/netns/nope-rtnl-cni"),
            "",
        ),
        (
            "missing-netns-del",
            "bridge",
            "DEL",
            |c| c.clone(),
            Some("/run/netns/nope-rtnl-cni"),
            "",
        ),
        (
            "malformed-json",
            "bridge",
            "ADD",
            |c| c.clone(),
            None,
            "{\"cniVersion\": ",
        ),
        (
            "no-name",
            "bridge",
            "ADD",
            |c| {
                let mut c = c.clone();
                c.as_object_mut().unwrap().remove("name");
                c
            },
            None,
            "",
        ),
        (
            "bad-name",
            "bridge",
            "ADD",
            |c| {
                let mut c = c.clone();
                c["name"] = json!("a b");
                c
            },
            None,
            "",
        ),
        (
            "unknown-ipam-type",
            "bridge",
            "ADD",
            |c| {
                let mut c = c.clone();
                c["ipam"]["type"] = json!("nosuch");
                c
            },
            None,
            "",
        ),
        (
            "unknown-ipam-type-ptp",
            "ptp",
            "ADD",
            |c| {
                let mut c = c.clone();
                c["ipam"]["type"] = json!("nosuch");
                c
            },
            None,
            "",
        ),
        (
            "unsupported-version",
            "bridge",
            "ADD",
            |c| {
                let mut c = c.clone();
                c["cniVersion"] = json!("0.5.0");
                c
            },
            None,
            "",
        ),
        (
            "future-version",
            "ptp",
            "ADD",
            |c| {
                let mut c = c.clone();
                c["cniVersion"] = json!("2.0.0");
                c
            },
            None,
            "",
        ),
        (
            "check-0.3.1",
            "bridge",
            "CHECK",
            |c| {
                let mut c = c.clone();
                c["cniVersion"] = json!("0.3.1");
                c
            },
            None,
            "",
        ),
        ("check-no-prev", "ptp", "CHECK", |c| c.clone(), None, ""),
        (
            "wrong-type-field",
            "bridge",
            "ADD",
            |c| {
                let mut c = c.clone();
                c["mtu"] = json!("big");
                c
            },
            None,
            "",
        ),
        ("unknown-command", "bridge", "FROB", |c| c.clone(), None, ""),
        ("version", "bridge", "VERSION", |c| c.clone(), None, ""),
    ];
    for (name, plugin, cmd, mk, netns, raw) in cases {
        let base = if plugin == "ptp" { &ptp } else { &conf };
        let go = |w: Impl| {
            let e = Env::new(if w == Impl::Ref { "r" } else { "o" });
            let (bin, path) = match w {
                Impl::Ref => (
                    std::path::Path::new(common::REF_DIR).join(plugin),
                    common::REF_DIR.to_owned(),
                ),
                Impl::Ours => {
                    let d = common::our_dir();
                    (
                        d.join(plugin),
                        format!("{}:{}", d.display(), common::REF_DIR),
                    )
                }
            };
            let stdin = if raw.is_empty() {
                serde_json::to_vec(&mk(base)).unwrap()
            } else {
                raw.as_bytes().to_vec()
            };
            let (rc, out, _) = e.run_raw(&bin, cmd, &stdin, "eth0", netns, "", &path);
            json!({"rc": rc, "code": err_code(&out), "version": out.get("supportedVersions")})
        };
        let (r, o) = (go(Impl::Ref), go(Impl::Ours));
        assert_eq!(r, o, "{name}: reference vs ours");
        eprintln!("{name}: {r} (both)");
    }

    // An interface name already taken in the container.
    let go = |w: Impl| {
        let e = Env::new(if w == Impl::Ref { "r" } else { "o" });
        e.cont_sh(&[
            "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "x0",
        ]);
        let (rc, out, _) = e.run(w, "bridge", "ADD", &conf, "eth0", None, "");
        let (rc2, out2, _) = e.run(w, "ptp", "ADD", &ptp, "eth0", None, "");
        let host = Normaliser::for_env(&e).value(&e.state(&e.host));
        json!({"rc": rc, "code": err_code(&out), "ptp_rc": rc2, "ptp_code": err_code(&out2), "host": host})
    };
    let (r, o) = (go(Impl::Ref), go(Impl::Ours));
    let mut d = vec![];
    diff(&r, &o, "name-taken", &mut d);
    assert!(d.is_empty(), "{}", d.join("\n"));
}

/// `static` as a plugin of its own: the same output as the reference `static`, in
/// every version, with `CNI_ARGS`, `args` and `runtimeConfig` overrides.
#[test]
fn static_ipam_prints_what_the_reference_prints() {
    if !common::can_run() {
        return;
    }
    let confs = [
        ("1.0.0", static_dual(), ""),
        ("0.4.0", static_dual(), ""),
        ("0.3.1", static_v4("10.60.0.5/24", "10.60.0.1"), ""),
        ("0.2.0", static_dual(), ""),
        ("0.1.0", static_v4("10.60.0.5/24", "10.60.0.1"), ""),
        (
            "1.0.0",
            json!({"type": "static"}),
            "IP=10.61.0.5/24,fd61::5/64;GATEWAY=10.61.0.1",
        ),
        (
            "1.0.0",
            json!({"type": "static", "addresses": [{"address": "10.62.0.5"}]}),
            "",
        ),
        (
            "0.2.0",
            json!({"type": "static", "addresses": [{"address": "10.62.0.5/24"}, {"address": "10.62.1.5/24"}]}),
            "",
        ),
    ];
    let e = Env::new("s");
    for (v, ipam, args) in confs {
        let mut conf = json!({"cniVersion": v, "name": "n", "type": "static", "ipam": ipam});
        let runtime = json!({"ips": ["10.63.0.5/24"]});
        for extra in [
            None,
            Some(("runtimeConfig", runtime.clone())),
            Some(("args", json!({"cni": runtime.clone()}))),
        ] {
            if let Some((k, x)) = &extra {
                conf[*k] = x.clone();
            }
            let (rr, ro, _) = e.run(Impl::Ref, "static", "ADD", &conf, "eth0", None, args);
            let (or, oo, _) = e.run(Impl::Ours, "static", "ADD", &conf, "eth0", None, args);
            let (r, o) = (
                json!([rr, ro.get("code").cloned().unwrap_or(ro)]),
                json!([or, oo.get("code").cloned().unwrap_or(oo)]),
            );
            assert_eq!(r, o, "static {v} {args:?} {extra:?}");
        }
    }
}

/// What the reference does not have, or what is out of scope, checked on its own.
#[test]
fn beyond_the_reference() {
    if !common::can_run() {
        return;
    }
    let e = Env::new("x");
    let ours = |plugin: &str, cmd: &str, conf: &Value| {
        e.run(Impl::Ours, plugin, cmd, conf, "eth0", None, "")
    };

    // ipMasq and macspoofchk need iptables/nftables: refused (code 2), nothing made.
    for (plugin, key) in [
        ("bridge", "ipMasq"),
        ("bridge", "macspoofchk"),
        ("ptp", "ipMasq"),
    ] {
        let mut conf = json!({"cniVersion": "1.0.0", "name": "n", "type": plugin, "bridge": "brx",
                              "ipam": static_v4("10.70.0.5/24", "10.70.0.1")});
        conf[key] = json!(true);
        let (rc, out, _) = ours(plugin, "ADD", &conf);
        assert_eq!(
            (rc, out["code"].as_u64()),
            (1, Some(2)),
            "{plugin} {key}: {out}"
        );
        assert!(out["msg"].as_str().unwrap().contains(key), "{out}");
    }
    let links = e.host_sh(&["ip", "-o", "link"]);
    assert!(!links.contains("brx") && !links.contains("veth"), "{links}");

    // tuning txQLen (upstream tuning >= 1.2): set, checked, restored on DEL.
    let ptp = json!({"cniVersion": "1.0.0", "name": "n", "type": "ptp", "ipam": static_v4("10.71.0.5/24", "10.71.0.1")});
    let (rc, res, _) = ours("ptp", "ADD", &ptp);
    assert_eq!(rc, 0, "{res}");
    let dir = e.dir.display().to_string();
    let tuning = json!({"cniVersion": "1.0.0", "name": "n", "type": "tuning", "txQLen": 4321,
                        "dataDir": format!("{dir}/tuning"), "prevResult": res});
    let qlen = || {
        e.cont_sh(&["cat", "/sys/class/net/eth0/tx_queue_len"])
            .trim()
            .to_owned()
    };
    let before = qlen();
    let (rc, out, _) = ours("tuning", "ADD", &tuning);
    assert_eq!((rc, qlen().as_str()), (0, "4321"), "{out}");
    assert_eq!(ours("tuning", "CHECK", &tuning).0, 0);
    e.cont_sh(&["ip", "link", "set", "eth0", "txqueuelen", "99"]);
    assert_eq!(ours("tuning", "CHECK", &tuning).1["code"], 999);
    assert_eq!(ours("tuning", "DEL", &tuning).0, 0);
    assert_eq!(qlen(), before);
    assert_eq!(ours("ptp", "DEL", &ptp).0, 0);

    // macvlan linkInContainer (upstream macvlan >= 1.3): the master is in the container.
    e.cont_sh(&[
        "ip", "link", "add", "cm0", "type", "veth", "peer", "name", "cm1",
    ]);
    e.cont_sh(&["ip", "link", "set", "cm0", "up"]);
    let mv = json!({"cniVersion": "1.0.0", "name": "n", "type": "macvlan", "master": "cm0",
                    "linkInContainer": true, "ipam": static_v4("10.72.0.5/24", "10.72.0.1")});
    let (rc, out, _) = ours("macvlan", "ADD", &mv);
    assert_eq!(rc, 0, "{out}");
    let l = e.cont_sh(&["ip", "-d", "link", "show", "eth0"]);
    assert!(
        l.contains("eth0@cm0") && l.contains("macvlan mode bridge"),
        "{l}"
    );
    assert_eq!(ours("macvlan", "DEL", &mv).0, 0);
    assert_eq!(ours("macvlan", "DEL", &mv).0, 0);

    // A name this binary does not serve.
    let (rc, out, _) = e.run_raw(
        std::path::Path::new(env!("CARGO_BIN_EXE_rtnl-cni")),
        "ADD",
        b"{}",
        "eth0",
        None,
        "",
        "/nowhere",
    );
    assert_eq!((rc, out["code"].as_u64()), (1, Some(7)), "{out}");
}

/// tuning's DEL restores what its ADD changed: the container's link as it was, the
/// same as after the reference's DEL (the link survives: only tuning is deleted).
#[test]
fn tuning_restores_like_the_reference() {
    if !common::can_run() {
        return;
    }
    let c = Case::new(
        "tuning-restore",
        "1.0.0",
        "bridge",
        json!({"type": "bridge", "bridge": "br0", "ipam": static_v4("10.42.0.5/24", "10.42.0.1")}),
    )
    .then(
        "tuning",
        json!({"type": "tuning", "dataDir": "{dir}/tuning",
            "mac": "0a:58:0a:2a:00:05", "mtu": 1280, "promisc": true, "allmulti": true}),
    );
    let go = |w: Impl| {
        let e = Env::new(if w == Impl::Ref { "r" } else { "o" });
        let before = {
            let only_bridge = Case {
                chain: c.chain[..1].to_vec(),
                ..c.clone()
            };
            let (ok, _, log) = add_chain(&e, w, &only_bridge);
            assert!(ok, "{log}");
            let s = e.state(&e.cont);
            run_chain(&e, w, &only_bridge, "DEL", &Value::Null);
            s
        };
        let (ok, result, log) = add_chain(&e, w, &c);
        assert!(ok, "{log}");
        let tuned = e.state(&e.cont);
        let only_tuning = Case {
            chain: c.chain[1..].to_vec(),
            ..c.clone()
        };
        let del = run_chain(&e, w, &only_tuning, "DEL", &result);
        let restored = e.state(&e.cont);
        let mut n = Normaliser::for_env(&e);
        json!({"before": n.value(&before), "tuned": n.value(&tuned), "del": del, "restored": n.value(&restored)})
    };
    let (r, o) = std::thread::scope(|s| {
        let r = s.spawn(|| go(Impl::Ref));
        let o = s.spawn(|| go(Impl::Ours));
        (r.join().unwrap(), o.join().unwrap())
    });
    let mut d = vec![];
    diff(&r, &o, "tuning-restore", &mut d);
    assert!(d.is_empty(), "{}", d.join("\n"));
    // The MTU and flags came back (the MAC too, though a new veth has a new one).
    assert_eq!(o["restored"]["links"][1]["mtu"], 1500, "{}", o["restored"]);
    assert_eq!(o["tuned"]["links"][1]["mtu"], 1280);
}
