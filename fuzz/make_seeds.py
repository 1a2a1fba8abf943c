#!/usr/bin/env python3
"""Converts the kernel/iproute2 captures in tests/fixtures/*.hex into binary seed
files for the fuzz targets, under fuzz/seeds/<target>/<fixture>.bin.

  python3 fuzz/make_seeds.py        # from the repository root; rewrites fuzz/seeds/

Every target but `encoders` gets every capture (requests and replies) as is. `attrs`
gets them with one leading byte: where the attribute run starts (nlmsghdr + the family
header of the capture's first message). `encoders` reads field values, not messages:
its seeds are a few fixed byte strings covering each request kind.
"""
import os, shutil, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(ROOT, "fuzz", "seeds")

# nlmsg_type -> family header length
FAMILY = {2: 20, 3: 4}
for t in (16, 17, 18, 19):
    FAMILY[t] = 16  # ifinfomsg
for t in (20, 21, 22):
    FAMILY[t] = 8   # ifaddrmsg
for t in (24, 25, 26):
    FAMILY[t] = 12  # rtmsg
for t in (104, 105, 106):
    FAMILY[t] = 8   # nhmsg
for t in (28, 29, 30):
    FAMILY[t] = 12  # ndmsg
for t in (32, 33, 34):
    FAMILY[t] = 12  # fib_rule_hdr

def read_hex(path):
    data = bytearray()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            data += bytes.fromhex(line)
    return bytes(data)

def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    targets = ["messages", "ack", "typed", "attrs", "encoders", "events"]
    for t in targets:
        os.makedirs(os.path.join(OUT, t))
    n = 0
    for name in sorted(os.listdir(FIX)):
        if not name.endswith(".hex"):
            continue
        data = read_hex(os.path.join(FIX, name))
        if len(data) < 16:
            sys.exit(f"{name}: {len(data)} bytes, not a netlink message")
        stem = name[:-4]
        for t in ("messages", "ack", "typed", "events"):
            with open(os.path.join(OUT, t, stem + ".bin"), "wb") as f:
                f.write(data)
        ty = struct.unpack_from("=H", data, 4)[0]
        skip = 16 + FAMILY.get(ty, 0)
        with open(os.path.join(OUT, "attrs", stem + ".bin"), "wb") as f:
            f.write(bytes([skip]) + data)
        n += 1
    # encoders: size (u16 LE), selector (% 8: link, address, route, nexthop,
    # neighbour, FDB entry, rule, lookups and dump filters), then
    # fields in the order fuzz/src/lib.rs reads them; zeros past the end.
    enc = {
        "link_veth": b"\x00\x01" + b"\x00" + b"\x05veth0" + b"\x05veth1" + b"\x00" + b"\x00\x00" + b"\x01\x00\x01",
        "link_bridge_stp": b"\x00\x01" + b"\x00" + b"\x03br0" + b"\x00" + b"\x00" + b"\x00\x00" + b"\x01\x00\x02\x01\x01",
        "link_other_mtu": b"\x80\x00" + b"\x00" + b"\x02d0" + b"\x00" + b"\x05dummy" + b"\x06\x00\x01\x02\x03\x04\x05\x06" + b"\x01\x01\x03",
        "addr_v4": b"\x40\x00" + b"\x01" + b"\x01\x0a\x00\x00\x01" + b"\x03\x00\x00\x00\x18",
        "addr_v6_flags": b"\x40\x00" + b"\x01" + b"\x00" + bytes(range(16)) + b"\x03\x00\x00\x00\x40\x00\x01\x00\x00\x00",
        "route_gw_table": b"\x00\x02" + b"\x02" + b"\x02" + b"\x01\x01\x0a\x09\x00\x00" + b"\x18" + b"\x01\x01\xc0\xa8\x01\x01",
        # family 2, 10.3.0.0/24, metric 100, table 1000, proto boot, unicast; mtu 1400,
        # congctl cubic; next hops via 10.0.0.2 dev 3 and 10.0.0.3 dev 3 weight 2 realms 5
        "route_multipath_metrics": b"\x00\x02" + b"\x02" + b"\x02" + b"\x01\x01\x0a\x03\x00\x00" + b"\x18"
            + b"\x00" + b"\x00" + b"\x01\x64\x00\x00\x00" + b"\xe8\x03\x00\x00" + b"\x03\x00\x01"
            + b"\x00" + b"\x00" + b"\x00\x00\x00\x00" + b"\x00" + b"\x00\x00" + b"\x00" * 5
            + b"\x01" + b"\x01" + b"\x78\x05\x00\x00" + b"\x01\x05cubic"
            + b"\x02" + b"\x01\x01\x0a\x00\x00\x02" + b"\x03\x00\x00\x00" + b"\x01\x00" + b"\x00" + b"\x00"
            + b"\x01\x01\x0a\x00\x00\x03" + b"\x03\x00\x00\x00" + b"\x02\x00" + b"\x00" + b"\x01\x05\x00\x00\x00",
        # id 7 family 2 via 10.0.0.254 dev 3
        "nexthop_gw": b"\x00\x01" + b"\x03" + b"\x07\x00\x00\x00" + b"\x02" + b"\x00" + b"\x00\x00\x00\x00"
            + b"\x01\x01\x0a\x00\x00\xfe" + b"\x01\x03\x00\x00\x00",
        # id 3 group 7/8,5
        "nexthop_group": b"\x00\x01" + b"\x03" + b"\x03\x00\x00\x00" + b"\x00" + b"\x00" + b"\x00\x00\x00\x00"
            + b"\x00" + b"\x00" + b"\x00" + b"\x00" + b"\x00"
            + b"\x02" + b"\x07\x00\x00\x00\x01\x00\x00\x00" + b"\x08\x00\x00\x00\x05\x00\x00\x00",
        # 10.0.0.2 lladdr 02:00:00:00:00:02 dev 3 permanent, add
        "neigh_v4": b"\x00\x01" + b"\x04" + b"\x02" + b"\x03\x00\x00\x00" + b"\x01\x01\x0a\x00\x00\x02"
            + b"\x01\x06\x00\x02\x00\x00\x00\x00\x02" + b"\x80\x00" + b"\x00" + b"\x00" * 4 + b"\x00" + b"\x00" + b"\x00",
        # append 00:00:00:00:00:00 dev 5 dst 10.0.0.2 vni 43 self permanent
        "fdb_flood_append": b"\x00\x01" + b"\x05" + b"\x00" * 6 + b"\x05\x00\x00\x00" + b"\x01" + b"\x00" + b"\x02"
            + b"\x00" + b"\x01\x01\x0a\x00\x00\x02" + b"\x00" + b"\x01\x2b\x00\x00\x00" + b"\x00\x00\x00" + b"\x03",
        # from 10.0.0.0/24 pref 100 fwmark 0x10/0xff table 100, add
        "rule_from_fwmark": b"\x00\x01" + b"\x06" + b"\x01" + b"\x01\x0a\x00\x00\x00\x18" + b"\x00" + b"\x01"
            + b"\x01\x64\x00\x00\x00" + b"\x00" + b"\x01\x10\x00\x00\x00" + b"\x01\xff\x00\x00\x00"
            + b"\x00\x00\x00" + b"\x64\x00\x00\x00" + b"\x00" * 9 + b"\x01" + b"\x00" + b"\x00" * 4 + b"\x00",
        # route get fibmatch 10.0.0.5, then zeroed filters
        "lookups": b"\x00\x01" + b"\x07" + b"\x01\x0a\x00\x00\x05" + b"\x00" * 9 + b"\x01",
        "tiny_buffer": b"\x08\x00\x00",
    }
    for k, v in enc.items():
        with open(os.path.join(OUT, "encoders", k + ".bin"), "wb") as f:
            f.write(v)
    print(f"{n} fixtures -> {OUT}/{{messages,ack,typed,attrs}}; {len(enc)} encoder seeds")
    kinds_seeds()

