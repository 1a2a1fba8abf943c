//! Evidence for the s390x (big-endian) runs under `qemu-s390x-static`: where a kernel
//! test fails there, the fault is qemu-user's partial translation of rtnetlink between
//! the guest's byte order and the host's, not rtnl's parser.
//!
//! qemu-user forwards netlink to the host (little-endian) kernel and byte-swaps what
//! it knows of the messages. It leaves an attribute header in host order when the
//! attribute is the last of its message and has no payload (its loop runs while
//! `len > sizeof(struct rtattr)`); kernel 6.x ends every `RTM_NEWLINK` with such empty
//! nested attributes (`IFLA_DEVLINK_PORT`, `IFLA_DPLL_PIN`). rtnl reads that header's
//! length as 0x0400 and, correctly, refuses the message as malformed.
//!
//! This test receives a real `RTM_NEWLINK` for `lo` through rtnl's own socket and
//! exchange code, and shows, on every target:
//! - natively (x86-64, i686, aarch64 under qemu, which is little-endian like the
//!   host): rtnl parses the datagram as is;
//! - on s390x under qemu: every header rtnl reads before the tail is right (the
//!   message parses up to the untranslated attribute), and after undoing qemu's one
//!   known omission (swapping that trailing empty attribute's header) the same bytes
//!   parse completely and give the right link — so the parser is right and the bytes
//!   were wrong.
#![cfg(target_os = "linux")]

mod common;

use rtnl::abi::*;
use rtnl::wire::link::{LinkGet, LinkMsg};
use rtnl::wire::{Attrs, Messages, WireError};
use rtnl::{Conn, Decode, Request, Socket, Transport};
use std::io;

/// A transport that keeps a copy of every datagram it receives.
struct Recording {
    inner: Socket,
    got: Vec<Vec<u8>>,
}

impl Transport for Recording {
    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.send(buf)
    }
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let n = self.inner.recv(buf)?;
        self.got.push(buf[..n].to_vec());
        Ok(n)
    }
    fn port_id(&self) -> u32 {
        self.inner.port_id()
    }
}

/// Undoes qemu-user's known omission: an attribute whose header length, read in the
/// host's order, is 4 (a header without payload) while its native reading points past
/// the message, is swapped. Returns how many were fixed.
fn fix_untranslated_empty_attrs(attrs: &mut [u8]) -> usize {
    let mut fixed = 0;
    let mut off = 0;
    while off + 4 <= attrs.len() {
        let native = u16::from_ne_bytes([attrs[off], attrs[off + 1]]) as usize;
        let swapped = u16::from_ne_bytes([attrs[off + 1], attrs[off]]) as usize;
        let len = if (native < 4 || off + native > attrs.len()) && swapped == 4 {
            attrs.swap(off, off + 1);
            attrs.swap(off + 2, off + 3);
            fixed += 1;
            4
        } else {
            native
        };
        if len < 4 {
            break;
        }
        off += (len + 3) & !3;
    }
    fixed
}

#[test]
fn a_link_reply_parses_natively_and_under_qemu_after_undoing_its_known_omission() {
    if !common::can_run_kernel_tests("qemu_user_translation") {
        return;
    }
    let under_qemu_be = cfg!(target_endian = "big") && std::env::var_os("RTNL_QEMU_USER").is_some();
    common::in_netns(|| {
        let socket = Socket::new().expect("netlink socket");
        let mut conn = Conn::new(Recording {
            inner: socket,
            got: Vec::new(),
        });
        // RTM_GETLINK for "lo" with its statistics (no IFLA_EXT_MASK): the header and
        // IFLA_IFNAME; Conn::get adds NLM_F_REQUEST.
        let mut buf = [0u8; 128];
        let n = LinkGet {
            link: "lo".into(),
            stats: true,
        }
        .emit(&mut buf)
        .unwrap();
        let mut direct = None;
        let r = conn.get(&mut buf[..n], |m| {
            direct = Some(
                LinkMsg::decode(m).map(|l| (l.index(), l.name_str().map(str::to_owned), l.mtu)),
            );
            Ok(())
        });
        r.expect("the exchange itself (headers, sequence numbers) works everywhere");
        let datagram = conn.transport().got.last().expect("a reply").clone();
        let direct = direct.expect("a link message");

        if !under_qemu_be {
            assert_eq!(direct, Ok((1, Some("lo".to_owned()), Some(65536))));
            return;
        }
        // s390x under qemu: the message header and ifinfomsg were translated...
        let m = Messages::new(&datagram).next().unwrap().unwrap();
        assert_eq!(m.header.nlmsg_type, RTM_NEWLINK);
        let (ifi, _) = m.split::<IfInfoMsg>().unwrap();
        assert_eq!(ifi.ifi_index, 1, "ifinfomsg is translated");
        // ... but the whole message does not parse as it arrived:
        eprintln!("s390x under qemu-user: rtnl's parse of the raw reply: {direct:?}");
        assert_eq!(
            direct,
            Err(WireError::BadLength),
            "if this changes, qemu-user's translation changed: update README's platform notes"
        );
        // Undo qemu's omission in the same bytes and parse again.
        let mut fixed_bytes = datagram.clone();
        let attrs_at = 16 + 16;
        let len = m.header.nlmsg_len as usize;
        let fixed = fix_untranslated_empty_attrs(&mut fixed_bytes[attrs_at..len]);
        eprintln!("s390x under qemu-user: {fixed} untranslated empty attribute header(s) swapped");
        assert!(fixed >= 1);
        let m = Messages::new(&fixed_bytes).next().unwrap().unwrap();
        for a in Attrs::new(&m.payload[16..]) {
            a.expect("every attribute is well-formed once qemu's omission is undone");
        }
        let l = LinkMsg::decode(&m).expect("rtnl parses the corrected bytes");
        assert_eq!(
            (l.index(), l.name_str(), l.mtu),
            (1, Some("lo"), Some(65536))
        );
    });
}
