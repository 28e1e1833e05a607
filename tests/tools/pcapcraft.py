"""pcapcraft - build small packet captures byte by byte for plainsight's tests.

Python 3 standard library only.  Everything is deterministic: the same calls
give the same file, so crafted captures can be regenerated and compared.

The pieces, from the wire up:

  headers     ethernet() with 802.1Q/802.1ad tags, mpls(), gre(), erspan2(),
              erspan3(), vxlan(), sll(), sll2(), bsd_null(), bsd_loop(),
              ipv4() (options, fragments, header checksum), ipv6() with
              extension headers (hop_by_hop(), dest_opts(), routing(),
              fragment()), tcp() and udp() with correct checksums.
  links       callables turning an IP packet into a frame of a capture's
              link type: eth_link(), mpls_link(), gre_link(), erspan2_link(),
              erspan3_link(), vxlan_link(), sll_link(), sll2_link(),
              raw_link(), null_link(), loop_link().
  Capture     an ordered list of frames with timestamps, written as classic
              pcap (microsecond or nanosecond magic, either byte order,
              snap length truncation) or as pcapng.
  TcpConn     one TCP connection: handshake, sequence and acknowledgement
              numbers, data split into segments of chosen sizes, segments
              emitted in any order, retransmitted, overlapped with other
              bytes or never emitted (a capture gap that the peer's ACKs
              still cover), FIN, RST, and a start in the middle of the stream.
  TLS         records and handshake messages of any version: a canned TLS
              1.2 session (tls12_client_hello() and friends), and message
              builders for SSL 2.0 to TLS 1.3 (client_hello(),
              server_hello(), certificate(), server_key_exchange_*(),
              client_key_exchange_*(), ext_*(), sslv2_*()) with filler for
              keys, signatures and ciphertext.

Example:

    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.1", 40000), ("192.0.2.1", 25))
    conn.handshake()
    conn.server(b"220 mail.example.net ESMTP\\r\\n")
    conn.client(b"QUIT\\r\\n", sizes=[2])    # segments "QU" and "IT\\r\\n"
    conn.close()
    cap.write_pcap("out.pcap")
"""

import hashlib
import ipaddress
import struct

# Link-layer header types (https://www.tcpdump.org/linktypes.html).
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW_BSD = 12  # DLT_RAW as most BSDs and Linux number it
LINKTYPE_RAW = 101
LINKTYPE_IEEE802_11 = 105
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8
ETH_IPV6 = 0x86DD
ETH_MPLS = 0x8847
ETH_ERSPAN2 = 0x88BE
ETH_ERSPAN3 = 0x22EB
ETH_TEB = 0x6558  # transparent Ethernet bridging

IPPROTO_HOPOPTS = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_GRE = 47
IPPROTO_DSTOPTS = 60

TCP_FIN = 0x01
TCP_SYN = 0x02
TCP_RST = 0x04
TCP_PSH = 0x08
TCP_ACK = 0x10

MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")

# 2024-03-01 09:00:00 UTC, in nanoseconds.
DEFAULT_START_NS = 1709283600 * 10**9


# ---------------------------------------------------------------------------
# Checksums and addresses

