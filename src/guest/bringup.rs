//! Layer `operations` (guest): carrying a plan out — through netlink, every change
//! in one batch (one `sendmsg`, one ACK), or through `ioctl`s when netlink is
//! unavailable — and the public `configure_*` functions built on it.

use super::plan::{plan_interface, plan_loopback, Action, LinkState, Planned, LOOPBACK_IFINDEX};
use super::report::{ConfigureError, Outcome, Report, Step};
use super::spec::InterfaceSpec;
use crate::error::{Error, Result};
use crate::ops::handle::Handle;
use crate::sys::ioctl::IoctlSocket;
use crate::types::{AddrFlags, LinkFlags};
use crate::wire::addr::Address;
use crate::wire::link::{Link, LinkMsg};
use crate::wire::route::Route;
use crate::wire::Decode;
use std::io;

/// Queues `action` for link `index` into a netlink batch.
fn queue<F: FnMut(usize, Result<()>)>(
    b: &mut crate::ops::handle::Batch<'_, F>,
    index: u32,
    action: Action,
) -> Result<usize> {
    match action {
        Action::Mac(mac) => b.change(&Link {
            index,
            address: Some(mac.into()),
            ..Default::default()
        }),
        Action::Mtu(mtu) => b.change(&Link::with_index(index).mtu(mtu)),
        Action::Up => b.change(&Link::with_index(index).up()),
        Action::Address {
            address,
            prefix_len,
            scope,
            dad,
            ..
        } => {
            let mut a = Address::new(index, address, prefix_len);
            a.scope = scope;
            if address.is_ipv6() && !dad {
                a.flags = AddrFlags::NODAD;
            }
            b.add(&a)
        }
        Action::DefaultRoute(gw) => {
            let mut r = Route::default_via(gw);
            r.oif = Some(index);
            b.replace(&r)
        }
    }
}

