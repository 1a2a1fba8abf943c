//! Layer `wire`: netlink messages as bytes — building them into caller-owned buffers
//! and reading them zero-copy out of received datagrams. No syscalls, no heap
//! allocation, no `unsafe`, no panics: a pure function of its input, so it can be
//! golden-tested against iproute2's bytes and fuzzed without a kernel.
//!
//! - [`MsgBuilder`]: one message in place; typed attribute writers; nesting by
//!   begin / back-patch / end.
//! - [`Messages`] / [`Attrs`]: bounds-checked iteration over a datagram and over a
//!   message's attributes.
//! - [`parse_error`] / [`parse_done`]: the kernel's answers with extended ACK.
//! - [`link`], [`addr`], [`route`], [`nexthop`]: each message family's requests and replies,
//!   encoded and decoded in one place.

mod ack;
mod builder;
mod parser;

pub mod addr;
pub mod link;
pub mod nexthop;
pub mod route;

pub use ack::{parse_done, parse_error, AckMsg};
pub use builder::{set_seq_pid, MsgBuilder, Nest};
pub use parser::{Attr, Attrs, Message, Messages};

/// A malformed message, or one that cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The output buffer cannot hold the message.
    #[error("buffer too small for the message")]
    BufferTooSmall,
    /// A length does not fit its field (`rta_len` is a `u16`).
    #[error("attribute or message too long for its length field")]
    TooLong,
    /// A string attribute contains a NUL byte.
    #[error("string contains a NUL byte")]
    InteriorNul,
    /// Input ends inside a header.
    #[error("truncated header")]
    Truncated,
    /// A length field is smaller than its header or runs past the enclosing buffer.
    #[error("length field out of bounds")]
    BadLength,
    /// An attribute's payload does not have the size or content its type needs.
    #[error("malformed attribute of type {0}")]
    BadAttribute(u16),
    /// A message of a type that was not expected here.
    #[error("unexpected message type {0}")]
    UnexpectedType(u16),
}
