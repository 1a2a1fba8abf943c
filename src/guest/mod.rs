//! Layer `operations` (guest): a micro-VM guest's whole network bring-up, for the
//! `/init` (PID 1) of a virtual machine or a container.
//!
//! | function | replaces | kernel round trips |
//! |---|---|---|
//! | [`configure_loopback`] | `ip link set lo up; ip addr add 127.0.0.1/8 dev lo; ip addr add ::1/128 dev lo` | 1 |
//! | [`configure_interface`] | `ip link set dev IF address MAC mtu MTU; ip addr add A4/P dev IF; ip addr add A6/P dev IF; ip link set dev IF up; ip route replace default via GW4 dev IF; ip -6 route replace default via GW6 dev IF` | 2 |
//! | [`GuestConfig::apply`] | all of the above, `hostname NAME`, `echo ... > /etc/hosts`, `echo nameserver ... > /etc/resolv.conf` | 2 |
//! | [`set_hostname`] | `hostname NAME` | (`sethostname`) |
//! | [`NicWait`], [`wait_for_nic`] | a loop over `/sys/class/net` and `sleep` until the NIC is there | 1 + the wait |
//! | [`wait_for_dad`], [`InterfaceSpec::dad`] | a loop of `ip -6 addr show tentative` and `sleep` | 1 + the wait |
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
//! [`crate::Error::is_netlink_unavailable`]), [`configure_interface`] falls back to
//! [`crate::ioctl`], as every [`crate::Handle`] does: the link is found with `SIOCGIFINDEX`, and MAC, MTU and up are
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
//!         dad: None,
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
//!
//! ## Layout
//!
//! `spec.rs` (what is asked, checked), `plan.rs` (the steps in their one order, from
//! what is asked and what the link is now), `bringup.rs` (the plan carried out
//! through netlink or through `ioctl`s, and the `configure_*` functions),
//! `report.rs` (what was done), `files.rs` (host name, `/etc/hosts`,
//! `/etc/resolv.conf`), `config.rs` ([`GuestConfig`]: everything at once).

mod bringup;
mod config;
mod files;
mod plan;
mod report;
mod spec;
mod wait;

pub use bringup::{
    configure_interface, configure_interface_ioctl, configure_interface_with, configure_loopback,
    configure_loopback_with,
};
pub use config::GuestConfig;
pub use files::{render_hosts, render_resolv_conf, set_hostname, write_hosts, write_resolv_conf};
pub use report::{ConfigureError, Outcome, Report, Step, StepReport};
pub use spec::{Hostname, InterfaceSpec};
pub use wait::{wait_for_dad, wait_for_nic, Nic, NicFound, NicWait};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MacAddr;

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
