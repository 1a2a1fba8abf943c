//! `/init` (PID 1) of the end-to-end test in `tests/qemu_guest.rs`.
//!
//! The harness boots a real kernel under qemu with an initramfs holding this program
//! (a static `x86_64-unknown-linux-musl` build) and the virtio-net modules. It:
//!
//! 1. mounts /proc, /sys and devtmpfs on /dev, and reads its parameters (`rtnl.*=`)
//!    from `/proc/cmdline`;
//! 2. starts waiting for its NIC — by MAC (`rtnl.nicmac=`), by name (`rtnl.ifname=`),
//!    or the first link that is not `lo` — with `rtnl::guest::NicWait::start`: the
//!    link group is joined and the current links asked for before the driver exists;
//! 3. loads the modules listed in `/modules/order.txt` with `finit_module` (the
//!    virtio NIC's driver probes and registers the NIC);
//! 4. waits (bounded, on the kernel's notification: no polling, no sleep) for the
//!    NIC, and reports whether it came by a notification (`nic_wait.by_event`);
//! 5. calls [`guest::configure`]: `rtnl::guest::GuestConfig::apply()` configures `lo`,
//!    the NIC (MAC, MTU, IPv4 + IPv6 addresses, default routes), the host name,
//!    `/etc/hosts` and `/etc/resolv.conf`; then the links, addresses and routes are
//!    read back through rtnl (`Handle::links/addresses/routes`). With
//!    `rtnl.nonetlink=1` a seccomp filter refusing `socket(AF_NETLINK)` goes on first,
//!    so rtnl's own ioctl fallback is what runs (and the read-back is skipped);
//! 6. reads the resulting state back through sysfs, procfs and ioctls, independently
//!    of rtnl and without netlink ([`guest::observe`]);
//! 7. writes one JSON line `{"ok":true,...}` to `/dev/ttyS1` (the harness's result
//!    file) and to the console, drains both, and powers the machine off.
//!
//! With `rtnl.mode=kinds` it loads `/modules/kinds.txt` too and, instead of steps 5
//! and 6, makes every kind of link through rtnl and reports each as rtnl and sysfs read
//! it back ([`guest::kinds`]).
//!
//! With `rtnl.mode=cni` (an initramfs with `rtnl-cni`, the reference plugins and
//! `/modules/cni.txt`: `tests/qemu/cni.rs`) it loads `/modules/cni.txt` too and,
//! instead of steps 5 and 6, runs the CNI bridge plugin with a VLAN — rtnl-cni's, then
//! the reference's — in fresh namespaces and reports what each did and left
//! ([`guest::cni`]).
//!
//! Any error or panic writes `{"ok":false,"error":"..."}` instead and powers off.
//! PID 1 never exits (that would panic the kernel).
//!
//! Run anywhere else (not as PID 1) it prints a note and exits 0, so that
//! `cargo test`, which builds every example for the host, is unaffected.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::process::id() != 1 {
        println!(
            "guest-init: not PID 1, doing nothing. This program is the /init of the qemu \
             end-to-end test; run `cargo test --test qemu_guest` instead."
        );
        return ExitCode::SUCCESS;
    }
    #[cfg(target_os = "linux")]
    guest::run();
    #[cfg(not(target_os = "linux"))]
    ExitCode::SUCCESS
}

#[cfg(target_os = "linux")]
mod guest {
    use rtnl::guest::{GuestConfig, Hostname, InterfaceSpec, Nic, NicWait, StepReport};
    use rtnl::{Handle, MacAddr, RouteFilter};
    use std::collections::BTreeMap;
    use std::ffi::CString;
    use std::fmt::{self, Write as _};
    use std::fs;
    use std::io::{self, Write as _};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    /// How long to wait for the NIC to appear after loading its driver.
    const IFACE_WAIT: Duration = Duration::from_secs(20);

    // ------------------------------------------------------------------------------
    // Parameters
    // ------------------------------------------------------------------------------

    /// What the harness asked for, from `rtnl.*=` words on the kernel command line.
    /// (Parameters with a dot are not passed to init as arguments, hence /proc/cmdline.)
    #[derive(Debug, Default)]
    pub struct Params {
        /// The interface to configure: `rtnl.ifname=`, else the first non-`lo`
        /// interface that appeared (with virtio-net and no udev: `eth0`).
        pub ifname: String,
        /// `rtnl.mac=52:54:00:ab:cd:ef`
        pub mac: Option<[u8; 6]>,
        /// `rtnl.mtu=1400`
        pub mtu: Option<u32>,
        /// `rtnl.ip4=10.0.2.15/24`
        pub ip4: Option<(Ipv4Addr, u8)>,
        /// `rtnl.gw4=10.0.2.2` (default route)
        pub gw4: Option<Ipv4Addr>,
        /// `rtnl.ip6=fd00:1::15/64`
        pub ip6: Option<(Ipv6Addr, u8)>,
        /// `rtnl.gw6=fd00:1::1` (default route)
        pub gw6: Option<Ipv6Addr>,
        /// `rtnl.hostname=rtnl-guest`
        pub hostname: Option<String>,
        /// `rtnl.gwalias=host.internal` (a name for the gateways in /etc/hosts)
        pub gwalias: Option<String>,
        /// `rtnl.dns=10.0.2.3,fd00:1::3` (for /etc/resolv.conf)
        pub dns: Vec<IpAddr>,
        /// `rtnl.search=a.example,b.example` (for /etc/resolv.conf)
        pub search: Vec<String>,
        /// `rtnl.nonetlink=1`: install a seccomp filter refusing `socket(AF_NETLINK)`
        /// before configuring, so that rtnl falls back to ioctls on its own.
        pub nonetlink: bool,
        /// `rtnl.selftest=panic`: panic after loading modules, to test failure reporting.
        pub selftest: Option<String>,
        /// `rtnl.mode=kinds`: load `/modules/kinds.txt` too, make every kind of link
        /// through rtnl and report each as rtnl and sysfs read it back ([`kinds`]),
        /// instead of the configuration. `rtnl.mode=cni`: load `/modules/cni.txt` too
        /// and run the CNI bridge plugin with a VLAN ([`cni`]).
        pub mode: Option<String>,
        /// `rtnl.nicmac=52:54:00:12:34:56`: wait for the NIC with this MAC (the one
        /// the hypervisor gave it), whatever the kernel calls it.
        pub nicmac: Option<[u8; 6]>,
        /// `rtnl.dad=MS`: run duplicate address detection for the IPv6 address and
        /// wait up to MS milliseconds for it (`InterfaceSpec::dad`).
        pub dad_ms: Option<u64>,
        /// Every `rtnl.*` word as given, echoed back in the result line as "params".
        pub raw: BTreeMap<String, String>,
    }

    fn parse_mac(s: &str) -> Result<[u8; 6], String> {
        let parts: Vec<&str> = s.split(':').collect();
        let mut mac = [0u8; 6];
        if parts.len() != 6 {
            return Err(format!("bad MAC {s:?}"));
        }
        for (b, p) in mac.iter_mut().zip(parts) {
            *b = u8::from_str_radix(p, 16).map_err(|_| format!("bad MAC {s:?}"))?;
        }
        Ok(mac)
    }