def inet_checksum(data):
    """The ones' complement sum of RFC 1071 over data, as an int."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip_version(addr):
    return ipaddress.ip_address(addr).version


def ip_packed(addr):
    return ipaddress.ip_address(addr).packed


def _pseudo_header(src, dst, proto, length):
    if ip_version(src) == 4:
        return ip_packed(src) + ip_packed(dst) + struct.pack(
            "!BBH", 0, proto, length)
    return ip_packed(src) + ip_packed(dst) + struct.pack(
        "!I3xB", length, proto)


# ---------------------------------------------------------------------------
# Network and transport layers

def ipv4(src, dst, proto, payload, ident=0, ttl=64, tos=0, df=True,
         mf=False, frag_offset=0, options=b"", bad_checksum=False,
         total_length=None, ihl=None):
    """An IPv4 packet.  frag_offset is in bytes (a multiple of 8).

    options are padded with End-of-Option-List to a multiple of 4 bytes.
    total_length and ihl override the computed fields (for malformed
    packets); the checksum is then computed over what was written.
    """
    if len(options) % 4:
        options += b"\0" * (4 - len(options) % 4)
    hlen = 20 + len(options)
    if ihl is None:
        ihl = hlen // 4
    if total_length is None:
        total_length = hlen + len(payload)
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total_length,
                      ident, flags | (frag_offset // 8), ttl, proto, 0,
                      ip_packed(src), ip_packed(dst)) + options
    csum = inet_checksum(hdr)
    if bad_checksum:
        csum ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + payload


def ipv4_fragments(src, dst, proto, payload, size, ident, ttl=64):
    """Splits payload into IPv4 fragments carrying at most size bytes each
    (size is rounded down to a multiple of 8)."""
    size -= size % 8
    frags = []
    for off in range(0, len(payload), size):
        piece = payload[off:off + size]
        frags.append(ipv4(src, dst, proto, piece, ident=ident, ttl=ttl,
                          df=False, mf=off + size < len(payload),
                          frag_offset=off))
    return frags


def _ext_options(options):
    """Pads hop-by-hop/destination options to a multiple of 8 bytes with
    the 2 header bytes counted (RFC 8200 section 4.2)."""
    used = 2 + len(options)
    pad = (-used) % 8
    if pad == 1:
        options += b"\x00"  # Pad1
    elif pad > 1:
        options += bytes([1, pad - 2]) + b"\0" * (pad - 2)  # PadN
    return options


def hop_by_hop(options=b""):
    """A Hop-by-Hop Options header; options are TLV bytes, padded here."""
    return (IPPROTO_HOPOPTS, _ext_options(options))


def dest_opts(options=b""):
    """A Destination Options header; options are TLV bytes, padded here."""
    return (IPPROTO_DSTOPTS, _ext_options(options))


def routing(rtype, segments_left, data=b"\0\0\0\0"):
    """A Routing header: type, segments left, then type-specific data
    (4 reserved bytes, then addresses for type 0)."""
    body = struct.pack("!BB", rtype, segments_left) + data
    if (2 + len(body)) % 8:
        raise ValueError("routing header must be a multiple of 8 bytes")
    return (IPPROTO_ROUTING, body)


def fragment(offset, more, ident):
    """A Fragment header; offset in bytes (a multiple of 8)."""
    return (IPPROTO_FRAGMENT,
            struct.pack("!BHI", 0, offset | (1 if more else 0), ident))


def ipv6(src, dst, nh, payload, ext=(), hlim=64, flow=0):
    """An IPv6 packet; ext is a list of extension headers as returned by
    hop_by_hop(), dest_opts(), routing() and fragment(), in wire order."""
    chain = payload
    for htype, body in reversed(ext):
        if htype == IPPROTO_FRAGMENT:
            chain = struct.pack("!B", nh) + body + chain
        else:
            hdrlen = (2 + len(body)) // 8 - 1
            chain = struct.pack("!BB", nh, hdrlen) + body + chain
        nh = htype
    return struct.pack("!IHBB16s16s", 0x60000000 | flow, len(chain), nh,
                       hlim, ip_packed(src), ip_packed(dst)) + chain


def ip_packet(src, dst, proto, l4, **kw):
    """An IPv4 or IPv6 packet, by the type of src."""
    if ip_version(src) == 4:
        return ipv4(src, dst, proto, l4, **kw)
    return ipv6(src, dst, proto, l4, **kw)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"",
        window=64240, options=b"", bad_checksum=False, data_offset=None):
    """A TCP segment with its checksum over the IPv4/IPv6 pseudo-header."""
    if len(options) % 4:
        options += b"\x01" * (4 - len(options) % 4)  # NOP padding
    if data_offset is None:
        data_offset = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, data_offset << 4, flags, window, 0,
                      0) + options
    seg = hdr + payload
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_TCP, len(seg)) +
                         seg)
    if bad_checksum:
        csum ^= 0x5A5A
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def udp(src, dst, sport, dport, payload):
    """A UDP datagram with its checksum."""
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_UDP, len(seg)) +
                         seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", csum) + seg[8:]


# ---------------------------------------------------------------------------
# Link layers and tunnels

def ethertype_of(ip):
    return ETH_IPV6 if ip[0] >> 4 == 6 else ETH_IPV4


def ethernet(payload, ethertype, src=MAC_CLIENT, dst=MAC_SERVER, tags=(),
             pad=True):
    """An Ethernet II frame without FCS.  tags is a list of (TPID, VLAN id)
    pairs, outermost first.  Frames are padded to the 60-byte minimum as a
    receiving NIC hands them over, so decoders must use the IP length."""
    hdr = dst + src
    for tpid, vid in tags:
        hdr += struct.pack("!HH", tpid, vid & 0x0FFF)
    frame = hdr + struct.pack("!H", ethertype) + payload
    if pad and len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def mpls(payload, labels, ttl=64):
    """An MPLS label stack, outermost label first; the last one gets the
    bottom-of-stack bit."""
    out = b""
    for i, label in enumerate(labels):
        bos = 1 if i == len(labels) - 1 else 0
        out += struct.pack("!I", (label << 12) | (bos << 8) | ttl)
    return out + payload


def gre(payload, proto, key=None, seq=None):
    """A GRE header (RFC 2784/2890) with optional key and sequence number."""
    flags = (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    out = struct.pack("!HH", flags, proto)
    if key is not None:
        out += struct.pack("!I", key)
    if seq is not None:
        out += struct.pack("!I", seq)
    return out + payload


def erspan2(frame, session_id, index=0, vlan=0, cos=0):
    """An ERSPAN type II header (version 1) followed by the mirrored frame;
    it travels in GRE protocol 0x88BE with a sequence number."""
    w1 = (1 << 28) | ((vlan & 0xFFF) << 16) | ((cos & 7) << 13) | \
        (session_id & 0x3FF)
    return struct.pack("!II", w1, index & 0xFFFFF) + frame


def erspan3(frame, session_id, timestamp=0, hw_id=1, vlan=0):
    """An ERSPAN type III header (version 2, no platform sub-header,
    Ethernet frame type) followed by the mirrored frame; GRE 0x22EB."""
    w1 = (2 << 28) | ((vlan & 0xFFF) << 16) | (session_id & 0x3FF)
    w3 = (0 << 16) | ((hw_id & 0x3F) << 4)  # SGT 0, P 0, FT 0, D 0, Gra 0
    return struct.pack("!III", w1, timestamp & 0xFFFFFFFF, w3) + frame


def vxlan(frame, vni):
    """A VXLAN header (RFC 7348) followed by the inner Ethernet frame."""
    return struct.pack("!B3xI", 0x08, (vni & 0xFFFFFF) << 8) + frame


def sll(payload, proto, pkttype=0, hatype=1, addr=MAC_CLIENT):
    """A Linux cooked-mode (v1) header."""
    return struct.pack("!HHH8sH", pkttype, hatype, len(addr),
                       addr.ljust(8, b"\0"), proto) + payload


def sll2(payload, proto, ifindex=2, pkttype=0, hatype=1, addr=MAC_CLIENT):
    """A Linux cooked-mode v2 header."""
    return struct.pack("!HHIHBB8s", proto, 0, ifindex, hatype, pkttype,
                       len(addr), addr.ljust(8, b"\0")) + payload


def bsd_null(payload, family, order="<"):
    """A BSD loopback header: the address family in the capturing host's
    byte order ("<" little, ">" big)."""
    return struct.pack(order + "I", family) + payload


def bsd_loop(payload, family):
    """An OpenBSD DLT_LOOP header: the address family in network order."""
    return struct.pack("!I", family) + payload


# A link is a callable (ip_packet, to_server) -> frame.  to_server tells the
# direction of the inner packet, for links whose outer header depends on it.

def eth_link(tags=()):
    def link(ip, to_server):
        src, dst = (MAC_CLIENT, MAC_SERVER) if to_server else \
            (MAC_SERVER, MAC_CLIENT)
        return ethernet(ip, ethertype_of(ip), src=src, dst=dst, tags=tags)
    return link


def mpls_link(labels):
    def link(ip, to_server):
        src, dst = (MAC_CLIENT, MAC_SERVER) if to_server else \
            (MAC_SERVER, MAC_CLIENT)
        return ethernet(mpls(ip, labels), ETH_MPLS, src=src, dst=dst)
    return link


def gre_link(near, far, key=None, seq=None):
    """Inner packets in a GRE tunnel between routers near (client side) and
    far (server side), over IPv4 and Ethernet.  seq, when given, is the
    first sequence number of each direction."""
    state = {True: seq, False: seq, "ident": 0x2000}

    def link(ip, to_server):
        s, d = (near, far) if to_server else (far, near)
        n = state[to_server]
        if n is not None:
            state[to_server] = n + 1
        state["ident"] += 1
        outer = ipv4(s, d, IPPROTO_GRE, gre(ip, ethertype_of(ip), key, n),
                     ident=state["ident"], df=False)
        return ethernet(outer, ETH_IPV4)
    return link


def _mirror(version, switch, collector, session_id):
    """ERSPAN: every mirrored frame goes from switch to collector."""
    state = {"seq": 1, "ts": 1000}

    def link(ip, to_server):
        inner = eth_link()(ip, to_server)
        if version == 2:
            body = erspan2(inner, session_id, index=1)
            proto = ETH_ERSPAN2
        else:
            body = erspan3(inner, session_id, timestamp=state["ts"])
            proto = ETH_ERSPAN3
        g = gre(body, proto, seq=state["seq"])
        state["seq"] += 1
        state["ts"] += 100
        outer = ipv4(switch, collector, IPPROTO_GRE, g, ident=state["seq"],
                     df=False)
        return ethernet(outer, ETH_IPV4, src=bytes.fromhex("020000000a01"),
                        dst=bytes.fromhex("020000000a02"))
    return link


def erspan2_link(switch, collector, session_id=100):
    return _mirror(2, switch, collector, session_id)


def erspan3_link(switch, collector, session_id=200):
    return _mirror(3, switch, collector, session_id)


def vxlan_link(vtep_near, vtep_far, vni, sport=49152):
    """Inner Ethernet frames in VXLAN between two tunnel endpoints."""
    state = {"ident": 0x3000}

    def link(ip, to_server):
        inner = eth_link()(ip, to_server)
        s, d = (vtep_near, vtep_far) if to_server else (vtep_far, vtep_near)
        u = udp(s, d, sport, 4789, vxlan(inner, vni))
        state["ident"] += 1
        return ethernet(ipv4(s, d, IPPROTO_UDP, u, ident=state["ident"],
                             df=False), ETH_IPV4)
    return link


def sll_link():
    def link(ip, to_server):
        # 0 = sent to us, 4 = sent by us, as seen on the client host.
        return sll(ip, ethertype_of(ip), pkttype=4 if to_server else 0)
    return link


def sll2_link():
    def link(ip, to_server):
        return sll2(ip, ethertype_of(ip), pkttype=4 if to_server else 0)
    return link


def raw_link():
    def link(ip, to_server):
        return ip
    return link


def null_link(af_inet6=30, order="<"):
    """DLT_NULL: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD),
    28 (FreeBSD) or 30 (macOS)."""
    def link(ip, to_server):
        fam = af_inet6 if ip[0] >> 4 == 6 else 2
        return bsd_null(ip, fam, order)
    return link


def loop_link(af_inet6=24):
    def link(ip, to_server):
        fam = af_inet6 if ip[0] >> 4 == 6 else 2
        return bsd_loop(ip, fam)
    return link


# ---------------------------------------------------------------------------
# Captures

class Capture:
    """Frames with timestamps, in the order they will be written.

    Timestamps come from a clock in nanoseconds that add() advances by
    step_ns after each frame; tick() adds a pause.
    """

    def __init__(self, linktype, start_ns=DEFAULT_START_NS,
                 step_ns=1000000):
        self.linktype = linktype
        self.clock = start_ns
        self.step = step_ns
        self.frames = []  # (timestamp ns, bytes, original length or None)

    def tick(self, seconds):
        self.clock += int(seconds * 10**9)

    def add(self, frame, orig_len=None):
        """Appends a frame; orig_len larger than the frame records it as
        truncated on capture."""
        self.frames.append((self.clock, bytes(frame), orig_len))
        self.clock += self.step

    def _records(self, snaplen):
        for ts, data, orig in self.frames:
            orig = len(data) if orig is None else orig
            yield ts, data[:snaplen], orig

    def write_pcap(self, path, nanosecond=False, snaplen=65535,
                   big_endian=False):
        """Classic pcap (version 2.4); frames longer than snaplen are cut,
        keeping their original length."""
        bo = ">" if big_endian else "<"
        magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
        out = [struct.pack(bo + "IHHiIII", magic, 2, 4, 0, 0, snaplen,
                           self.linktype)]
        for ts, data, orig in self._records(snaplen):
            sec, frac = divmod(ts, 10**9)
            if not nanosecond:
                frac //= 1000
            out.append(struct.pack(bo + "IIII", sec, frac, len(data), orig))
            out.append(data)
        with open(path, "wb") as f:
            f.write(b"".join(out))

    def write_pcapng(self, path, snaplen=65535, if_name="eth0",
                     comment=None):
        """pcapng: a Section Header, one Interface Description (microsecond
        timestamps), Enhanced Packet Blocks and a closing Interface
        Statistics block."""
        def block(btype, body):
            body += b"\0" * ((-len(body)) % 4)
            total = 12 + len(body)
            return struct.pack("<II", btype, total) + body + \
                struct.pack("<I", total)

        def option(code, value):
            return struct.pack("<HH", code, len(value)) + value + \
                b"\0" * ((-len(value)) % 4)

        shb_opts = b""
        if comment:
            shb_opts += option(1, comment.encode())
        shb_opts += option(4, b"pcapcraft") + option(0, b"")
        out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                     shb_opts)]
        idb_opts = option(2, if_name.encode()) + option(9, b"\x06") + \
            option(0, b"")
        out.append(block(1, struct.pack("<HHI", self.linktype, 0, snaplen) +
                         idb_opts))
        count = 0
        for ts, data, orig in self._records(snaplen):
            us = ts // 1000
            out.append(block(6, struct.pack("<IIIII", 0, us >> 32,
                                            us & 0xFFFFFFFF, len(data),
                                            orig) + data))
            count += 1
        us = (self.frames[-1][0] if self.frames else self.clock) // 1000
        isb_opts = option(4, struct.pack("<Q", count)) + \
            option(5, struct.pack("<Q", 0)) + option(0, b"")
        out.append(block(5, struct.pack("<III", 0, us >> 32, us & 0xFFFFFFFF)
                         + isb_opts))
        with open(path, "wb") as f:
            f.write(b"".join(out))


# ---------------------------------------------------------------------------
# TCP connections

class Segment:
    """One TCP segment, built but not necessarily emitted."""

    def __init__(self, from_client, seq, data, flags=TCP_ACK | TCP_PSH):
        self.from_client = from_client
        self.seq = seq
        self.data = data
        self.flags = flags


class _Side:
    def __init__(self, addr, isn):
        self.ip, self.port = addr
        self.isn = isn
        self.next_seq = isn  # next sequence number this side will use


class TcpConn:
    """A TCP connection between client and server, written into cap through
    link.  Sequence numbers are tracked per side; a segment's ACK number is
    everything the peer has sent so far, so segments that were built but
    never emitted are acknowledged as if the capture had missed them.

    midstream=True starts with an established connection and no handshake
    in the capture (call nothing before sending data)."""

    def __init__(self, cap, link, client, server, isn_client=1000000,
                 isn_server=2000000, window=64240, midstream=False,
                 ip_kw=None):
        self.cap = cap
        self.link = link
        self.c = _Side(client, isn_client)
        self.s = _Side(server, isn_server)
        self.window = window
        self.ip_kw = ip_kw or {}
        self.ident = {True: 0x1000, False: 0x5000}
        if midstream:
            self.c.next_seq += 1
            self.s.next_seq += 1

    def _sides(self, from_client):
        return (self.c, self.s) if from_client else (self.s, self.c)

    def emit(self, from_client, flags, seq, data=b"", ack=True, **tcp_kw):
        """Writes one packet from one side with explicit flags and seq."""
        me, peer = self._sides(from_client)
        acknum = peer.next_seq if ack and flags & TCP_ACK else 0
        seg = tcp(me.ip, peer.ip, me.port, peer.port, seq, acknum, flags,
                  data, window=self.window, **tcp_kw)
        kw = dict(self.ip_kw)
        if ip_version(me.ip) == 4:
            kw.setdefault("ident", self.ident[from_client])
            self.ident[from_client] += 1
        pkt = ip_packet(me.ip, peer.ip, IPPROTO_TCP, seg, **kw)
        self.cap.add(self.link(pkt, from_client))

    def handshake(self, mss=1460):
        opts = struct.pack("!BBH", 2, 4, mss)
        self.emit(True, TCP_SYN, self.c.next_seq, options=opts)
        self.c.next_seq += 1
        self.emit(False, TCP_SYN | TCP_ACK, self.s.next_seq, options=opts)
        self.s.next_seq += 1
        self.emit(True, TCP_ACK, self.c.next_seq)

    def segments(self, from_client, data, sizes=None, splits=None):
        """Cuts data into segments (not emitted) and advances the sender's
        sequence number past all of them.  sizes: lengths of the leading
        segments, the rest in one; splits: offsets where to cut."""
        if splits is None:
            splits = []
            off = 0
            for n in sizes or []:
                off += n
                if off < len(data):
                    splits.append(off)
        bounds = [0] + sorted(s for s in splits if 0 < s < len(data)) + \
            [len(data)]
        me, _ = self._sides(from_client)
        segs = []
        for a, b in zip(bounds, bounds[1:]):
            segs.append(Segment(from_client, me.next_seq + a, data[a:b]))
        me.next_seq += len(data)
        return segs

    def segment_at(self, from_client, seq, data):
        """A segment at an explicit sequence number (an overlap or a
        retransmission with other bytes); extends the sender's sequence
        number when it reaches past it."""
        me, _ = self._sides(from_client)
        me.next_seq = max(me.next_seq, seq + len(data))
        return Segment(from_client, seq, data)

    def put(self, seg):
        """Emits a segment (again, for a retransmission)."""
        self.emit(seg.from_client, seg.flags, seg.seq, seg.data)

    def ack(self, from_client):
        """A pure ACK from one side covering all the peer has sent."""
        me, _ = self._sides(from_client)
        self.emit(from_client, TCP_ACK, me.next_seq)

    def send(self, from_client, data, sizes=None, splits=None, order=None,
             ack=True):
        """Sends data as one or more segments, in order (or in the given
        order of segment indexes), then an ACK from the peer."""
        segs = self.segments(from_client, data, sizes, splits)
        for i in order if order is not None else range(len(segs)):
            self.put(segs[i])
        if ack:
            self.ack(not from_client)
        return segs

    def client(self, data, **kw):
        return self.send(True, data, **kw)

    def server(self, data, **kw):
        return self.send(False, data, **kw)

    def fin(self, from_client):
        me, _ = self._sides(from_client)
        self.emit(from_client, TCP_FIN | TCP_ACK, me.next_seq)
        me.next_seq += 1

    def close(self, client_first=True):
        """Orderly release: FIN, FIN, last ACK."""
        self.fin(client_first)
        self.fin(not client_first)
        self.ack(client_first)

    def rst(self, from_client):
        me, _ = self._sides(from_client)
        self.emit(from_client, TCP_RST | TCP_ACK, me.next_seq)


# ---------------------------------------------------------------------------
# TLS records: enough of a TLS 1.2 handshake to look real to a passive
# observer.  Nothing is encrypted: the "encrypted" records hold
# deterministic filler of the right sizes.

def filler(label, n):
    """n deterministic pseudo-random bytes named by label."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def tls_record(ctype, body, version=0x0303):
    """One TLS record: 20 ChangeCipherSpec, 21 alert, 22 handshake,
    23 application data."""
    return struct.pack("!BHH", ctype, version, len(body)) + body