/// Sends every planned change for link `index` in one batch and records each step's
/// result (`lo` is `LOOPBACK_IFINDEX`).
fn run_netlink(h: &mut Handle, plan: Vec<(u32, Planned)>, report: &mut Report) {
    let mut results: Vec<Result<()>> = Vec::new();
    let mut queued: Vec<Option<Result<usize>>> = Vec::with_capacity(plan.len());
    if plan.iter().any(|(_, p)| p.action.is_some()) {
        let mut b = h.batch(|_, r| results.push(r));
        for (index, p) in &plan {
            queued.push(p.action.map(|a| queue(&mut b, *index, a)));
        }
        // A transport failure is also reported for each request concerned.
        let _ = b.finish();
        report.round_trips += 1;
    } else {
        queued.resize_with(plan.len(), || None);
    }
    let mut results = results.into_iter();
    for ((_, p), queued) in plan.into_iter().zip(queued) {
        let result = match queued {
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

/// The state of `name` as one `RTM_GETLINK` shows it (one round trip).
fn netlink_state(h: &mut Handle, name: &str) -> Result<LinkState> {
    h.get_link_with(name, |m| {
        let l = LinkMsg::decode(m)?;
        Ok(LinkState {
            index: l.index(),
            mac: l
                .address
                .and_then(|a| <[u8; 6]>::try_from(a).ok())
                .map(crate::types::MacAddr),
            mtu: l.mtu.unwrap_or(0),
            up: l.flags().contains(LinkFlags::UP),
        })
    })?
    .ok_or_else(|| Error::NotFound {
        kind: "link",
        name: name.to_owned(),
    })
}

/// The state of `name` as `ioctl`s show it.
fn ioctl_state(io: &IoctlSocket, name: &str) -> Result<LinkState> {
    Ok(LinkState {
        index: io.if_index(name)?,
        mac: Some(io.get_mac(name)?),
        mtu: io.get_mtu(name)?,
        up: io.get_flags(name)? & LinkFlags::UP.0 != 0,
    })
}

/// Carries out `plan` on link `name` through `ioctl`s: MAC, MTU and up can be done;
/// addresses and routes fail with `cause` (the netlink error), except `lo`'s, which
/// the kernel assigns itself.
fn run_ioctl(io: &IoctlSocket, name: &str, plan: Vec<Planned>, cause: &Error, report: &mut Report) {
    for p in plan {
        let result = match p.action {
            None => Ok(Outcome::AlreadyPresent),
            Some(Action::Mac(mac)) => io.set_mac(name, mac).map(|()| Outcome::Done),
            Some(Action::Mtu(mtu)) => io.set_mtu(name, mtu).map(|()| Outcome::Done),
            Some(Action::Up) => io.set_up(name, true).map(|()| Outcome::Done),
            Some(Action::Address { loopback: true, .. }) => Ok(Outcome::LeftToKernel),
            Some(Action::Address { .. } | Action::DefaultRoute(_)) => Err(cause.duplicate()),
        };
        report.push(p.step, result);
    }
}

/// The ioctl executor for `lo` and/or one interface.
fn configure_ioctl(
    io: &IoctlSocket,
    cause: &Error,
    loopback: bool,
    spec: Option<&InterfaceSpec>,
    report: &mut Report,
) {
    report.ioctl_fallback = true;
    if loopback {
        match ioctl_state(io, "lo") {
            Ok(now) => run_ioctl(io, "lo", plan_loopback(Some(&now)), cause, report),
            Err(e) => report.push(Step::Lookup { link: "lo".into() }, Err(e)),
        }
    }
    if let Some(spec) = spec {
        let step = Step::Lookup {
            link: spec.name.clone(),
        };
        match ioctl_state(io, &spec.name) {
            Ok(now) => {
                report.index = Some(now.index);
                report.push(step, Ok(Outcome::Done));
                run_ioctl(io, &spec.name, plan_interface(spec, &now), cause, report);
            }
            Err(e) => report.push(step, Err(e)),
        }
    }
}

/// Loopback and/or one interface: over `h` when given, else over a new handle — by
/// netlink when it has it, else (netlink unavailable) through its `ioctl` fallback.
pub(crate) fn configure_links(
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
            Err(e) => {
                report.push(Step::Connect, Err(e));
                return;
            }
        },
    };
    if let Err(cause) = h.conn("socket(AF_NETLINK)") {
        match h.ioctl_fallback() {
            Some(io) => configure_ioctl(io, &cause, loopback, spec, report),
            None => report.push(Step::Connect, Err(cause)),
        }
        return;
    }
    let mut plan: Vec<(u32, Planned)> = Vec::new();
    if loopback {
        plan.extend(
            plan_loopback(None)
                .into_iter()
                .map(|p| (LOOPBACK_IFINDEX, p)),
        );
    }
    if let Some(spec) = spec {
        report.round_trips += 1;
        let step = Step::Lookup {
            link: spec.name.clone(),
        };
        match netlink_state(h, &spec.name) {
            Ok(now) => {
                report.index = Some(now.index);
                report.push(step, Ok(Outcome::Done));
                let steps = plan_interface(spec, &now);
                plan.extend(steps.into_iter().map(|p| (now.index, p)));
            }
            Err(e) => report.push(step, Err(e)),
        }
    }
    // The lookup's step is already in the report; `lo` goes first in the batch.
    run_netlink(h, plan, report);
    if let (Some(spec), Some(index)) = (spec, report.index) {
        if let (Some(limit), Some((a, _))) = (spec.dad, spec.ipv6) {
            wait_dad_step(h, &spec.name, index, a, limit, report);
        }
    }
}

/// With DAD asked for: once the address was added (or was there), waits for the
/// kernel to finish checking it — a monitor beside the handle's socket, the
/// address dumped, then its notifications: one round trip and the wait.
fn wait_dad_step(
    h: &mut Handle,
    link: &str,
    index: u32,
    address: std::net::Ipv6Addr,
    limit: std::time::Duration,
    report: &mut Report,
) {
    let address = std::net::IpAddr::V6(address);
    let added = report.steps.iter().any(|s| {
        matches!(&s.step, Step::Address { address: a, .. } if *a == address) && s.result.is_ok()
    });
    if !added {
        return;
    }
    let deadline = std::time::Instant::now() + limit;
    report.round_trips += 1;
    #[cfg(rtnl_netlink)]
    let r = crate::ops::monitor::Monitor::for_handle(h, &[])
        .and_then(|mut m| m.wait_dad(index, address, deadline))
        .map(|_| Outcome::Done);
    #[cfg(not(rtnl_netlink))]
    let r = {
        let _ = (h, index, deadline);
        Err(Error::Unsupported { op: "wait for DAD" })
    };
    report.push(
        Step::Dad {
            link: link.to_owned(),
            address,
        },
        r,
    );
}

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

/// [`configure_loopback`] over an existing handle (e.g. [`Handle::in_netns`]); its
/// `ioctl` fallback applies when it has no netlink.
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
/// configure a container's interface from outside); its `ioctl` fallback applies
/// when it has no netlink.
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
    let mut report = Report::default();
    let cause = Error::NetlinkUnavailable {
        op: "socket(AF_NETLINK)",
        source: io::Error::new(
            io::ErrorKind::Unsupported,
            "not used: the ioctl-only path was requested",
        ),
    };
    match IoctlSocket::new() {
        Ok(io) => configure_ioctl(&io, &cause, false, Some(spec), &mut report),
        Err(e) => report.push(Step::Connect, Err(e)),
    }
    report.into_result()
}
