//! Layer `wire`: every `RTM_*LINK` message — requests built from a [`LinkRequest`],
//! replies read into a zero-copy [`LinkMsg`].
//!
//! Attribute order follows iproute2's, so that the bytes equal what `ip link` sends
//! (the golden tests in `tests/golden.rs` compare them): `IFLA_EXT_MASK`, the changes
//! (`IFLA_ADDRESS`, `IFLA_MTU`, `IFLA_MASTER`, `IFLA_NET_NS_*`), then `IFLA_IFNAME`,
//! then `IFLA_LINKINFO` last. `IFLA_INFO_KIND` goes without its NUL, as iproute2
//! sends it.

use crate::abi::*;
use crate::wire::{Message, MsgBuilder, WireError};

/// The kind-specific part of a link request (`IFLA_LINKINFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind<'a> {
    /// `type veth peer name PEER [netns FD]`: `VETH_INFO_PEER` nests the peer's own
    /// `ifinfomsg` and attributes, so the peer can be born in another namespace.
    Veth {
        /// The peer's name.
        peer: &'a str,
        /// `IFLA_NET_NS_FD` for the peer: create it directly inside that namespace.
        peer_netns_fd: Option<i32>,
    },
    /// `type bridge [stp_state 0|1]`.
    Bridge {
        /// `IFLA_BR_STP_STATE` inside `IFLA_INFO_DATA`, when set.
        stp: Option<bool>,
    },
    /// Any other kind by name, without kind-specific data (`type macvlan`, ...).
    Other(&'a str),
}

/// An `RTM_NEWLINK`/`RTM_SETLINK`/`RTM_DELLINK`/`RTM_GETLINK` request. Fields left at
/// their default are not sent. A zero `index` with a `name` selects the link by name
/// (one round trip, no lookup); a non-zero `index` with a `name` renames the link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkRequest<'a> {
    /// `ifi_index`; 0 = none.
    pub index: u32,
    /// `ifi_flags` (only the bits in `change` matter).
    pub flags: u32,
    /// `ifi_change`: which `flags` bits to change.
    pub change: u32,
    /// `IFLA_IFNAME`.
    pub name: Option<&'a str>,
    /// `IFLA_ADDRESS`: the link-layer (MAC) address.
    pub address: Option<&'a [u8]>,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_MASTER`: a bridge's index; `Some(0)` detaches (`nomaster`).
    pub master: Option<u32>,
    /// `IFLA_NET_NS_FD`: move into the namespace behind this descriptor.
    pub netns_fd: Option<i32>,
    /// `IFLA_NET_NS_PID`: move into the namespace of this process.
    pub netns_pid: Option<u32>,
    /// `IFLA_EXT_MASK` (for `RTM_GETLINK`, e.g. `RTEXT_FILTER_SKIP_STATS`).
    pub ext_mask: Option<u32>,
    /// `IFLA_LINKINFO`.
    pub kind: Option<LinkKind<'a>>,
}

impl LinkRequest<'_> {
    /// Builds the message into `buf`; returns its length.
    #[inline]
    pub fn emit(&self, buf: &mut [u8], msg_type: u16, flags: u16) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, msg_type, flags)?;
        b.header(&IfInfoMsg {
            ifi_family: AF_UNSPEC,
            __ifi_pad: 0,
            ifi_type: 0,
            ifi_index: self.index as i32,
            ifi_flags: self.flags,
            ifi_change: self.change,
        })?;
        if let Some(m) = self.ext_mask {
            b.attr_u32(IFLA_EXT_MASK, m)?;
        }
        if let Some(a) = self.address {
            b.attr_bytes(IFLA_ADDRESS, a)?;
        }
        if let Some(m) = self.mtu {
            b.attr_u32(IFLA_MTU, m)?;
        }
        if let Some(m) = self.master {
            b.attr_u32(IFLA_MASTER, m)?;
        }
        if let Some(fd) = self.netns_fd {
            b.attr_i32(IFLA_NET_NS_FD, fd)?;
        }
        if let Some(pid) = self.netns_pid {
            b.attr_u32(IFLA_NET_NS_PID, pid)?;
        }
        if let Some(n) = self.name {
            b.attr_str(IFLA_IFNAME, n)?;
        }
        if let Some(kind) = self.kind {
            let info = b.begin_nested(IFLA_LINKINFO)?;
            match kind {
                LinkKind::Veth {
                    peer,
                    peer_netns_fd,
                } => {
                    b.attr_bytes(IFLA_INFO_KIND, b"veth")?;
                    let data = b.begin_nested(IFLA_INFO_DATA)?;
                    let p = b.begin_nested(VETH_INFO_PEER)?;
                    b.header(&IfInfoMsg::default())?;
                    b.attr_str(IFLA_IFNAME, peer)?;
                    if let Some(fd) = peer_netns_fd {
                        b.attr_i32(IFLA_NET_NS_FD, fd)?;
                    }
                    b.end_nested(p)?;
                    b.end_nested(data)?;
                }
                LinkKind::Bridge { stp } => {
                    b.attr_bytes(IFLA_INFO_KIND, b"bridge")?;
                    if let Some(on) = stp {
                        let data = b.begin_nested(IFLA_INFO_DATA)?;
                        b.attr_u32(IFLA_BR_STP_STATE, on as u32)?;
                        b.end_nested(data)?;
                    }
                }
                LinkKind::Other(k) => kind_attr(&mut b, k)?,
            }
            b.end_nested(info)?;
        }
        b.finish()
    }
}