def tls_handshake(htype, body):
    return struct.pack("!B", htype) + len(body).to_bytes(3, "big") + body


def _ext(etype, body):
    return struct.pack("!HH", etype, len(body)) + body


def tls12_client_hello(server_name, label="ch"):
    suites = [0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0x009E,
              0x009F, 0x00FF]
    name = server_name.encode()
    exts = b"".join([
        _ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name),
        _ext(11, b"\x01\x00"),
        _ext(10, struct.pack("!HHHH", 6, 0x001D, 0x0017, 0x0018)),
        _ext(35, b""),
        _ext(23, b""),
        _ext(13, struct.pack("!H8H", 16, 0x0403, 0x0804, 0x0401, 0x0503,
                             0x0805, 0x0501, 0x0806, 0x0601)),
    ])
    body = struct.pack("!H", 0x0303) + filler(label + "/random", 32) + \
        b"\x00" + struct.pack("!H", 2 * len(suites)) + \
        struct.pack("!%dH" % len(suites), *suites) + b"\x01\x00" + \
        struct.pack("!H", len(exts)) + exts
    return tls_record(22, tls_handshake(1, body), version=0x0301)


def tls12_server_flight(cert_der, suite=0xC02F, label="sh"):
    """ServerHello, Certificate, ServerKeyExchange (x25519, RSA-PSS
    signature) and ServerHelloDone in one handshake record."""
    exts = _ext(0xFF01, b"\x00") + _ext(11, b"\x01\x00") + _ext(23, b"")
    hello = struct.pack("!H", 0x0303) + filler(label + "/random", 32) + \
        b"\x20" + filler(label + "/session", 32) + \
        struct.pack("!HB", suite, 0) + struct.pack("!H", len(exts)) + exts
    certs = len(cert_der).to_bytes(3, "big") + cert_der
    certificate = len(certs).to_bytes(3, "big") + certs
    ske = struct.pack("!BHB", 3, 0x001D, 32) + filler(label + "/kx", 32) + \
        struct.pack("!HH", 0x0804, 256) + filler(label + "/sig", 256)
    msgs = tls_handshake(2, hello) + tls_handshake(11, certificate) + \
        tls_handshake(12, ske) + tls_handshake(14, b"")
    return tls_record(22, msgs)


