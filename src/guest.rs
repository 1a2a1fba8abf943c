//! Operations layer: a micro-VM guest's whole network bring-up, for the `/init`
//! (PID 1) of a virtual machine or a container.
//!
//! | function | replaces | kernel round trips |
//! |---|---|---|
//! | [`configure_loopback`] | `ip link set lo up; ip addr add 127.0.0.1/8 dev lo; ip addr add ::1/128 dev lo` | 1 |
//! | [`configure_interface`] | `ip link set dev IF address MAC mtu MTU; ip addr add A4/P dev IF; ip addr add A6/P dev IF; ip link set dev IF up; ip route replace default via GW4 dev IF; ip -6 route replace default via GW6 dev IF` | 2 |
//! | [`GuestConfig::apply`] | all of the above, `hostname NAME`, `echo ... > /etc/hosts`, `echo nameserver ... > /etc/resolv.conf` | 2 |
//! | [`set_hostname`] | `hostname NAME` | (`sethostname`) |
//! | [`write_hosts`], [`render_hosts`] | `echo ... > /etc/hosts` | — |
//! | [`write_resolv_conf`], [`render_resolv_conf`] | `echo nameserver ... > /etc/resolv.conf` | — |
//!
//! ## Round trips
//!
//! [`configure_interface`] makes two: one `RTM_GETLINK` by name (the index, and the
//! current MAC, MTU and flags), then ONE [batch](crate::Handle::batch) — one
//! `sendmsg`, one ACK at its end — holding, in this order:
//!
//! 1. `RTM_NEWLINK` with `IFLA_ADDRESS` (the MAC; sent while the link is still down,
//!    which drivers without live MAC change need),
//! 2. `RTM_NEWLINK` with `IFLA_MTU`,
//! 3. `RTM_NEWADDR` for the IPv4 address,
//! 4. `RTM_NEWADDR` for the IPv6 address (`IFA_F_NODAD`: usable at once),
//! 5. `RTM_NEWLINK` with `IFF_UP`,
//! 6. `RTM_NEWROUTE` default via the IPv4 gateway, bound to the link (`RTA_OIF`),
//! 7. `RTM_NEWROUTE` default via the IPv6 gateway, bound to the link.
//!
//! The kernel handles the messages of a datagram in order and goes on after a refusal,
//! and every request gets its own result, so each [`Step`] of the [`Report`] says what
//! happened to it. MAC and MTU travel as two messages (not one with both attributes)
//! so that a refusal names the right one; they share the datagram, so it costs no
//! round trip. What is already as asked (same MAC, same MTU, already up — known from
//! the lookup) is not sent at all and is reported [`Outcome::AlreadyPresent`].
//! [`GuestConfig::apply`] puts the loopback requests in the same batch: two round
//! trips for everything. [`configure_loopback`] needs no lookup — `lo` is index 1 in
//! every network namespace (`LOOPBACK_IFINDEX`, Linux ≥ 3.13) — so it is one.
//!
//! ## Running it again
//!
//! Everything is idempotent, so an init that is re-run (or a VM restored from a
//! snapshot) gets `Ok` again: an address that is already there (`EEXIST`) is
//! [`Outcome::AlreadyPresent`]; default routes are sent as `ip route replace` (so an
//! existing default route of the same metric in the main table is replaced by the one
//! asked for, rather than kept with a possibly different gateway).
//!
//! ## Without netlink
//!
//! When `socket(AF_NETLINK)` is refused (a seccomp sandbox; see
//! [`Error::is_netlink_unavailable`]), [`configure_interface`] falls back to
//! [`crate::ioctl`]: the link is found with `SIOCGIFINDEX`, and MAC, MTU and up are
//! still applied (`SIOCSIFHWADDR`, `SIOCSIFMTU`, `SIOCSIFFLAGS`). Addresses and routes
//! cannot be done that way here: those steps fail with the netlink error, for which
//! `is_netlink_unavailable()` is true, and the result is an `Err` whose report shows
//! MAC, MTU and up done ([`Report::ioctl_fallback`] is set). On `lo`, up is enough —
//! the kernel assigns `127.0.0.1/8` and `::1/128` itself when `lo` goes up — so those
//! two steps are [`Outcome::LeftToKernel`].
//!
//! ## Results
//!
//! `Ok(Report)` means every step is done or was already so. Otherwise
//! [`ConfigureError`] carries the same [`Report`] — what was done, what failed and
//! why — and displays the first failure with the `ip` command it stands for:
//!
//! ```text
//! ip route replace default via 10.99.0.1 dev eth0: FAILED: RTM_NEWROUTE: Network is unreachable (os error 101): Nexthop has invalid gateway (1 of 8 steps failed)
//! ```
//!
//! Invalid input (a prefix over 32, a gateway without an address of its family, a
//! multicast MAC, a bad hostname) is refused before any syscall: nothing is changed.
//!
//! ## Example: an init
//!
//! ```no_run
//! use rtnl::guest::{GuestConfig, Hostname, InterfaceSpec};
//!
//! let config = GuestConfig {
//!     interface: Some(InterfaceSpec {
//!         name: "eth0".into(),
//!         mac: Some("52:54:00:ab:cd:ef".parse()?),
//!         mtu: Some(1400),
//!         ipv4: Some(("10.0.2.15".parse()?, 24)),
//!         gateway4: Some("10.0.2.2".parse()?),
//!         ipv6: Some(("fd00:1::15".parse()?, 64)),
//!         gateway6: Some("fd00:1::1".parse()?),
//!     }),
//!     hostname: Some(Hostname::new("vm1")?),
//!     gateway_alias: Some(Hostname::new("host.internal")?),
//!     nameservers: vec!["10.0.2.3".parse()?],
//!     ..GuestConfig::default()
//! };
//! match config.apply() {
//!     Ok(report) => eprint!("{report}"),   // one line per step
//!     Err(e) => {
//!         eprintln!("network: {e}");         // the first failure, as an `ip` command
//!         eprint!("{}", e.report());         // what was done anyway
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::abi::*;
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::link::{Link, MacAddr};
use crate::validate::{check_ifname, check_prefix, check_unicast_mac};
use crate::wire::addr::AddrRequest;
use crate::wire::link::LinkRequest;
use crate::wire::route::RouteRequest;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// `LOOPBACK_IFINDEX`: `lo` is index 1 in every network namespace (Linux ≥ 3.13).
const LOOPBACK_IFINDEX: u32 = 1;