/// `IFLA_INFO_KIND` as iproute2 sends it: the bare name, no NUL (the kernel's policy
/// is `NLA_STRING`, which accepts both).
fn kind_attr(b: &mut MsgBuilder<'_>, kind: &str) -> Result<(), WireError> {
    b.attr_text(IFLA_INFO_KIND, kind, false)
}

/// Builds an `RTM_GETLINK` dump request (`ip link show`), asking the kernel to skip
/// statistics.
pub fn emit_dump(buf: &mut [u8]) -> Result<usize, WireError> {
    LinkRequest {
        ext_mask: Some(RTEXT_FILTER_SKIP_STATS),
        ..Default::default()
    }
    .emit(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP)
}

/// A link as the kernel describes it in `RTM_NEWLINK`, borrowing the datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkMsg<'a> {
    /// `ifi_index`.
    pub index: u32,
    /// `ifi_type` (`ARPHRD_*`).
    pub link_type: u16,
    /// `ifi_flags` (`IFF_*`).
    pub flags: u32,
    /// `IFLA_IFNAME`.
    pub name: &'a str,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_ADDRESS`.
    pub address: Option<&'a [u8]>,
    /// `IFLA_MASTER`.
    pub master: Option<u32>,
    /// `IFLA_LINK`: the peer's index for veth (may be in another namespace).
    pub link: Option<u32>,
    /// `IFLA_OPERSTATE` (`IF_OPER_*`).
    pub operstate: Option<u8>,
    /// `IFLA_LINKINFO` / `IFLA_INFO_KIND`.
    pub kind: Option<&'a str>,
    /// `IFLA_LINKINFO` / `IFLA_INFO_SLAVE_KIND` (e.g. "bridge" for a bridge port).
    pub slave_kind: Option<&'a str>,
    /// `IFLA_BR_STP_STATE` for a bridge.
    pub bridge_stp: Option<u32>,
}

impl<'a> LinkMsg<'a> {
    /// Reads only the index of an `RTM_NEWLINK` message (its `ifinfomsg`), for lookups
    /// that need nothing else.
    pub fn parse_index(msg: &Message<'_>) -> Result<u32, WireError> {
        if msg.header.nlmsg_type != RTM_NEWLINK {
            return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
        }
        let (ifi, _) = msg.split::<IfInfoMsg>()?;
        Ok(ifi.ifi_index as u32)
    }

    /// Reads an `RTM_NEWLINK` message. Unknown attributes are skipped.
    pub fn parse(msg: &Message<'a>) -> Result<Self, WireError> {
        if msg.header.nlmsg_type != RTM_NEWLINK {
            return Err(WireError::UnexpectedType(msg.header.nlmsg_type));
        }
        let (ifi, attrs) = msg.split::<IfInfoMsg>()?;
        let mut l = LinkMsg {
            index: ifi.ifi_index as u32,
            link_type: ifi.ifi_type,
            flags: ifi.ifi_flags,
            ..Default::default()
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                IFLA_IFNAME => l.name = a.str()?,
                IFLA_MTU => l.mtu = Some(a.u32()?),
                IFLA_ADDRESS => l.address = Some(a.value),
                IFLA_MASTER => l.master = Some(a.u32()?),
                IFLA_LINK => l.link = Some(a.u32()?),
                IFLA_OPERSTATE => l.operstate = Some(a.u8()?),
                IFLA_LINKINFO => {
                    for i in a.nested() {
                        let i = i?;
                        match i.ty {
                            IFLA_INFO_KIND => l.kind = Some(i.str()?),
                            IFLA_INFO_SLAVE_KIND => l.slave_kind = Some(i.str()?),
                            IFLA_INFO_DATA if l.kind == Some("bridge") => {
                                if let Some(s) = i.nested().find(IFLA_BR_STP_STATE)? {
                                    l.bridge_stp = Some(s.u32()?);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    #[test]
    fn veth_request_round_trips_through_the_parser_shape() {
        let mut buf = [0xa5u8; 256];
        let n = LinkRequest {
            name: Some("veth0"),
            kind: Some(LinkKind::Veth {
                peer: "veth1",
                peer_netns_fd: Some(7),
            }),
            ..Default::default()
        }
        .emit(
            &mut buf,
            RTM_NEWLINK,
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
        )
        .unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let (_, attrs) = m.split::<IfInfoMsg>().unwrap();
        let attrs: Vec<_> = attrs.collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs[0].str().unwrap(), "veth0");
        let info = attrs[1].nested().find(IFLA_INFO_DATA).unwrap().unwrap();
        let peer = info.nested().find(VETH_INFO_PEER).unwrap().unwrap();
        // The peer nests its own ifinfomsg before its attributes.
        let inner: Vec<_> = crate::wire::Attrs::new(&peer.value[16..])
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(inner[0].str().unwrap(), "veth1");
        assert_eq!(inner[1].i32().unwrap(), 7);
    }
}
