//! Layer `wire`: traffic control — `RTM_*QDISC` and `RTM_*TFILTER` messages. [`Qdisc`]
//! and [`Filter`] are the owned objects (what `tc qdisc add|replace|del` and `tc
//! filter add|replace|del` send, what `tc qdisc show` / `tc filter show` return);
//! [`QdiscMsg`] and [`FilterMsg`] are their zero-copy views; [`QdiscFilter`] and
//! [`FilterFilter`] ask for dumps.
//!
//! Modelled: the `ingress` and `clsact` qdiscs, the `u32` classifier (selector and
//! keys, class id, actions) and the `mirred` action (redirect or mirror, egress or
//! ingress), which is what a VM host needs to join a tap and a NIC (the
//! tc-redirect-tap / kata `tcfilter` model: [`Filter::redirect`]). Any other qdisc,
//! classifier or action is kept raw and sent back as it came.
//!
//! Attribute order follows `tc`'s (`tests/golden_links.rs`): `TCA_KIND` (with its
//! NUL, unlike `IFLA_INFO_KIND`), then `TCA_OPTIONS`; in a `u32` filter the class id,
//! the actions, then the selector. What the kernel only reports (statistics,
//! counters, timestamps, hardware-offload state) is read into `reported` fields and
//! never sent.

use crate::abi::*;
use crate::error::{Error, Result};
use crate::wire::{
    emit_raw, Attr, Attrs, Decode, Message, MsgBuilder, Object, RawAttrs, Request, Verb, WireError,
};

/// `htons(p)` as the kernel keeps it in `tcm_info`'s low 16 bits.
#[inline]
fn htons(p: u16) -> u16 {
    u16::from_ne_bytes(p.to_be_bytes())
}

/// Where a qdisc or filter hangs, as `tc` spells it (`ffff:`, `ffff:fff2`, `root`).
pub fn handle_to_string(h: u32) -> String {
    match h {
        TC_H_ROOT => "root".into(),
        TC_H_UNSPEC => "none".into(),
        h if h & TC_H_MIN_MASK == 0 => format!("{:x}:", h >> 16),
        h => format!("{:x}:{:x}", h >> 16, h & TC_H_MIN_MASK),
    }
}

// ---------------------------------------------------------------------------------
// Qdiscs
// ---------------------------------------------------------------------------------

/// What kind of queueing discipline (`TCA_KIND`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QdiscKind {
    /// `ingress`: one hook for filters on received packets (parent `ffff:`).
    Ingress,
    /// `clsact`: hooks for received (`ffff:fff2`) and sent (`ffff:fff3`) packets.
    Clsact,
    /// Any other kind by name (`fq_codel`, `noqueue`, ...), with `TCA_OPTIONS`'
    /// payload, if any.
    Other {
        /// `TCA_KIND`.
        kind: String,
        /// `TCA_OPTIONS`' payload.
        options: Option<Vec<u8>>,
    },
}

impl QdiscKind {
    /// The kind's name (`"ingress"`, ...).
    pub fn name(&self) -> &str {
        match self {
            QdiscKind::Ingress => "ingress",
            QdiscKind::Clsact => "clsact",
            QdiscKind::Other { kind, .. } => kind,
        }
    }

    fn decode(kind: &[u8], options: Option<&[u8]>) -> QdiscKind {
        match kind {
            b"ingress" => QdiscKind::Ingress,
            b"clsact" => QdiscKind::Clsact,
            _ => QdiscKind::Other {
                kind: String::from_utf8_lossy(kind).into_owned(),
                options: options.map(<[u8]>::to_vec),
            },
        }
    }
}

/// A queueing discipline on a link (`tc qdisc add dev DEV ingress|clsact`).
///
/// Deleting one that is absent gives `ENOENT` ("Cannot find specified qdisc on
/// specified device") on a link that never had an ingress qdisc, but `EINVAL`
/// ("Invalid handle") on one that had: [`crate::Handle::qdiscs`] tells which is there.
///
/// ```
/// use rtnl::Qdisc;
/// // tc qdisc add dev IFINDEX 3 ingress
/// let q = Qdisc::ingress(3);
/// assert_eq!((q.handle, q.parent), (0xffff_0000, 0xffff_fff1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Qdisc {
    /// `tcm_ifindex`: the link.
    pub ifindex: u32,
    /// `tcm_handle` (`ffff:` for ingress and clsact).
    pub handle: u32,
    /// `tcm_parent` (`TC_H_INGRESS` for ingress and clsact, `TC_H_ROOT` for a root
    /// qdisc).
    pub parent: u32,
    /// `TCA_KIND` (and `TCA_OPTIONS` for kinds not modelled).
    pub kind: QdiscKind,
    /// Attributes this crate does not model, as they came; sent back.
    pub other: RawAttrs,
    /// What the kernel reports and never takes back (`TCA_STATS`, `TCA_STATS2`,
    /// `TCA_XSTATS`, `TCA_HW_OFFLOAD`, ...): never sent.
    pub reported: RawAttrs,
}

