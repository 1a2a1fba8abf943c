//! Operations layer: routes — `ip route show/add/replace/del`.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::oneshot::with_thread_handle;
use crate::validate::{check_ifname, check_prefix, check_same_family};
use crate::wire::route::{emit_dump, RouteMsg, RouteRequest};
use std::net::IpAddr;

/// A route as the kernel reports it (`ip route show`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// The destination; `None` for a default route.
    pub dst: Option<IpAddr>,
    /// The destination prefix length.
    pub prefix_len: u8,
    /// The gateway (`via`).
    pub gateway: Option<IpAddr>,
    /// The output link's index (`dev`).
    pub oif: Option<u32>,
    /// The preferred source (`src`).
    pub src: Option<IpAddr>,
    /// The table id (`RT_TABLE_MAIN` = 254, `RT_TABLE_LOCAL` = 255, ...).
    pub table: u32,
    /// `RTPROT_*` (`kernel`, `boot`, `static`, ...).
    pub protocol: u8,
    /// `RT_SCOPE_*`.
    pub scope: u8,
    /// `RTN_*` (`unicast`, `local`, ...).
    pub kind: u8,
    /// The metric (`RTA_PRIORITY`).
    pub priority: Option<u32>,
    /// The nexthop object the route uses (`nhid`), if any.
    pub nexthop_id: Option<u32>,
}

impl From<&RouteMsg> for Route {
    fn from(m: &RouteMsg) -> Route {
        Route {
            family: m.family,
            dst: m.dst,
            prefix_len: m.dst_len,
            gateway: m.gateway,
            oif: m.oif,
            src: m.prefsrc,
            table: m.table,
            protocol: m.protocol,
            scope: m.scope,
            kind: m.kind,
            priority: m.priority,
            nexthop_id: m.nexthop_id,
        }
    }
}

/// Which routes a dump returns. With a table or an output link set, the kernel
/// filters (`NETLINK_GET_STRICT_CHK`); the result is checked again here, so older
/// kernels that ignore the filter give the same answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteFilter {
    /// `AF_INET`, `AF_INET6`, or `AF_UNSPEC` for both.
    pub family: u8,
    /// Only this table (`None`: every table).
    pub table: Option<u32>,
    /// Only routes out of this link index.
    pub oif: Option<u32>,
}

impl RouteFilter {
    /// Whether `r` passes the table and output-link parts of the filter (checked
    /// here as well as by the kernel: older kernels ignore dump filters).
    fn matches(&self, r: &RouteMsg) -> bool {
        self.table.map_or(true, |t| t == r.table) && self.oif.map_or(true, |o| Some(o) == r.oif)
    }
}

fn family_of(a: IpAddr) -> u8 {
    if a.is_ipv4() {
        AF_INET
    } else {
        AF_INET6
    }
}

/// The route to `dest/prefix_len` as `ip route add` builds it (main table, protocol
/// `boot`, unicast), with the host bits of `dest` cleared as the kernel requires.
pub fn request(dest: IpAddr, prefix_len: u8) -> RouteRequest {
    let mut r = RouteRequest::new(family_of(dest));
    if prefix_len > 0 {
        r.dst = Some(mask(dest, prefix_len));
    }
    r.dst_len = prefix_len;
    r
}