def tls12_client_finish(label="cf"):
    """ClientKeyExchange, ChangeCipherSpec and an encrypted Finished."""
    cke = tls_handshake(16, b"\x20" + filler(label + "/kx", 32))
    return tls_record(22, cke) + tls_record(20, b"\x01") + \
        tls_record(22, filler(label + "/fin", 40))


def tls12_server_finish(label="sf"):
    """ChangeCipherSpec and an encrypted Finished."""
    return tls_record(20, b"\x01") + tls_record(22, filler(label + "/fin", 40))


def tls12_app_data(label, n):
    """An application data record carrying n bytes of plaintext under
    AES-GCM (8 bytes explicit nonce, 16 bytes tag)."""
    return tls_record(23, filler(label, n + 24))


def tls12_close_notify(label):
    return tls_record(21, filler(label, 26))


# ---------------------------------------------------------------------------
# TLS handshakes of any version, message by message (RFC 5246, RFC 8446,
# RFC 6101 for SSL 3.0, the SSL 2.0 draft for SSL 2.0).  Each builder
# returns the bytes of one handshake message (type and 24-bit length
# included) or one extension; tls_records() wraps messages into records.
# Keys, signatures and encrypted data are deterministic filler of the
# right sizes: enough for a passive observer, nothing a peer would accept.