impl Qdisc {
    /// `tc qdisc add dev DEV ingress`: handle `ffff:`, parent `TC_H_INGRESS`.
    pub fn ingress(ifindex: u32) -> Qdisc {
        Qdisc {
            ifindex,
            handle: tc_h_make(0xffff_0000, 0),
            parent: TC_H_INGRESS,
            kind: QdiscKind::Ingress,
            other: RawAttrs::new(),
            reported: RawAttrs::new(),
        }
    }

    /// `tc qdisc add dev DEV clsact`: handle `ffff:`, parent `TC_H_CLSACT`.
    pub fn clsact(ifindex: u32) -> Qdisc {
        Qdisc {
            kind: QdiscKind::Clsact,
            ..Qdisc::ingress(ifindex)
        }
    }

    fn tcmsg(&self) -> TcMsg {
        TcMsg {
            tcm_ifindex: self.ifindex as i32,
            tcm_handle: self.handle,
            tcm_parent: self.parent,
            ..Default::default()
        }
    }
}

impl Object for Qdisc {
    const NEW: u16 = RTM_NEWQDISC;
    const DEL: u16 = RTM_DELQDISC;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Replace, Verb::Change, Verb::Delete];

    fn check(&self, _verb: Verb) -> Result<()> {
        if self.ifindex == 0 || self.ifindex > i32::MAX as u32 {
            return Err(Error::invalid(
                "qdisc link index",
                self.ifindex,
                "not a link index",
            ));
        }
        if let QdiscKind::Other { kind, .. } = &self.kind {
            if kind.is_empty() || kind.contains('\0') {
                return Err(Error::invalid("qdisc kind", kind, "empty or contains NUL"));
            }
        }
        Ok(())
    }

    fn emit_body(&self, _verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&self.tcmsg())?;
        b.attr_text(TCA_KIND, self.kind.name(), true)?;
        if let QdiscKind::Other {
            options: Some(o), ..
        } = &self.kind
        {
            b.attr_bytes(TCA_OPTIONS, o)?;
        }
        emit_raw(b, &self.other)
    }
}

/// A qdisc as the kernel describes it in `RTM_NEWQDISC`/`RTM_DELQDISC`, borrowing the
/// datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QdiscMsg<'a> {
    /// The message's `tcmsg`.
    pub header: TcMsg,
    /// `TCA_KIND`, without its NUL.
    pub kind: Option<&'a [u8]>,
    /// `TCA_OPTIONS`' payload.
    pub options: Option<&'a [u8]>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl<'a> Decode<'a> for QdiscMsg<'a> {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWQDISC && ty != RTM_DELQDISC {
            return Err(WireError::UnexpectedType(ty));
        }
        let (header, attrs) = msg.split::<TcMsg>()?;
        let mut q = QdiscMsg {
            header,
            attrs: msg.payload.get(TcMsg::LEN..).unwrap_or(&[]),
            ..Default::default()
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                TCA_KIND => q.kind = Some(a.bytes_z()),
                TCA_OPTIONS => q.options = Some(a.value),
                _ => {}
            }
        }
        Ok(q)
    }
}

/// Whether a tc attribute is one the kernel only reports.
fn is_reported(ty: u16) -> bool {
    matches!(
        ty,
        TCA_STATS | TCA_XSTATS | TCA_STATS2 | TCA_FCNT | TCA_HW_OFFLOAD | TCA_PAD
    ) || ty == TCA_EXT_WARN_MSG
}

impl From<&QdiscMsg<'_>> for Qdisc {
    fn from(m: &QdiscMsg<'_>) -> Qdisc {
        let mut q = Qdisc {
            ifindex: m.header.tcm_ifindex as u32,
            handle: m.header.tcm_handle,
            parent: m.header.tcm_parent,
            kind: QdiscKind::decode(m.kind.unwrap_or_default(), m.options),
            other: RawAttrs::new(),
            reported: RawAttrs::new(),
        };
        for a in Attrs::new(m.attrs).flatten() {
            match a.ty {
                TCA_KIND => {}
                // Kept in the kind for kinds not modelled; ingress and clsact have
                // none worth keeping (an empty nest).
                TCA_OPTIONS => {}
                t if is_reported(t) => q.reported.push_attr(&a),
                _ => q.other.push_attr(&a),
            }
        }
        q
    }
}

impl<'a> Decode<'a> for Qdisc {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        QdiscMsg::decode(msg).map(|v| Qdisc::from(&v))
    }
}

/// An `RTM_GETQDISC` dump (`tc qdisc show [dev DEV]`): the kernel filters by link
/// (with strict checking); [`matches`](Self::matches) filters again here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QdiscFilter {
    /// Only the qdiscs of this link (0: all).
    pub ifindex: u32,
}

crate::wire::dump_filter!(QdiscFilter, QdiscMsg);

impl QdiscFilter {
    /// Whether `q` passes the filter.
    pub fn matches(&self, q: &QdiscMsg<'_>) -> bool {
        self.ifindex == 0 || q.header.tcm_ifindex as u32 == self.ifindex
    }
}

impl Request for QdiscFilter {
    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETQDISC, 0)?;
        b.header(&TcMsg {
            tcm_ifindex: self.ifindex as i32,
            ..Default::default()
        })?;
        b.finish()
    }
}

