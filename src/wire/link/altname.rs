//! Layer `wire`: alternative names of a link — `RTM_NEWLINKPROP` / `RTM_DELLINKPROP`
//! with `IFLA_PROP_LIST` / `IFLA_ALT_IFNAME` (`ip link property add|del dev LINK
//! altname NAME`, Linux ≥ 5.5). A link is looked up by one of them like by its name
//! ([`super::LinkRef`] sends a name longer than 15 bytes as `IFLA_ALT_IFNAME`).

use super::LinkRef;
use crate::abi::*;
use crate::error::{Error, Result};
use crate::types::{check_altname, IFNAME_MAX};
use crate::wire::{MsgBuilder, Object, Verb, WireError};

/// One alternative name of a link: [`crate::Handle::add`] gives it to the link,
/// [`crate::Handle::delete`] takes it away. Borrowed: nothing is allocated.
///
/// ```
/// use rtnl::{AltName, LinkRef};
/// // ip link property add dev eth0 altname enp0s31f6-uplink
/// let a = AltName::new("eth0", "enp0s31f6-uplink");
/// assert_eq!(a.link, LinkRef::Name(b"eth0"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AltName<'a> {
    /// The link, by index, name or another alternative name.
    pub link: LinkRef<'a>,
    /// The alternative name: the bytes an interface name may hold, 1 to 127 of them.
    pub name: &'a [u8],
}

impl<'a> AltName<'a> {
    /// The alternative name `name` of `link`.
    pub fn new(link: impl Into<LinkRef<'a>>, name: &'a str) -> AltName<'a> {
        AltName {
            link: link.into(),
            name: name.as_bytes(),
        }
    }
}

impl Object for AltName<'_> {
    const NEW: u16 = RTM_NEWLINKPROP;
    const DEL: u16 = RTM_DELLINKPROP;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Delete];

    /// `ip link property add` sends `NLM_F_CREATE|NLM_F_EXCL|NLM_F_APPEND`; `del`
    /// none.
    fn flags(verb: Verb) -> u16 {
        match verb {
            Verb::Delete => 0,
            _ => NLM_F_CREATE | NLM_F_EXCL | NLM_F_APPEND,
        }
    }

    fn check(&self, _verb: Verb) -> Result<()> {
        self.link.check()?;
        check_altname(self.name).map_err(|e| match e {
            Error::InvalidInput { value, reason, .. } => Error::InvalidInput {
                what: "alternative name",
                value,
                reason,
            },
            e => e,
        })
    }

    fn emit_body(&self, _verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&IfInfoMsg {
            ifi_index: self.link.index() as i32,
            ..Default::default()
        })?;
        if let LinkRef::Name(n) = self.link {
            let ty = if n.len() <= IFNAME_MAX {
                IFLA_IFNAME
            } else {
                IFLA_ALT_IFNAME
            };
            b.attr_name(ty, n)?;
        }
        let list = b.begin_nested_flagged(IFLA_PROP_LIST)?;
        b.attr_name(IFLA_ALT_IFNAME, self.name)?;
        b.end_nested(list)
    }
}