/// `HOST_NAME_MAX`: what `sethostname` accepts.
const HOST_NAME_MAX: usize = 64;

// ---------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------

/// How one network interface should be configured. Fields left `None` are not
/// touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterfaceSpec {
    /// The interface (`eth0`).
    pub name: String,
    /// Its MAC address (`ip link set dev NAME address MAC`); must be unicast.
    pub mac: Option<MacAddr>,
    /// Its MTU (`ip link set dev NAME mtu MTU`); the kernel checks the device's range.
    pub mtu: Option<u32>,
    /// Its IPv4 address and prefix length (`ip addr add A/P dev NAME`).
    pub ipv4: Option<(Ipv4Addr, u8)>,
    /// Its IPv6 address and prefix length (`ip addr add A/P dev NAME`, no DAD).
    pub ipv6: Option<(Ipv6Addr, u8)>,
    /// The IPv4 default gateway (`ip route replace default via GW dev NAME`); needs
    /// `ipv4`.
    pub gateway4: Option<Ipv4Addr>,
    /// The IPv6 default gateway (`ip -6 route replace default via GW dev NAME`); needs
    /// `ipv6`. A link-local gateway (`fe80::1`) works: the route is bound to the link.
    pub gateway6: Option<Ipv6Addr>,
}

impl InterfaceSpec {
    /// A spec that names the interface and changes nothing yet.
    pub fn new(name: impl Into<String>) -> InterfaceSpec {
        InterfaceSpec {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Checks the spec without any syscall: the name as the kernel checks it, a
    /// unicast non-zero MAC, prefixes ≤ 32 / ≤ 128, addresses and gateways neither
    /// unspecified nor multicast, and no gateway without an address of its family.
    /// Every `configure_*` function calls this first.
    pub fn validate(&self) -> Result<()> {
        check_ifname(&self.name)?;
        if let Some(mac) = self.mac {
            check_unicast_mac(mac.0)?;
        }
        if let Some((a, p)) = self.ipv4 {
            check_prefix(IpAddr::V4(a), p)?;
            check_host_address("IPv4 address", IpAddr::V4(a))?;
            if a.is_broadcast() {
                return Err(Error::invalid(
                    "IPv4 address",
                    a,
                    "the broadcast address cannot be assigned",
                ));
            }
        }
        if let Some((a, p)) = self.ipv6 {
            check_prefix(IpAddr::V6(a), p)?;
            check_host_address("IPv6 address", IpAddr::V6(a))?;
        }
        if let Some(g) = self.gateway4 {
            check_host_address("IPv4 gateway", IpAddr::V4(g))?;
            if self.ipv4.is_none() {
                return Err(Error::invalid(
                    "IPv4 gateway",
                    g,
                    "a gateway needs an IPv4 address on the interface (ipv4 is None)",
                ));
            }
        }
        if let Some(g) = self.gateway6 {
            check_host_address("IPv6 gateway", IpAddr::V6(g))?;
            if self.ipv6.is_none() {
                return Err(Error::invalid(
                    "IPv6 gateway",
                    g,
                    "a gateway needs an IPv6 address on the interface (ipv6 is None)",
                ));
            }
        }
        Ok(())
    }
}

fn check_host_address(what: &'static str, a: IpAddr) -> Result<()> {
    if a.is_unspecified() {
        return Err(Error::invalid(what, a, "the unspecified address"));
    }
    if a.is_multicast() {
        return Err(Error::invalid(what, a, "a multicast address"));
    }
    Ok(())
}

/// A host or domain name checked against RFC 1123: dot-separated labels of 1 to 63
/// ASCII letters, digits and hyphens, not starting or ending with a hyphen; 1 to 253
/// bytes in all. Such a name can go into `/etc/hosts` and `/etc/resolv.conf` as is (no
/// whitespace, `#` or newline can sneak in). [`set_hostname`] also needs it to be at
/// most 64 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hostname(String);

impl Hostname {
    /// Checks `name`; [`Error::InvalidInput`] says what is wrong.
    pub fn new(name: impl Into<String>) -> Result<Hostname> {
        let name = name.into();
        check_hostname(&name)?;
        Ok(Hostname(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Hostname {
    type Err = Error;
    fn from_str(s: &str) -> Result<Hostname> {
        Hostname::new(s)
    }
}

impl AsRef<str> for Hostname {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn check_hostname(name: &str) -> Result<()> {
    let bad = |reason| Err(Error::invalid("host name", name, reason));
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 253 {
        return bad("longer than 253 bytes");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return bad("empty label (leading, trailing or double dot)");
        }
        if label.len() > 63 {
            return bad("a label is longer than 63 bytes");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return bad("only ASCII letters, digits, '-' and '.' are allowed (RFC 1123)");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("a label starts or ends with '-'");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------

/// One thing [`configure_interface`], [`configure_loopback`] or [`GuestConfig::apply`]
/// does. Displays as the command it replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Opening the netlink socket (`socket(AF_NETLINK)`); reported only when it fails
    /// for a reason other than netlink being unavailable.
    Connect,
    /// Finding the link: `RTM_GETLINK` by name, or `SIOCGIFINDEX` without netlink
    /// (`ip link show dev LINK`).
    Lookup {
        /// The link.
        link: String,
    },
    /// `ip link set dev LINK address MAC`. Sent before up; if the link is already up
    /// with another MAC, drivers that cannot change it live refuse with `EBUSY`
    /// (virtio-net and veth can).
    Mac {
        /// The link.
        link: String,
        /// The address asked for.
        mac: MacAddr,
    },
    /// `ip link set dev LINK mtu MTU`.
    Mtu {
        /// The link.
        link: String,
        /// The MTU asked for.
        mtu: u32,
    },
    /// `ip addr add ADDRESS/PREFIX dev LINK`.
    Address {
        /// The link.
        link: String,
        /// The address.
        address: IpAddr,
        /// Its prefix length.
        prefix_len: u8,
    },
    /// `ip link set dev LINK up`.
    Up {
        /// The link.
        link: String,
    },
    /// `ip [-6] route replace default via GATEWAY dev LINK`.
    DefaultRoute {
        /// The link the route is bound to.
        link: String,
        /// The gateway; its family is the route's.
        gateway: IpAddr,
    },
    /// `hostname NAME` (`sethostname`).
    Hostname {
        /// The name.
        name: String,
    },
    /// Writing the hosts file (`ROOT/etc/hosts`).
    WriteHosts {
        /// The file written.
        path: PathBuf,
    },
    /// Writing the resolver configuration (`ROOT/etc/resolv.conf`).
    WriteResolvConf {
        /// The file written.
        path: PathBuf,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Connect => f.write_str("socket(AF_NETLINK)"),
            Step::Lookup { link } => write!(f, "ip link show dev {link}"),
            Step::Mac { link, mac } => write!(f, "ip link set dev {link} address {mac}"),
            Step::Mtu { link, mtu } => write!(f, "ip link set dev {link} mtu {mtu}"),
            Step::Address {
                link,
                address,
                prefix_len,
            } => write!(f, "ip addr add {address}/{prefix_len} dev {link}"),
            Step::Up { link } => write!(f, "ip link set dev {link} up"),
            Step::DefaultRoute { link, gateway } => {
                let six = if gateway.is_ipv6() { " -6" } else { "" };
                write!(f, "ip{six} route replace default via {gateway} dev {link}")
            }
            Step::Hostname { name } => write!(f, "hostname {name}"),
            Step::WriteHosts { path } | Step::WriteResolvConf { path } => {
                write!(f, "write {}", path.display())
            }
        }
    }
}

/// How a step that did not fail ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The change was made.
    Done,
    /// Nothing to do: the MAC, MTU or up state was already as asked (seen in the
    /// lookup, so nothing was sent), or the kernel answered `EEXIST` for an address.
    /// For IPv4 that means the same address with the same prefix; for IPv6 the kernel
    /// answers so for the same address with any prefix length.
    AlreadyPresent,
    /// Not requested, because the kernel does it: the addresses of `lo`, which it
    /// assigns when `lo` goes up. Only without netlink (see the module docs), where
    /// they cannot be added or checked.
    LeftToKernel,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Done => "done",
            Outcome::AlreadyPresent => "already present",
            Outcome::LeftToKernel => "left to the kernel (assigned when lo goes up)",
        })
    }
}

/// A step and what became of it.
#[derive(Debug)]
pub struct StepReport {
    /// The step.
    pub step: Step,
    /// Its outcome, or why it failed.
    pub result: Result<Outcome>,
}

impl StepReport {
    /// True unless the step failed.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

impl fmt::Display for StepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(o) => write!(f, "{}: {o}", self.step),
            Err(e) if e.is_netlink_unavailable() => write!(
                f,
                "{}: FAILED: needs netlink, which is unavailable ({e})",
                self.step
            ),
            Err(e) => write!(f, "{}: FAILED: {e}", self.step),
        }
    }
}

/// What a configuration did, step by step, in the order the kernel saw them.
#[derive(Debug, Default)]
pub struct Report {
    /// Every step attempted, in order, with its result.
    pub steps: Vec<StepReport>,
    /// Netlink round trips (`sendmsg` + reply) used: 2 for an interface, 1 for `lo`
    /// alone, 0 without netlink.
    pub round_trips: u32,
    /// Netlink was unavailable and the ioctl fallback did the link steps.
    pub ioctl_fallback: bool,
    /// The configured interface's index, once found.
    pub index: Option<u32>,
}

impl Report {
    /// True when no step failed.
    pub fn is_ok(&self) -> bool {
        self.steps.iter().all(StepReport::is_ok)
    }