// ---------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------

/// What `mirred` does with a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MirredAction {
    /// `redirect`: the packet goes to the target instead (`TCA_*_REDIR`).
    Redirect,
    /// `mirror`: a copy goes to the target (`TCA_*_MIRROR`).
    Mirror,
}

/// Which way `mirred` sends to its target link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `egress`: out of the target (as if the target sent it).
    Egress,
    /// `ingress`: into the target (as if the target received it).
    Ingress,
}

/// The `mirred` action (`action mirred egress|ingress redirect|mirror dev DEV`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mirred {
    /// Redirect or mirror.
    pub action: MirredAction,
    /// Egress or ingress of the target.
    pub direction: Direction,
    /// The target link, by index.
    pub ifindex: u32,
    /// What happens to the packet next (`tc_gen.action`, a `TC_ACT_*`): `tc` sends
    /// `TC_ACT_STOLEN` for a redirect and `TC_ACT_PIPE` for a mirror.
    pub verdict: i32,
    /// The action's index in the kernel's table (0: let the kernel pick).
    pub index: u32,
}

impl Mirred {
    /// `action mirred egress redirect dev IFINDEX`, as `tc` sends it.
    pub fn redirect(ifindex: u32) -> Mirred {
        Mirred {
            action: MirredAction::Redirect,
            direction: Direction::Egress,
            ifindex,
            verdict: TC_ACT_STOLEN,
            index: 0,
        }
    }

    /// `action mirred egress mirror dev IFINDEX`, as `tc` sends it.
    pub fn mirror(ifindex: u32) -> Mirred {
        Mirred {
            action: MirredAction::Mirror,
            verdict: TC_ACT_PIPE,
            ..Mirred::redirect(ifindex)
        }
    }

    fn eaction(&self) -> i32 {
        match (self.direction, self.action) {
            (Direction::Egress, MirredAction::Redirect) => TCA_EGRESS_REDIR,
            (Direction::Egress, MirredAction::Mirror) => TCA_EGRESS_MIRROR,
            (Direction::Ingress, MirredAction::Redirect) => TCA_INGRESS_REDIR,
            (Direction::Ingress, MirredAction::Mirror) => TCA_INGRESS_MIRROR,
        }
    }

    fn from_parms(p: &TcMirred) -> Option<Mirred> {
        let (direction, action) = match p.eaction {
            TCA_EGRESS_REDIR => (Direction::Egress, MirredAction::Redirect),
            TCA_EGRESS_MIRROR => (Direction::Egress, MirredAction::Mirror),
            TCA_INGRESS_REDIR => (Direction::Ingress, MirredAction::Redirect),
            TCA_INGRESS_MIRROR => (Direction::Ingress, MirredAction::Mirror),
            _ => return None,
        };
        Some(Mirred {
            action,
            direction,
            ifindex: p.ifindex,
            verdict: p.action,
            index: p.index,
        })
    }
}

/// One action's kind and options.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActionKind {
    /// `mirred`.
    Mirred(Mirred),
    /// Any other action by name, with `TCA_ACT_OPTIONS`' payload.
    Other {
        /// `TCA_ACT_KIND`.
        kind: String,
        /// `TCA_ACT_OPTIONS`' payload.
        options: Option<Vec<u8>>,
    },
}

/// One action of a filter's action list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Action {
    /// Its kind and options.
    pub kind: ActionKind,
    /// Attributes this crate does not model, as they came; sent back.
    pub other: RawAttrs,
    /// What the kernel only reports (`TCA_ACT_STATS`, the `mirred` timestamps, ...):
    /// never sent.
    pub reported: RawAttrs,
}

impl From<Mirred> for Action {
    fn from(m: Mirred) -> Action {
        Action {
            kind: ActionKind::Mirred(m),
            other: RawAttrs::new(),
            reported: RawAttrs::new(),
        }
    }
}