# ServerHello.random of a HelloRetryRequest (RFC 8446 section 4.1.3).
HRR_RANDOM = bytes.fromhex(
    "CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")

# Key share and ECDHE point lengths by named group.
GROUP_POINT_LEN = {0x0017: 65, 0x0018: 97, 0x001D: 32}


def tls_ext(etype, body):
    """One extension: type, 16-bit length, body."""
    return _ext(etype, body)


def _vec8(data):
    return struct.pack("!B", len(data)) + data


def _vec16(data):
    return struct.pack("!H", len(data)) + data


def _u16s(values):
    return b"".join(struct.pack("!H", v) for v in values)


def ext_server_name(name):
    """server_name (0) with one host_name entry (RFC 6066 section 3)."""
    host = name.encode()
    return tls_ext(0, _vec16(b"\x00" + _vec16(host)))


def ext_alpn(protocols):
    """application_layer_protocol_negotiation (16), RFC 7301; a server
    sends exactly one protocol."""
    return tls_ext(16, _vec16(b"".join(_vec8(p.encode())
                                       for p in protocols)))


def ext_supported_groups(groups):
    return tls_ext(10, _vec16(_u16s(groups)))


def ext_ec_point_formats():
    return tls_ext(11, b"\x01\x00")


def ext_signature_algorithms(algs=(0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
                                   0x0501, 0x0806, 0x0601)):
    return tls_ext(13, _vec16(_u16s(algs)))


