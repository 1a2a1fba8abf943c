//! Layer `operations`: routes — `ip route show` on a [`Handle`] (adds, replaces,
//! appends and deletes are the handle's verbs on a [`Route`]), and the one-shot free
//! functions of the seed API.

use crate::error::{Result, ResultExt};
use crate::ops::handle::{Handle, Listing};
use crate::ops::oneshot::with_thread_handle;
use crate::types::{check_ifname, Family, Protocol, RouteType, Scope};
use crate::validate::{check_prefix, check_same_family};
use crate::wire::route::{Route, RouteFilter, RouteGet, RouteMsg};
use crate::wire::Decode;
use std::net::IpAddr;

impl Handle {
    /// The routes that pass `filter` (`ip route show table all`, `ip -6 route show
    /// table T dev X proto P`), collected; the kernel filters by table, device,
    /// protocol and type.
    pub fn routes(&mut self, filter: &RouteFilter) -> Result<Listing<Route>> {
        self.collect_matching(filter, |v| Ok(Route::from(v)))
    }

    /// Visits the routes that pass `filter` without collecting them: zero-copy views,
    /// memory use independent of the size of the table.
    pub fn for_each_route(
        &mut self,
        filter: &RouteFilter,
        f: impl FnMut(&RouteMsg<'_>),
    ) -> Result<()> {
        self.for_each_matching(filter, f)
    }

    /// `ip route get [fibmatch] DST [from SRC] [iif X] [oif Y] [mark M] [uid U]`: the
    /// route the kernel would use for a packet (gateway in [`Route::gateway`], device
    /// in [`Route::oif`], preferred source in [`Route::prefsrc`], table in
    /// [`Route::table`]), or with [`RouteGet::fib_match`] the FIB entry that matched.
    /// One `RTM_GETROUTE` and its one reply, no dump. An unreachable destination is
    /// the kernel's refusal (`ENETUNREACH`, `EHOSTUNREACH`) as [`crate::Error::Kernel`].
    #[doc(alias = "RTM_GETROUTE")]
    pub fn route_get(&mut self, req: &RouteGet) -> Result<Route> {
        // A closure, not `Route::decode`: the reader must take any message lifetime.
        #[allow(clippy::redundant_closure)]
        let found = self.get_with(req, |m| Route::decode(m))?;
        found.ok_or_else(|| crate::error::Error::NotFound {
            kind: "route",
            name: req.dst.to_string(),
        })
    }

    /// The default route the kernel would use for traffic of `family` (`ip route get
    /// fibmatch 240.0.0.1`, `ip -6 route get fibmatch ::`): one `RTM_GETROUTE`, not a
    /// dump of every route (the CNI macvlan plugin's "which device has the default
    /// route"). Policy rules are followed, so the answer can be a default route of
    /// another table. The lookup is for an address that only a default route covers
    /// in ordinary tables (IPv4: 240.0.0.1 of the reserved class E; IPv6: `::`);
    /// `Ok(None)` when there is no default route (the kernel answers
    /// `ENETUNREACH`/`EHOSTUNREACH`), or when a more specific route covers that
    /// address (then it is not a default route).
    pub fn default_route(&mut self, family: Family) -> Result<Option<Route>> {
        let probe: IpAddr = match family {
            Family::INET => std::net::Ipv4Addr::new(240, 0, 0, 1).into(),
            Family::INET6 => std::net::Ipv6Addr::UNSPECIFIED.into(),
            f => {
                return Err(crate::error::Error::invalid(
                    "route family",
                    f,
                    "default routes are IPv4 or IPv6",
                ))
            }
        };
        match self.route_get(&RouteGet::fibmatch(probe)) {
            Ok(r) if r.dst_len == 0 => Ok(Some(r)),
            Ok(_) => Ok(None),
            Err(e) if matches!(e.errno(), Some(libc::ENETUNREACH | libc::EHOSTUNREACH)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `ip [-6] route add default dev DEV`: link scope, no gateway.
pub fn add_default_route_via_dev(dev: &str, is_v6: bool) -> Result<()> {
    check_ifname(dev)?;
    with_thread_handle(|h| {
        let oif = h.link_index(dev)?;
        let family = if is_v6 { Family::INET6 } else { Family::INET };
        h.add(&Route::new(family).dev(oif))
    })
}

/// `ip route add default via GW`; the family comes from `gw`.
pub fn add_default_route_via_gateway(gw: IpAddr) -> Result<()> {
    with_thread_handle(|h| h.add(&Route::default_via(gw)))
}

/// `ip route add DEST/PREFIX dev DEV`: a plain add in link scope; an existing route
/// gives an error for which [`crate::Error::is_exists`] is true.
pub fn add_route_via_dev(dest: IpAddr, prefix_len: u8, dev: &str) -> Result<()> {
    check_prefix(dest, prefix_len)?;
    check_ifname(dev)?;
    let r = Route::to(dest, prefix_len)?;
    with_thread_handle(|h| {
        let oif = h.link_index(dev)?;
        h.add(&r.dev(oif))
    })
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
    let mut r = Route::to(dest, prefix_len)?;
    r.prefsrc = src;
    with_thread_handle(|h| {
        let oif = h.link_index(dev)?;
        h.replace(&r.dev(oif))
    })
}

/// `ip route del DEST/PREFIX dev DEV`; idempotent: an absent route (`ESRCH`) or an
/// absent device is `Ok`.
pub fn delete_route_via_dev(dest: IpAddr, prefix_len: u8, dev: &str) -> Result<()> {
    check_prefix(dest, prefix_len)?;
    check_ifname(dev)?;
    let mut r = Route::to(dest, prefix_len)?;
    // As `ip route del` sends it: anything matches but the prefix and the device.
    r.protocol = Protocol::UNSPEC;
    r.scope = Scope::NOWHERE;
    r.kind = RouteType::UNSPEC;
    with_thread_handle(|h| {
        let Some(oif) = h.link_index(dev).or_absent()? else {
            return Ok(());
        };
        r.oif = Some(oif);
        h.delete(&r).or_absent().map(drop)
    })
}