    /// The steps that failed.
    pub fn failures(&self) -> impl Iterator<Item = &StepReport> {
        self.steps.iter().filter(|s| !s.is_ok())
    }

    /// The result of the first step equal to `step`, if it was attempted.
    pub fn result_of(&self, step: &Step) -> Option<&Result<Outcome>> {
        self.steps
            .iter()
            .find(|s| &s.step == step)
            .map(|s| &s.result)
    }

    fn push(&mut self, step: Step, result: Result<Outcome>) {
        self.steps.push(StepReport { step, result });
    }

    fn into_result(self) -> std::result::Result<Report, ConfigureError> {
        if self.is_ok() {
            Ok(self)
        } else {
            Err(ConfigureError {
                report: self,
                invalid: None,
            })
        }
    }
}

/// One line per step: `ip addr add 10.0.2.15/24 dev eth0: done`.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.steps {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

/// A configuration that did not fully succeed: invalid input (then nothing was done),
/// or one or more failed steps. The [`Report`] says what was done anyway.
#[derive(Debug)]
pub struct ConfigureError {
    report: Report,
    invalid: Option<Error>,
}

impl ConfigureError {
    fn invalid(e: Error) -> ConfigureError {
        ConfigureError {
            report: Report::default(),
            invalid: Some(e),
        }
    }