def ext_supported_versions(versions):
    """supported_versions (43) as a client sends it: a list."""
    return tls_ext(43, _vec8(_u16s(versions)))


def ext_selected_version(version):
    """supported_versions (43) as a server sends it: one version."""
    return tls_ext(43, struct.pack("!H", version))


def _key_share_entry(group, label):
    n = GROUP_POINT_LEN[group]
    key = filler(label, n)
    if n != 32:
        key = b"\x04" + key[1:]  # uncompressed point
    return struct.pack("!H", group) + _vec16(key)


def ext_key_share_client(groups, label):
    """key_share (51) in a ClientHello: one entry per group."""
    return tls_ext(51, _vec16(b"".join(
        _key_share_entry(g, "%s/%d" % (label, g)) for g in groups)))


def ext_key_share_server(group, label):
    """key_share (51) in a ServerHello: the one entry chosen."""
    return tls_ext(51, _key_share_entry(group, label))


def ext_key_share_hrr(group):
    """key_share (51) in a HelloRetryRequest: the selected group only."""
    return tls_ext(51, struct.pack("!H", group))


def ext_psk_key_exchange_modes():
    return tls_ext(45, b"\x01\x01")  # psk_dhe_ke


def ext_renegotiation_info():
    return tls_ext(0xFF01, b"\x00")


