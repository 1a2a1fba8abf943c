//! Layer `wire`: netlink messages as bytes — every message's encoding and decoding in
//! one place, per family. No syscalls, no `unsafe`, no panics: a pure function of its
//! input, golden-tested against iproute2's bytes and fuzzed without a kernel.
//!
//! - [`MsgBuilder`]: one message in place; typed attribute writers; nesting by
//!   begin / back-patch / end.
//! - [`Messages`] / [`Attrs`]: bounds-checked iteration over a datagram and over a
//!   message's attributes.
//! - [`parse_error`] / [`parse_done`]: the kernel's answers with extended ACK, and
//!   [`attr_path`], which names the attribute an extended ACK points at.
//! - [`link`], [`addr`], [`route`], [`nexthop`]: each family's owned object (the one
//!   type that both parses and emits: [`link::Link`], [`addr::Address`],
//!   [`route::Route`], [`nexthop::Nexthop`]), its zero-copy view for streaming
//!   (`LinkMsg`, `AddrMsg`, `RouteMsg`, `NexthopMsg`), and its dump filters.
//! - [`neigh`], [`fdb`], [`rule`]: ARP/NDP neighbours ([`neigh::Neighbour`]), bridge
//!   FDB entries ([`fdb::FdbEntry`], a type of its own on the same message type) and
//!   policy rules ([`rule::Rule`]), likewise; [`route::RouteGet`] is `ip route get`.
//! - [`bridge`]: the bridge's own `AF_BRIDGE` messages about its ports (options,
//!   VLANs); [`tc`]: queueing disciplines and filters ([`tc::Qdisc`], [`tc::Filter`]).
//!
//! Allocation: building a message never allocates, and neither does reading one
//! through a view. Converting a view into an owned object allocates for what it
//! holds of variable length (lists of next hops, alternative names, attributes kept
//! raw) and nothing else.

mod ack;
mod builder;
mod names;
mod parser;

pub mod addr;
pub mod event;
pub mod fdb;
pub mod link;
pub mod neigh;
pub mod nexthop;
pub mod route;
pub mod rule;

pub mod bridge;
pub mod tc;

pub use crate::error::WireError;
pub use ack::{parse_done, parse_error, AckMsg};
pub use builder::{patch_flags, set_seq_pid, MsgBuilder, Nest};
pub use names::{attr_path, family_header_len};
pub use parser::{Attr, Attrs, Message, Messages};

use crate::abi::*;
use crate::error::Result;

/// What a request does to an object: iproute2's verbs, each one set of `NLM_F_*` flags
/// (the exchange adds `NLM_F_REQUEST` and `NLM_F_ACK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `ip X add`: create; an existing object is refused (`NLM_F_CREATE|NLM_F_EXCL`).
    Add,
    /// `ip X replace`: create, or replace an existing one (`NLM_F_CREATE|NLM_F_REPLACE`).
    Replace,
    /// `ip X change` / `ip link set`: change an existing object only (`NLM_F_REPLACE`;
    /// no flag at all for links, as `ip link set` sends).
    Change,
    /// `ip route append` / `bridge fdb append`: add one more beside an existing one
    /// (`NLM_F_CREATE|NLM_F_APPEND`), e.g. another next hop of the same route.
    Append,
    /// `ip route prepend`: create, first among equals (`NLM_F_CREATE`).
    Prepend,
    /// `ip X del`.
    Delete,
}

impl Verb {
    /// The `NLM_F_*` flags iproute2 sends for this verb.
    pub const fn flags(self) -> u16 {
        match self {
            Verb::Add => NLM_F_CREATE | NLM_F_EXCL,
            Verb::Replace => NLM_F_CREATE | NLM_F_REPLACE,
            Verb::Change => NLM_F_REPLACE,
            Verb::Append => NLM_F_CREATE | NLM_F_APPEND,
            Verb::Prepend => NLM_F_CREATE,
            Verb::Delete => 0,
        }
    }

    /// iproute2's word for it (`add`, `replace`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Verb::Add => "add",
            Verb::Replace => "replace",
            Verb::Change => "change",
            Verb::Append => "append",
            Verb::Prepend => "prepend",
            Verb::Delete => "delete",
        }
    }
}

/// A message ready to be encoded: what both a single exchange
/// ([`crate::Handle::push`]) and a [`crate::Batch`] take. The exchange sets
/// `NLM_F_REQUEST`, `NLM_F_ACK` or `NLM_F_DUMP`, the sequence number and the port id;
/// the request sets everything else.
pub trait Request {
    /// Checks the request before anything is sent: invalid input is refused here with
    /// [`crate::Error::InvalidInput`], so that nothing reaches the kernel.
    fn check(&self) -> Result<()> {
        Ok(())
    }
    /// Writes the whole message into `buf`; returns its length.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError>;
}

