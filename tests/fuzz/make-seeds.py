#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the regression captures.

    make-seeds.py OUTDIR

writes OUTDIR/NAME/ for every target in tests/fuzz:
  capfile  the smaller capture files, whole
  decode   frames of every capture, behind the link-type and wire-length
           bytes fuzz_decode.c reads
  x509     the DER certificates of tests/pcap/crafted/certs
  tls and the analyzers
           each TCP session to one of the target's ports, in the chunk
           script of fuzz_stream.h (control byte, two length bytes, data);
           SNMP gets its datagrams the same way
  sasl, reasm
           a few hand-written inputs in their formats

Only what the standard library offers is used: pcap and pcapng are read
here, with Ethernet (and VLAN tags), Linux cooked v1 and v2, raw IP and BSD
loopback, which is what the regression captures hold.  Seeds need not be
perfect sessions; segments are taken in capture order, exact repeats left
out.
"""

import base64
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "..", "pcap")
CERTS = os.path.join(PCAPS, "crafted", "certs")

SEED_MAX = 16384  # bytes of one seed script
CAPFILE_MAX = 65536  # capture files larger than this are left out
FRAMES_PER_FILE = 16
SEEDS_PER_TARGET = 200

# Server ports per stream target (TCP, or UDP for snmp).
TARGETS = {
    "smtp": {25, 587, 2525},
    "imap": {143},
    "pop3": {110},
    "ftp": {21},
    "telnet": {23},
    "http": {80, 8080, 3128},
    "ldap": {389, 3268},
    "mysql": {3306},
    "pgsql": {5432},
    "socks": {1080},
    "tls": {443, 465, 636, 853, 993, 995, 8443},
}
UDP_TARGETS = {"snmp": {161, 162}}

# Link types fuzz_decode.c picks by its first byte (index into its table).
DECODE_DLTS = [1, 113, 276, 12, 14, 101, 228, 229, 0, 108]


def read_capture(path):
    """Yields (linktype, frame) for each packet of a pcap or pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        yield from read_pcapng(data)
        return
    else:
        return
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        if caplen > len(data) - off:
            return
        yield linktype, data[off:off + caplen]
        off += caplen


def read_pcapng(data):
    off = 0
    end = "<"
    links = []
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(end + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen = struct.unpack(end + "IIII", body[:16])
            if iface < len(links):
                yield links[iface], body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and links:
            yield links[0], body[4:]
        off += blen


def ip_of(linktype, frame):
    """The IP packet inside a frame, or None."""
    if linktype == 1:
        off, etype = 14, None
        if len(frame) < 14:
            return None
        etype = struct.unpack(">H", frame[12:14])[0]
        while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            etype = struct.unpack(">H", frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if etype in (0x0800, 0x86DD) else None
    if linktype == 113:
        return frame[16:] if len(frame) > 16 else None
    if linktype == 276:
        return frame[20:] if len(frame) > 20 else None
    if linktype in (12, 14, 101, 228, 229):
        return frame
    if linktype in (0, 108):
        return frame[4:] if len(frame) > 4 else None
    return None


def transport_of(ip):
    """(proto, src, dst, sport, dport, seq, flags, payload) or None."""
    if not ip:
        return None
    version = ip[0] >> 4
    if version == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        proto = ip[9]
        src, dst = ip[12:16], ip[16:20]
        if struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None  # fragments are not followed here
        l4 = ip[ihl:total] if total >= ihl else b""
    elif version == 6 and len(ip) >= 40:
        proto = ip[6]
        src, dst = ip[8:24], ip[24:40]
        l4 = ip[40:40 + struct.unpack(">H", ip[4:6])[0]]
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        sport, dport, seq = struct.unpack(">HHI", l4[:8])
        hlen = (l4[12] >> 4) * 4
        return 6, src, dst, sport, dport, seq, l4[13], l4[hlen:]
    if proto == 17 and len(l4) >= 8:
        sport, dport = struct.unpack(">HH", l4[:4])
        return 17, src, dst, sport, dport, 0, 0, l4[8:]
    return None


def script(chunks):
    """The fuzz_stream.h script of (direction, bytes) chunks."""
    out = bytearray()
    for d, data in chunks:
        while data:
            part, data = data[:0xFFFF], data[0xFFFF:]
            out += bytes([d]) + struct.pack("<H", len(part)) + part
        if len(out) >= SEED_MAX:
            break
    return bytes(out[:SEED_MAX])


def sessions(paths):
    """Maps (target, session key) to its chunks, in capture order."""
    found = {}
    seen = set()
    for path in paths:
        for linktype, frame in read_capture(path):
            t = transport_of(ip_of(linktype, frame))
            if t is None or not t[7]:
                continue
            proto, src, dst, sport, dport, seq, _, payload = t
            targets = TARGETS if proto == 6 else UDP_TARGETS
            for name, ports in targets.items():
                if dport in ports:
                    d, key = 0, (src, sport, dst, dport)
                elif sport in ports:
                    d, key = 1, (dst, dport, src, sport)
                else:
                    continue
                mark = (path, key, d, seq, len(payload), proto)
                if proto == 6 and mark in seen:
                    continue  # a retransmission
                seen.add(mark)
                found.setdefault((name, path, key), []).append((d, payload))
    return found


def write(outdir, name, data):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, digest), "wb") as f:
        f.write(data)


