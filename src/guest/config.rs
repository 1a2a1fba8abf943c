//! Layer `operations` (guest): [`GuestConfig`], a guest's whole network
//! configuration applied at once.

use super::bringup::configure_links;
use super::files::{set_hostname, write_hosts, write_resolv_conf, HOST_NAME_MAX};
use super::report::{ConfigureError, Outcome, Report, Step};
use super::spec::{Hostname, InterfaceSpec};
use crate::error::{Error, Result};
use crate::ops::handle::Handle;
use std::net::IpAddr;
use std::path::PathBuf;

/// A guest's whole network configuration, applied by [`apply`](Self::apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestConfig {
    /// Configure `lo` ([`configure_loopback`](super::configure_loopback)). Default `true`.
    pub loopback: bool,
    /// The interface to configure ([`configure_interface`](super::configure_interface)).
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
            if h.as_str().len() > HOST_NAME_MAX {
                return Err(Error::invalid(
                    "host name",
                    h.as_str(),
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
                    name: name.as_str().to_owned(),
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