/// An object the kernel keeps (a link, an address, a route, a nexthop, ...) that
/// requests add, replace, change or delete. [`Op`] pairs one with a [`Verb`] into a
/// [`Request`].
pub trait Object {
    /// `RTM_NEW*` of the family.
    const NEW: u16;
    /// `RTM_DEL*` of the family.
    const DEL: u16;
    /// The verbs the kernel accepts for this family (others are refused before any
    /// syscall).
    const VERBS: &'static [Verb];
    /// The message type a verb sends.
    fn msg_type(verb: Verb) -> u16 {
        match verb {
            Verb::Delete => Self::DEL,
            _ => Self::NEW,
        }
    }
    /// The `NLM_F_*` flags a verb sends (default: [`Verb::flags`]).
    fn flags(verb: Verb) -> u16 {
        verb.flags()
    }
    /// Checks the object for `verb` before anything is sent.
    fn check(&self, verb: Verb) -> Result<()>;
    /// Writes the message for `verb` (header and attributes) into `b`.
    fn emit_body(&self, verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError>;

    /// The whole message for `verb` into `buf`; returns its length.
    #[inline]
    fn emit(&self, verb: Verb, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, Self::msg_type(verb), Self::flags(verb))?;
        self.emit_body(verb, &mut b)?;
        b.finish()
    }
}

/// An object and what to do with it: a [`Request`].
#[derive(Clone, Copy, Debug)]
pub struct Op<'a, T: ?Sized> {
    /// What to do.
    pub verb: Verb,
    /// To what.
    pub object: &'a T,
}

impl<'a, T: Object + ?Sized> Op<'a, T> {
    /// `verb` applied to `object`.
    pub fn new(verb: Verb, object: &'a T) -> Self {
        Op { verb, object }
    }
}

impl<T: Object + ?Sized> Request for Op<'_, T> {
    fn check(&self) -> Result<()> {
        if !T::VERBS.contains(&self.verb) {
            return Err(crate::error::Error::invalid(
                "verb",
                self.verb.as_str(),
                "not one the kernel accepts for this kind of object",
            ));
        }
        self.object.check(self.verb)
    }
    #[inline]
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        self.object.emit(self.verb, buf)
    }
}

/// Bytes already encoded (a message built with [`MsgBuilder`] by hand), sent as they
/// are.
#[derive(Clone, Copy, Debug)]
pub struct RawRequest<'a>(pub &'a [u8]);

impl Request for RawRequest<'_> {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let out = buf
            .get_mut(..self.0.len())
            .ok_or(WireError::BufferTooSmall)?;
        out.copy_from_slice(self.0);
        Ok(self.0.len())
    }
}

/// Reads one message of a family into a value: a zero-copy view (`LinkMsg<'a>`,
/// borrowing the datagram) or an owned object (`Link`).
pub trait Decode<'a>: Sized {
    /// Decodes `msg`; [`WireError::UnexpectedType`] for a message of another family.
    fn decode(msg: &Message<'a>) -> Result<Self, WireError>;
}

/// A dump request whose replies are checked again here, read by the family's
/// zero-copy view: for kernels that ignore dump filters, and for what the kernel
/// cannot filter on. [`crate::Handle::for_each_matching`] and
/// [`crate::Handle::collect_matching`] take any of them.
pub trait DumpFilter: Request {
    /// The family's view of one reply.
    type View<'a>: Decode<'a>;
    /// Whether `v` passes the filter.
    fn matches(&self, v: &Self::View<'_>) -> bool;
}

/// `impl DumpFilter for $filter` with `$view` as its view, by its own `matches`.
macro_rules! dump_filter {
    ($filter:ty, $view:ident) => {
        impl crate::wire::DumpFilter for $filter {
            type View<'a> = $view<'a>;
            #[inline]
            fn matches(&self, v: &$view<'_>) -> bool {
                <$filter>::matches(self, v)
            }
        }
    };
}
pub(crate) use dump_filter;

/// Attributes kept as they came, for what an owned object does not model: packed as
/// on the wire (each `struct rtattr` header with its type and flag bits, the payload,
/// the padding), so that they are emitted back byte for byte, and so that holding
/// them costs one buffer (dropping an object that has none costs nothing).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RawAttrs(Vec<u8>);

impl RawAttrs {
    /// None.
    pub const fn new() -> RawAttrs {
        RawAttrs(Vec::new())
    }

    /// True when there is none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Appends an attribute of type `ty` (flag bits included) with `value`; a payload
    /// over 65,531 bytes (what `rta_len` can say) is refused.
    pub fn push(&mut self, ty: u16, value: &[u8]) -> Result<(), WireError> {
        let len = u16::try_from(RtAttr::LEN + value.len()).map_err(|_| WireError::TooLong)?;
        self.0.extend_from_slice(&len.to_ne_bytes());
        self.0.extend_from_slice(&ty.to_ne_bytes());
        self.0.extend_from_slice(value);
        self.0.resize(align4(self.0.len()), 0);
        Ok(())
    }

    /// Appends a copy of `a`, its full type as its header had it.
    pub fn push_attr(&mut self, a: &Attr<'_>) {
        // `a` came out of a valid attribute, so its length fits.
        let _ = self.push(a.raw_type, a.value);
    }

    /// The attributes, as they would be read off the wire.
    pub fn iter(&self) -> Attrs<'_> {
        Attrs::new(&self.0)
    }

    /// The first attribute of type `ty` (flag bits masked), if any.
    pub fn get(&self, ty: u16) -> Option<Attr<'_>> {
        self.iter().flatten().find(|a| a.ty == ty)
    }

    /// The packed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for RawAttrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().flatten().map(|a| (a.raw_type, a.value)))
            .finish()
    }
}

/// Emits every raw attribute, as they came.
#[inline(always)]
pub(crate) fn emit_raw(b: &mut MsgBuilder<'_>, raw: &RawAttrs) -> Result<(), WireError> {
    if raw.is_empty() {
        return Ok(());
    }
    b.raw(&raw.0)
}