impl Action {
    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        match &self.kind {
            ActionKind::Mirred(m) => {
                b.attr_text(TCA_ACT_KIND, "mirred", true)?;
                let o = b.begin_nested_flagged(TCA_ACT_OPTIONS)?;
                let parms = TcMirred {
                    index: m.index,
                    action: m.verdict,
                    eaction: m.eaction(),
                    ifindex: m.ifindex,
                    ..Default::default()
                };
                let mut p = [0u8; TcMirred::LEN];
                parms.write_to(&mut p);
                b.attr_bytes(TCA_MIRRED_PARMS, &p)?;
                b.end_nested(o)?;
            }
            ActionKind::Other { kind, options } => {
                b.attr_text(TCA_ACT_KIND, kind, true)?;
                if let Some(o) = options {
                    b.attr_bytes(TCA_ACT_OPTIONS | NLA_F_NESTED, o)?;
                }
            }
        }
        emit_raw(b, &self.other)
    }

    fn decode(a: &Attr<'_>) -> Action {
        let mut kind = None;
        let mut options = None;
        let mut other = RawAttrs::new();
        let mut reported = RawAttrs::new();
        for x in a.nested().flatten() {
            match x.ty {
                TCA_ACT_KIND => kind = Some(x.bytes_z()),
                TCA_ACT_OPTIONS => options = Some(x.value),
                TCA_ACT_STATS | TCA_ACT_PAD | TCA_ACT_USED_HW_STATS | TCA_ACT_IN_HW_COUNT => {
                    reported.push_attr(&x)
                }
                _ => other.push_attr(&x),
            }
        }
        let kind = match (kind, options) {
            (Some(b"mirred"), Some(o)) => {
                let mut m = None;
                let mut tm = RawAttrs::new();
                for x in Attrs::new(o).flatten() {
                    match x.ty {
                        TCA_MIRRED_PARMS => {
                            m = TcMirred::read_from(x.value)
                                .filter(|_| x.value.len() == TcMirred::LEN)
                                .as_ref()
                                .and_then(Mirred::from_parms)
                        }
                        _ => tm.push_attr(&x),
                    }
                }
                match m {
                    Some(m) => {
                        // The timestamps and the like: reported only.
                        for x in tm.iter().flatten() {
                            reported.push_attr(&x);
                        }
                        ActionKind::Mirred(m)
                    }
                    None => ActionKind::Other {
                        kind: "mirred".into(),
                        options: Some(o.to_vec()),
                    },
                }
            }
            (k, o) => ActionKind::Other {
                kind: String::from_utf8_lossy(k.unwrap_or_default()).into_owned(),
                options: o.map(<[u8]>::to_vec),
            },
        };
        Action {
            kind,
            other,
            reported,
        }
    }
}

fn emit_actions(b: &mut MsgBuilder<'_>, ty: u16, actions: &[Action]) -> Result<(), WireError> {
    if actions.is_empty() {
        return Ok(());
    }
    let list = b.begin_nested(ty)?;
    for (i, a) in actions.iter().enumerate() {
        // Actions are numbered from 1, in order.
        let n = b.begin_nested(u16::try_from(i + 1).map_err(|_| WireError::TooLong)?)?;
        a.emit(b)?;
        b.end_nested(n)?;
    }
    b.end_nested(list)
}

fn decode_actions(a: &Attr<'_>) -> Vec<Action> {
    let mut v: Vec<(u16, Action)> = a
        .nested()
        .flatten()
        .map(|x| (x.ty, Action::decode(&x)))
        .collect();
    v.sort_by_key(|(order, _)| *order);
    v.into_iter().map(|(_, a)| a).collect()
}

// ---------------------------------------------------------------------------------
// The u32 classifier
// ---------------------------------------------------------------------------------

/// One key of a `u32` selector (`match u32 VAL MASK at OFF`): host-order values (sent
/// big-endian, as the kernel compares them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct U32Key {
    /// The bits compared.
    pub mask: u32,
    /// Their value.
    pub val: u32,
    /// Offset in the packet (from the network header).
    pub off: i32,
    /// `offmask`.
    pub offmask: i32,
}

/// A `u32` selector (`struct tc_u32_sel` and its keys).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct U32Sel {
    /// `TC_U32_*` flags (`TC_U32_TERMINAL`: a match ends the lookup; `tc` sets it
    /// when the filter has actions or a class id).
    pub flags: u8,
    /// `offshift`.
    pub offshift: u8,
    /// `offmask` (host order).
    pub offmask: u16,
    /// `off`.
    pub off: u16,
    /// `offoff`.
    pub offoff: i16,
    /// `hoff`.
    pub hoff: i16,
    /// `hmask` (host order).
    pub hmask: u32,
    /// The keys: all must match.
    pub keys: Vec<U32Key>,
}

impl U32Sel {
    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        let n = u8::try_from(self.keys.len()).map_err(|_| WireError::TooLong)?;
        let len = TcU32Sel::LEN + self.keys.len() * TcU32Key::LEN;
        // At most 255 keys: 4096 bytes, built on the stack one key at a time.
        let nest = b.begin_nested(TCA_U32_SEL)?;
        let mut head = [0u8; TcU32Sel::LEN];
        TcU32Sel {
            flags: self.flags,
            offshift: self.offshift,
            nkeys: n,
            __pad: 0,
            offmask: htons(self.offmask),
            off: self.off,
            offoff: self.offoff,
            hoff: self.hoff,
            hmask: u32::from_ne_bytes(self.hmask.to_be_bytes()),
        }
        .write_to(&mut head);
        b.raw(&head)?;
        for k in &self.keys {
            let mut kb = [0u8; TcU32Key::LEN];
            TcU32Key {
                mask: u32::from_ne_bytes(k.mask.to_be_bytes()),
                val: u32::from_ne_bytes(k.val.to_be_bytes()),
                off: k.off,
                offmask: k.offmask,
            }
            .write_to(&mut kb);
            b.raw(&kb)?;
        }
        debug_assert_eq!(len % 4, 0);
        b.end_nested(nest)
    }

    fn decode(v: &[u8]) -> Option<U32Sel> {
        let h = TcU32Sel::read_from(v)?;
        let keys = v[TcU32Sel::LEN..]
            .chunks_exact(TcU32Key::LEN)
            .take(usize::from(h.nkeys))
            .filter_map(TcU32Key::read_from)
            .map(|k| U32Key {
                mask: u32::from_be_bytes(k.mask.to_ne_bytes()),
                val: u32::from_be_bytes(k.val.to_ne_bytes()),
                off: k.off,
                offmask: k.offmask,
            })
            .collect::<Vec<_>>();
        if keys.len() != usize::from(h.nkeys) {
            return None;
        }
        Some(U32Sel {
            flags: h.flags,
            offshift: h.offshift,
            offmask: u16::from_be_bytes(h.offmask.to_ne_bytes()),
            off: h.off,
            offoff: h.offoff,
            hoff: h.hoff,
            hmask: u32::from_be_bytes(h.hmask.to_ne_bytes()),
            keys,
        })
    }
}