def ext_extended_master_secret():
    return tls_ext(23, b"")


def ext_session_ticket():
    return tls_ext(35, b"")


def client_hello(version, suites, exts, label, session_id=b""):
    """A ClientHello message.  exts is a list of extensions in wire order,
    or None for a hello without an extensions block (SSL 3.0 style)."""
    body = struct.pack("!H", version) + filler(label + "/random", 32) + \
        _vec8(session_id) + _vec16(_u16s(suites)) + b"\x01\x00"
    if exts is not None:
        body += _vec16(b"".join(exts))
    return tls_handshake(1, body)


def server_hello(version, suite, exts, label, session_id=b"", random=None):
    """A ServerHello (or, with random=HRR_RANDOM, a HelloRetryRequest).
    exts None leaves the extensions block out."""
    if random is None:
        random = filler(label + "/random", 32)
    body = struct.pack("!H", version) + random + _vec8(session_id) + \
        struct.pack("!HB", suite, 0)
    if exts is not None:
        body += _vec16(b"".join(exts))
    return tls_handshake(2, body)


def certificate(ders):
    """A TLS 1.2 (and earlier) Certificate message: the chain, leaf first."""
    chain = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return tls_handshake(11, len(chain).to_bytes(3, "big") + chain)


def _signature(label, sig_alg, sig_len):
    sig = _vec16(filler(label + "/sig", sig_len))
    if sig_alg is None:  # TLS 1.0, 1.1 and SSL 3.0: no algorithm field
        return sig
    return struct.pack("!H", sig_alg) + sig


def server_key_exchange_ecdhe(group, label, sig_alg=0x0804, sig_len=256):
    """ServerKeyExchange for ECDHE (RFC 8422 section 5.4): named curve,
    public point, signature; sig_alg None for TLS 1.0/1.1."""
    n = GROUP_POINT_LEN[group]
    point = filler(label + "/point", n)
    if n != 32:
        point = b"\x04" + point[1:]
    params = struct.pack("!BH", 3, group) + _vec8(point)
    return tls_handshake(12, params + _signature(label, sig_alg, sig_len))