def sasl_seeds():
    plain = base64.b64encode(b"\0alice\0not-a-real-secret")
    login = [base64.b64encode(b"bob"), base64.b64encode(b"hunter-not")]
    yield b"PLAIN\n" + plain + b"\n\x01\x01"
    yield b"PLAIN " + plain + b"\n\x01\x02"
    yield b"LOGIN\n" + login[0] + b"\n" + login[1] + b"\n\x01\x01"
    yield b"CRAM-MD5\n" + base64.b64encode(
        b"carol 0123456789abcdef0123456789abcdef") + b"\n\x01\x01"
    yield b"DIGEST-MD5\n" + base64.b64encode(
        b'username="dave",realm="x",nonce="n",cnonce="c",nc=00000001,'
        b'qop=auth,digest-uri="imap/x",response=0123456789abcdef') + b"\n"
    yield b"XOAUTH2\n" + base64.b64encode(
        b"user=erin\x01auth=Bearer tok\x01\x01") + b"\n\x01\x02"
    yield b"OAUTHBEARER\n" + base64.b64encode(
        b"n,a=frank,\x01auth=Bearer tok\x01\x01") + b"\n"
    yield b"NTLM\nTlRMTVNTUAABAAAAB4IIog==\n\x02abc\n*\n"
    yield b"SCRAM-SHA-256\n" + base64.b64encode(b"n,,n=gina,r=abc") + b"\n"
    yield b"EXTERNAL\n=\nANONYMOUS\n" + base64.b64encode(b"trace") + b"\n"


def reasm_seeds():
    def seg(ctl, seq, ack, n8):
        return bytes([ctl]) + struct.pack("<HHB", seq, ack, n8)
    head = struct.pack("<II", 1000, 0xFFFFFF00) + b"\x03"
    yield head + seg(0, 0, 0, 4) + seg(1, 0, 32, 2) + seg(0, 32, 16, 4)
    yield head + seg(0, 64, 0, 4) + seg(0, 0, 0, 4) + seg(0, 32, 0, 8)
    yield head + seg(0, 0, 0, 4) + seg(0, 16, 0, 4) + seg(0x04, 48, 0, 1)
    yield (struct.pack("<II", 0xFFFFFFF0, 5) + b"\x00" + seg(0x02, 0, 0, 0)
           + seg(0, 0, 0, 2) + seg(1, 100, 16, 2) + seg(0x08, 16, 0, 0))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-seeds.py OUTDIR")
    outdir = sys.argv[1]
    paths = []
    for sub in ("real", "crafted"):
        d = os.path.join(PCAPS, sub)
        paths += sorted(os.path.join(d, f) for f in os.listdir(d)
                        if f.endswith((".pcap", ".pcapng")))

    for path in paths:
        if os.path.getsize(path) <= CAPFILE_MAX:
            with open(path, "rb") as f:
                write(outdir, "capfile", f.read())
        for i, (linktype, frame) in enumerate(read_capture(path)):
            if i >= FRAMES_PER_FILE:
                break
            if linktype in DECODE_DLTS:
                write(outdir, "decode",
                      bytes([DECODE_DLTS.index(linktype), 0]) + frame)

    counts = {}
    for (name, _, _), chunks in sorted(sessions(paths).items()):
        if counts.get(name, 0) >= SEEDS_PER_TARGET:
            continue
        counts[name] = counts.get(name, 0) + 1
        write(outdir, name, script(chunks))

    for f in sorted(os.listdir(CERTS)):
        if f.endswith(".der"):
            with open(os.path.join(CERTS, f), "rb") as fh:
                write(outdir, "x509", fh.read())
    for s in sasl_seeds():
        write(outdir, "sasl", s)
    for s in reasm_seeds():
        write(outdir, "reasm", s)

    for name in sorted(os.listdir(outdir)):
        print("  SEEDS   %-8s %d" % (name, len(os.listdir(
            os.path.join(outdir, name)))))


if __name__ == "__main__":
    main()