/// Clears the bits of `a` past `prefix_len`.
fn mask(a: IpAddr, prefix_len: u8) -> IpAddr {
    match a {
        IpAddr::V4(v) => {
            let bits = u32::from(v);
            let m = if prefix_len == 0 {
                0
            } else {
                u32::MAX << (32 - prefix_len.min(32))
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v) => {
            let bits = u128::from(v);
            let m = if prefix_len == 0 {
                0
            } else {
                u128::MAX << (128 - prefix_len.min(128))
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

impl Handle {
    /// Visits the routes matching `filter` without collecting them (`ip route show`);
    /// memory use does not depend on the size of the table.
    pub fn for_each_route(
        &mut self,
        filter: RouteFilter,
        mut f: impl FnMut(&RouteMsg),
    ) -> Result<()> {
        let op = "RTM_GETROUTE";
        let n = emit_dump(&mut self.tx, filter.family, filter.table, filter.oif)
            .map_err(|source| Error::Encode { op, source })?;
        self.conn.dump(op, &mut self.tx[..n], |m| {
            let r = RouteMsg::parse(m).map_err(|source| Error::Malformed { op, source })?;
            if filter.matches(&r) {
                f(&r);
            }
            Ok(())
        })
    }

    /// The routes matching `filter`, collected (`ip route show table all`).
    pub fn routes(&mut self, filter: RouteFilter) -> Result<Vec<Route>> {
        let op = "RTM_GETROUTE";
        let n = emit_dump(&mut self.tx, filter.family, filter.table, filter.oif)
            .map_err(|source| Error::Encode { op, source })?;
        self.conn.dump_collect(op, &mut self.tx[..n], |m| {
            let r = RouteMsg::parse(m).map_err(|source| Error::Malformed { op, source })?;
            Ok(filter.matches(&r).then(|| Route::from(&r)))
        })
    }

    /// Sends one route request built with [`crate::wire::route::RouteRequest`]:
    /// `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_EXCL` (`ip route add`).
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn add_route(&mut self, r: &RouteRequest) -> Result<()> {
        self.ack_with("RTM_NEWROUTE", |b| {
            r.emit(
                b,
                RTM_NEWROUTE,
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            )
        })
    }

    /// `RTM_NEWROUTE` with `NLM_F_CREATE|NLM_F_REPLACE` (`ip route replace`).
    pub fn replace_route(&mut self, r: &RouteRequest) -> Result<()> {
        self.ack_with("RTM_NEWROUTE", |b| {
            r.emit(
                b,
                RTM_NEWROUTE,
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
            )
        })
    }

    /// `RTM_DELROUTE` (`ip route del`).
    #[doc(alias = "RTM_DELROUTE")]
    pub fn delete_route(&mut self, r: &RouteRequest) -> Result<()> {
        self.ack_with("RTM_DELROUTE", |b| {
            r.emit(b, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK)
        })
    }

    /// `ip route add DEST/PREFIX dev DEV` (link scope).
    pub fn add_route_via_dev(&mut self, dest: IpAddr, prefix_len: u8, dev: &str) -> Result<()> {
        check_prefix(dest, prefix_len)?;
        check_ifname(dev)?;
        let oif = self.link_index(dev)?;
        let mut r = request(dest, prefix_len);
        r.scope = RT_SCOPE_LINK;
        r.oif = Some(oif);
        self.add_route(&r)
    }

    /// `ip route add default via GW` (family from `gw`).
    pub fn add_default_route_via_gateway(&mut self, gw: IpAddr) -> Result<()> {
        let mut r = RouteRequest::new(family_of(gw));
        r.gateway = Some(gw);
        self.add_route(&r)
    }

    /// `ip [-6] route add default dev DEV` (link scope, no gateway).
    pub fn add_default_route_via_dev(&mut self, dev: &str, is_v6: bool) -> Result<()> {
        check_ifname(dev)?;
        let oif = self.link_index(dev)?;
        let mut r = RouteRequest::new(if is_v6 { AF_INET6 } else { AF_INET });
        r.scope = RT_SCOPE_LINK;
        r.oif = Some(oif);
        self.add_route(&r)
    }
}

/// `ip [-6] route add default dev DEV`: link scope, no gateway.
pub fn add_default_route_via_dev(dev: &str, is_v6: bool) -> Result<()> {
    check_ifname(dev)?;
    with_thread_handle(|h| h.add_default_route_via_dev(dev, is_v6))
}

/// `ip route add default via GW`; the family comes from `gw`.
pub fn add_default_route_via_gateway(gw: IpAddr) -> Result<()> {
    with_thread_handle(|h| h.add_default_route_via_gateway(gw))
}

/// `ip route add DEST/PREFIX dev DEV`: a plain add in link scope; an existing route
/// gives an error for which [`Error::is_exists`] is true.
pub fn add_route_via_dev(dest: IpAddr, prefix_len: u8, dev: &str) -> Result<()> {
    check_prefix(dest, prefix_len)?;
    check_ifname(dev)?;
    with_thread_handle(|h| h.add_route_via_dev(dest, prefix_len, dev))
}

/// `ip route replace DEST/PREFIX dev DEV [src SRC]`: `NLM_F_CREATE|NLM_F_REPLACE`,
/// link scope, preferred source. A family mismatch between `dest` and `src` is
/// rejected before any syscall.
pub fn replace_route_via_dev(
    dest: IpAddr,
    prefix_len: u8,
    dev: &str,
    src: Option<IpAddr>,
) -> Result<()> {
    check_prefix(dest, prefix_len)?;
    check_ifname(dev)?;
    if let Some(s) = src {
        check_same_family("source address", dest, s)?;
    }
    with_thread_handle(|h| {
        let oif = h.link_index(dev)?;
        let mut r = request(dest, prefix_len);
        r.scope = RT_SCOPE_LINK;
        r.prefsrc = src;
        r.oif = Some(oif);
        h.replace_route(&r)
    })
}

/// `ip route del DEST/PREFIX dev DEV`; idempotent: an absent route (`ESRCH`) or an
/// absent device is `Ok`.
pub fn delete_route_via_dev(dest: IpAddr, prefix_len: u8, dev: &str) -> Result<()> {
    check_prefix(dest, prefix_len)?;
    check_ifname(dev)?;
    with_thread_handle(|h| {
        let oif = match h.link_index(dev) {
            Ok(i) => i,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut r = request(dest, prefix_len);
        r.protocol = RTPROT_UNSPEC;
        r.scope = RT_SCOPE_NOWHERE;
        r.kind = RTN_UNSPEC;
        r.oif = Some(oif);
        match h.delete_route(&r) {
            Err(e) if e.is_not_found() => Ok(()),
            r => r,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_host_bits() {
        assert_eq!(
            mask("10.1.2.3".parse().unwrap(), 16),
            "10.1.0.0".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            mask("10.1.2.3".parse().unwrap(), 32),
            "10.1.2.3".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            mask("fd00::1".parse().unwrap(), 64),
            "fd00::".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            mask("fd00::1".parse().unwrap(), 0),
            "::".parse::<IpAddr>().unwrap()
        );
    }
}