def server_key_exchange_dhe(p_len, label, sig_alg=0x0804, sig_len=256,
                            anonymous=False):
    """ServerKeyExchange for DHE (RFC 5246 section 7.4.3): dh_p, dh_g,
    dh_Ys, then a signature unless anonymous; sig_alg None for TLS
    1.0/1.1 and SSL 3.0."""
    p = b"\xff" + filler(label + "/p", p_len - 2) + b"\xff"
    ys = filler(label + "/ys", p_len)
    params = _vec16(p) + _vec16(b"\x02") + _vec16(ys)
    if anonymous:
        return tls_handshake(12, params)
    return tls_handshake(12, params + _signature(label, sig_alg, sig_len))


def server_hello_done():
    return tls_handshake(14, b"")


def new_session_ticket(label, lifetime=7200, n=192):
    """A TLS 1.2 NewSessionTicket (RFC 5077 section 3.3)."""
    return tls_handshake(4, struct.pack("!I", lifetime) +
                         _vec16(filler(label + "/ticket", n)))


def client_key_exchange_rsa(label, n=256, ssl3=False):
    """ClientKeyExchange for RSA key transport: the encrypted premaster
    secret, without a length prefix in SSL 3.0."""
    secret = filler(label + "/pms", n)
    return tls_handshake(16, secret if ssl3 else _vec16(secret))


def client_key_exchange_ecdhe(group, label):
    n = GROUP_POINT_LEN[group]
    point = filler(label + "/point", n)
    if n != 32:
        point = b"\x04" + point[1:]
    return tls_handshake(16, _vec8(point))


def client_key_exchange_dhe(y_len, label):
    return tls_handshake(16, _vec16(filler(label + "/yc", y_len)))


def tls_records(ctype, data, version=0x0303, sizes=None):
    """data cut into records of the given content type; sizes gives the
    lengths of the leading records (a handshake message may so straddle
    two records, RFC 5246 section 6.2.1), the rest goes in one."""
    out = b""
    off = 0
    for n in sizes or []:
        if off >= len(data):
            break
        out += tls_record(ctype, data[off:off + n], version)
        off += n
    if off < len(data):
        out += tls_record(ctype, data[off:], version)
    return out


def tls_encrypted(ctype, label, n, version=0x0303):
    """A record of n bytes of filler standing for ciphertext (an
    encrypted Finished, application data or alert)."""
    return tls_record(ctype, filler(label, n), version)


# SSL 2.0: records with a 2-byte header (high bit set, 15-bit length).

def sslv2_record(body):
    return struct.pack("!H", 0x8000 | len(body)) + body


def sslv2_client_hello(version, specs, label, session_id=b""):
    """CLIENT-HELLO (message type 1) in its record: version, lengths, the
    3-byte cipher specs, session id, a 16-byte challenge.  Version 0x0002
    is SSL 2.0 itself; 0x0300 and up make the compatible hello that TLS
    clients used to send."""
    spec_bytes = b"".join(s.to_bytes(3, "big") for s in specs)
    challenge = filler(label + "/challenge", 16)
    body = struct.pack("!BHHHH", 1, version, len(spec_bytes),
                       len(session_id), len(challenge)) + spec_bytes + \
        session_id + challenge
    return sslv2_record(body)


def sslv2_server_hello(cert_der, specs, label, version=0x0002):
    """SERVER-HELLO (message type 4): no session-id hit, an X.509
    certificate, the cipher specs the server accepts, a 16-byte
    connection id."""
    spec_bytes = b"".join(s.to_bytes(3, "big") for s in specs)
    conn_id = filler(label + "/connid", 16)
    body = struct.pack("!BBBHHHH", 4, 0, 1, version, len(cert_der),
                       len(spec_bytes), len(conn_id)) + cert_der + \
        spec_bytes + conn_id
    return sslv2_record(body)


def sslv2_client_master_key(kind, label, enc_len=256):
    """CLIENT-MASTER-KEY (message type 2): the chosen cipher kind, no
    clear key part, the master key encrypted to the server's RSA key, no
    key argument (a stream cipher)."""
    body = struct.pack("!B", 2) + kind.to_bytes(3, "big") + \
        struct.pack("!HHH", 0, enc_len, 0) + filler(label + "/mk", enc_len)
    return sslv2_record(body)


def sslv2_encrypted(label, n):
    """An SSL 2.0 record after the key exchange: MAC and ciphertext."""
    return sslv2_record(filler(label, n))