/// The `u32` classifier's options (`TCA_OPTIONS` of kind `u32`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct U32 {
    /// `classid`/`flowid` (`TCA_U32_CLASSID`).
    pub classid: Option<u32>,
    /// `action ...` (`TCA_U32_ACT`), in order.
    pub actions: Vec<Action>,
    /// `ht` (`TCA_U32_HASH`): the hash table and bucket (reported for every filter).
    pub hash: Option<u32>,
    /// `match ...` (`TCA_U32_SEL`).
    pub sel: Option<U32Sel>,
    /// `TCA_U32_FLAGS` (`TCA_CLS_FLAGS_*`: `skip_hw`, `skip_sw`, and the reported
    /// `not_in_hw`).
    pub flags: Option<u32>,
    /// `divisor` (`TCA_U32_DIVISOR`): a hash table's size (reported for the tables
    /// the kernel makes).
    pub divisor: Option<u32>,
    /// Attributes this crate does not model, as they came; sent back.
    pub other: RawAttrs,
    /// What the kernel only reports (`TCA_U32_PCNT`, ...): never sent.
    pub reported: RawAttrs,
}

impl U32 {
    /// `u32 match u32 0 0 action ...`: every packet (one key, mask 0), terminal.
    pub fn match_all(actions: Vec<Action>) -> U32 {
        U32 {
            actions,
            sel: Some(U32Sel {
                flags: TC_U32_TERMINAL,
                keys: vec![U32Key::default()],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        if let Some(c) = self.classid {
            b.attr_u32(TCA_U32_CLASSID, c)?;
        }
        if let Some(d) = self.divisor {
            b.attr_u32(TCA_U32_DIVISOR, d)?;
        }
        emit_actions(b, TCA_U32_ACT, &self.actions)?;
        emit_raw(b, &self.other)?;
        if let Some(h) = self.hash {
            b.attr_u32(TCA_U32_HASH, h)?;
        }
        if let Some(s) = &self.sel {
            s.emit(b)?;
        }
        if let Some(f) = self.flags {
            b.attr_u32(TCA_U32_FLAGS, f)?;
        }
        Ok(())
    }

    fn decode(o: &[u8]) -> U32 {
        let mut u = U32::default();
        for a in Attrs::new(o).flatten() {
            match a.ty {
                TCA_U32_CLASSID if a.u32().is_ok() => u.classid = a.u32().ok(),
                TCA_U32_DIVISOR if a.u32().is_ok() => u.divisor = a.u32().ok(),
                TCA_U32_HASH if a.u32().is_ok() => u.hash = a.u32().ok(),
                TCA_U32_FLAGS if a.u32().is_ok() => u.flags = a.u32().ok(),
                TCA_U32_ACT => u.actions = decode_actions(&a),
                TCA_U32_SEL => match U32Sel::decode(a.value) {
                    Some(s) => u.sel = Some(s),
                    None => u.other.push_attr(&a),
                },
                TCA_U32_PCNT | TCA_U32_PAD => u.reported.push_attr(&a),
                _ => u.other.push_attr(&a),
            }
        }
        u
    }
}

/// The `matchall` classifier's options (`TCA_OPTIONS` of kind `matchall`, Linux 4.8+):
/// every packet, then the actions — `tc filter add ... matchall [classid C] action
/// ... [skip_hw|skip_sw]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Matchall {
    /// `classid`/`flowid` (`TCA_MATCHALL_CLASSID`).
    pub classid: Option<u32>,
    /// `action ...` (`TCA_MATCHALL_ACT`), in order.
    pub actions: Vec<Action>,
    /// `TCA_MATCHALL_FLAGS` (`TCA_CLS_FLAGS_*`: `skip_hw`, `skip_sw`, and the
    /// reported `in_hw`/`not_in_hw`).
    pub flags: Option<u32>,
    /// Attributes this crate does not model, as they came; sent back.
    pub other: RawAttrs,
    /// What the kernel only reports (`TCA_MATCHALL_PCNT`, ...): never sent.
    pub reported: RawAttrs,
}

impl Matchall {
    /// `matchall action ...`.
    pub fn new(actions: Vec<Action>) -> Matchall {
        Matchall {
            actions,
            ..Default::default()
        }
    }

    fn emit(&self, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        // tc's order: classid and actions as given, the flags last.
        if let Some(c) = self.classid {
            b.attr_u32(TCA_MATCHALL_CLASSID, c)?;
        }
        emit_actions(b, TCA_MATCHALL_ACT, &self.actions)?;
        emit_raw(b, &self.other)?;
        if let Some(f) = self.flags {
            b.attr_u32(TCA_MATCHALL_FLAGS, f)?;
        }
        Ok(())
    }

    fn decode(o: &[u8]) -> Matchall {
        let mut m = Matchall::default();
        for a in Attrs::new(o).flatten() {
            match a.ty {
                TCA_MATCHALL_CLASSID if a.u32().is_ok() => m.classid = a.u32().ok(),
                TCA_MATCHALL_FLAGS if a.u32().is_ok() => m.flags = a.u32().ok(),
                TCA_MATCHALL_ACT => m.actions = decode_actions(&a),
                TCA_MATCHALL_PCNT | TCA_MATCHALL_PAD => m.reported.push_attr(&a),
                _ => m.other.push_attr(&a),
            }
        }
        m
    }
}

// ---------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------

/// What kind of classifier a filter is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterKind {
    /// `u32`.
    U32(U32),
    /// `matchall`.
    Matchall(Matchall),
    /// Any other classifier by name (`matchall`, `flower`, `bpf`, ...), with
    /// `TCA_OPTIONS`' payload.
    Other {
        /// `TCA_KIND`.
        kind: String,
        /// `TCA_OPTIONS`' payload.
        options: Option<Vec<u8>>,
    },
}

impl FilterKind {
    /// The classifier's name.
    pub fn name(&self) -> &str {
        match self {
            FilterKind::U32(_) => "u32",
            FilterKind::Matchall(_) => "matchall",
            FilterKind::Other { kind, .. } => kind,
        }
    }
}

/// A tc filter (`tc filter add dev DEV parent P protocol PROTO prio N handle H u32
/// ...`).
///
/// [`Verb::Replace`] sends what `tc filter replace` sends (`NLM_F_CREATE` without
/// `NLM_F_EXCL`): the filter with this priority and handle is created, or changed
/// in place — with an explicit [`priority`](Self::priority) and
/// [`handle`](Self::handle), running it twice leaves one filter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    /// `tcm_ifindex`: the link.
    pub ifindex: u32,
    /// `tcm_parent`: the qdisc or hook (`ffff:` ingress, `ffff:fff2` clsact ingress,
    /// `ffff:fff3` clsact egress).
    pub parent: u32,
    /// `tcm_handle` (0: the kernel picks; `u32`'s `800::800` is `0x8000_0800`).
    pub handle: u32,
    /// `prio` (0: the kernel picks; it starts at 49152 and counts down).
    pub priority: u16,
    /// `protocol`: the `ETH_P_*` number, host order (`ETH_P_ALL` = 3 for `all`).
    pub protocol: u16,
    /// `TCA_CHAIN` (reported by dumps; sent only when set).
    pub chain: Option<u32>,
    /// The classifier and its options.
    pub kind: FilterKind,
    /// Attributes this crate does not model, as they came; sent back.
    pub other: RawAttrs,
    /// What the kernel only reports (statistics, ...): never sent.
    pub reported: RawAttrs,
}