    /// What was done, what failed, and why.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The report, by value.
    pub fn into_report(self) -> Report {
        self.report
    }

    /// True when the input was refused before any syscall: nothing was changed.
    pub fn is_invalid_input(&self) -> bool {
        self.invalid.is_some()
    }

    /// The first failure: the input error, or the first failed step's error.
    pub fn error(&self) -> &Error {
        match &self.invalid {
            Some(e) => e,
            None => self
                .report
                .failures()
                .find_map(|s| s.result.as_ref().err())
                .expect("a ConfigureError holds a failure"),
        }
    }

    /// The first failed step, `None` for invalid input.
    pub fn failed_step(&self) -> Option<&Step> {
        self.report.failures().next().map(|s| &s.step)
    }
}

impl fmt::Display for ConfigureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = &self.invalid {
            return write!(f, "{e} (nothing was changed)");
        }
        let failed = self.report.failures().count();
        match self.report.failures().next() {
            Some(s) => write!(
                f,
                "{s} ({failed} of {} steps failed)",
                self.report.steps.len()
            ),
            None => f.write_str("configuration failed"),
        }
    }
}

impl std::error::Error for ConfigureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.error())
    }
}

/// Keeps the first failure's error (the report is dropped), for `?` in functions
/// returning [`crate::Result`].
impl From<ConfigureError> for Error {
    fn from(e: ConfigureError) -> Error {
        if let Some(e) = e.invalid {
            return e;
        }
        e.report
            .steps
            .into_iter()
            .find_map(|s| s.result.err())
            .unwrap_or(Error::Io {
                op: "configure",
                source: io::Error::other("configuration failed"),
            })
    }
}

// ---------------------------------------------------------------------------------
// Planning: which requests, in which order
// ---------------------------------------------------------------------------------

/// One request to put in the batch.
enum Req {
    Link {
        index: u32,
        mac: Option<[u8; 6]>,
        mtu: Option<u32>,
        up: bool,
    },
    Addr(AddrRequest),
    Route(RouteRequest),
}

/// A step and its request; `None` when the lookup showed there is nothing to do.
struct Planned {
    step: Step,
    req: Option<Req>,
}

fn plan_loopback(plan: &mut Vec<Planned>) {
    let link = || "lo".to_string();
    let index = LOOPBACK_IFINDEX;
    plan.push(Planned {
        step: Step::Up { link: link() },
        req: Some(Req::Link {
            index,
            mac: None,
            mtu: None,
            up: true,
        }),
    });
    for (address, prefix_len) in loopback_addresses() {
        let mut r = crate::addr::request(index, address, prefix_len);
        if address.is_ipv4() {
            // As `ip addr add 127.0.0.1/8 dev lo` and the kernel's own: host scope.
            r.scope = RT_SCOPE_HOST;
        }
        plan.push(Planned {
            step: Step::Address {
                link: link(),
                address,
                prefix_len,
            },
            req: Some(Req::Addr(r)),
        });
    }
}

fn loopback_addresses() -> [(IpAddr, u8); 2] {
    [
        (IpAddr::V4(Ipv4Addr::LOCALHOST), 8),
        (IpAddr::V6(Ipv6Addr::LOCALHOST), 128),
    ]
}

/// The steps of `spec`, in the documented order, given the link's current state.
fn plan_interface(spec: &InterfaceSpec, now: &Link, plan: &mut Vec<Planned>) {
    let link = || spec.name.clone();
    let index = now.index;
    if let Some(mac) = spec.mac {
        plan.push(Planned {
            step: Step::Mac { link: link(), mac },
            req: (now.mac() != Some(mac)).then_some(Req::Link {
                index,
                mac: Some(mac.0),
                mtu: None,
                up: false,
            }),
        });
    }
    if let Some(mtu) = spec.mtu {
        plan.push(Planned {
            step: Step::Mtu { link: link(), mtu },
            req: (now.mtu != mtu).then_some(Req::Link {
                index,
                mac: None,
                mtu: Some(mtu),
                up: false,
            }),
        });
    }
    let addrs = [
        spec.ipv4.map(|(a, p)| (IpAddr::V4(a), p)),
        spec.ipv6.map(|(a, p)| (IpAddr::V6(a), p)),
    ];
    for (address, prefix_len) in addrs.into_iter().flatten() {
        plan.push(Planned {
            step: Step::Address {
                link: link(),
                address,
                prefix_len,
            },
            req: Some(Req::Addr(crate::addr::request(index, address, prefix_len))),
        });
    }
    plan.push(Planned {
        step: Step::Up { link: link() },
        req: (!now.is_up()).then_some(Req::Link {
            index,
            mac: None,
            mtu: None,
            up: true,
        }),
    });
    let gateways = [spec.gateway4.map(IpAddr::V4), spec.gateway6.map(IpAddr::V6)];
    for gateway in gateways.into_iter().flatten() {
        let mut r = RouteRequest::new(if gateway.is_ipv4() { AF_INET } else { AF_INET6 });
        r.gateway = Some(gateway);
        r.oif = Some(index);
        plan.push(Planned {
            step: Step::DefaultRoute {
                link: link(),
                gateway,
            },
            req: Some(Req::Route(r)),
        });
    }
}