    fn parse_cidr<A: std::str::FromStr>(s: &str, max: u8) -> Result<(A, u8), String> {
        let (a, len) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?}: expected ADDRESS/PREFIXLEN"))?;
        let a = a.parse().map_err(|_| format!("{s:?}: bad address"))?;
        let len: u8 = len
            .parse()
            .map_err(|_| format!("{s:?}: bad prefix length"))?;
        if len > max {
            return Err(format!("{s:?}: prefix length over {max}"));
        }
        Ok((a, len))
    }

    impl Params {
        pub fn from_cmdline(cmdline: &str) -> Result<Params, String> {
            let mut p = Params::default();
            for word in cmdline.split_whitespace() {
                let Some(kv) = word.strip_prefix("rtnl.") else {
                    continue;
                };
                let (k, v) = kv.split_once('=').unwrap_or((kv, "1"));
                let v = v.trim_matches('"');
                let bad = |e: String| format!("rtnl.{k}={v}: {e}");
                match k {
                    "ifname" => p.ifname = v.to_string(),
                    "mac" => p.mac = Some(parse_mac(v).map_err(bad)?),
                    "mtu" => p.mtu = Some(v.parse().map_err(|_| bad("not a number".into()))?),
                    "ip4" => p.ip4 = Some(parse_cidr(v, 32).map_err(bad)?),
                    "gw4" => p.gw4 = Some(v.parse().map_err(|_| bad("bad address".into()))?),
                    "ip6" => p.ip6 = Some(parse_cidr(v, 128).map_err(bad)?),
                    "gw6" => p.gw6 = Some(v.parse().map_err(|_| bad("bad address".into()))?),
                    "hostname" => p.hostname = Some(v.to_string()),
                    "gwalias" => p.gwalias = Some(v.to_string()),
                    "search" => {
                        p.search = v
                            .split(',')
                            .filter(|d| !d.is_empty())
                            .map(str::to_string)
                            .collect()
                    }
                    "dns" => {
                        for a in v.split(',').filter(|a| !a.is_empty()) {
                            p.dns
                                .push(a.parse().map_err(|_| bad(format!("bad address {a:?}")))?);
                        }
                    }
                    "nonetlink" => p.nonetlink = v == "1" || v == "true",
                    "selftest" => p.selftest = Some(v.to_string()),
                    "mode" => p.mode = Some(v.to_string()),
                    "nicmac" => p.nicmac = Some(parse_mac(v).map_err(bad)?),
                    "dad" => p.dad_ms = Some(v.parse().map_err(|_| bad("not a number".into()))?),
                    _ => {} // unknown keys are only echoed back
                }
                p.raw.insert(k.to_string(), v.to_string());
            }
            Ok(p)
        }
    }

    // ------------------------------------------------------------------------------
    // The configuration: rtnl::guest, then everything read back through rtnl.
    // ------------------------------------------------------------------------------

    /// The whole configuration `params` asks for, as one [`GuestConfig`]: `lo`, the
    /// interface (MAC, MTU, IPv4 and IPv6 addresses, default routes via the gateways),
    /// the host name, `/etc/hosts` (with `rtnl.gwalias` naming the gateways) and
    /// `/etc/resolv.conf`, under root `/`.
    fn guest_config(params: &Params) -> Result<GuestConfig, String> {
        let name = |s: &str| Hostname::new(s).map_err(|e| e.to_string());
        Ok(GuestConfig {
            loopback: true,
            interface: Some(InterfaceSpec {
                name: params.ifname.clone(),
                mac: params.mac.map(MacAddr),
                mtu: params.mtu,
                ipv4: params.ip4,
                ipv6: params.ip6,
                gateway4: params.gw4,
                gateway6: params.gw6,
                dad: params.dad_ms.map(Duration::from_millis),
            }),
            hostname: params.hostname.as_deref().map(name).transpose()?,
            gateway_alias: params.gwalias.as_deref().map(name).transpose()?,
            nameservers: params.dns.clone(),
            search: params
                .search
                .iter()
                .map(|s| name(s))
                .collect::<Result<_, _>>()?,
            write_hosts: true,
            root: "/".into(),
        })
    }

    /// Configures the guest with `GuestConfig::apply()` and reads the result back
    /// through rtnl. Returns the `"report"` object of the result line.
    ///
    /// With `rtnl.nonetlink=1`, a seccomp filter refusing `socket(AF_NETLINK)` is
    /// installed first, so `apply()` finds netlink unavailable and falls back to ioctls
    /// on its own: MAC, MTU and up are done, the address and route steps fail. That
    /// `Err` is what is expected then; any other failure (or any failure at all with
    /// netlink) fails the boot.
    pub fn configure(params: &Params) -> Result<J, String> {
        if params.nonetlink {
            deny_netlink_sockets()
                .map_err(|e| format!("seccomp filter refusing socket(AF_NETLINK): {e}"))?;
        }
        let probe = netlink_probe();
        let config = guest_config(params)?;
        if params.dad_ms.is_some() && !params.nonetlink {
            // DAD sends its probe after a random delay of up to router_solicitation_delay
            // (1 s) and then waits one RetransTimer (1 s): none and 100 ms here, so the
            // boot stays quick. Nothing answers on the test's qemu hub.
            for (key, value) in [
                (
                    format!("net/ipv6/conf/{}/router_solicitation_delay", params.ifname),
                    "0",
                ),
                (
                    format!("net/ipv6/neigh/{}/retrans_time_ms", params.ifname),
                    "100",
                ),
            ] {
                rtnl::set_sysctl(&key, value).map_err(|e| format!("{key}: {e}"))?;
            }
        }

        let t0 = Instant::now();
        let result = config.apply();
        let apply_us = t0.elapsed().as_micros() as u64;

        let (report, error) = match &result {
            Ok(r) => (r, None),
            Err(e) => {
                let expected = params.nonetlink
                    && !e.is_invalid_input()
                    && e.report()
                        .failures()
                        .all(|s| s.result.as_ref().is_err_and(|e| e.is_netlink_unavailable()));
                if !expected {
                    return Err(format!("GuestConfig::apply: {e}\n{}", e.report()));
                }
                (e.report(), Some(e.to_string()))
            }
        };
        // The log, for people reading the console.
        print!("{report}");

        // Read back with a handle that needs netlink: without it, say so (and read
        // the MAC through the ioctl side door instead).
        let (mac, mac_source, rtnl) = match Handle::netlink_only() {
            Ok(mut h) => {
                let (links, addresses, routes) = read_back(&mut h)?;
                let mac = links
                    .iter()
                    .find(|l| l.name_str() == params.ifname)
                    .and_then(|l| l.mac())
                    .map(|m| m.to_string());
                (mac, "RTM_GETLINK", rtnl_json(&links, &addresses, &routes))
            }
            Err(e) if params.nonetlink && e.is_netlink_unavailable() => {
                let mac = rtnl::ioctl::get_mac(&params.ifname)
                    .map_err(|e| format!("SIOCGIFHWADDR {}: {e}", params.ifname))?;
                let skipped = format!("skipped: netlink is unavailable ({e})");
                (
                    Some(mac.to_string()),
                    "SIOCGIFHWADDR",
                    J::obj([("skipped", skipped.into())]),
                )
            }
            Err(e) => return Err(format!("read-back: {e}")),
        };

        Ok(J::obj([
            (
                "method",
                if report.ioctl_fallback {
                    "ioctl"
                } else {
                    "netlink"
                }
                .into(),
            ),
            ("ifname", params.ifname.as_str().into()),
            ("ifindex", report.index.into()),
            ("mac", mac.into()),
            ("mac_source", mac_source.into()),
            ("round_trips", report.round_trips.into()),
            ("ioctl_fallback", report.ioctl_fallback.into()),
            ("apply_ok", result.is_ok().into()),
            ("apply_error", error.into()),
            ("apply_us", apply_us.into()),
            ("netlink_probe", probe.into()),
            (
                "steps",
                report
                    .steps
                    .iter()
                    .map(step_json)
                    .collect::<Vec<_>>()
                    .into(),
            ),
            ("rtnl", rtnl),
        ]))
    }

    type ReadBack = (Vec<rtnl::Link>, Vec<rtnl::Address>, Vec<rtnl::Route>);

    /// `ip link show; ip addr show; ip route show table all`, through rtnl.
    fn read_back(h: &mut Handle) -> Result<ReadBack, String> {
        let links = h.links().map_err(|e| format!("read-back: links: {e}"))?;
        let addresses = h
            .addresses()
            .map_err(|e| format!("read-back: addresses: {e}"))?;
        let routes = h
            .routes(&RouteFilter::default())
            .map_err(|e| format!("read-back: routes: {e}"))?;
        Ok((links.into_vec(), addresses.into_vec(), routes.into_vec()))
    }

    fn step_json(s: &StepReport) -> J {
        J::obj([
            ("step", s.step.to_string().into()),
            ("line", s.to_string().into()),
            ("ok", s.is_ok().into()),
            (
                "outcome",
                s.result.as_ref().ok().map(|o| o.to_string()).into(),
            ),
            (
                "error",
                s.result.as_ref().err().map(|e| e.to_string()).into(),
            ),
            (
                "netlink_unavailable",
                s.result
                    .as_ref()
                    .is_err_and(|e| e.is_netlink_unavailable())
                    .into(),
            ),
        ])
    }

    fn prefix(a: IpAddr, len: u8) -> String {
        format!("{a}/{len}")
    }

    fn rtnl_json(links: &[rtnl::Link], addresses: &[rtnl::Address], routes: &[rtnl::Route]) -> J {
        let links = links
            .iter()
            .map(|l| {
                J::obj([
                    ("index", l.index.into()),
                    ("name", l.name_str().into()),
                    ("mac", l.mac().map(|m| m.to_string()).into()),
                    ("mtu", l.mtu.into()),
                    ("flags", l.flags.0.into()),
                    ("up", l.is_up().into()),
                    (
                        "operstate",
                        l.operstate
                            .map(|s| s.to_string())
                            .unwrap_or_default()
                            .into(),
                    ),
                ])
            })
            .collect::<Vec<_>>();
        let addresses = addresses
            .iter()
            .map(|a| {
                J::obj([
                    ("index", a.index.into()),
                    ("address", prefix(a.address, a.prefix_len).into()),
                    ("scope", u32::from(a.scope.0).into()),
                    ("flags", a.flags.0.into()),
                ])
            })
            .collect::<Vec<_>>();
        let routes = routes
            .iter()
            .map(|r| {
                let any = if r.family == rtnl::Family::INET6 {
                    IpAddr::V6(Ipv6Addr::UNSPECIFIED)
                } else {
                    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
                };
                J::obj([
                    ("family", u32::from(r.family.0).into()),
                    ("dst", prefix(r.dst.unwrap_or(any), r.dst_len).into()),
                    ("gw", r.gateway.map(|g| g.to_string()).into()),
                    ("oif", r.oif.into()),
                    ("table", r.table.into()),
                    ("protocol", u32::from(r.protocol.0).into()),
                    ("scope", u32::from(r.scope.0).into()),
                    ("type", u32::from(r.kind.0).into()),
                    ("metric", r.priority.into()),
                ])
            })
            .collect::<Vec<_>>();
        J::obj([
            ("links", links.into()),
            ("addresses", addresses.into()),
            ("routes", routes.into()),
        ])
    }

    /// `socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)` made directly (not through rtnl):
    /// `"ok"` or the error, to show what the seccomp filter does.
    fn netlink_probe() -> String {
        // SAFETY: plain socket(2) call with constant arguments.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return io::Error::last_os_error().to_string();
        }
        // SAFETY: `fd` is a freshly created descriptor that nothing else owns.
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
        "ok".into()
    }

    /// Installs a seccomp filter on the calling thread (PID 1 has only this one) under
    /// which `socket(AF_NETLINK, ...)` fails with `EAFNOSUPPORT`, as in a sandbox that
    /// forbids netlink; every other call is allowed. A trimmed copy of
    /// tests/common/seccomp.rs, for x86_64 only (the guest's architecture).
    #[cfg(target_arch = "x86_64")]
    fn deny_netlink_sockets() -> io::Result<()> {
        const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
        // struct seccomp_data { int nr; __u32 arch; __u64 ip; __u64 args[6]; }
        const OFF_NR: u32 = 0;
        const OFF_ARCH: u32 = 4;
        const OFF_ARG0_LO: u32 = 16;
        const LD: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
        const JEQ: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
        const RET: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
        let op = |code, k, jt, jf| libc::sock_filter { code, jt, jf, k };
        let mut prog = [
            op(LD, OFF_ARCH, 0, 0),
            op(JEQ, AUDIT_ARCH_X86_64, 0, 5), // another ABI: allow
            op(LD, OFF_NR, 0, 0),
            op(JEQ, libc::SYS_socket as u32, 0, 3), // not socket(): allow
            op(LD, OFF_ARG0_LO, 0, 0),
            op(JEQ, libc::AF_NETLINK as u32, 0, 1),
            op(
                RET,
                libc::SECCOMP_RET_ERRNO | libc::EAFNOSUPPORT as u32,
                0,
                0,
            ),
            op(RET, libc::SECCOMP_RET_ALLOW, 0, 0),
        ];
        let fprog = libc::sock_fprog {
            len: prog.len() as u16,
            filter: prog.as_mut_ptr(),
        };
        // SAFETY: plain prctl with integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fprog` points to `prog`, a valid filter of `len` instructions that
        // outlives the call (the kernel copies it). No TSYNC: this thread only.
        let rc = unsafe {
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER as libc::c_ulong,
                &fprog as *const libc::sock_fprog,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn deny_netlink_sockets() -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the netlink seccomp filter is written for x86_64 only",
        ))
    }

    // ------------------------------------------------------------------------------
    // PID 1
    // ------------------------------------------------------------------------------

    pub fn run() -> ! {
        std::panic::set_hook(Box::new(|info| finish(Err(format!("panic: {info}")))));
        let mut timings = Vec::new();
        let step = |what: &str, r: Result<(), String>| {
            r.unwrap_or_else(|e| finish(Err(format!("{what}: {e}"))))
        };

        step("mount", mount_all());
        let cmdline = fs::read_to_string("/proc/cmdline").unwrap_or_default();
        let mut params = Params::from_cmdline(&cmdline).unwrap_or_else(|e| finish(Err(e)));

        // Listen for the NIC before its driver is loaded: no gap, no polling.
        let (nic, how) = match (params.nicmac, params.ifname.as_str()) {
            (Some(mac), _) => (Nic::Mac(MacAddr(mac)), "mac"),
            (None, "") => (Nic::Any, "any"),
            (None, name) => (Nic::Name(name.to_owned()), "name"),
        };
        let wait = NicWait::start(nic).unwrap_or_else(|e| finish(Err(format!("NicWait: {e}"))));
        timings.push(("nic_wait_started", uptime_ms()));

        step("modules", load_modules("/modules", "order.txt"));
        let kinds_mode = params.mode.as_deref() == Some("kinds");
        let cni_mode = params.mode.as_deref() == Some("cni");
        if kinds_mode {
            step("kind modules", load_modules("/modules", "kinds.txt"));
        }
        if cni_mode {
            step("cni modules", load_modules("/modules", "cni.txt"));
        }
        timings.push(("modules", uptime_ms()));
        if params.selftest.as_deref() == Some("panic") {
            panic!("selftest panic requested by rtnl.selftest=panic");
        }
        let found = wait
            .wait(IFACE_WAIT)
            .unwrap_or_else(|e| finish(Err(format!("waiting for the NIC: {e}"))));
        params.ifname = found.link.name_str();
        timings.push(("iface", uptime_ms()));
        let nic_wait = J::obj([
            ("match", how.into()),
            ("ifname", params.ifname.as_str().into()),
            ("by_event", found.by_event.into()),
            ("waited_us", (found.waited.as_micros() as u64).into()),
            ("wakeups", found.wakeups.into()),
        ]);

        if kinds_mode {
            let report =
                kinds::run(&params.ifname).unwrap_or_else(|e| finish(Err(format!("kinds: {e}"))));
            timings.push(("kinds", uptime_ms()));
            finish(Ok(vec![
                ("kinds".into(), report),
                ("timings_ms".into(), timings_json(timings)),
            ]))
        }

        if cni_mode {
            let report = cni::run().unwrap_or_else(|e| finish(Err(format!("cni: {e}"))));
            timings.push(("cni", uptime_ms()));
            finish(Ok(vec![
                ("cni".into(), report),
                ("nic_wait".into(), nic_wait),
                ("timings_ms".into(), timings_json(timings)),
            ]))
        }

        let report = configure(&params).unwrap_or_else(|e| finish(Err(format!("configure: {e}"))));
        timings.push(("configure", uptime_ms()));

        let params_json = J::Obj(
            params
                .raw
                .iter()
                .map(|(k, v)| (k.clone(), J::from(v.as_str())))
                .collect(),
        );
        finish(Ok(vec![
            ("params".into(), params_json),
            ("nic_wait".into(), nic_wait),
            ("report".into(), report),
            ("observed".into(), observe()),
            ("timings_ms".into(), timings_json(timings)),
        ]))
    }

    /// `{"what": uptime_ms, ...}`.
    fn timings_json(timings: Vec<(&str, u64)>) -> J {
        J::Obj(
            timings
                .into_iter()
                .map(|(k, v)| (k.to_string(), J::from(v)))
                .collect(),
        )
    }

    fn cstr(s: &str) -> CString {
        CString::new(s).expect("no NUL in constant paths")
    }

    fn mount_all() -> Result<(), String> {
        for (fstype, target) in [("proc", "/proc"), ("sysfs", "/sys"), ("devtmpfs", "/dev")] {
            let (src, tgt, ty) = (cstr(fstype), cstr(target), cstr(fstype));
            // SAFETY: all pointers are valid NUL-terminated strings that outlive the
            // call; `data` may be null.
            let rc = unsafe {
                libc::mount(src.as_ptr(), tgt.as_ptr(), ty.as_ptr(), 0, std::ptr::null())
            };
            if rc != 0 {
                let e = io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::EBUSY) {
                    return Err(format!("mount {fstype} on {target}: {e}"));
                }
            }
        }
        Ok(())
    }

    /// Loads the modules `DIR/LIST` names, in order; `EEXIST` (already loaded) is
    /// fine.
    fn load_modules(dir: &str, list: &str) -> Result<(), String> {
        let order = match fs::read_to_string(format!("{dir}/{list}")) {
            Ok(o) => o,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("{dir}/{list}: {e}")),
        };
        for name in order.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let path = format!("{dir}/{name}");
            let file = fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
            let params = cstr("");
            // SAFETY: the descriptor is open for the duration of the call, the
            // parameter string is a valid empty C string, flags 0.
            let rc = unsafe {
                libc::syscall(libc::SYS_finit_module, file.as_raw_fd(), params.as_ptr(), 0)
            };
            if rc != 0 {
                let e = io::Error::last_os_error();
                if e.raw_os_error() != Some(libc::EEXIST) {
                    return Err(format!("finit_module {path}: {e}"));
                }
            }
        }
        Ok(())
    }

    fn interfaces() -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir("/sys/class/net")
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn uptime_ms() -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
        if rc != 0 {
            return 0;
        }
        ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
    }

    // ------------------------------------------------------------------------------
    // Independent observation (no rtnl, no netlink): sysfs, procfs, ioctls.
    // ------------------------------------------------------------------------------

    fn read_trim(path: &str) -> Option<String> {
        fs::read_to_string(path).ok().map(|s| s.trim().to_string())
    }

    /// The state of the network stack as seen without netlink, so the test checks
    /// rtnl's effect with other means than rtnl itself.
    pub fn observe() -> J {
        let sock = inet_socket();
        let ifaces: Vec<J> = interfaces()
            .iter()
            .map(|name| {
                let sys = |f: &str| read_trim(&format!("/sys/class/net/{name}/{f}"));
                let flags = sys("flags")
                    .and_then(|f| u32::from_str_radix(f.trim_start_matches("0x"), 16).ok());
                let ipv4 = sock.as_ref().and_then(|s| ipv4_address(s, name));
                J::obj([
                    ("name", name.as_str().into()),
                    (
                        "ifindex",
                        sys("ifindex").and_then(|s| s.parse::<u64>().ok()).into(),
                    ),
                    ("mac", sys("address").into()),
                    ("mtu", sys("mtu").and_then(|s| s.parse::<u64>().ok()).into()),
                    ("operstate", sys("operstate").into()),
                    ("flags", flags.into()),
                    ("up", flags.map(|f| f & libc::IFF_UP as u32 != 0).into()),
                    (
                        "ipv4",
                        ipv4.into_iter().map(J::from).collect::<Vec<_>>().into(),
                    ),
                    (
                        "ipv6",
                        ipv6_addresses(name)
                            .into_iter()
                            .map(J::from)
                            .collect::<Vec<_>>()
                            .into(),
                    ),
                ])
            })
            .collect();
        J::obj([
            ("interfaces", ifaces.into()),
            ("routes4", routes4().into()),
            ("routes6", routes6().into()),
            ("hostname", read_trim("/proc/sys/kernel/hostname").into()),
            ("hosts", fs::read_to_string("/etc/hosts").ok().into()),
            (
                "resolv_conf",
                fs::read_to_string("/etc/resolv.conf").ok().into(),
            ),
        ])
    }

    fn inet_socket() -> Option<OwnedFd> {
        // SAFETY: plain socket(2) call with constant arguments.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` is a freshly created descriptor that nothing else owns.
        Some(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// The primary IPv4 address as `a.b.c.d/len` (SIOCGIFADDR + SIOCGIFNETMASK).
    fn ipv4_address(sock: &OwnedFd, name: &str) -> Option<String> {
        let get = |req: libc::c_ulong| -> Option<Ipv4Addr> {
            // SAFETY: ifreq is plain old data; all zeroes is a valid value.
            let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
            if name.len() >= ifr.ifr_name.len() {
                return None;
            }
            for (d, s) in ifr.ifr_name.iter_mut().zip(name.bytes()) {
                *d = s as libc::c_char;
            }
            // SAFETY: `ifr` is a full-size, NUL-terminated ifreq the kernel may write.
            let rc = unsafe { libc::ioctl(sock.as_raw_fd(), req as _, &mut ifr) };
            if rc != 0 {
                return None; // EADDRNOTAVAIL: no IPv4 address
            }
            // SAFETY: for these requests the kernel filled in the sockaddr member.
            let sa = unsafe { ifr.ifr_ifru.ifru_addr };
            // sockaddr_in: sin_port is sa_data[0..2], sin_addr sa_data[2..6]
            let d = sa.sa_data;
            Some(Ipv4Addr::new(
                d[2] as u8, d[3] as u8, d[4] as u8, d[5] as u8,
            ))
        };
        let addr = get(libc::SIOCGIFADDR as libc::c_ulong)?;
        let mask = get(libc::SIOCGIFNETMASK as libc::c_ulong)?;
        Some(format!("{addr}/{}", u32::from(mask).count_ones()))
    }

    fn hex_ipv6(s: &str) -> Option<Ipv6Addr> {
        u128::from_str_radix(s, 16)
            .ok()
            .filter(|_| s.len() == 32)
            .map(Ipv6Addr::from)
    }

    /// `/proc/net/if_inet6`: address, ifindex, prefix length, scope, flags, name.
    fn ipv6_addresses(name: &str) -> Vec<String> {
        ipv6_addresses_in("/proc/net", name)
    }

    /// [`ipv6_addresses`] from `NET/if_inet6` (`/proc/thread-self/net`: the calling
    /// thread's namespace).
    fn ipv6_addresses_in(net: &str, name: &str) -> Vec<String> {
        let text = fs::read_to_string(format!("{net}/if_inet6")).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                if f.len() < 6 || f[5] != name {
                    return None;
                }
                let addr = hex_ipv6(f[0])?;
                let plen = u8::from_str_radix(f[2], 16).ok()?;
                Some(format!("{addr}/{plen}"))
            })
            .collect()
    }

    /// `/proc/net/route` (main table): Iface Destination Gateway Flags RefCnt Use
    /// Metric Mask ...; addresses are the in-memory bytes printed as a host u32.
    fn routes4() -> Vec<J> {
        routes4_in("/proc/net")
    }

    /// [`routes4`] from `NET/route`.
    fn routes4_in(net: &str) -> Vec<J> {
        let text = fs::read_to_string(format!("{net}/route")).unwrap_or_default();
        let ip = |h: &str| {
            u32::from_str_radix(h, 16)
                .ok()
                .map(|v| Ipv4Addr::from(v.to_ne_bytes()))
        };
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                if f.len() < 8 {
                    return None;
                }
                let (dst, gw, mask) = (ip(f[1])?, ip(f[2])?, ip(f[7])?);
                Some(J::obj([
                    (
                        "dst",
                        format!("{dst}/{}", u32::from(mask).count_ones()).into(),
                    ),
                    ("gw", (!gw.is_unspecified()).then(|| gw.to_string()).into()),
                    ("dev", f[0].into()),
                    ("metric", f[6].parse::<u64>().ok().into()),
                ]))
            })
            .collect()
    }

    /// `/proc/net/ipv6_route`: dst dst_len src src_len gw metric refcnt use flags dev
    /// (all tables, including `local`).
    fn routes6() -> Vec<J> {
        let text = fs::read_to_string("/proc/net/ipv6_route").unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                if f.len() < 10 {
                    return None;
                }
                let dst = hex_ipv6(f[0])?;
                let plen = u8::from_str_radix(f[1], 16).ok()?;
                let gw = hex_ipv6(f[4])?;
                Some(J::obj([
                    ("dst", format!("{dst}/{plen}").into()),
                    ("gw", (!gw.is_unspecified()).then(|| gw.to_string()).into()),
                    ("dev", f[9].into()),
                    ("metric", u64::from_str_radix(f[5], 16).ok().into()),
                ]))
            })
            .collect()
    }

    // ------------------------------------------------------------------------------
    // Result line and power-off
    // ------------------------------------------------------------------------------

    /// Writes the result line and powers off. `Ok(fields)` gives `{"ok":true,...}`,
    /// `Err(msg)` gives `{"ok":false,"error":msg,...}`.
    pub fn finish(result: Result<Vec<(String, J)>, String>) -> ! {
        let mut fields = vec![("ok".to_string(), J::Bool(result.is_ok()))];
        match result {
            Ok(more) => fields.extend(more),
            Err(e) => fields.push(("error".into(), J::from(e.as_str()))),
        }
        fields.push((
            "kernel".into(),
            read_trim("/proc/sys/kernel/osrelease").into(),
        ));
        fields.push(("uptime_ms".into(), uptime_ms().into()));
        let line = format!("{}\n", J::Obj(fields));

        // The console first (for people reading the log), then the result port.
        let mut out = io::stdout().lock();
        let _ = out.write_all(line.as_bytes()).and_then(|_| out.flush());
        drain(1);
        if let Ok(mut tty) = fs::OpenOptions::new().write(true).open("/dev/ttyS1") {
            let _ = tty.write_all(line.as_bytes());
            drain(tty.as_raw_fd());
        }
        power_off()
    }

    fn drain(fd: libc::c_int) {
        // SAFETY: tcdrain only waits on the descriptor; a bad fd gives an error.
        let _ = unsafe { libc::tcdrain(fd) };
    }

    fn power_off() -> ! {
        // SAFETY: sync has no arguments and cannot fail.
        unsafe { libc::sync() };
        // SAFETY: reboot with a valid command; we are PID 1 with CAP_SYS_BOOT.
        unsafe { libc::reboot(libc::RB_POWER_OFF) };
        // Power-off failed (no ACPI?): a reboot makes qemu exit too (-no-reboot).
        // SAFETY: as above.
        unsafe { libc::reboot(libc::RB_AUTOBOOT) };
        loop {
            std::thread::sleep(Duration::from_secs(3600)); // PID 1 must never exit
        }
    }

    // ------------------------------------------------------------------------------
    // A tiny JSON writer
    // ------------------------------------------------------------------------------

    #[derive(Debug)]
    pub enum J {
        Null,
        Bool(bool),
        Num(u64),
        Str(String),
        Arr(Vec<J>),
        Obj(Vec<(String, J)>),
    }

    impl J {
        fn obj<const N: usize>(fields: [(&str, J); N]) -> J {
            J::Obj(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            )
        }
    }

    impl From<&str> for J {
        fn from(s: &str) -> J {
            J::Str(s.to_string())
        }
    }
    impl From<String> for J {
        fn from(s: String) -> J {
            J::Str(s)
        }
    }
    impl From<bool> for J {
        fn from(b: bool) -> J {
            J::Bool(b)
        }
    }
    impl From<u32> for J {
        fn from(n: u32) -> J {
            J::Num(n.into())
        }
    }
    impl From<u64> for J {
        fn from(n: u64) -> J {
            J::Num(n)
        }
    }
    impl From<Vec<J>> for J {
        fn from(v: Vec<J>) -> J {
            J::Arr(v)
        }
    }
    impl<T: Into<J>> From<Option<T>> for J {
        fn from(o: Option<T>) -> J {
            o.map_or(J::Null, Into::into)
        }
    }

    fn write_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
        f.write_char('"')?;
        for c in s.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }

    impl fmt::Display for J {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                J::Null => f.write_str("null"),
                J::Bool(b) => write!(f, "{b}"),
                J::Num(n) => write!(f, "{n}"),
                J::Str(s) => write_str(f, s),
                J::Arr(a) => {
                    f.write_char('[')?;
                    for (i, v) in a.iter().enumerate() {
                        if i > 0 {
                            f.write_char(',')?;
                        }
                        write!(f, "{v}")?;
                    }
                    f.write_char(']')
                }
                J::Obj(o) => {
                    f.write_char('{')?;
                    for (i, (k, v)) in o.iter().enumerate() {
                        if i > 0 {
                            f.write_char(',')?;
                        }
                        write_str(f, k)?;
                        write!(f, ":{v}")?;
                    }
                    f.write_char('}')
                }
            }
        }
    }

    // ------------------------------------------------------------------------------
    // rtnl.mode=kinds: every kind of link, made through rtnl, read back two ways
    // ------------------------------------------------------------------------------

    /// Makes every kind of link the host's kernel lacks (vlan, ipvlan, vrf, bond,
    /// dummy, wireguard, geneve; bridge VLAN filtering; a tap read back on 6.1) and a
    /// few it has, through rtnl, in the guest; reads each back through rtnl
    /// (`RTM_GETLINK`) and through sysfs/procfs (no netlink); tests creation in
    /// another namespace when the name is taken in this one (Linux 6.1's behaviour);
    /// deletes them all. `tests/qemu_guest.rs` checks the report field by field.
    pub mod kinds {
        use super::{read_trim, J};
        use rtnl::tun::TunTap;
        use rtnl::{
            Bond, BondMode, BridgePort, BridgeVlan, Geneve, Handle, IpvlanFlags, IpvlanMode, Link,
            LinkKind, LinkRef, MacvlanMode, Netns, TunMode, Vlan, VlanProtocol,
        };
        use std::fs;
        use std::os::fd::AsFd;

        fn sys(name: &str, file: &str) -> J {
            read_trim(&format!("/sys/class/net/{name}/{file}")).into()
        }

        /// `DEVTYPE=` of the link's uevent: the kind as the driver names its device.
        fn devtype(name: &str) -> J {
            fs::read_to_string(format!("/sys/class/net/{name}/uevent"))
                .ok()
                .and_then(|u| {
                    u.lines()
                        .find_map(|l| l.strip_prefix("DEVTYPE=").map(str::to_string))
                })
                .into()
        }

        /// The name of the link's master, from the `master` symlink.
        fn master(name: &str) -> J {
            fs::read_link(format!("/sys/class/net/{name}/master"))
                .ok()
                .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                .into()
        }

        /// `/proc/net/vlan/config`'s `NAME | VID | PARENT` line for `name`.
        fn vlan_proc(name: &str) -> J {
            let text = fs::read_to_string("/proc/net/vlan/config").unwrap_or_default();
            // The priority maps, as /proc/net/vlan/NAME prints them ("0:0  1:2 ...").
            let dev = fs::read_to_string(format!("/proc/net/vlan/{name}")).unwrap_or_default();
            let map = |what: &str| -> J {
                dev.lines()
                    .find_map(|l| l.trim().strip_prefix(what))
                    .map(|rest| rest.split_whitespace().collect::<Vec<_>>().join(" "))
                    .into()
            };
            text.lines()
                .map(|l| l.split('|').map(str::trim).collect::<Vec<_>>())
                .find(|f| f.len() == 3 && f[0] == name)
                .map(|f| {
                    J::obj([
                        ("vid", f[1].into()),
                        ("parent", f[2].into()),
                        ("ingress", map("INGRESS priority mappings:")),
                        ("egress", map("EGRESS priority mappings:")),
                    ])
                })
                .into()
        }

        fn err(e: &rtnl::Error) -> J {
            J::obj([
                ("errno", e.errno().map(|n| n as u32).into()),
                ("message", e.kernel_message().into()),
                ("text", e.to_string().into()),
            ])
        }

        fn ip(a: Option<std::net::IpAddr>) -> J {
            a.map(|a| a.to_string()).into()
        }

        /// What rtnl reads back of `name`, with the typed options of its kind.
        fn rtnl_json(h: &mut Handle, name: &str) -> Result<J, String> {
            let l = h
                .get_link(name)
                .map_err(|e| format!("RTM_GETLINK {name}: {e}"))?
                .ok_or_else(|| format!("{name}: not found through rtnl"))?;
            let mut f: Vec<(&str, J)> = vec![
                ("index", l.index.into()),
                ("kind", l.kind_name().into()),
                ("parent", l.link.into()),
                ("master", l.master.into()),
            ];
            match &l.kind {
                Some(LinkKind::Vlan(v)) => {
                    f.push(("id", v.id.map(u32::from).into()));
                    f.push(("protocol", v.protocol.map(|p| p.to_string()).into()));
                    f.push(("reorder_hdr", v.reorder_hdr.into()));
                    f.push(("loose_binding", v.loose_binding.into()));
                    let map = |m: &[rtnl::VlanQos]| {
                        let v: Vec<String> =
                            m.iter().map(|q| format!("{}:{}", q.from, q.to)).collect();
                        J::from(v.join(" "))
                    };
                    f.push(("ingress_qos", map(&v.ingress_qos)));
                    f.push(("egress_qos", map(&v.egress_qos)));
                }
                Some(LinkKind::Ipvlan(v)) => {
                    f.push(("mode", v.mode.map(|m| m.to_string()).into()));
                    f.push(("flags", v.flags.map(|m| m.to_string()).into()));
                }
                Some(LinkKind::Macvlan(m)) | Some(LinkKind::Macvtap(m)) => {
                    f.push(("mode", m.mode.map(|m| m.to_string()).into()));
                }
                Some(LinkKind::Vrf(v)) => f.push(("table", v.table.into())),
                Some(LinkKind::Bond(b)) => {
                    f.push(("mode", b.mode.map(|m| m.to_string()).into()));
                    f.push(("miimon", b.miimon.into()));
                    f.push(("arp_interval", b.arp_interval.into()));
                    let t: Option<Vec<String>> = b
                        .arp_ip_targets
                        .as_ref()
                        .map(|t| t.iter().map(|a| a.to_string()).collect());
                    f.push(("arp_ip_targets", t.map(|t| t.join(" ")).into()));
                    f.push(("arp_validate", b.arp_validate.map(|v| v.to_string()).into()));
                    f.push((
                        "arp_all_targets",
                        b.arp_all_targets.map(|v| v.to_string()).into(),
                    ));
                }
                Some(LinkKind::Geneve(g)) => {
                    f.push(("vni", g.vni.into()));
                    f.push(("remote", ip(g.remote)));
                    f.push(("ttl", g.ttl.map(u32::from).into()));
                    f.push(("port", g.port.map(u32::from).into()));
                }
                Some(LinkKind::Bridge(b)) => {
                    f.push(("vlan_filtering", b.vlan_filtering.into()));
                    f.push(("default_pvid", b.default_pvid.map(u32::from).into()));
                }
                Some(LinkKind::Tun(t)) => {
                    f.push(("mode", t.mode.map(|m| m.to_string()).into()));
                    f.push(("vnet_hdr", t.vnet_hdr.into()));
                    f.push(("multi_queue", t.multi_queue.into()));
                    f.push(("persist", t.persist.into()));
                    f.push(("num_queues", t.num_queues.into()));
                }
                _ => {}
            }
            if let Some(p) = l.bridge_port() {
                f.push(("hairpin", p.hairpin.into()));
                f.push(("isolated", p.isolated.into()));
            }
            Ok(J::Obj(
                f.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            ))
        }

        /// rtnl's view, sysfs' view and the extra `(key, value)`s, for `name`.
        fn both(h: &mut Handle, name: &str, extra: Vec<(&str, J)>) -> Result<J, String> {
            let mut sysfs: Vec<(String, J)> = vec![
                ("ifindex".into(), sys(name, "ifindex")),
                ("iflink".into(), sys(name, "iflink")),
                ("type".into(), sys(name, "type")),
                ("devtype".into(), devtype(name)),
                ("master".into(), master(name)),
            ];
            sysfs.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
            Ok(J::Obj(vec![
                ("rtnl".into(), rtnl_json(h, name)?),
                ("sysfs".into(), J::Obj(sysfs)),
            ]))
        }

        pub fn run(parent: &str) -> Result<J, String> {
            let mut h = Handle::new().map_err(|e| format!("Handle::new: {e}"))?;
            let ctx = |what: &'static str| move |e: rtnl::Error| format!("{what}: {e}");
            h.set_link_up("lo").map_err(ctx("lo up"))?;
            h.set_link_up(parent).map_err(ctx("parent up"))?;
            let eth = h.link_index(parent).map_err(ctx("parent"))?;
            let mut out: Vec<(String, J)> = vec![("parent".into(), eth.into())];
            let mut put = |k: &str, v: J| out.push((k.to_string(), v));

            // vlan: 802.1Q with flags, and 802.1ad.
            // With priority maps: `ingress-qos-map 1:2 3:4 egress-qos-map 5:6`.
            let v = Vlan {
                reorder_hdr: Some(false),
                loose_binding: Some(true),
                ingress_qos: vec![rtnl::VlanQos::new(1, 2), rtnl::VlanQos::new(3, 4)],
                egress_qos: vec![rtnl::VlanQos::new(5, 6)],
                ..Vlan::new(100)
            };
            let l = Link {
                kind: Some(LinkKind::Vlan(v)),
                ..Link::vlan("vlan100", eth, 100).map_err(ctx("vlan"))?
            };
            h.add(&l)
                .map_err(ctx("ip link add link eth0 name vlan100 type vlan id 100"))?;
            let ad = Link {
                kind: Some(LinkKind::Vlan(Vlan {
                    protocol: Some(VlanProtocol::Dot1Ad),
                    ..Vlan::new(200)
                })),
                ..Link::vlan("qinq200", eth, 200).map_err(ctx("vlan"))?
            };
            h.add(&ad)
                .map_err(ctx("ip link add ... type vlan protocol 802.1ad id 200"))?;
            let bad = h.add(&Link::vlan("vlan4095", eth, 4095).map_err(ctx("vlan"))?);
            put(
                "vlan",
                both(&mut h, "vlan100", vec![("proc", vlan_proc("vlan100"))])?,
            );
            put(
                "qinq",
                both(&mut h, "qinq200", vec![("proc", vlan_proc("qinq200"))])?,
            );
            put(
                "vlan_invalid",
                J::obj([(
                    "invalid_input",
                    bad.as_ref().is_err_and(|e| e.is_invalid_input()).into(),
                )]),
            );

            // ipvlan, macvlan on the NIC.
            let ipv = Link {
                kind: Some(LinkKind::Ipvlan(rtnl::Ipvlan {
                    flags: Some(IpvlanFlags::Private),
                    ..rtnl::Ipvlan::new(IpvlanMode::L3s)
                })),
                ..Link::ipvlan("ipvl0", eth, IpvlanMode::L3s).map_err(ctx("ipvlan"))?
            };
            h.add(&ipv)
                .map_err(ctx("ip link add ... type ipvlan mode l3s private"))?;
            put("ipvlan", both(&mut h, "ipvl0", vec![])?);

            // dummy, a macvlan on one (the NIC has the ipvlan: one or the other), vrf
            // (with a port), bond (with two ports), wireguard, geneve.
            for d in ["dm0", "dm1", "dm2", "dm3", "dm4"] {
                h.add(&Link::dummy(d).map_err(ctx("dummy"))?)
                    .map_err(ctx("ip link add dmN type dummy"))?;
            }
            put("dummy", both(&mut h, "dm0", vec![])?);
            let d4 = h.link_index("dm4").map_err(ctx("dm4"))?;
            h.add(&Link::macvlan("macv0", d4, MacvlanMode::Bridge).map_err(ctx("macvlan"))?)
                .map_err(ctx(
                    "ip link add link dm4 name macv0 type macvlan mode bridge",
                ))?;
            put("macvlan", both(&mut h, "macv0", vec![])?);
            h.add(&Link::vrf("vrf-blue", 10).map_err(ctx("vrf"))?)
                .map_err(ctx("ip link add vrf-blue type vrf table 10"))?;
            h.set_link_master("dm0", "vrf-blue")
                .map_err(ctx("ip link set dev dm0 master vrf-blue"))?;
            put(
                "vrf",
                both(&mut h, "vrf-blue", vec![("port_master", master("dm0"))])?,
            );
            let bond = Bond {
                miimon: Some(100),
                ..Bond::new(BondMode::ActiveBackup)
            };
            h.add(&Link::bond("bnd0", bond).map_err(ctx("bond"))?)
                .map_err(ctx(
                    "ip link add bnd0 type bond mode active-backup miimon 100",
                ))?;
            for p in ["dm1", "dm2"] {
                h.set_link_master(p, "bnd0")
                    .map_err(ctx("ip link set dev dmN master bnd0"))?;
            }
            put(
                "bond",
                both(
                    &mut h,
                    "bnd0",
                    vec![
                        ("mode", sys("bnd0", "bonding/mode")),
                        ("miimon", sys("bnd0", "bonding/miimon")),
                        ("slaves", sys("bnd0", "bonding/slaves")),
                    ],
                )?,
            );
            // A bond monitored by ARP instead of MII.
            let arp = Bond {
                arp_interval: Some(100),
                arp_ip_targets: Some(vec![
                    std::net::Ipv4Addr::new(10, 0, 0, 1),
                    std::net::Ipv4Addr::new(10, 0, 0, 2),
                ]),
                arp_validate: Some(rtnl::BondArpValidate::All),
                arp_all_targets: Some(rtnl::BondArpAllTargets::All),
                ..Bond::new(BondMode::ActiveBackup)
            };
            h.add(&Link::bond("bnd1", arp).map_err(ctx("bond"))?)
                .map_err(ctx(
                    "ip link add bnd1 type bond mode active-backup arp_interval 100 \
                     arp_ip_target 10.0.0.1,10.0.0.2 arp_validate all arp_all_targets all",
                ))?;
            put(
                "bond_arp",
                both(
                    &mut h,
                    "bnd1",
                    vec![
                        ("arp_interval", sys("bnd1", "bonding/arp_interval")),
                        ("arp_ip_target", sys("bnd1", "bonding/arp_ip_target")),
                        ("arp_validate", sys("bnd1", "bonding/arp_validate")),
                        ("arp_all_targets", sys("bnd1", "bonding/arp_all_targets")),
                    ],
                )?,
            );
            // tc: an ingress qdisc on dm3 and a `matchall` filter redirecting all it
            // receives to dm4 (the classifier the host's kernel lacks), read back.
            let (d3, d4) = (
                h.link_index("dm3").map_err(ctx("dm3"))?,
                h.link_index("dm4").map_err(ctx("dm4"))?,
            );
            h.add(&rtnl::Qdisc::ingress(d3))
                .map_err(ctx("tc qdisc add dev dm3 ingress"))?;
            let all = rtnl::Filter::matchall(
                d3,
                0xffff_0000,
                rtnl::Matchall::new(vec![rtnl::Action::from(rtnl::Mirred::redirect(d4))]),
            );
            h.add(&all).map_err(ctx(
                "tc filter add dev dm3 parent ffff: protocol all matchall action mirred \
                 egress redirect dev dm4",
            ))?;
            let filters = h
                .filters(d3, 0xffff_0000)
                .map_err(ctx("tc filter show dev dm3 parent ffff:"))?
                .into_vec();
            put(
                "matchall",
                J::obj([
                    ("target", d4.into()),
                    (
                        "kinds",
                        J::from(
                            filters
                                .iter()
                                .map(|f| f.kind.name().to_string())
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                    ),
                    (
                        "redirects",
                        J::from(
                            filters
                                .iter()
                                .flat_map(|f| f.mirred().map(|m| m.ifindex.to_string()))
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                    ),
                ]),
            );
            h.add(&Link::wireguard("wg0").map_err(ctx("wireguard"))?)
                .map_err(ctx("ip link add wg0 type wireguard"))?;
            put("wireguard", both(&mut h, "wg0", vec![])?);
            let g = Geneve {
                ttl: Some(64),
                port: Some(6081),
                ..Geneve::new(5, "10.0.0.2".parse().map_err(|_| "address")?)
            };
            h.add(&Link::geneve("gnv0", g).map_err(ctx("geneve"))?)
                .map_err(ctx(
                    "ip link add gnv0 type geneve id 5 remote 10.0.0.2 ttl 64",
                ))?;
            put("geneve", both(&mut h, "gnv0", vec![])?);

            // A bridge with VLAN filtering, a port's VLANs and options.
            let br = Link {
                kind: Some(LinkKind::Bridge(rtnl::Bridge {
                    vlan_filtering: Some(true),
                    default_pvid: Some(10),
                    ..Default::default()
                })),
                ..Link::bridge("br0").map_err(ctx("bridge"))?
            };
            h.add(&br).map_err(ctx(
                "ip link add br0 type bridge vlan_filtering 1 vlan_default_pvid 10",
            ))?;
            h.set_link_master("dm3", "br0")
                .map_err(ctx("ip link set dev dm3 master br0"))?;
            let d3 = h.link_index("dm3").map_err(ctx("dm3"))?;
            let vlans = |h: &mut Handle| -> Result<J, String> {
                let mut v = h
                    .bridge_vlans(Some(LinkRef::Index(d3)))
                    .map_err(ctx("bridge vlan show dev dm3"))?;
                v.sort_by_key(|v| v.vid);
                Ok(J::Arr(
                    v.iter()
                        .map(|v| {
                            J::obj([
                                ("vid", u32::from(v.vid).into()),
                                ("pvid", v.pvid.into()),
                                ("untagged", v.untagged.into()),
                            ])
                        })
                        .collect(),
                ))
            };
            let before = vlans(&mut h)?;
            h.add(&BridgeVlan {
                pvid: true,
                untagged: true,
                ..BridgeVlan::new(d3, 20)
            })
            .map_err(ctx("bridge vlan add dev dm3 vid 20 pvid untagged"))?;
            h.add(&BridgeVlan {
                vid_end: Some(32),
                ..BridgeVlan::new(d3, 30)
            })
            .map_err(ctx("bridge vlan add dev dm3 vid 30-32"))?;
            let added = vlans(&mut h)?;
            h.delete(&BridgeVlan::new(d3, 20))
                .map_err(ctx("bridge vlan del dev dm3 vid 20"))?;
            let deleted = vlans(&mut h)?;
            h.set_bridge_port(
                "dm3",
                &BridgePort {
                    hairpin: Some(true),
                    isolated: Some(true),
                    ..Default::default()
                },
            )
            .map_err(ctx("bridge link set dev dm3 hairpin on isolated on"))?;
            put(
                "bridge",
                both(
                    &mut h,
                    "br0",
                    vec![
                        ("vlan_filtering", sys("br0", "bridge/vlan_filtering")),
                        ("default_pvid", sys("br0", "bridge/default_pvid")),
                    ],
                )?,
            );
            put(
                "bridge_port",
                J::Obj(vec![
                    ("rtnl".into(), rtnl_json(&mut h, "dm3")?),
                    ("vlans_before".into(), before),
                    ("vlans_added".into(), added),
                    ("vlans_deleted".into(), deleted),
                    ("hairpin".into(), sys("dm3", "brport/hairpin_mode")),
                    ("isolated".into(), sys("dm3", "brport/isolated")),
                ]),
            );

            // A tap, read back on this kernel.
            let tap = TunTap {
                vnet_hdr: true,
                queues: 2,
                ..TunTap::new("tap0", TunMode::Tap).map_err(ctx("tap"))?
            }
            .create()
            .map_err(ctx("ip tuntap add tap0 mode tap vnet_hdr multi_queue"))?;
            put(
                "tap",
                both(
                    &mut h,
                    "tap0",
                    vec![
                        ("tun_flags", sys("tap0", "tun_flags")),
                        ("queues", (tap.queues.len() as u32).into()),
                    ],
                )?,
            );
            drop(tap);

            // Creation in another namespace: free there but taken here (dm0).
            let ns = rtnl::netns::create().map_err(ctx("netns"))?;
            let target = Netns::fd(ns.as_fd());
            let one = h.add(&Link::dummy("dm0").map_err(ctx("dummy"))?.netns(target));
            let fallback = h.add_in_netns(&Link::dummy("dm0").map_err(ctx("dummy"))?.netns(target));
            let free = h.add(&Link::dummy("dnew0").map_err(ctx("dummy"))?.netns(target));
            let taken = h.add(&Link::dummy("dnew0").map_err(ctx("dummy"))?.netns(target));
            let mut there = Handle::in_netns(ns.as_fd()).map_err(ctx("handle in netns"))?;
            let names: Vec<J> = there
                .links()
                .map_err(ctx("links there"))?
                .iter()
                .map(|l| J::from(l.name_str()))
                .collect();
            let kind_there = there
                .get_link("dm0")
                .map_err(ctx("dm0 there"))?
                .and_then(|l| l.kind_name().map(str::to_string));
            let still_here = h.get_link("dm0").map_err(ctx("dm0 here"))?.is_some();
            let r = |x: &rtnl::Result<()>| match x {
                Ok(()) => J::from("ok"),
                Err(e) => err(e),
            };
            put(
                "netns",
                J::obj([
                    ("taken_here_one_request", r(&one)),
                    ("taken_here_add_in_netns", r(&fallback)),
                    ("free_one_request", r(&free)),
                    ("taken_there", r(&taken)),
                    ("names_there", J::Arr(names)),
                    ("dm0_kind_there", kind_there.into()),
                    ("dm0_still_here", still_here.into()),
                ]),
            );

            // Everything deleted again, through rtnl; sysfs confirms.
            let made = [
                "vlan100", "qinq200", "ipvl0", "macv0", "vrf-blue", "bnd0", "wg0", "gnv0", "br0",
                "dm0", "dm1", "dm2", "dm3", "dm4",
            ];
            for n in made {
                h.delete_link(n)
                    .map_err(|e| format!("ip link del {n}: {e}"))?;
            }
            let left: Vec<J> = made
                .iter()
                .filter(|n| fs::metadata(format!("/sys/class/net/{n}")).is_ok())
                .map(|n| J::from(*n))
                .collect();
            put("left_after_delete", J::Arr(left));
            Ok(J::Obj(out))
        }
    }
    // ------------------------------------------------------------------------------
    // rtnl.mode=cni: the CNI bridge plugin with a VLAN, rtnl-cni's and the reference's
    // ------------------------------------------------------------------------------

    /// Runs the CNI bridge plugin with `vlan` — alone, and with `isGateway` (the
    /// per-VLAN gateway veth) — as a runtime does: `ADD`, `CHECK`, `DEL` and `DEL`
    /// again, each a process with the `CNI_*` variables and the configuration on
    /// stdin. First rtnl-cni (`/cni/rtnl-cni bridge`), then the reference
    /// (`/cni/ref/bridge`, when the harness could put it there), each run in a fresh
    /// "host" namespace (the plugin's) and a fresh container namespace bind-mounted
    /// at `/run/netns/cont` (`CNI_NETNS`), so that both runs see the same paths.
    /// After `ADD` and after `DEL` both namespaces are read back through rtnl (links,
    /// kinds, masters, veth peers, bridge VLAN filtering, bridge port hairpin and
    /// VLANs, addresses, main-table routes) and without netlink (sysfs mounted from
    /// inside each namespace, procfs and ioctls from a thread inside it).
    /// `tests/qemu_guest.rs` checks rtnl-cni's field by field and compares the two.
    pub mod cni {
        use super::{cstr, inet_socket, ipv4_address, ipv6_addresses_in, read_trim, routes4_in, J};
        use rtnl::{Handle, Link, LinkKind, RouteFilter};
        use std::fs;
        use std::io::{self, Write as _};
        use std::net::IpAddr;
        use std::os::fd::{AsFd, AsRawFd, OwnedFd};
        use std::process::{Command, Stdio};

        /// rtnl-cni; it serves `bridge` when called as `rtnl-cni bridge`.
        const RTNL_CNI: &str = "/cni/rtnl-cni";
        /// The reference plugins, and `CNI_PATH` (where the bridge finds `static`).
        const REF_DIR: &str = "/cni/ref";
        /// `CNI_NETNS`: each run's container namespace is bind-mounted here.
        const CONT: &str = "/run/netns/cont";
        /// sysfs as mounted from inside the host and the container namespace.
        const SYS_HOST: &str = "/run/sys-host";
        const SYS_CONT: &str = "/run/sys-cont";
        /// The calling thread's `/proc/net`.
        const PROC_NET: &str = "/proc/thread-self/net";

        /// The configurations, by name: `vlan` alone (IPv4), and `vlan` with
        /// `isGateway` (dual stack).
        pub const SCENARIOS: [(&str, &str); 2] = [
            (
                "vlan",
                r#"{"cniVersion":"1.0.0","name":"vlannet","type":"bridge","bridge":"cnibr0","vlan":100,"ipam":{"type":"static","addresses":[{"address":"10.30.0.5/24","gateway":"10.30.0.1"}],"routes":[{"dst":"0.0.0.0/0"}]}}"#,
            ),
            (
                "vlan_gw",
                r#"{"cniVersion":"1.0.0","name":"gwnet","type":"bridge","bridge":"cnibr1","vlan":200,"isGateway":true,"ipam":{"type":"static","addresses":[{"address":"10.31.0.5/24","gateway":"10.31.0.1"},{"address":"fd31::5/64","gateway":"fd31::1"}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}}"#,
            ),
        ];

        #[derive(Clone, Copy)]
        enum Impl {
            Rtnl,
            Reference,
        }

        fn mount(
            src: &str,
            target: &str,
            fstype: Option<&str>,
            flags: libc::c_ulong,
        ) -> Result<(), String> {
            let (s, t) = (cstr(src), cstr(target));
            let ty = fstype.map(cstr);
            let ty_ptr = ty.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
            // SAFETY: the strings are valid and NUL-terminated and outlive the call; the
            // type may be null (a bind mount), the data is null.
            let rc =
                unsafe { libc::mount(s.as_ptr(), t.as_ptr(), ty_ptr, flags, std::ptr::null()) };
            if rc != 0 {
                return Err(format!(
                    "mount {src} on {target}: {}",
                    io::Error::last_os_error()
                ));
            }
            Ok(())
        }

        fn umount(target: &str) {
            let t = cstr(target);
            // SAFETY: a valid NUL-terminated path; a path that is not mounted gives an
            // error, which is ignored.
            unsafe { libc::umount2(t.as_ptr(), libc::MNT_DETACH) };
        }

        /// One run's namespaces: the plugin's ("host") and the container's, with
        /// the container's at [`CONT`] and sysfs mounted for both.
        struct Run {
            host: OwnedFd,
            cont: OwnedFd,
        }

        impl Run {
            fn new() -> Result<Run, String> {
                let e = |e: rtnl::Error| format!("netns: {e}");
                let run = Run {
                    host: rtnl::netns::create().map_err(e)?,
                    cont: rtnl::netns::create().map_err(e)?,
                };
                fs::create_dir_all("/run/netns").map_err(|e| format!("/run/netns: {e}"))?;
                fs::File::create(CONT).map_err(|e| format!("{CONT}: {e}"))?;
                let src = format!("/proc/self/fd/{}", run.cont.as_raw_fd());
                mount(&src, CONT, None, libc::MS_BIND)?;
                for (fd, dir) in [(&run.host, SYS_HOST), (&run.cont, SYS_CONT)] {
                    fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
                    let fd = fd.try_clone().map_err(|e| format!("dup: {e}"))?;
                    rtnl::with_netns_fd(fd, move || Ok(mount("sysfs", dir, Some("sysfs"), 0)))
                        .map_err(e)??;
                }
                Ok(run)
            }
        }

        impl Drop for Run {
            fn drop(&mut self) {
                for m in [SYS_HOST, SYS_CONT, CONT] {
                    umount(m);
                }
            }
        }

        /// What one plugin process did.
        struct Outcome {
            rc: Option<i32>,
            stdout: String,
            stderr: String,
        }

        impl From<std::process::Output> for Outcome {
            fn from(o: std::process::Output) -> Outcome {
                Outcome {
                    rc: o.status.code(),
                    stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
                }
            }
        }

        impl Outcome {
            fn json(&self) -> J {
                J::obj([
                    ("rc", self.rc.and_then(|c| u64::try_from(c).ok()).into()),
                    ("stdout", self.stdout.as_str().into()),
                    ("stderr", self.stderr.as_str().into()),
                ])
            }
        }

        /// `CNI_COMMAND=command ... bridge < conf`, in the host namespace of `run`.
        fn plugin(which: Impl, run: &Run, command: &str, conf: &str) -> Result<Outcome, String> {
            let fd = run.host.try_clone().map_err(|e| format!("dup: {e}"))?;
            let out = rtnl::with_netns_fd(fd, move || {
                let mut c = match which {
                    Impl::Rtnl => {
                        let mut c = Command::new(RTNL_CNI);
                        c.arg("bridge");
                        c
                    }
                    Impl::Reference => Command::new(format!("{REF_DIR}/bridge")),
                };
                c.env_clear()
                    .env("CNI_COMMAND", command)
                    .env("CNI_CONTAINERID", "guest-cni-1")
                    .env("CNI_NETNS", CONT)
                    .env("CNI_IFNAME", "eth0")
                    .env("CNI_PATH", REF_DIR)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                // The child is forked from this thread: it starts in its namespace.
                Ok((|| {
                    let mut child = c.spawn()?;
                    child
                        .stdin
                        .take()
                        .expect("stdin is piped")
                        .write_all(conf.as_bytes())?;
                    child.wait_with_output()
                })())
            })
            .map_err(|e| format!("{command}: {e}"))?
            .map_err(|e| format!("{command}: {e}"))?;
            Ok(Outcome::from(out))
        }

        fn link_local(a: &IpAddr) -> bool {
            matches!(a, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
        }

        fn name_of(list: &[Link], index: u32) -> Option<String> {
            list.iter()
                .find(|l| l.index == index)
                .map(|l| l.name_str().to_string())
        }

        /// One namespace read back; `other` is the other namespace of the run (where a
        /// veth's peer may be).
        fn ns_state(fd: &OwnedFd, other: &OwnedFd, sys: &'static str) -> Result<J, String> {
            let e = |what: &'static str| move |e: rtnl::Error| format!("{what}: {e}");
            let mut h = Handle::in_netns(fd.as_fd()).map_err(e("Handle::in_netns"))?;
            let links = h.links().map_err(e("ip link show"))?.into_vec();
            let others = Handle::in_netns(other.as_fd())
                .map_err(e("Handle::in_netns"))?
                .links()
                .map_err(e("ip link show (other namespace)"))?
                .into_vec();
            let vlans = h.bridge_vlans(None).map_err(e("bridge vlan show"))?;
            let addrs = h.addresses().map_err(e("ip addr show"))?.into_vec();
            let routes = h
                .routes(&RouteFilter {
                    table: Some(u32::from(rtnl::abi::RT_TABLE_MAIN)),
                    ..Default::default()
                })
                .map_err(e("ip route show"))?
                .into_vec();
            let names: Vec<String> = links.iter().map(|l| l.name_str().to_string()).collect();
            let (per_link, global) = rtnl::with_netns_fd(
                fd.try_clone().map_err(|e| format!("dup: {e}"))?,
                move || Ok(proc_view(&names)),
            )
            .map_err(e("procfs"))?;

            let mut out_links = Vec::new();
            for (l, proc) in links.iter().zip(per_link) {
                let name = l.name_str().to_string();
                let peer = l.link.and_then(|i| match l.link_netnsid {
                    Some(_) => name_of(&others, i).map(|n| (n, "other")),
                    None => name_of(&links, i).map(|n| (n, "same")),
                });
                let (vf, pvid) = match &l.kind {
                    Some(LinkKind::Bridge(b)) => (b.vlan_filtering, b.default_pvid),
                    _ => (None, None),
                };
                let mut mine: Vec<_> = vlans.iter().filter(|v| v.index == l.index).collect();
                mine.sort_by_key(|v| v.vid);
                let mut a: Vec<String> = addrs
                    .iter()
                    .filter(|a| a.index == l.index && !link_local(&a.address))
                    .map(|a| format!("{}/{}", a.address, a.prefix_len))
                    .collect();
                a.sort();
                let sysf = |f: &str| J::from(read_trim(&format!("{sys}/class/net/{name}/{f}")));
                let master_sys = fs::read_link(format!("{sys}/class/net/{name}/master"))
                    .ok()
                    .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()));
                out_links.push((
                    name.clone(),
                    J::obj([
                        ("kind", l.kind_name().into()),
                        ("mtu", l.mtu.into()),
                        ("up", l.is_up().into()),
                        ("mac", l.mac().map(|m| m.to_string()).into()),
                        ("master", l.master.and_then(|m| name_of(&links, m)).into()),
                        ("peer", peer.as_ref().map(|p| p.0.clone()).into()),
                        ("peer_netns", peer.map(|p| p.1).into()),
                        ("vlan_filtering", vf.into()),
                        ("default_pvid", pvid.map(u32::from).into()),
                        ("hairpin", l.bridge_port().and_then(|p| p.hairpin).into()),
                        (
                            "vlans",
                            J::Arr(
                                mine.iter()
                                    .map(|v| {
                                        J::obj([
                                            ("vid", u32::from(v.vid).into()),
                                            ("vid_end", v.vid_end.map(u32::from).into()),
                                            ("pvid", v.pvid.into()),
                                            ("untagged", v.untagged.into()),
                                        ])
                                    })
                                    .collect(),
                            ),
                        ),
                        ("addresses", J::Arr(a.into_iter().map(J::from).collect())),
                        (
                            "sysfs",
                            J::obj([
                                ("mtu", sysf("mtu")),
                                ("address", sysf("address")),
                                ("addr_assign_type", sysf("addr_assign_type")),
                                ("master", master_sys.into()),
                                ("vlan_filtering", sysf("bridge/vlan_filtering")),
                                ("default_pvid", sysf("bridge/default_pvid")),
                                ("hairpin_mode", sysf("brport/hairpin_mode")),
                            ]),
                        ),
                        ("proc", proc),
                    ]),
                ));
            }
            out_links.sort_by(|a, b| a.0.cmp(&b.0));
            let mut rts: Vec<(String, J)> = routes
                .iter()
                .filter(|r| !r.dst.is_some_and(|d| link_local(&d) || d.is_multicast()))
                .map(|r| {
                    let dst = match r.dst {
                        Some(d) => format!("{d}/{}", r.dst_len),
                        None if r.family == rtnl::Family::INET6 => format!("::/{}", r.dst_len),
                        None => format!("0.0.0.0/{}", r.dst_len),
                    };
                    let gw = r.gateway.map(|g| g.to_string());
                    let dev = r.oif.and_then(|i| name_of(&links, i));
                    (
                        format!("{dst} {gw:?} {dev:?}"),
                        J::obj([("dst", dst.into()), ("gw", gw.into()), ("dev", dev.into())]),
                    )
                })
                .collect();
            rts.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(J::obj([
                ("links", J::Obj(out_links)),
                ("routes", J::Arr(rts.into_iter().map(|r| r.1).collect())),
                ("proc", global),
            ]))
        }

        /// What procfs, the sysctls and the address ioctl say, from a thread inside
        /// the namespace: per link (in `names`' order), and for the namespace.
        fn proc_view(names: &[String]) -> (Vec<J>, J) {
            let sock = inet_socket();
            let per_link = names
                .iter()
                .map(|n| {
                    let sysctl = |f: String| J::from(read_trim(&format!("/proc/sys/net/{f}")));
                    let v6: Vec<J> = ipv6_addresses_in(PROC_NET, n)
                        .into_iter()
                        .filter(|a| !a.starts_with("fe80:"))
                        .map(J::from)
                        .collect();
                    J::obj([
                        (
                            "ipv4",
                            sock.as_ref().and_then(|s| ipv4_address(s, n)).into(),
                        ),
                        ("ipv6", J::Arr(v6)),
                        ("accept_ra", sysctl(format!("ipv6/conf/{n}/accept_ra"))),
                        ("accept_dad", sysctl(format!("ipv6/conf/{n}/accept_dad"))),
                        ("arp_notify", sysctl(format!("ipv4/conf/{n}/arp_notify"))),
                    ])
                })
                .collect();
            let global = J::obj([
                (
                    "ip_forward",
                    read_trim("/proc/sys/net/ipv4/ip_forward").into(),
                ),
                (
                    "ipv6_forwarding",
                    read_trim("/proc/sys/net/ipv6/conf/all/forwarding").into(),
                ),
                ("routes4", routes4_in(PROC_NET).into()),
            ]);
            (per_link, global)
        }

        fn state(run: &Run) -> Result<J, String> {
            Ok(J::obj([
                ("host", ns_state(&run.host, &run.cont, SYS_HOST)?),
                ("cont", ns_state(&run.cont, &run.host, SYS_CONT)?),
            ]))
        }

        /// `bridge vlan show` in the host namespace of `run`, by iproute2's `bridge`
        /// and by the `bridge` example (when the harness put them there): their
        /// outputs are compared by `tests/qemu_guest.rs`.
        fn vlan_show(run: &Run) -> Result<J, String> {
            let mut out = Vec::new();
            for (label, bin) in [
                ("iproute2", "/cni/iproute2-bridge"),
                ("rtnl", "/cni/rtnl-bridge"),
            ] {
                if fs::metadata(bin).is_err() {
                    out.push((label, J::Null));
                    continue;
                }
                let fd = run.host.try_clone().map_err(|e| format!("dup: {e}"))?;
                let o = rtnl::with_netns_fd(fd, move || {
                    // Forked from this thread: the child starts in its namespace.
                    Ok(Command::new(bin).args(["vlan", "show"]).output())
                })
                .map_err(|e| format!("{bin}: {e}"))?
                .map_err(|e| format!("{bin}: {e}"))?;
                out.push((label, Outcome::from(o).json()));
            }
            Ok(J::Obj(
                out.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            ))
        }

        /// ADD, the state, CHECK, DEL, the state, DEL again; CHECK and DEL get ADD's
        /// result as `prevResult`, as a runtime passes it.
        fn one(which: Impl, conf: &str) -> Result<J, String> {
            let run = Run::new()?;
            let add = plugin(which, &run, "ADD", conf)?;
            let after_add = state(&run)?;
            let vlans = vlan_show(&run)?;
            let with_prev = match add.rc {
                Some(0) => format!(
                    "{},\"prevResult\":{}}}",
                    conf.strip_suffix('}').unwrap_or(conf),
                    add.stdout.trim()
                ),
                _ => conf.to_string(),
            };
            let check = plugin(which, &run, "CHECK", &with_prev)?;
            let del = plugin(which, &run, "DEL", &with_prev)?;
            let after_del = state(&run)?;
            let del_again = plugin(which, &run, "DEL", &with_prev)?;
            Ok(J::obj([
                ("add", add.json()),
                ("after_add", after_add),
                ("vlan_show", vlans),
                ("check", check.json()),
                ("del", del.json()),
                ("after_del", after_del),
                ("del_again", del_again.json()),
            ]))
        }

        pub fn run() -> Result<J, String> {
            let reference = fs::metadata(format!("{REF_DIR}/bridge")).is_ok();
            let mut out: Vec<(String, J)> = vec![
                (
                    "scenarios".into(),
                    J::Obj(
                        SCENARIOS
                            .iter()
                            .map(|(n, c)| (n.to_string(), J::from(*c)))
                            .collect(),
                    ),
                ),
                ("reference_present".into(), reference.into()),
            ];
            let mut impls = vec![("rtnl", Impl::Rtnl)];
            if reference {
                impls.push(("reference", Impl::Reference));
            }
            for (label, which) in impls {
                let mut runs = Vec::new();
                for (name, conf) in SCENARIOS {
                    let r = one(which, conf).map_err(|e| format!("{label} {name}: {e}"))?;
                    runs.push((name.to_string(), r));
                }
                out.push((label.to_string(), J::Obj(runs)));
            }
            Ok(J::Obj(out))
        }
    }
}
