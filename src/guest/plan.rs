//! Layer `operations` (guest): the bring-up, planned once. From what is asked (an
//! [`InterfaceSpec`], or `lo`) and what the link is now, [`plan_interface`] and
//! [`plan_loopback`] write the steps in their one order — MAC, MTU, IPv4 address,
//! IPv6 address, up, IPv4 default route, IPv6 default route — each with the change
//! it needs, or none when the link is already as asked. The executors
//! (`bringup.rs`) carry the same plan out through netlink (one batch) or through
//! `ioctl`s.

use super::report::Step;
use super::spec::InterfaceSpec;
use crate::types::{MacAddr, Scope};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `LOOPBACK_IFINDEX`: `lo` is index 1 in every network namespace (Linux ≥ 3.13).
pub(crate) const LOOPBACK_IFINDEX: u32 = 1;

/// What a link looks like now, as far as the bring-up cares.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinkState {
    pub index: u32,
    pub mac: Option<MacAddr>,
    pub mtu: u32,
    pub up: bool,
}

/// One change to make.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Action {
    /// `ip link set dev X address MAC`.
    Mac(MacAddr),
    /// `ip link set dev X mtu MTU`.
    Mtu(u32),
    /// `ip link set dev X up`.
    Up,
    /// `ip addr add A/P dev X` (IPv6 without DAD unless asked for).
    Address {
        address: IpAddr,
        prefix_len: u8,
        scope: Scope,
        /// An address of `lo`, which the kernel assigns itself when `lo` goes up.
        loopback: bool,
        /// Let the kernel run duplicate address detection (IPv6): sent without
        /// `IFA_F_NODAD`.
        dad: bool,
    },
    /// `ip route replace default via GW dev X`.
    DefaultRoute(IpAddr),
}

/// A step, and its change (`None`: already as asked, nothing to send).
#[derive(Debug)]
pub(crate) struct Planned {
    pub step: Step,
    pub action: Option<Action>,
}

/// `lo` up with `127.0.0.1/8` (host scope, as the kernel's own) and `::1/128`. With
/// `now` unknown, up is asked for anyway.
pub(crate) fn plan_loopback(now: Option<&LinkState>) -> Vec<Planned> {
    let link = || "lo".to_string();
    let mut plan = vec![Planned {
        step: Step::Up { link: link() },
        action: (!now.is_some_and(|s| s.up)).then_some(Action::Up),
    }];
    let addrs: [(IpAddr, u8, Scope); 2] = [
        (IpAddr::V4(Ipv4Addr::LOCALHOST), 8, Scope::HOST),
        (IpAddr::V6(Ipv6Addr::LOCALHOST), 128, Scope::UNIVERSE),
    ];
    for (address, prefix_len, scope) in addrs {
        plan.push(address_step(
            link(),
            address,
            prefix_len,
            scope,
            true,
            false,
        ));
    }
    plan
}

/// `ip addr add A/P dev LINK`, as a planned step.
fn address_step(
    link: String,
    address: IpAddr,
    prefix_len: u8,
    scope: Scope,
    loopback: bool,
    dad: bool,
) -> Planned {
    Planned {
        step: Step::Address {
            link,
            address,
            prefix_len,
        },
        action: Some(Action::Address {
            address,
            prefix_len,
            scope,
            loopback,
            dad,
        }),
    }
}

/// The steps of `spec`, in the documented order, given the link's current state.
pub(crate) fn plan_interface(spec: &InterfaceSpec, now: &LinkState) -> Vec<Planned> {
    let link = || spec.name.clone();
    let mut plan = Vec::new();
    if let Some(mac) = spec.mac {
        plan.push(Planned {
            step: Step::Mac { link: link(), mac },
            action: (now.mac != Some(mac)).then_some(Action::Mac(mac)),
        });
    }
    if let Some(mtu) = spec.mtu {
        plan.push(Planned {
            step: Step::Mtu { link: link(), mtu },
            action: (now.mtu != mtu).then_some(Action::Mtu(mtu)),
        });
    }
    let addrs = [
        spec.ipv4.map(|(a, p)| (IpAddr::V4(a), p)),
        spec.ipv6.map(|(a, p)| (IpAddr::V6(a), p)),
    ];
    for (address, prefix_len) in addrs.into_iter().flatten() {
        plan.push(address_step(
            link(),
            address,
            prefix_len,
            Scope::UNIVERSE,
            false,
            address.is_ipv6() && spec.dad.is_some(),
        ));
    }
    plan.push(Planned {
        step: Step::Up { link: link() },
        action: (!now.up).then_some(Action::Up),
    });
    let gateways = [spec.gateway4.map(IpAddr::V4), spec.gateway6.map(IpAddr::V6)];
    for gateway in gateways.into_iter().flatten() {
        plan.push(Planned {
            step: Step::DefaultRoute {
                link: link(),
                gateway,
            },
            action: Some(Action::DefaultRoute(gateway)),
        });
    }
    plan
}