/// Sends every planned request in one batch and records each step's result.
fn run_plan(h: &mut Handle, plan: Vec<Planned>, report: &mut Report) {
    let mut results: Vec<Result<()>> = Vec::new();
    let mut pushed: Vec<Option<Result<usize>>> = Vec::with_capacity(plan.len());
    if plan.iter().any(|p| p.req.is_some()) {
        let mut b = h.batch(|_, r| results.push(r));
        for p in &plan {
            pushed.push(p.req.as_ref().map(|req| match req {
                Req::Link {
                    index,
                    mac,
                    mtu,
                    up,
                } => b.set_link(&LinkRequest {
                    index: *index,
                    address: mac.as_ref().map(|m| &m[..]),
                    mtu: *mtu,
                    flags: if *up { IFF_UP } else { 0 },
                    change: if *up { IFF_UP } else { 0 },
                    ..Default::default()
                }),
                Req::Addr(a) => b.add_address(a),
                Req::Route(r) => b.replace_route(r),
            }));
        }
        // A transport failure is also reported for each request concerned.
        let _ = b.finish();
        report.round_trips += 1;
    } else {
        pushed.resize_with(plan.len(), || None);
    }
    let mut results = results.into_iter();
    for (p, pushed) in plan.into_iter().zip(pushed) {
        let result = match pushed {
            None => Ok(Outcome::AlreadyPresent),
            Some(Err(e)) => Err(e),
            Some(Ok(_)) => match results.next() {
                Some(Ok(())) => Ok(Outcome::Done),
                Some(Err(e)) if e.is_exists() && matches!(p.step, Step::Address { .. }) => {
                    Ok(Outcome::AlreadyPresent)
                }
                Some(Err(e)) => Err(e),
                None => Err(Error::Io {
                    op: "batch",
                    source: io::Error::other("no result for this request"),
                }),
            },
        };
        report.push(p.step, result);
    }
}

/// Looks `spec.name` up (one round trip) and plans its steps.
fn lookup_and_plan(
    h: &mut Handle,
    spec: &InterfaceSpec,
    plan: &mut Vec<Planned>,
    report: &mut Report,
) {
    report.round_trips += 1;
    let step = Step::Lookup {
        link: spec.name.clone(),
    };
    match h.get_link(&spec.name) {
        Ok(Some(now)) => {
            report.index = Some(now.index);
            report.push(step, Ok(Outcome::Done));
            plan_interface(spec, &now, plan);
        }
        Ok(None) => report.push(
            step,
            Err(Error::NotFound {
                kind: "link",
                name: spec.name.clone(),
            }),
        ),
        Err(e) => report.push(step, Err(e)),
    }
}

fn ioctl_step(
    report: &mut Report,
    step: Step,
    already: impl FnOnce() -> Result<bool>,
    apply: impl FnOnce() -> Result<()>,
) {
    let result = match already() {
        Ok(true) => Ok(Outcome::AlreadyPresent),
        Ok(false) => apply().map(|()| Outcome::Done),
        Err(e) => Err(e),
    };
    report.push(step, result);
}

fn ioctl_loopback(report: &mut Report) {
    let link = || "lo".to_string();
    ioctl_step(
        report,
        Step::Up { link: link() },
        || Ok(crate::ioctl::get_flags("lo")? & IFF_UP != 0),
        || crate::ioctl::set_up("lo"),
    );
    for (address, prefix_len) in loopback_addresses() {
        report.push(
            Step::Address {
                link: link(),
                address,
                prefix_len,
            },
            Ok(Outcome::LeftToKernel),
        );
    }
}

fn ioctl_interface(spec: &InterfaceSpec, cause: &Error, report: &mut Report) {
    let name = spec.name.as_str();
    let link = || spec.name.clone();
    match crate::ioctl::if_index(name) {
        Ok(i) => {
            report.index = Some(i);
            report.push(Step::Lookup { link: link() }, Ok(Outcome::Done));
        }
        Err(e) => {
            report.push(Step::Lookup { link: link() }, Err(e));
            return;
        }
    }
    if let Some(mac) = spec.mac {
        ioctl_step(
            report,
            Step::Mac { link: link(), mac },
            || Ok(crate::ioctl::get_mac(name)? == mac),
            || crate::ioctl::set_mac(name, mac),
        );
    }
    if let Some(mtu) = spec.mtu {
        ioctl_step(
            report,
            Step::Mtu { link: link(), mtu },
            || Ok(crate::ioctl::get_mtu(name)? == mtu),
            || crate::ioctl::set_mtu(name, mtu),
        );
    }
    let addrs = [
        spec.ipv4.map(|(a, p)| (IpAddr::V4(a), p)),
        spec.ipv6.map(|(a, p)| (IpAddr::V6(a), p)),
    ];
    for (address, prefix_len) in addrs.into_iter().flatten() {
        report.push(
            Step::Address {
                link: link(),
                address,
                prefix_len,
            },
            Err(cause.duplicate()),
        );
    }
    ioctl_step(
        report,
        Step::Up { link: link() },
        || Ok(crate::ioctl::get_flags(name)? & IFF_UP != 0),
        || crate::ioctl::set_up(name),
    );
    let gateways = [spec.gateway4.map(IpAddr::V4), spec.gateway6.map(IpAddr::V6)];
    for gateway in gateways.into_iter().flatten() {
        report.push(
            Step::DefaultRoute {
                link: link(),
                gateway,
            },
            Err(cause.duplicate()),
        );
    }
}

