//! Layer `wire`: decoding of the kernel's answers — `NLMSG_ERROR` (an ACK when its
//! errno is 0, a refusal otherwise, with extended-ACK attributes) and `NLMSG_DONE`
//! (the end of a dump, which may carry an errno and extended-ACK attributes too).
//!
//! Where the extended-ACK attributes start depends on `NLM_F_CAPPED`: without it the
//! kernel echoes the whole request after `struct nlmsgerr`, and the attributes follow
//! that echo; with it (our sockets set `NETLINK_CAP_ACK`) they follow the 20 bytes.
//! Never panics; a malformed answer is a [`WireError`].

use crate::abi::{
    align4, Header, NlMsgErr, NlMsgHdr, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG,
    NLMSGERR_ATTR_OFFS, NLM_F_ACK_TLVS, NLM_F_CAPPED,
};
use crate::wire::{Attrs, Message, WireError};

/// A decoded `NLMSG_ERROR` or `NLMSG_DONE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AckMsg<'a> {
    /// 0 for an ACK, else a negative errno as the kernel sends it.
    pub error: i32,
    /// The header of the request this answers (for `NLMSG_ERROR`); for `NLMSG_DONE`,
    /// the DONE message's own header.
    pub request: NlMsgHdr,
    /// `NLMSGERR_ATTR_MSG`: the kernel's human-readable reason.
    pub message: Option<&'a str>,
    /// `NLMSGERR_ATTR_OFFS`: byte offset, in the request, of the offending attribute.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: type of a required attribute that was missing.
    pub missing_type: Option<u32>,
}

impl AckMsg<'_> {
    /// The positive errno, or 0 for success.
    #[inline]
    pub fn errno(&self) -> i32 {
        self.error.checked_neg().unwrap_or(i32::MAX)
    }
}

fn ext_ack<'a>(ack: &mut AckMsg<'a>, tlvs: &'a [u8]) -> Result<(), WireError> {
    for a in Attrs::new(tlvs) {
        let a = a?;
        match a.ty {
            NLMSGERR_ATTR_MSG => ack.message = Some(a.str()?),
            NLMSGERR_ATTR_OFFS => ack.offset = Some(a.u32()?),
            NLMSGERR_ATTR_MISS_TYPE => ack.missing_type = Some(a.u32()?),
            _ => {} // cookies, policies, newer kinds: skipped
        }
    }
    Ok(())
}

/// Decodes the payload of an `NLMSG_ERROR` message.
pub fn parse_error<'a>(msg: &Message<'a>) -> Result<AckMsg<'a>, WireError> {
    let e = NlMsgErr::read_from(msg.payload).ok_or(WireError::Truncated)?;
    let mut ack = AckMsg {
        error: e.error,
        request: e.msg,
        message: None,
        offset: None,
        missing_type: None,
    };
    if msg.header.nlmsg_flags & NLM_F_ACK_TLVS != 0 {
        let start = if msg.header.nlmsg_flags & NLM_F_CAPPED != 0 {
            NlMsgErr::LEN
        } else {
            let echoed = (e.msg.nlmsg_len as usize).saturating_sub(NlMsgHdr::LEN);
            align4(NlMsgErr::LEN + echoed)
        };
        // A start past the end means the kernel sent no TLVs after all: not an error.
        if let Some(tlvs) = msg.payload.get(start..) {
            ext_ack(&mut ack, tlvs)?;
        }
    }
    Ok(ack)
}

/// Decodes an `NLMSG_DONE`: its optional 4-byte errno and extended-ACK attributes.
/// An empty payload (old kernels, some families) is success.
pub fn parse_done<'a>(msg: &Message<'a>) -> Result<AckMsg<'a>, WireError> {
    let mut ack = AckMsg {
        error: 0,
        request: msg.header,
        message: None,
        offset: None,
        missing_type: None,
    };
    if msg.payload.is_empty() {
        return Ok(ack);
    }
    let b = msg.payload.get(..4).ok_or(WireError::Truncated)?;
    ack.error = i32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
    if msg.header.nlmsg_flags & NLM_F_ACK_TLVS != 0 {
        ext_ack(&mut ack, &msg.payload[4..])?;
    }
    Ok(ack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;
    use crate::wire::{Messages, MsgBuilder};

    fn error_msg(flags: u16, echo: &[u8], msg: Option<&str>) -> Vec<u8> {
        let mut buf = vec![0u8; 256];
        let mut b = MsgBuilder::new(&mut buf, NLMSG_ERROR, flags).unwrap();
        b.header(&NlMsgErr {
            error: -95,
            msg: NlMsgHdr {
                nlmsg_len: (16 + echo.len()) as u32,
                nlmsg_type: RTM_NEWLINK,
                nlmsg_flags: NLM_F_REQUEST | NLM_F_ACK,
                nlmsg_seq: 9,
                nlmsg_pid: 0,
            },
        })
        .unwrap();
        b.raw(echo).unwrap();
        if let Some(m) = msg {
            b.attr_str(NLMSGERR_ATTR_MSG, m).unwrap();
            b.attr_u32(NLMSGERR_ATTR_OFFS, 36).unwrap();
        }
        let n = b.finish().unwrap();
        buf.truncate(n);
        buf
    }

    #[test]
    fn capped_and_uncapped_extended_acks() {
        let d = error_msg(
            NLM_F_CAPPED | NLM_F_ACK_TLVS,
            &[],
            Some("Unknown device type"),
        );
        let m = Messages::new(&d).next().unwrap().unwrap();
        let a = parse_error(&m).unwrap();
        assert_eq!(a.errno(), 95);
        assert_eq!(a.request.nlmsg_seq, 9);
        assert_eq!(a.message, Some("Unknown device type"));
        assert_eq!(a.offset, Some(36));

        let d = error_msg(NLM_F_ACK_TLVS, &[1, 2, 3, 4, 5, 6], Some("bad"));
        let m = Messages::new(&d).next().unwrap().unwrap();
        let a = parse_error(&m).unwrap();
        assert_eq!(a.message, Some("bad"));

        let d = error_msg(0, &[1, 2, 3, 4], None);
        let m = Messages::new(&d).next().unwrap().unwrap();
        let a = parse_error(&m).unwrap();
        assert_eq!((a.errno(), a.message), (95, None));
    }

    #[test]
    fn done_with_and_without_errno() {
        let mut buf = [0u8; 64];
        let b = MsgBuilder::new(&mut buf, NLMSG_DONE, NLM_F_MULTI).unwrap();
        let n = b.finish().unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        assert_eq!(parse_done(&m).unwrap().error, 0);

        let mut b = MsgBuilder::new(&mut buf, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS).unwrap();
        b.raw(&(-22i32).to_ne_bytes()).unwrap();
        b.attr_str(NLMSGERR_ATTR_MSG, "Invalid header").unwrap();
        let n = b.finish().unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let a = parse_done(&m).unwrap();
        assert_eq!((a.errno(), a.message), (22, Some("Invalid header")));
    }
}
