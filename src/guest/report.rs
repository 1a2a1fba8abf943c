//! Layer `operations` (guest): what a bring-up did — each [`Step`] as the `ip`
//! command it stands for, its [`Outcome`] or error, the whole [`Report`], and
//! [`ConfigureError`] when something failed.

use crate::error::{Error, Result};
use crate::types::MacAddr;
use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::PathBuf;

#[allow(unused_imports)] // named in the docs
use super::{configure_interface, configure_loopback, GuestConfig};

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
    /// Waiting for duplicate address detection of an IPv6 address to finish (what
    /// is otherwise a loop of `ip -6 addr show dev LINK tentative`), when
    /// [`InterfaceSpec::dad`](super::InterfaceSpec::dad) asks for it.
    Dad {
        /// The link.
        link: String,
        /// The address.
        address: IpAddr,
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
            Step::Dad { link, address } => {
                write!(f, "wait until {address} on {link} is not tentative (DAD)")
            }
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

    pub(crate) fn push(&mut self, step: Step, result: Result<Outcome>) {
        self.steps.push(StepReport { step, result });
    }

    pub(crate) fn into_result(self) -> std::result::Result<Report, ConfigureError> {
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
    pub(crate) fn invalid(e: Error) -> ConfigureError {
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