/// Loopback and/or one interface: over `h` when given, else over a new handle, else
/// (netlink unavailable) through ioctls.
fn configure_links(
    h: Option<&mut Handle>,
    loopback: bool,
    spec: Option<&InterfaceSpec>,
    report: &mut Report,
) {
    if !loopback && spec.is_none() {
        return;
    }
    let mut own;
    let h = match h {
        Some(h) => h,
        None => match Handle::new() {
            Ok(h) => {
                own = h;
                &mut own
            }
            Err(e) if e.is_netlink_unavailable() => {
                report.ioctl_fallback = true;
                if loopback {
                    ioctl_loopback(report);
                }
                if let Some(spec) = spec {
                    ioctl_interface(spec, &e, report);
                }
                return;
            }
            Err(e) => {
                report.push(Step::Connect, Err(e));
                return;
            }
        },
    };
    let mut plan = Vec::new();
    if let Some(spec) = spec {
        lookup_and_plan(h, spec, &mut plan, report);
    }
    // The lookup's step is already in the report; `lo` goes first in the batch.
    let mut all = Vec::new();
    if loopback {
        plan_loopback(&mut all);
    }
    all.append(&mut plan);
    run_plan(h, all, report);
}

// ---------------------------------------------------------------------------------
// Public operations: links
// ---------------------------------------------------------------------------------

/// Brings `lo` up with its addresses: `ip link set lo up; ip addr add 127.0.0.1/8 dev
/// lo; ip addr add ::1/128 dev lo`, in ONE round trip. The kernel usually adds both
/// addresses itself when `lo` goes up; then the adds answer `EEXIST`, reported as
/// [`Outcome::AlreadyPresent`]. Without netlink, `lo` is brought up with
/// `SIOCSIFFLAGS` and the addresses are [`Outcome::LeftToKernel`].
pub fn configure_loopback() -> std::result::Result<Report, ConfigureError> {
    let mut report = Report::default();
    configure_links(None, true, None, &mut report);
    report.into_result()
}

/// [`configure_loopback`] over an existing handle (e.g. [`Handle::in_netns`]); no
/// ioctl fallback.
pub fn configure_loopback_with(h: &mut Handle) -> std::result::Result<Report, ConfigureError> {
    let mut report = Report::default();
    configure_links(Some(h), true, None, &mut report);
    report.into_result()
}

/// Configures one interface: MAC, MTU, IPv4 and IPv6 addresses, up, IPv4 and IPv6
/// default routes via their gateways, in that order, in two round trips (see the
/// module docs). Replaces
///
/// ```text
/// ip link set dev IF address MAC
/// ip link set dev IF mtu MTU
/// ip addr add A4/P4 dev IF
/// ip addr add A6/P6 dev IF        # nodad
/// ip link set dev IF up
/// ip route replace default via GW4 dev IF
/// ip -6 route replace default via GW6 dev IF
/// ```
///
/// `spec` is [validated](InterfaceSpec::validate) first: invalid input changes
/// nothing. Idempotent. If netlink is unavailable, MAC, MTU and up are done with
/// ioctls and the address and route steps fail (see the module docs).
pub fn configure_interface(spec: &InterfaceSpec) -> std::result::Result<Report, ConfigureError> {
    spec.validate().map_err(ConfigureError::invalid)?;
    let mut report = Report::default();
    configure_links(None, false, Some(spec), &mut report);
    report.into_result()
}

/// [`configure_interface`] over an existing handle (e.g. [`Handle::in_netns`], to
/// configure a container's interface from outside); no ioctl fallback.
pub fn configure_interface_with(
    h: &mut Handle,
    spec: &InterfaceSpec,
) -> std::result::Result<Report, ConfigureError> {
    spec.validate().map_err(ConfigureError::invalid)?;
    let mut report = Report::default();
    configure_links(Some(h), false, Some(spec), &mut report);
    report.into_result()
}

/// The ioctl fallback of [`configure_interface`], on purpose, without trying netlink:
/// `SIOCGIFINDEX`, then MAC, MTU and up with `SIOCSIFHWADDR`, `SIOCSIFMTU`,
/// `SIOCSIFFLAGS` (each skipped when already as asked). Address and route steps, if
/// the spec has any, fail: ioctls do not do them here. For tests and for inits that
/// must not open netlink sockets.
pub fn configure_interface_ioctl(
    spec: &InterfaceSpec,
) -> std::result::Result<Report, ConfigureError> {
    spec.validate().map_err(ConfigureError::invalid)?;
    let mut report = Report {
        ioctl_fallback: true,
        ..Default::default()
    };
    let cause = Error::Io {
        op: "socket(AF_NETLINK)",
        source: io::Error::new(
            io::ErrorKind::Unsupported,
            "not used: the ioctl-only path was requested",
        ),
    };
    ioctl_interface(spec, &cause, &mut report);
    report.into_result()
}