impl Filter {
    /// A `u32` filter on `ifindex` under `parent`, with everything else left to the
    /// kernel (`tc filter add dev DEV parent P protocol all u32 ...`).
    pub fn u32(ifindex: u32, parent: u32, u32: U32) -> Filter {
        Filter::of(ifindex, parent, FilterKind::U32(u32))
    }

    /// A `matchall` filter on `ifindex` under `parent` (`tc filter add dev DEV parent P
    /// protocol all matchall action ...`), everything else left to the kernel.
    pub fn matchall(ifindex: u32, parent: u32, m: Matchall) -> Filter {
        Filter::of(ifindex, parent, FilterKind::Matchall(m))
    }

    /// A filter of `kind` for every protocol, priority and handle left to the kernel.
    fn of(ifindex: u32, parent: u32, kind: FilterKind) -> Filter {
        Filter {
            ifindex,
            parent,
            handle: 0,
            priority: 0,
            protocol: ETH_P_ALL,
            chain: None,
            kind,
            other: RawAttrs::new(),
            reported: RawAttrs::new(),
        }
    }

    /// What tc-redirect-tap and kata's `tcfilter` model install in each direction:
    /// `tc filter replace dev FROM parent PARENT protocol all prio 1 handle 800::800
    /// u32 match u32 0 0 action mirred egress redirect dev TO` — every packet
    /// arriving on `from` leaves through `to`. `parent` is `ffff:` under an ingress
    /// qdisc, `ffff:fff2` under clsact. With its fixed priority and handle, sending it
    /// again (as [`Verb::Replace`]) changes it in place.
    pub fn redirect(from: u32, parent: u32, to: u32) -> Filter {
        Filter {
            handle: 0x8000_0800,
            priority: 1,
            ..Filter::u32(
                from,
                parent,
                U32::match_all(vec![Action::from(Mirred::redirect(to))]),
            )
        }
    }

