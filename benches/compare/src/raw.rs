//! The floors: the least a program can do with libc alone — a raw `NETLINK_ROUTE`
//! socket, hand-laid messages, one `sendto` and as few `recv`s as possible. Minimal
//! on purpose (little error handling beyond counting kernel errors).

use std::io;

pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
const RTM_NEWLINK: u16 = 16;
const RTM_NEWROUTE: u16 = 24;
const RTM_GETROUTE: u16 = 26;
const F_REQUEST: u16 = 1;
const F_ACK: u16 = 4;
const F_EXCL: u16 = 0x200;
const F_CREATE: u16 = 0x400;
const F_DUMP: u16 = 0x300;

/// A raw netlink socket.
pub struct Raw {
    fd: i32,
    pub seq: u32,
    pub rx: Vec<u8>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor.
        unsafe { libc::close(self.fd) };
    }
}

fn cvt(r: isize) -> io::Result<usize> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

impl Raw {
    /// `socket` + `bind` (the kernel picks the port id); nothing else.
    pub fn new() -> io::Result<Raw> {
        // SAFETY: plain syscall.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: zeroed sockaddr_nl is valid.
        let mut a: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        a.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: valid sockaddr of the given size.
        let r = unsafe {
            libc::bind(
                fd,
                (&a as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        let s = Raw {
            fd,
            seq: 1,
            rx: vec![0; 32 << 10],
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(s)
    }

    /// Asks for a big receive buffer (for large dumps).
    pub fn big_rcvbuf(&self) {
        let v: libc::c_int = 4 << 20;
        // SAFETY: valid option pointer and size.
        unsafe {
            libc::setsockopt(
                self.fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&v as *const libc::c_int).cast(),
                4,
            )
        };
    }

    pub fn send(&self, b: &[u8]) -> io::Result<()> {
        // SAFETY: zeroed sockaddr_nl is valid.
        let mut k: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        k.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: `b` valid for reads; `k` a valid sockaddr.
        let n = unsafe {
            libc::sendto(
                self.fd,
                b.as_ptr().cast(),
                b.len(),
                0,
                (&k as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        cvt(n).map(drop)
    }

    /// One `recv` into `self.rx`.
    pub fn recv(&mut self) -> io::Result<usize> {
        // SAFETY: rx valid for writes of its length.
        let n = unsafe { libc::recv(self.fd, self.rx.as_mut_ptr().cast(), self.rx.len(), 0) };
        cvt(n)
    }

    /// Sends `RTM_NEWLINK` for `ifindex` with `IFF_UP` set (or cleared) and waits for
    /// the ACK: one `sendto`, one `recv`.
    pub fn set_up(&mut self, ifindex: i32, up: bool) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let mut m = [0u8; 32];
        m[0..4].copy_from_slice(&32u32.to_ne_bytes());
        m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
        m[6..8].copy_from_slice(&(F_REQUEST | F_ACK).to_ne_bytes());
        m[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        m[20..24].copy_from_slice(&ifindex.to_ne_bytes());
        m[24..28].copy_from_slice(&(up as u32).to_ne_bytes()); // ifi_flags
        m[28..32].copy_from_slice(&1u32.to_ne_bytes()); // ifi_change = IFF_UP
        self.send(&m)?;
        let n = self.recv()?;
        let e = first_error(&self.rx[..n]);
        if e != 0 {
            return Err(io::Error::from_raw_os_error(-e));
        }
        Ok(())
    }
}

impl Raw {
    /// Diagnostic variants of [`Raw::set_up`]: select the link by name (`ifi_index`
    /// 0 + `IFLA_IFNAME`) and/or size the receive with a `MSG_PEEK|MSG_TRUNC` first.
    pub fn set_up_by_name(&mut self, name: &str, up: bool, peek: bool) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let mut m = [0u8; 64];
        let al = 4 + name.len() + 1;
        let n = 32 + ((al + 3) & !3);
        m[0..4].copy_from_slice(&(n as u32).to_ne_bytes());
        m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
        m[6..8].copy_from_slice(&(F_REQUEST | F_ACK).to_ne_bytes());
        m[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        m[24..28].copy_from_slice(&(up as u32).to_ne_bytes());
        m[28..32].copy_from_slice(&1u32.to_ne_bytes());
        m[32..34].copy_from_slice(&(al as u16).to_ne_bytes());
        m[34..36].copy_from_slice(&3u16.to_ne_bytes()); // IFLA_IFNAME
        m[36..36 + name.len()].copy_from_slice(name.as_bytes());
        self.send(&m[..n])?;
        if peek {
            // SAFETY: a zero-length read.
            let r = unsafe {
                libc::recv(
                    self.fd,
                    std::ptr::null_mut(),
                    0,
                    libc::MSG_PEEK | libc::MSG_TRUNC,
                )
            };
            cvt(r)?;
        }
        let n = self.recv()?;
        let e = first_error(&self.rx[..n]);
        if e != 0 {
            return Err(io::Error::from_raw_os_error(-e));
        }
        Ok(())
    }
}

/// The `error` field of the first `NLMSG_ERROR` in `b` (0 for an ACK).
fn first_error(b: &[u8]) -> i32 {
    if b.len() >= 20 && u16::from_ne_bytes([b[4], b[5]]) == NLMSG_ERROR {
        i32::from_ne_bytes([b[16], b[17], b[18], b[19]])
    } else {
        0
    }
}

/// A v4 route as the benches make them: `dst/len` via `gw` or `dev oif`.
#[derive(Clone, Copy)]
pub struct R4 {
    pub dst: [u8; 4],
    pub len: u8,
    pub gw: Option<[u8; 4]>,
    pub oif: u32,
}

/// Which nexthop object a route names when installed through nexthop objects: 2 (the
/// gateway) for gateway routes, 1 (the device) for the others.
pub fn nh_id(r: &R4) -> u32 {
    if r.gw.is_some() {
        2
    } else {
        1
    }
}

/// Hand-written `RTM_NEWROUTE` into `b` (which must have room); returns its length.
/// With `nh`, the route names a nexthop object (`RTA_NH_ID`, see [`nh_id`]) instead
/// of carrying its gateway and device, as `ip route add DST nhid ID` sends it.
#[inline]
fn put_route(b: &mut [u8], seq: u32, r: &R4, ack: bool, nh: bool) -> usize {
    // Length: header 16 + rtmsg 12 + RTA_DST 8, then RTA_NH_ID, or [RTA_GATEWAY] RTA_OIF.
    let n = match (nh, r.gw) {
        (true, _) => 44,
        (false, Some(_)) => 52,
        (false, None) => 44,
    };
    b[0..4].copy_from_slice(&(n as u32).to_ne_bytes());
    b[4..6].copy_from_slice(&RTM_NEWROUTE.to_ne_bytes());
    let f = F_REQUEST | F_CREATE | F_EXCL | if ack { F_ACK } else { 0 };
    b[6..8].copy_from_slice(&f.to_ne_bytes());
    b[8..12].copy_from_slice(&seq.to_ne_bytes());
    b[12..16].fill(0);
    // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags;
    // link scope only for a device route of its own.
    let scope = if nh || r.gw.is_some() { 0 } else { 253 };
    b[16..28].copy_from_slice(&[2, r.len, 0, 0, 254, 3, scope, 1, 0, 0, 0, 0]);
    b[28..32].copy_from_slice(&[8, 0, 1, 0]); // RTA_DST
    b[32..36].copy_from_slice(&r.dst);
    if nh {
        b[36..40].copy_from_slice(&[8, 0, 30, 0]); // RTA_NH_ID
        b[40..44].copy_from_slice(&nh_id(r).to_ne_bytes());
        return n;
    }
    let mut at = 36;
    if let Some(g) = r.gw {
        b[36..40].copy_from_slice(&[8, 0, 5, 0]); // RTA_GATEWAY
        b[40..44].copy_from_slice(&g);
        at = 44;
    }
    b[at..at + 4].copy_from_slice(&[8, 0, 4, 0]); // RTA_OIF
    b[at + 4..at + 8].copy_from_slice(&r.oif.to_ne_bytes());
    n
}

/// Installs `routes` in 64 KiB datagrams; with `ack_every` every request asks for an
/// ACK, else only the last of each datagram. Returns how many the kernel refused.
pub fn install_routes(s: &mut Raw, routes: &[R4], ack_every: bool) -> io::Result<usize> {
    install(s, routes, ack_every, false)
}

/// As [`install_routes`] (ACK at datagram end), each route naming its nexthop object.
pub fn install_routes_nh(s: &mut Raw, routes: &[R4]) -> io::Result<usize> {
    install(s, routes, false, true)
}

fn install(s: &mut Raw, routes: &[R4], ack_every: bool, nh: bool) -> io::Result<usize> {
    let mut buf = vec![0u8; 64 << 10];
    let mut refused = 0;
    let mut i = 0;
    while i < routes.len() {
        let mut len = 0;
        let mut last_off = 0;
        while i < routes.len() && len + 64 <= buf.len() {
            s.seq = s.seq.wrapping_add(1);
            last_off = len;
            len += put_route(&mut buf[len..], s.seq, &routes[i], ack_every, nh);
            i += 1;
        }
        let last = s.seq;
        // The last message of the datagram always asks for the ACK.
        let f = u16::from_ne_bytes([buf[last_off + 6], buf[last_off + 7]]) | F_ACK;
        buf[last_off + 6..last_off + 8].copy_from_slice(&f.to_ne_bytes());
        s.send(&buf[..len])?;
        // Replies: errors (any) and ACKs; done when the last seq is answered.
        'recv: loop {
            let n = s.recv()?;
            let mut off = 0;
            while off + 16 <= n {
                let b = &s.rx[off..n];
                let ml = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize;
                let seq = u32::from_ne_bytes([b[8], b[9], b[10], b[11]]);
                if u16::from_ne_bytes([b[4], b[5]]) == NLMSG_ERROR {
                    if first_error(b) != 0 {
                        refused += 1;
                    }
                    if seq == last {
                        break 'recv;
                    }
                }
                off += (ml + 3) & !3;
                if ml < 16 {
                    break;
                }
            }
        }
    }
    Ok(refused)
}

/// What the hand-written dump reads out of each route.
#[derive(Default, Clone, Copy)]
pub struct Parsed {
    pub dst: [u8; 4],
    pub len: u8,
    pub table: u32,
    pub gw: Option<[u8; 4]>,
    pub oif: Option<u32>,
}

/// Dumps the IPv4 routes, parsing each into a [`Parsed`] handed to `f`; returns the
/// number of routes.
pub fn dump_routes(s: &mut Raw, mut f: impl FnMut(&Parsed)) -> io::Result<usize> {
    s.seq = s.seq.wrapping_add(1);
    let mut m = [0u8; 28];
    m[0..4].copy_from_slice(&28u32.to_ne_bytes());
    m[4..6].copy_from_slice(&RTM_GETROUTE.to_ne_bytes());
    m[6..8].copy_from_slice(&(F_REQUEST | F_DUMP).to_ne_bytes());
    m[8..12].copy_from_slice(&s.seq.to_ne_bytes());
    m[16] = 2; // AF_INET
    s.send(&m)?;
    let mut count = 0;
    loop {
        let n = s.recv()?;
        let mut off = 0;
        while off + 16 <= n {
            let b = &s.rx[off..n];
            let ml = (u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize).min(b.len());
            let ty = u16::from_ne_bytes([b[4], b[5]]);
            if ty == NLMSG_DONE || ty == NLMSG_ERROR {
                return Ok(count);
            }
            if ty == RTM_NEWROUTE && ml >= 28 {
                let mut p = Parsed {
                    len: b[17],
                    table: b[20] as u32,
                    ..Default::default()
                };
                let mut a = 28;
                while a + 4 <= ml {
                    let al = u16::from_ne_bytes([b[a], b[a + 1]]) as usize;
                    let at = u16::from_ne_bytes([b[a + 2], b[a + 3]]);
                    if al < 4 || a + al > ml {
                        break;
                    }
                    let v = &b[a + 4..a + al];
                    match (at, v.len()) {
                        (1, 4) => p.dst.copy_from_slice(v),
                        (5, 4) => p.gw = Some([v[0], v[1], v[2], v[3]]),
                        (4, 4) => p.oif = Some(u32::from_ne_bytes([v[0], v[1], v[2], v[3]])),
                        (15, 4) => p.table = u32::from_ne_bytes([v[0], v[1], v[2], v[3]]),
                        _ => {}
                    }
                    a += (al + 3) & !3;
                }
                f(&p);
                count += 1;
            }
            if ml < 16 {
                break;
            }
            off += (ml + 3) & !3;
        }
    }
}