// ---------------------------------------------------------------------------------
// Hostname and files
// ---------------------------------------------------------------------------------

/// Sets the host name of the calling thread's UTS namespace (`hostname NAME`; the
/// effect of `sethostname(2)`, written to `/proc/sys/kernel/hostname`; needs
/// `CAP_SYS_ADMIN`). Names over 64 bytes (`HOST_NAME_MAX`)
/// are [`Error::InvalidInput`].
pub fn set_hostname(name: &Hostname) -> Result<()> {
    if name.0.len() > HOST_NAME_MAX {
        return Err(Error::invalid(
            "host name",
            &name.0,
            "longer than 64 bytes (HOST_NAME_MAX)",
        ));
    }
    // `kernel.hostname` is the calling thread's UTS namespace's name, the same
    // thing `sethostname(2)` sets: the sysctl side door does it without `unsafe`.
    crate::sysctl::set_sysctl("kernel.hostname", &name.0)
}

/// The lines every hosts file gets, after `127.0.0.1 localhost` (and the host name's
/// line, if any): Debian's IPv6 set.
const HOSTS_IPV6: &str = "::1\tlocalhost ip6-localhost ip6-loopback\n\
                          fe00::0\tip6-localnet\n\
                          ff00::0\tip6-mcastprefix\n\
                          ff02::1\tip6-allnodes\n\
                          ff02::2\tip6-allrouters\n";

/// The text of `/etc/hosts` (one tab between address and names):
///
/// ```text
/// 127.0.0.1  localhost
/// 127.0.1.1  HOSTNAME                     (when a host name is given)
/// ::1  localhost ip6-localhost ip6-loopback
/// fe00::0  ip6-localnet
/// ff00::0  ip6-mcastprefix
/// ff02::1  ip6-allnodes
/// ff02::2  ip6-allrouters
/// ADDRESS  NAME                         (one line per alias)
/// ```
///
/// The host name maps to `127.0.1.1`, as Debian does: it resolves whatever the
/// interfaces' state, never to an address that may change or go away. `aliases` add
/// names for other addresses — e.g. `host.internal` for the IPv4 and the IPv6
/// gateway ([`GuestConfig::gateway_alias`] does that).
pub fn render_hosts(hostname: Option<&Hostname>, aliases: &[(IpAddr, &Hostname)]) -> String {
    let mut s = String::from("127.0.0.1\tlocalhost\n");
    if let Some(h) = hostname {
        s.push_str("127.0.1.1\t");
        s.push_str(h.as_str());
        s.push('\n');
    }
    s.push_str(HOSTS_IPV6);
    for (addr, name) in aliases {
        s.push_str(&format!("{addr}\t{name}\n"));
    }
    s
}

/// The text of `/etc/resolv.conf`: one `nameserver ADDRESS` line each, in order, then
/// `search D1 D2 ...` if any. (glibc uses the first three name servers.)
pub fn render_resolv_conf(nameservers: &[IpAddr], search: &[Hostname]) -> String {
    let mut s = String::new();
    for ns in nameservers {
        s.push_str(&format!("nameserver {ns}\n"));
    }
    if !search.is_empty() {
        s.push_str("search");
        for d in search {
            s.push(' ');
            s.push_str(d.as_str());
        }
        s.push('\n');
    }
    s
}

/// Writes [`render_hosts`] to `root/etc/hosts` atomically (a temporary file in the
/// same directory, `fsync`, `rename`), creating `root/etc` if missing; mode 0644.
/// Returns the path written. Pass `/` as `root` for the real file.
pub fn write_hosts(
    root: &Path,
    hostname: Option<&Hostname>,
    aliases: &[(IpAddr, &Hostname)],
) -> Result<PathBuf> {
    write_etc(root, "hosts", &render_hosts(hostname, aliases))
}

/// Writes [`render_resolv_conf`] to `root/etc/resolv.conf`, atomically as
/// [`write_hosts`]. A symbolic link there is replaced by the file.
pub fn write_resolv_conf(
    root: &Path,
    nameservers: &[IpAddr],
    search: &[Hostname],
) -> Result<PathBuf> {
    write_etc(
        root,
        "resolv.conf",
        &render_resolv_conf(nameservers, search),
    )
}

fn write_etc(root: &Path, name: &str, text: &str) -> Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = root.join("etc");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("mkdir etc", e))?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.rtnl-{}", std::process::id()));
    let write = || -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        // The umask may have narrowed the mode.
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io("write etc file", e));
    }
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io("rename etc file", e));
    }
    Ok(path)
}

// ---------------------------------------------------------------------------------
// Everything at once
// ---------------------------------------------------------------------------------

/// A guest's whole network configuration, applied by [`apply`](Self::apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestConfig {
    /// Configure `lo` ([`configure_loopback`]). Default `true`.
    pub loopback: bool,
    /// The interface to configure ([`configure_interface`]).
    pub interface: Option<InterfaceSpec>,
    /// The host name to set ([`set_hostname`]) and map to `127.0.1.1` in the hosts
    /// file; at most 64 bytes.
    pub hostname: Option<Hostname>,
    /// A name for the interface's gateways in the hosts file (one line for
    /// `gateway4`, one for `gateway6`), e.g. `host.internal`.
    pub gateway_alias: Option<Hostname>,
    /// Name servers for `resolv.conf`.
    pub nameservers: Vec<IpAddr>,
    /// Search domains for `resolv.conf`.
    pub search: Vec<Hostname>,
    /// Write `root/etc/hosts`. Default `true`.
    pub write_hosts: bool,
    /// Where `etc/` is: `/` by default; a scratch directory in tests.
    /// `root/etc/resolv.conf` is written when `nameservers` or `search` is non-empty.
    pub root: PathBuf,
}