    fn tcmsg(&self) -> TcMsg {
        TcMsg {
            tcm_ifindex: self.ifindex as i32,
            tcm_handle: self.handle,
            tcm_parent: self.parent,
            tcm_info: (u32::from(self.priority) << 16) | u32::from(htons(self.protocol)),
            ..Default::default()
        }
    }

    /// The `u32` options, when this is a `u32` filter.
    pub fn as_u32(&self) -> Option<&U32> {
        match &self.kind {
            FilterKind::U32(u) => Some(u),
            _ => None,
        }
    }

    /// The filter's actions (`u32` and `matchall`; none for other kinds).
    pub fn actions(&self) -> &[Action] {
        match &self.kind {
            FilterKind::U32(u) => &u.actions,
            FilterKind::Matchall(m) => &m.actions,
            FilterKind::Other { .. } => &[],
        }
    }

    /// The `mirred` actions of the filter.
    pub fn mirred(&self) -> impl Iterator<Item = &Mirred> {
        self.actions().iter().filter_map(|a| match &a.kind {
            ActionKind::Mirred(m) => Some(m),
            ActionKind::Other { .. } => None,
        })
    }
}

impl Object for Filter {
    const NEW: u16 = RTM_NEWTFILTER;
    const DEL: u16 = RTM_DELTFILTER;
    const VERBS: &'static [Verb] = &[Verb::Add, Verb::Replace, Verb::Change, Verb::Delete];

    /// `tc filter add`: `NLM_F_CREATE|NLM_F_EXCL`; `replace`: `NLM_F_CREATE`;
    /// `change` and `del`: none.
    fn flags(verb: Verb) -> u16 {
        match verb {
            Verb::Add => NLM_F_CREATE | NLM_F_EXCL,
            Verb::Replace => NLM_F_CREATE,
            _ => 0,
        }
    }

    fn check(&self, verb: Verb) -> Result<()> {
        if self.ifindex == 0 || self.ifindex > i32::MAX as u32 {
            return Err(Error::invalid(
                "filter link index",
                self.ifindex,
                "not a link index",
            ));
        }
        if self.parent == 0 {
            return Err(Error::invalid(
                "filter parent",
                0,
                "a filter hangs under a qdisc or hook (ffff: for ingress)",
            ));
        }
        if verb == Verb::Change && (self.priority == 0 || self.handle == 0) {
            return Err(Error::invalid(
                "filter",
                "(no priority or handle)",
                "a change names the filter by its priority and handle",
            ));
        }
        match &self.kind {
            FilterKind::U32(u) => {
                if let Some(s) = &u.sel {
                    if s.keys.len() > 128 {
                        return Err(Error::invalid("u32 keys", s.keys.len(), "at most 128 keys"));
                    }
                }
            }
            FilterKind::Matchall(_) => {}
            FilterKind::Other { kind, .. } => {
                if kind.is_empty() || kind.contains('\0') {
                    return Err(Error::invalid("filter kind", kind, "empty or contains NUL"));
                }
            }
        }
        let actions = self.actions();
        for a in actions {
            if let ActionKind::Mirred(m) = &a.kind {
                if m.ifindex == 0 {
                    return Err(Error::invalid(
                        "mirred target",
                        0,
                        "a mirred action needs its target link",
                    ));
                }
            }
        }
        if actions.len() > 32 {
            return Err(Error::invalid(
                "filter actions",
                actions.len(),
                "at most 32 actions (TCA_ACT_MAX_PRIO)",
            ));
        }
        Ok(())
    }

    fn emit_body(&self, verb: Verb, b: &mut MsgBuilder<'_>) -> Result<(), WireError> {
        b.header(&self.tcmsg())?;
        if verb == Verb::Delete {
            // `tc filter del dev DEV parent P prio N [handle H KIND]`: the kind only
            // with a handle.
            if self.handle != 0 {
                b.attr_text(TCA_KIND, self.kind.name(), true)?;
            }
            return Ok(());
        }
        b.attr_text(TCA_KIND, self.kind.name(), true)?;
        if let Some(c) = self.chain {
            b.attr_u32(TCA_CHAIN, c)?;
        }
        match &self.kind {
            FilterKind::U32(u) => {
                let o = b.begin_nested(TCA_OPTIONS)?;
                u.emit(b)?;
                b.end_nested(o)?;
            }
            FilterKind::Matchall(m) => {
                let o = b.begin_nested(TCA_OPTIONS)?;
                m.emit(b)?;
                b.end_nested(o)?;
            }
            FilterKind::Other {
                options: Some(o), ..
            } => b.attr_bytes(TCA_OPTIONS, o)?,
            FilterKind::Other { .. } => {}
        }
        emit_raw(b, &self.other)
    }
}

/// A filter as the kernel describes it in `RTM_NEWTFILTER`/`RTM_DELTFILTER`, borrowing
/// the datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilterMsg<'a> {
    /// The message's `tcmsg`.
    pub header: TcMsg,
    /// `TCA_KIND`, without its NUL.
    pub kind: Option<&'a [u8]>,
    /// `TCA_OPTIONS`' payload.
    pub options: Option<&'a [u8]>,
    /// `TCA_CHAIN`.
    pub chain: Option<u32>,
    /// All the attributes, raw.
    pub attrs: &'a [u8],
}