def kinds_seeds():
    """`kinds`: byte 0 even = decode mode (the links/ captures; the big link dump one
    message per seed, so that the replay's every-truncation pass stays quick), odd =
    encoder mode (a few field strings per encoder)."""
    out = os.path.join(OUT, "kinds")
    os.makedirs(out)
    links = os.path.join(FIX, "links")
    n = 0
    for name in sorted(os.listdir(links)):
        if not name.endswith(".hex") or name.startswith("reply_link_dump_kinds_"):
            continue
        data = read_hex(os.path.join(links, name))
        stem = name[:-4]
        if len(data) > 4096:
            off, k = 0, 0
            while off + 16 <= len(data):
                ln = struct.unpack_from("=I", data, off)[0]
                with open(os.path.join(out, f"{stem}_{k}.bin"), "wb") as f:
                    f.write(b"\x00" + data[off:off + ln])
                off += (ln + 3) & ~3
                k += 1
                n += 1
            continue
        with open(os.path.join(out, stem + ".bin"), "wb") as f:
            f.write(b"\x00" + data)
        n += 1
    # encoder mode: 0x01, size (u16 LE), encoder (% 6), then its fields.
    enc = {
        "enc_vlan": b"\x01\x00\x01\x00\x00\x01\x05\x00\x00\x00\x01\xa8\x88\x00\x00\x01\x00\x01\x01",
        "enc_macvlan_source": b"\x01\x00\x01\x00\x01\x01\x10\x00\x00\x00\x00\x01\x01\x01\x0c\x00" + bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]),
        "enc_vxlan": b"\x01\x00\x02\x00\x03\x01\x2a\x00\x00\x00\x01\x01\x0a\x00\x00\x01\x01\x01\x0a\x00\x00\x02",
        "enc_geneve6": b"\x01\x00\x02\x00\x04\x01\x05\x00\x00\x00\x01\x00" + bytes(range(16)),
        "enc_qdisc": b"\x01\x40\x00\x01\x01\x03\x00\x00\x00\x01",
        "enc_filter": b"\x01\x00\x01\x02\x03\x00\x00\x00\x00\x00\xff\xff\x04\x00\x00\x00",
        "enc_bridge_vlan": b"\x01\x40\x00\x03\x03\x00\x00\x00\x0a\x00\x01\x14\x00\x00\x00\x01\x01",
        "enc_altname": b"\x01\x00\x01\x04\x10a-long-altname-x\x04eth0\x00",
        "enc_bridge_port": b"\x01\x40\x00\x05\x01\x01\x01\x01\x00\x00\x00\x00\x01\x00",
    }
    for k, v in enc.items():
        with open(os.path.join(out, k + ".bin"), "wb") as f:
            f.write(v)
    print(f"kinds: {n} capture seeds, {len(enc)} encoder seeds")

main()