impl Default for GuestConfig {
    fn default() -> Self {
        GuestConfig {
            loopback: true,
            interface: None,
            hostname: None,
            gateway_alias: None,
            nameservers: Vec::new(),
            search: Vec::new(),
            write_hosts: true,
            root: PathBuf::from("/"),
        }
    }
}

impl GuestConfig {
    /// Checks everything without any syscall (see [`InterfaceSpec::validate`]; the
    /// host name must be at most 64 bytes; `root` must not be empty).
    pub fn validate(&self) -> Result<()> {
        if let Some(spec) = &self.interface {
            spec.validate()?;
        }
        if let Some(h) = &self.hostname {
            if h.0.len() > HOST_NAME_MAX {
                return Err(Error::invalid(
                    "host name",
                    &h.0,
                    "longer than 64 bytes (HOST_NAME_MAX)",
                ));
            }
        }
        if self.root.as_os_str().is_empty() {
            return Err(Error::invalid(
                "root directory",
                "",
                "empty (use \"/\" for the real /etc)",
            ));
        }
        Ok(())
    }

    /// The hosts file's alias lines: `gateway_alias` for each gateway of the
    /// interface.
    fn aliases(&self) -> Vec<(IpAddr, &Hostname)> {
        let (Some(alias), Some(spec)) = (&self.gateway_alias, &self.interface) else {
            return Vec::new();
        };
        [spec.gateway4.map(IpAddr::V4), spec.gateway6.map(IpAddr::V6)]
            .into_iter()
            .flatten()
            .map(|gw| (gw, alias))
            .collect()
    }

    /// Applies everything: `lo` and the interface in two netlink round trips (`lo`'s
    /// requests go in the interface's batch), then the host name, `etc/hosts` and
    /// `etc/resolv.conf`. A failed step does not stop the others — an init gets as
    /// much working as it can — and every step is in the report. Invalid input is
    /// refused before anything is done.
    pub fn apply(&self) -> std::result::Result<Report, ConfigureError> {
        self.apply_inner(None)
    }

    /// [`apply`](Self::apply) with the links configured over `h` (no ioctl fallback).
    /// The host name and the files are still those of the calling thread's namespaces
    /// and `root`.
    pub fn apply_with(&self, h: &mut Handle) -> std::result::Result<Report, ConfigureError> {
        self.apply_inner(Some(h))
    }

    fn apply_inner(&self, h: Option<&mut Handle>) -> std::result::Result<Report, ConfigureError> {
        self.validate().map_err(ConfigureError::invalid)?;
        let mut report = Report::default();
        configure_links(h, self.loopback, self.interface.as_ref(), &mut report);
        if let Some(name) = &self.hostname {
            report.push(
                Step::Hostname {
                    name: name.0.clone(),
                },
                set_hostname(name).map(|()| Outcome::Done),
            );
        }
        if self.write_hosts {
            let path = self.root.join("etc/hosts");
            let r = write_hosts(&self.root, self.hostname.as_ref(), &self.aliases());
            report.push(Step::WriteHosts { path }, r.map(|_| Outcome::Done));
        }
        if !self.nameservers.is_empty() || !self.search.is_empty() {
            let path = self.root.join("etc/resolv.conf");
            let r = write_resolv_conf(&self.root, &self.nameservers, &self.search);
            report.push(Step::WriteResolvConf { path }, r.map(|_| Outcome::Done));
        }
        report.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        for ok in ["a", "vm1", "rtnl-guest", "host.internal", "A0.b-c.d"] {
            Hostname::new(ok).unwrap();
        }
        let long_label = "a".repeat(64);
        let long = ["abc"; 64].join(".");
        for bad in [
            "",
            "-a",
            "a-",
            "a_b",
            "a b",
            "a\nb",
            "a..b",
            ".a",
            "a.",
            "é",
            "a#b",
            long_label.as_str(),
            long.as_str(),
        ] {
            assert!(
                Hostname::new(bad).unwrap_err().is_invalid_input(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn steps_display_as_ip_commands() {
        let link = "eth0".to_string();
        let cases = [
            (
                Step::Mac {
                    link: link.clone(),
                    mac: MacAddr([2, 0, 0, 0, 0, 1]),
                },
                "ip link set dev eth0 address 02:00:00:00:00:01",
            ),
            (
                Step::Address {
                    link: link.clone(),
                    address: "fd00::2".parse().unwrap(),
                    prefix_len: 64,
                },
                "ip addr add fd00::2/64 dev eth0",
            ),
            (
                Step::DefaultRoute {
                    link: link.clone(),
                    gateway: "fd00::1".parse().unwrap(),
                },
                "ip -6 route replace default via fd00::1 dev eth0",
            ),
            (
                Step::DefaultRoute {
                    link,
                    gateway: "10.0.0.1".parse().unwrap(),
                },
                "ip route replace default via 10.0.0.1 dev eth0",
            ),
        ];
        for (s, want) in cases {
            assert_eq!(s.to_string(), want);
        }
    }
}