impl FilterMsg<'_> {
    /// The priority (`tcm_info`'s high 16 bits).
    pub fn priority(&self) -> u16 {
        (self.header.tcm_info >> 16) as u16
    }

    /// The protocol (`tcm_info`'s low 16 bits), host order.
    pub fn protocol(&self) -> u16 {
        htons(self.header.tcm_info as u16)
    }
}

impl<'a> Decode<'a> for FilterMsg<'a> {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        let ty = msg.header.nlmsg_type;
        if ty != RTM_NEWTFILTER && ty != RTM_DELTFILTER {
            return Err(WireError::UnexpectedType(ty));
        }
        let (header, attrs) = msg.split::<TcMsg>()?;
        let mut f = FilterMsg {
            header,
            attrs: msg.payload.get(TcMsg::LEN..).unwrap_or(&[]),
            ..Default::default()
        };
        for a in attrs {
            let a = a?;
            match a.ty {
                TCA_KIND => f.kind = Some(a.bytes_z()),
                TCA_OPTIONS => f.options = Some(a.value),
                TCA_CHAIN => f.chain = a.u32().ok(),
                _ => {}
            }
        }
        Ok(f)
    }
}

impl From<&FilterMsg<'_>> for Filter {
    fn from(m: &FilterMsg<'_>) -> Filter {
        let kind = match m.kind.unwrap_or_default() {
            b"u32" => FilterKind::U32(U32::decode(m.options.unwrap_or_default())),
            b"matchall" => FilterKind::Matchall(Matchall::decode(m.options.unwrap_or_default())),
            k => FilterKind::Other {
                kind: String::from_utf8_lossy(k).into_owned(),
                options: m.options.map(<[u8]>::to_vec),
            },
        };
        let mut f = Filter {
            ifindex: m.header.tcm_ifindex as u32,
            parent: m.header.tcm_parent,
            handle: m.header.tcm_handle,
            priority: m.priority(),
            protocol: m.protocol(),
            chain: m.chain,
            kind,
            other: RawAttrs::new(),
            reported: RawAttrs::new(),
        };
        for a in Attrs::new(m.attrs).flatten() {
            match a.ty {
                TCA_KIND | TCA_OPTIONS => {}
                TCA_CHAIN if m.chain.is_some() => {}
                t if is_reported(t) => f.reported.push_attr(&a),
                _ => f.other.push_attr(&a),
            }
        }
        f
    }
}

impl<'a> Decode<'a> for Filter {
    fn decode(msg: &Message<'a>) -> Result<Self, WireError> {
        FilterMsg::decode(msg).map(|v| Filter::from(&v))
    }
}

/// An `RTM_GETTFILTER` dump (`tc filter show dev DEV parent P`): one link's filters
/// under one parent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilterFilter {
    /// The link (required by the kernel).
    pub ifindex: u32,
    /// The qdisc or hook (0: every filter of the link's root qdisc).
    pub parent: u32,
}

crate::wire::dump_filter!(FilterFilter, FilterMsg);

impl FilterFilter {
    /// Whether `f` passes the filter.
    pub fn matches(&self, f: &FilterMsg<'_>) -> bool {
        f.header.tcm_ifindex as u32 == self.ifindex
            && (self.parent == 0 || f.header.tcm_parent == self.parent)
    }
}

impl Request for FilterFilter {
    fn check(&self) -> Result<()> {
        if self.ifindex == 0 || self.ifindex > i32::MAX as u32 {
            return Err(Error::invalid(
                "filter dump link index",
                self.ifindex,
                "a filter dump needs its link",
            ));
        }
        Ok(())
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let mut b = MsgBuilder::new(buf, RTM_GETTFILTER, 0)?;
        b.header(&TcMsg {
            tcm_ifindex: self.ifindex as i32,
            tcm_parent: self.parent,
            ..Default::default()
        })?;
        b.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Messages;

    #[test]
    fn a_redirect_filter_reads_back_as_it_was_built() {
        let f = Filter::redirect(3, 0xffff_0000, 4);
        let mut buf = [0xa5u8; 256];
        let n = f.emit(Verb::Replace, &mut buf).unwrap();
        let m = Messages::new(&buf[..n]).next().unwrap().unwrap();
        let back = Filter::decode(&m).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.mirred().next().unwrap().ifindex, 4);
        assert_eq!(handle_to_string(0xffff_0000), "ffff:");
        assert_eq!(handle_to_string(0xffff_fff2), "ffff:fff2");
    }

    #[test]
    fn mistakes_are_refused_before_any_syscall() {
        let mut f = Filter::redirect(3, 0xffff_0000, 4);
        f.parent = 0;
        assert!(f.check(Verb::Add).is_err());
        let f = Filter::redirect(3, 0xffff_0000, 0);
        assert!(f.check(Verb::Add).is_err());
        assert!(Qdisc::ingress(0).check(Verb::Add).is_err());
    }
}
