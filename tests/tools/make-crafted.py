#!/usr/bin/env python3
"""Regenerate the crafted captures of plainsight's pcap regression suite.

Usage: make-crafted.py [--out DIR] [--only NAME,...] [--list]

Writes tests/pcap/crafted/<case>.pcap (or .pcapng) for every case below.
The output is deterministic: running it again gives identical files, so a
difference in `git status` after a run means a case's bytes changed and its
expected file (tests/pcap/<case>.expected) must be worked out again.

Each case is one function; its docstring says what the capture holds.
Hosts are documentation addresses (clients in 10/8), users and passwords
are made up.
"""

import argparse
import base64
import hashlib
import hmac
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pcapcraft import (  # noqa: E402
    Capture, TcpConn, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_RAW_BSD,
    LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_NULL, LINKTYPE_LOOP,
    LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_IEEE802_11, ETH_VLAN,
    ETH_QINQ, ETH_IPV4, ETH_ARP, IPPROTO_TCP, IPPROTO_UDP, eth_link,
    mpls_link, gre_link, erspan2_link, erspan3_link, vxlan_link, sll_link,
    sll2_link, raw_link, null_link, loop_link, ethernet, ipv4,
    ipv4_fragments, udp, tcp, hop_by_hop, dest_opts, tls12_client_hello,
    tls12_server_flight, tls12_client_finish, tls12_server_finish,
    tls12_app_data, tls12_close_notify, tls_record, tls_records,
    tls_encrypted, filler, HRR_RANDOM, client_hello, server_hello,
    certificate, server_key_exchange_ecdhe, server_key_exchange_dhe,
    server_hello_done, new_session_ticket, client_key_exchange_rsa,
    client_key_exchange_ecdhe, client_key_exchange_dhe, ext_server_name,
    ext_alpn, ext_supported_groups, ext_ec_point_formats,
    ext_signature_algorithms, ext_supported_versions, ext_selected_version,
    ext_key_share_client, ext_key_share_server, ext_key_share_hrr,
    ext_psk_key_exchange_modes, ext_renegotiation_info,
    ext_extended_master_secret, ext_session_ticket, sslv2_client_hello,
    sslv2_server_hello, sslv2_client_master_key, sslv2_encrypted)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "pcap", "crafted")

# The server certificate of the TLS cases: CN=mail.example.net, issued by
# "Example Test Root", valid 2024-01-01 to 2034-01-01 (made with openssl
# for these tests; its key is not kept).
CERT_DER = base64.b64decode("""
MIIDWzCCAkOgAwIBAgICEJIwDQYJKoZIhvcNAQELBQAwNjEYMBYGA1UECgwPRXhhbXBsZSBU
ZXN0IENBMRowGAYDVQQDDBFFeGFtcGxlIFRlc3QgUm9vdDAeFw0yNDAxMDEwMDAwMDBaFw0z
NDAxMDEwMDAwMDBaMBsxGTAXBgNVBAMMEG1haWwuZXhhbXBsZS5uZXQwggEiMA0GCSqGSIb3
DQEBAQUAA4IBDwAwggEKAoIBAQCyBj39TczaOBZ3COueVV+vFpksEuW++9x8OmgVJEw+TwfR
JMel8o2KOdbwMovNPoWreMcEekG7BJdbFRkcZbpDaONPpas7UZqqZDthc+/Oy3cCc9lS00Mc
OjljVXqs3E4yjnr8CRnARBFrzs7ALKM4xbEErwJX1UrvJPwyqQqlo0zbeXVKqfZrC9QXzEge
gou0zbOROmnCp8o4yYOcqYC5AHn+ZuPhI7O7KcF4bYAsXf/1BDHgOaIfiWhAw5MIgFn/1K6R
D+XiTAJDwm1eoXZLHmcp/aTFu7S7X5LNc8Aqh6mMOApDBd6Vi6CMiYaqLs2S7RbI8p9yFlvs
2UzCp7XjAgMBAAGjgY0wgYowGwYDVR0RBBQwEoIQbWFpbC5leGFtcGxlLm5ldDATBgNVHSUE
DDAKBggrBgEFBQcDATAJBgNVHRMEAjAAMAsGA1UdDwQEAwIFoDAdBgNVHQ4EFgQUy9e0hH6t
pexni8Zg3SPkPGpXJJswHwYDVR0jBBgwFoAU2oP71whr29tx4PRzaArj3OdZtwkwDQYJKoZI
hvcNAQELBQADggEBAHAfS0Jl/XuAmda5lFYQ27NMt8nafX77GwxcqZU5fvSJmkfsu/7Ti8pY
2y47yP4il2ZeNpuUgrxx0J6064z8eC00NVQxyZdFROmb7e63u6VLcye/H0HXzfyBrmNPeJA7
iT3Q4jAkd3sAnVMQ9UcW0RRphhbLaWdzl4Dv5F/GBu8baRnrWXzunJ7qJhMLE2DCsi6tKgab
05E6q2hmMGL+Hk8EW7SSBTnaTOfIxhMfuKL/5kuykY2c0WB3ws9MDuRmMkZ62duObnrm2v0s
b5o+cnKO5/EZuDnfaGv0oZlD+UW+8S5aeKaFuyhOxRK1APOj3U0Qw2XktV0nyrXdKr9XgZU=
""")

SMTP_SERVER4 = ("192.0.2.25", 587)
SMTP_SERVER6 = ("2001:db8:25::25", 587)


# ---------------------------------------------------------------------------
# Helpers

def crlf(*lines):
    """Protocol lines joined with CRLF, each terminated."""
    return b"".join(
        (ln if isinstance(ln, bytes) else ln.encode()) + b"\r\n"
        for ln in lines)


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def plain_ir(user, password, authzid=""):
    """The SASL PLAIN message (RFC 4616), base64."""
    return b64("%s\0%s\0%s" % (authzid, user, password))


EHLO_STARTTLS = crlf("250-mail.example.net", "250-PIPELINING",
                     "250-SIZE 10240000", "250-STARTTLS",
                     "250-AUTH PLAIN LOGIN", "250 8BITMIME")
EHLO_NO_STARTTLS = crlf("250-mail.example.net", "250-PIPELINING",
                        "250-SIZE 10240000", "250-AUTH PLAIN LOGIN",
                        "250 8BITMIME")


def smtp_plain_submission(conn, user, password, handshake=True):
    """The decoding cases' payload: EHLO (STARTTLS offered), AUTH PLAIN
    with an initial response, accepted, QUIT, orderly close."""
    if handshake:
        conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("AUTH PLAIN " + plain_ir(user, password)))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()


def smtp_transaction(conn, sender, rcpt, body_lines):
    conn.client(crlf("MAIL FROM:<%s>" % sender))
    conn.server(crlf("250 2.1.0 Ok"))
    conn.client(crlf("RCPT TO:<%s>" % rcpt))
    conn.server(crlf("250 2.1.5 Ok"))
    conn.client(crlf("DATA"))
    conn.server(crlf("354 End data with <CR><LF>.<CR><LF>"))
    conn.client(crlf(*body_lines) + b".\r\n")
    conn.server(crlf("250 2.0.0 Ok: queued as 4TQ1nB2xYz"))


def submission_case(cap, link, client, server, user, password):
    conn = TcpConn(cap, link, client, server)
    smtp_plain_submission(conn, user, password)
    return conn


def eth_submission(tag, client_ip, user, password, **link_kw):
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, eth_link(**link_kw), (client_ip, 40000 + tag),
                    SMTP_SERVER4, user, password)
    return cap


# ---------------------------------------------------------------------------
# Decoding: link layers, tunnels, IP options, capture formats

def decode_ethernet(out):
    """Baseline: the SMTP submission over plain Ethernet and IPv4."""
    eth_submission(1, "10.0.0.1", "alice@example.org",
                   "Alice-Eth-7391").write_pcap(out + ".pcap")


def decode_vlan(out):
    """802.1Q tag, VLAN 100."""
    eth_submission(2, "10.0.0.2", "bruno@example.org", "Bruno-Vlan-5520",
                   tags=[(ETH_VLAN, 100)]).write_pcap(out + ".pcap")


def decode_qinq(out):
    """802.1ad outer tag 0x88a8 (S-VLAN 300) over 802.1Q (C-VLAN 42)."""
    eth_submission(3, "10.0.0.3", "chloe@example.org", "Chloe-QinQ-8812",
                   tags=[(ETH_QINQ, 300), (ETH_VLAN, 42)]).write_pcap(
                       out + ".pcap")


def decode_mpls(out):
    """Two MPLS labels (1001, then 2002 with bottom of stack) over
    Ethernet; no ethertype follows the stack, IPv4 is recognised by its
    version nibble."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, mpls_link([1001, 2002]), ("10.0.0.4", 40004),
                    SMTP_SERVER4, "dmitri@example.org", "Dmitri-Mpls-3307")
    cap.write_pcap(out + ".pcap")


def decode_gre(out):
    """GRE (no key, no sequence) between routers 198.51.100.1 and
    198.51.100.2 carrying the session's IPv4 packets."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, gre_link("198.51.100.1", "198.51.100.2"),
                    ("10.0.0.5", 40005), SMTP_SERVER4, "elena@example.org",
                    "Elena-Gre-6604")
    cap.write_pcap(out + ".pcap")


def decode_gre_key_seq(out):
    """GRE with the key (0x2a) and sequence number fields present, so the
    GRE header is 12 bytes long instead of 4."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, gre_link("198.51.100.1", "198.51.100.2", key=42,
                                  seq=1), ("10.0.0.6", 40006), SMTP_SERVER4,
                    "farid@example.org", "Farid-GreKey-1175")
    cap.write_pcap(out + ".pcap")


def decode_erspan2(out):
    """ERSPAN type II: a switch (198.51.100.10) mirrors the session's
    Ethernet frames to a collector (198.51.100.20) in GRE 0x88be with a
    sequence number and an 8-byte ERSPAN header."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, erspan2_link("198.51.100.10", "198.51.100.20"),
                    ("10.0.0.7", 40007), SMTP_SERVER4, "greta@example.org",
                    "Greta-Erspan2-2290")
    cap.write_pcap(out + ".pcap")


def decode_erspan3(out):
    """ERSPAN type III: GRE 0x22eb with a sequence number and a 12-byte
    ERSPAN header (no platform sub-header)."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, erspan3_link("198.51.100.10", "198.51.100.20"),
                    ("10.0.0.8", 40008), SMTP_SERVER4, "hiro@example.org",
                    "Hiro-Erspan3-4418")
    cap.write_pcap(out + ".pcap")


def decode_vxlan(out):
    """VXLAN (UDP 4789, VNI 5001) between tunnel endpoints 198.51.100.31
    and 198.51.100.32, inner Ethernet frames."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, vxlan_link("198.51.100.31", "198.51.100.32", 5001),
                    ("10.0.0.9", 40009), SMTP_SERVER4, "ines@example.org",
                    "Ines-Vxlan-9034")
    cap.write_pcap(out + ".pcap")


def decode_sll(out):
    """Linux cooked capture v1 (DLT 113), as `tcpdump -i any` writes."""
    cap = Capture(LINKTYPE_LINUX_SLL)
    submission_case(cap, sll_link(), ("10.0.0.10", 40010), SMTP_SERVER4,
                    "jonas@example.org", "Jonas-Sll-3861")
    cap.write_pcap(out + ".pcap")


def decode_sll2(out):
    """Linux cooked capture v2 (DLT 276)."""
    cap = Capture(LINKTYPE_LINUX_SLL2)
    submission_case(cap, sll2_link(), ("10.0.0.11", 40011), SMTP_SERVER4,
                    "kira@example.org", "Kira-Sll2-7745")
    cap.write_pcap(out + ".pcap")


def decode_raw_ipv4(out):
    """Raw IP, link type 101 (LINKTYPE_RAW), IPv4."""
    cap = Capture(LINKTYPE_RAW)
    submission_case(cap, raw_link(), ("10.0.0.12", 40012), SMTP_SERVER4,
                    "lars@example.org", "Lars-Raw4-5128")
    cap.write_pcap(out + ".pcap")


def decode_raw_ipv6(out):
    """Raw IP, link type 101, IPv6."""
    cap = Capture(LINKTYPE_RAW)
    submission_case(cap, raw_link(), ("2001:db8:10::13", 40013),
                    SMTP_SERVER6, "maya@example.org", "Maya-Raw6-6619")
    cap.write_pcap(out + ".pcap")


def decode_raw12_ipv4(out):
    """Raw IP under link type 12, the DLT_RAW value of Linux and most BSDs
    that some writers put in files instead of 101."""
    cap = Capture(LINKTYPE_RAW_BSD)
    submission_case(cap, raw_link(), ("10.0.0.14", 40014), SMTP_SERVER4,
                    "nils@example.org", "Nils-Raw12-2047")
    cap.write_pcap(out + ".pcap")


def decode_linktype_ipv4(out):
    """Link type 228 (LINKTYPE_IPV4): IPv4 only, no link header."""
    cap = Capture(LINKTYPE_IPV4)
    submission_case(cap, raw_link(), ("10.0.0.15", 40015), SMTP_SERVER4,
                    "olga@example.org", "Olga-Lt228-8530")
    cap.write_pcap(out + ".pcap")


def decode_linktype_ipv6(out):
    """Link type 229 (LINKTYPE_IPV6): IPv6 only, no link header."""
    cap = Capture(LINKTYPE_IPV6)
    submission_case(cap, raw_link(), ("2001:db8:10::16", 40016),
                    SMTP_SERVER6, "pavel@example.org", "Pavel-Lt229-3396")
    cap.write_pcap(out + ".pcap")


def decode_null_inet6(out):
    """BSD loopback (DLT 0) as macOS writes it: a 4-byte little-endian
    address family, AF_INET6 = 30."""
    cap = Capture(LINKTYPE_NULL)
    submission_case(cap, null_link(af_inet6=30, order="<"),
                    ("2001:db8:10::17", 40017), SMTP_SERVER6,
                    "quinn@example.org", "Quinn-Null6-4471")
    cap.write_pcap(out + ".pcap")


def decode_null_inet_be(out):
    """BSD loopback (DLT 0) captured on a big-endian host: the file is
    big-endian and so is the address family (AF_INET = 2, 00 00 00 02)."""
    cap = Capture(LINKTYPE_NULL)
    submission_case(cap, null_link(order=">"), ("10.0.0.18", 40018),
                    SMTP_SERVER4, "rosa@example.org", "Rosa-NullBE-9902")
    cap.write_pcap(out + ".pcap", big_endian=True)


def decode_loop_inet6(out):
    """OpenBSD loopback (DLT 108): address family in network byte order,
    AF_INET6 = 24."""
    cap = Capture(LINKTYPE_LOOP)
    submission_case(cap, loop_link(af_inet6=24), ("2001:db8:10::19", 40019),
                    SMTP_SERVER6, "sven@example.org", "Sven-Loop6-1358")
    cap.write_pcap(out + ".pcap")


def decode_ipv6_ext_headers(out):
    """IPv6 over Ethernet with a Hop-by-Hop Options header (Router Alert)
    and a Destination Options header (PadN) before TCP in every packet."""
    cap = Capture(LINKTYPE_ETHERNET)
    ext = [hop_by_hop(b"\x05\x02\x00\x00"), dest_opts(b"\x01\x02\x00\x00")]
    conn = TcpConn(cap, eth_link(), ("2001:db8:10::20", 40020),
                   SMTP_SERVER6, ip_kw={"ext": ext})
    smtp_plain_submission(conn, "tomas@example.org", "Tomas-Ext6-7264")
    cap.write_pcap(out + ".pcap")


def decode_ipv4_options(out):
    """IPv4 with options in every packet: Router Alert (RFC 2113) and a
    NOP, padded to 8 bytes, so IHL is 7 and TCP starts at byte 28."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.33", 40033), SMTP_SERVER4,
                   ip_kw={"options": b"\x94\x04\x00\x00\x01"})
    smtp_plain_submission(conn, "cora@example.org", "Cora-IpOpt-4120")
    cap.write_pcap(out + ".pcap")


def decode_pcapng(out):
    """The submission in a pcapng file: Section Header, Interface
    Description, Enhanced Packet Blocks, Interface Statistics."""
    eth_submission(21, "10.0.0.21", "ulla@example.org",
                   "Ulla-Pcapng-5813").write_pcapng(
                       out + ".pcapng", comment="plainsight test capture")


def decode_pcap_nsec(out):
    """Classic pcap with the nanosecond magic 0xa1b23c4d."""
    cap = Capture(LINKTYPE_ETHERNET, step_ns=1234567)
    submission_case(cap, eth_link(), ("10.0.0.22", 40022), SMTP_SERVER4,
                    "viktor@example.org", "Viktor-Nsec-6650")
    cap.write_pcap(out + ".pcap", nanosecond=True)


def _udp_frame(src, dst, sport, dport, payload, **ip_kw):
    return ethernet(ipv4(src, dst, IPPROTO_UDP,
                         udp(src, dst, sport, dport, payload), **ip_kw),
                    ETH_IPV4)


def decode_ip_fragments(out):
    """While the submission runs, a 2004-byte UDP datagram of another flow
    (10.0.0.99 -> 198.51.100.53:9) arrives in two IPv4 fragments."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.23", 40023), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    dgram = udp("10.0.0.99", "198.51.100.53", 40123, 9,
                b"fragment-me " * 166 + b"end.")
    for frag in ipv4_fragments("10.0.0.99", "198.51.100.53", IPPROTO_UDP,
                               dgram, 1480, ident=0x7A7A):
        cap.add(ethernet(frag, ETH_IPV4))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("AUTH PLAIN " + plain_ir("wanda@example.org",
                                              "Wanda-Frag-2718")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def decode_snaplen(out):
    """Snap length 256: every frame of the submission fits, two 700-byte
    UDP frames of another flow are cut to 256 bytes."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.24", 40024), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    for i in range(2):
        cap.add(_udp_frame("10.0.0.98", "198.51.100.9", 50000, 9,
                           bytes([0x41 + i]) * 658))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("AUTH PLAIN " + plain_ir("xaver@example.org",
                                              "Xaver-Snap-3141")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap", snaplen=256)


def decode_bad_ip_checksum(out):
    """The AUTH PLAIN segment first arrives with a wrong IPv4 header
    checksum (as if corrupted on the way; a receiver drops it), then again
    200 ms later, correct, as the sender's retransmission.  Both copies
    carry the same bytes, so the session reads the same whether plainsight
    drops the bad copy or not."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.25", 40025), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    seg = conn.segments(True, crlf("AUTH PLAIN " + plain_ir(
        "yusuf@example.org", "Yusuf-Csum-1618")))[0]
    conn.ip_kw["bad_checksum"] = True
    conn.put(seg)
    del conn.ip_kw["bad_checksum"]
    cap.tick(0.2)
    conn.put(seg)
    conn.ack(False)
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def decode_garbage(out):
    """Malformed frames among the submission's: an 8-byte runt, IPv4 with
    IHL 2, IPv4 whose total length is shorter than its header, TCP with a
    data offset of 2; and two frames that are merely not IP (ARP, an
    unknown ethertype) and so are no decoding error."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.26", 40026), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    src, dst = "10.0.0.96", "198.51.100.99"
    cap.add(b"\xff\xff\xff\xff\xff\xff\x02\x00")
    cap.add(ethernet(ipv4(src, dst, IPPROTO_UDP, b"\0" * 26, ihl=2),
                     ETH_IPV4))
    cap.add(ethernet(ipv4(src, dst, IPPROTO_UDP, b"\0" * 26,
                          total_length=12), ETH_IPV4))
    cap.add(ethernet(ipv4(src, dst, IPPROTO_TCP,
                          tcp(src, dst, 1234, 9, 1, 0, 0x02,
                              data_offset=2)), ETH_IPV4))
    cap.add(ethernet(bytes.fromhex("0001080006040001020000000001") +
                     bytes([10, 0, 0, 26]) + b"\0" * 6 +
                     bytes([192, 0, 2, 25]), ETH_ARP))
    cap.add(ethernet(b"garbage that no one decodes" * 2, 0x88B5))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("AUTH PLAIN " + plain_ir("zoe@example.org",
                                              "Zoe-Garbage-2236")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def decode_unsupported_linktype(out):
    """Link type 105 (IEEE 802.11 data frames with LLC/SNAP) carrying the
    submission: plainsight has no 802.11 decoder and must refuse the file
    rather than report nothing."""
    cap = Capture(LINKTYPE_IEEE802_11)
    bssid = bytes.fromhex("02000000ab01")
    seq = [0]

    def wlan(ip, to_server):
        # Data frame: To DS from the client, From DS towards it.
        if to_server:
            fc, a1, a2, a3 = b"\x08\x01", bssid, bytes.fromhex(
                "020000000001"), bytes.fromhex("020000000002")
        else:
            fc, a1, a2, a3 = b"\x08\x02", bytes.fromhex(
                "020000000001"), bssid, bytes.fromhex("020000000002")
        hdr = fc + b"\x00\x00" + a1 + a2 + a3 + struct.pack(
            "<H", seq[0] << 4)
        seq[0] += 1
        snap = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ETH_IPV4)
        return hdr + snap + ip

    submission_case(cap, wlan, ("10.0.0.27", 40027), SMTP_SERVER4,
                    "adam@example.org", "Adam-Wlan-4049")
    cap.write_pcap(out + ".pcap")


def decode_cut_mid_packet(out):
    """The submission, with the file cut in the middle of the record that
    holds the server's 221 reply (record 16 of 20): its header is complete,
    30 of its 69 bytes are present.  Every record before it is whole."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.0.0.28", 40028), SMTP_SERVER4)
    smtp_plain_submission(conn, "berit@example.org", "Berit-Cut-8086")
    path = out + ".pcap"
    cap.write_pcap(path)
    with open(path, "rb") as f:
        data = f.read()
    off = 24
    while b"221 2.0.0 Bye" not in data[off:off + 16 + struct.unpack_from(
            "<I", data, off + 8)[0]]:
        off += 16 + struct.unpack_from("<I", data, off + 8)[0]
    with open(path, "wb") as f:
        f.write(data[:off + 16 + 30])


# ---------------------------------------------------------------------------
# Options of `plainsight capture`

def option_bpf(out):
    """An SMTP submission (10.0.0.29) and a POP3 session (10.0.0.30); the
    test runs with -f 'tcp port 110' so only the POP3 one is seen."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, eth_link(), ("10.0.0.29", 40029), SMTP_SERVER4,
                    "carla@example.org", "Carla-Bpf-5937")
    pop = TcpConn(cap, eth_link(), ("10.0.0.30", 40030),
                  ("192.0.2.110", 110))
    pop3_user_pass(pop, "dario", "Dario-Bpf-7202")
    cap.write_pcap(out + ".pcap")


def option_two_files(out):
    """Two files read in one run (-r A -r B): an SMTP submission in the
    first, a POP3 session in the second."""
    cap = Capture(LINKTYPE_ETHERNET)
    submission_case(cap, eth_link(), ("10.0.0.31", 40031), SMTP_SERVER4,
                    "edith@example.org", "Edith-File1-3850")
    cap.write_pcap(out + "-a.pcap")
    cap = Capture(LINKTYPE_ETHERNET, start_ns=cap.clock + 60 * 10**9)
    pop = TcpConn(cap, eth_link(), ("10.0.0.32", 40032),
                  ("192.0.2.110", 110))
    pop3_user_pass(pop, "fritz", "Fritz-File2-6418")
    cap.write_pcap(out + "-b.pcap")


# ---------------------------------------------------------------------------
# TCP reassembly

def reasm_out_of_order(out):
    """The EHLO reply comes in three in-order segments cut mid-line; the
    AUTH PLAIN line in three segments sent in the order 3, 1, 2."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.1", 41001), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS, splits=[7, 50])
    conn.client(crlf("AUTH PLAIN " + plain_ir("gustav@example.org",
                                              "Gustav-Ooo-4826")),
                splits=[8, 25], order=[2, 0, 1])
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def reasm_retransmission(out):
    """The AUTH PLAIN segment is sent twice with the same bytes (a timeout
    retransmission 200 ms later), and so is the server's 235 reply."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.2", 41002), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    seg = conn.segments(True, crlf("AUTH PLAIN " + plain_ir(
        "helga@example.org", "Helga-Retx-9153")))[0]
    conn.put(seg)
    cap.tick(0.2)
    conn.put(seg)
    conn.ack(False)
    reply = conn.segments(False, crlf("235 2.7.0 Authentication "
                                      "successful"))[0]
    conn.put(reply)
    cap.tick(0.2)
    conn.put(reply)
    conn.ack(True)
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def reasm_overlap_first_wins(out):
    """AUTH LOGIN.  The username line is sent as a 12-byte segment, then a
    segment starting at the same sequence number carries the whole line
    with other bytes in its first 12: base64 of ivar@example.org first,
    of jorn@example.org in the overlapping copy.  The two lines differ only
    in their first 8 bytes, so first-copy-wins gives ivar, last-copy-wins
    gives jorn."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.3", 41003), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("AUTH LOGIN"))
    conn.server(crlf("334 VXNlcm5hbWU6"))
    first = crlf(b64("ivar@example.org"))
    second = crlf(b64("jorn@example.org"))
    assert len(first) == len(second) and first[12:] == second[12:]
    seg = conn.segments(True, first[:12])[0]
    conn.put(seg)
    conn.put(conn.segment_at(True, seg.seq, second))
    conn.ack(False)
    conn.server(crlf("334 UGFzc3dvcmQ6"))
    conn.client(crlf(b64("Ivar-Overlap-5077")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def reasm_gap_resync(out):
    """Port 25.  A first mail transaction whose body (250 bytes) comes in five
    segments; the third (52 bytes, mid-line) is missing from the capture
    though the server's ACK covers it.  Then AUTH PLAIN and a second
    transaction."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.4", 41004), ("192.0.2.26", 25))
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("MAIL FROM:<news@example.org>"))
    conn.server(crlf("250 2.1.0 Ok"))
    conn.client(crlf("RCPT TO:<list@example.net>"))
    conn.server(crlf("250 2.1.5 Ok"))
    conn.client(crlf("DATA"))
    conn.server(crlf("354 End data with <CR><LF>.<CR><LF>"))
    body = crlf("From: news@example.org", "To: list@example.net",
                "Subject: weekly notes", "",
                "This week the meeting moves to Thursday afternoon.",
                "The agenda is attached; please read it before then.",
                "Notes from last week follow below this line.",
                "Nothing else to report.") + b".\r\n"
    segs = conn.segments(True, body, sizes=[40, 40, 52, 60])
    for i, seg in enumerate(segs):
        if i != 2:
            conn.put(seg)
    conn.ack(False)
    conn.server(crlf("250 2.0.0 Ok: queued as 4TQ1nB2xYz"))
    conn.client(crlf("AUTH PLAIN " + plain_ir("karin@example.org",
                                              "Karin-Gap-3599")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    smtp_transaction(conn, "karin@example.org", "ops@example.net",
                     ["Subject: second", "", "Second message."])
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def reasm_midstream_imap(out):
    """IMAP on 143 captured from the middle: no handshake, the first packet
    is the server finishing an earlier reply, then LOGIN, SELECT, LOGOUT."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.5", 51514),
                   ("203.0.113.143", 143), isn_client=3000000000,
                   isn_server=4000000000, midstream=True)
    conn.server(crlf("a1 OK CAPABILITY completed"))
    conn.client(crlf('a2 LOGIN lukas "Lukas-Mid-7710"'))
    conn.server(crlf("a2 OK LOGIN completed"))
    conn.client(crlf("a3 SELECT INBOX"))
    conn.server(crlf("* 3 EXISTS", "* 0 RECENT",
                     "a3 OK [READ-WRITE] SELECT completed"))
    conn.client(crlf("a4 LOGOUT"))
    conn.server(crlf("* BYE logging out", "a4 OK LOGOUT completed"))
    conn.close(client_first=False)
    cap.write_pcap(out + ".pcap")


def reasm_smtp_port_2525(out):
    """SMTP on port 2525 with a full handshake; the EHLO reply lists no
    STARTTLS; AUTH LOGIN in three steps."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.6", 49999),
                   ("198.51.100.25", 2525))
    conn.handshake()
    conn.server(crlf("220 smtp.example.net ESMTP ready"))
    conn.client(crlf("EHLO laptop.example.org"))
    conn.server(EHLO_NO_STARTTLS)
    conn.client(crlf("AUTH LOGIN"))
    conn.server(crlf("334 VXNlcm5hbWU6"))
    conn.client(crlf(b64("marta@example.org")))
    conn.server(crlf("334 UGFzc3dvcmQ6"))
    conn.client(crlf(b64("Marta-2525-6842")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def reasm_server_first_odd_ports(out):
    """No handshake; the server (198.51.100.77:40025) sends the first
    packet, the 220 greeting, to a client on the lower port 30001: neither
    "lower port" nor "first sender" tells the server, the protocol does."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.1.0.7", 30001),
                   ("198.51.100.77", 40025), midstream=True)
    conn.server(crlf("220 relay.example.net ESMTP"))
    conn.client(crlf("EHLO host.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("AUTH PLAIN " + plain_ir("nadia@example.org",
                                              "Nadia-Odd-2493")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


# ---------------------------------------------------------------------------
# SMTP

def _smtp(out, client, server, steps, handshake=True, close=True):
    """Writes one SMTP session from a list of ("C"|"S", bytes) steps."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), client, server)
    if handshake:
        conn.handshake()
    for who, data in steps:
        conn.send(who == "C", data)
    if close:
        conn.close()
    cap.write_pcap(out + ".pcap")
    return conn


MTA_TRANSACTION = [
    ("C", crlf("MAIL FROM:<bounce@example.org>")),
    ("S", crlf("250 2.1.0 Ok")),
    ("C", crlf("RCPT TO:<info@example.net>")),
    ("S", crlf("250 2.1.5 Ok")),
    ("C", crlf("DATA")),
    ("S", crlf("354 End data with <CR><LF>.<CR><LF>")),
    ("C", crlf("From: bounce@example.org", "To: info@example.net",
               "Subject: hello", "", "Hello.", ".")),
    ("S", crlf("250 2.0.0 Ok: queued as 4TQ1nB2xYz")),
    ("C", crlf("QUIT")),
    ("S", crlf("221 2.0.0 Bye")),
]


def smtp_stripped_greeting(out):
    """Port 25.  A middlebox replaced the greeting's text by asterisks
    (220 ****...); the EHLO reply lists no STARTTLS; one message."""
    _smtp(out, ("10.2.0.1", 42001), ("192.0.2.26", 25), [
        ("S", crlf("220 " + "*" * 46)),
        ("C", crlf("EHLO mta1.example.org")),
        ("S", crlf("250-mail.example.net", "250-PIPELINING",
                   "250-SIZE 52428800", "250 8BITMIME")),
    ] + MTA_TRANSACTION)


def smtp_stripped_capability(out):
    """Port 25.  The EHLO reply has 250-XXXXXXXA where STARTTLS was."""
    _smtp(out, ("10.2.0.2", 42002), ("192.0.2.26", 25), [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO mta2.example.org")),
        ("S", crlf("250-mail.example.net", "250-PIPELINING",
                   "250-XXXXXXXA", "250 8BITMIME")),
    ] + MTA_TRANSACTION)


def smtp_stripped_command(out):
    """Port 587.  STARTTLS is offered, the client's STARTTLS arrives as
    XXXXXXXA, the server rejects the unknown command, the client logs in
    in clear text."""
    _smtp(out, ("10.2.0.3", 42003), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("XXXXXXXA")),
        ("S", crlf("502 5.5.2 Error: command not recognized")),
        ("C", crlf("AUTH PLAIN " + plain_ir("oskar@example.org",
                                            "Oskar-Mask-1922"))),
        ("S", crlf("235 2.7.0 Authentication successful")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])


BDAT_CHUNK1 = crlf(
    "From: petra@example.org", "To: team@example.net",
    "Subject: chunking", "",
    "To log in by hand type:",
    "AUTH PLAIN " + plain_ir("mallory@example.org", "Trap-Bdat-0001"),
    "QUIT") + b"and this line goes on in the next chu"
BDAT_CHUNK2 = b"nk\r\n" + crlf("AUTH LOGIN", b64("mallory@example.org"),
                               b64("Trap-Bdat-0002"), "BDAT 5", "Bye.")


def smtp_bdat(out):
    """Port 587, CHUNKING.  After a real AUTH PLAIN, the message goes in two
    BDAT chunks whose bytes hold AUTH PLAIN / AUTH LOGIN lines and a fake
    BDAT; the first chunk ends mid-line.  Each BDAT command travels with
    its chunk; the first one is split across three segments."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.2.0.4", 42004), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(crlf("250-mail.example.net", "250-PIPELINING",
                     "250-CHUNKING", "250-STARTTLS", "250-AUTH PLAIN",
                     "250 8BITMIME"))
    conn.client(crlf("AUTH PLAIN " + plain_ir("petra@example.org",
                                              "Petra-Bdat-4413")))
    conn.server(crlf("235 2.7.0 Authentication successful"))
    conn.client(crlf("MAIL FROM:<petra@example.org>"))
    conn.server(crlf("250 2.1.0 Ok"))
    conn.client(crlf("RCPT TO:<team@example.net>"))
    conn.server(crlf("250 2.1.5 Ok"))
    conn.client(crlf("BDAT %d" % len(BDAT_CHUNK1)) + BDAT_CHUNK1,
                splits=[5, 60])
    conn.server(crlf("250 2.0.0 Ok: %d bytes" % len(BDAT_CHUNK1)))
    conn.client(crlf("BDAT %d LAST" % len(BDAT_CHUNK2)) + BDAT_CHUNK2)
    conn.server(crlf("250 2.0.0 Ok: queued as 4TQ1nB2xYz"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("221 2.0.0 Bye"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def smtp_data_dot_stuffing(out):
    """Port 587.  After a real AUTH PLAIN, a DATA body with dot-stuffed
    lines (a lone "..", "..AUTH PLAIN ...") and an AUTH LOGIN exchange
    written out in the body, then the real end of data and QUIT."""
    body = [
        "From: quentin@example.org", "To: help@example.net",
        "Subject: dots", "",
        "A line with one dot follows:",
        "..",
        "..AUTH PLAIN " + plain_ir("mallory@example.org", "Trap-Dot-0003"),
        "AUTH LOGIN",
        b64("mallory@example.org"),
        b64("Trap-Dot-0004"),
        "... three dots",
    ]
    _smtp(out, ("10.2.0.5", 42005), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("AUTH PLAIN " + plain_ir("quentin@example.org",
                                            "Quentin-Dots-5506"))),
        ("S", crlf("235 2.7.0 Authentication successful")),
        ("C", crlf("MAIL FROM:<quentin@example.org>")),
        ("S", crlf("250 2.1.0 Ok")),
        ("C", crlf("RCPT TO:<help@example.net>")),
        ("S", crlf("250 2.1.5 Ok")),
        ("C", crlf("DATA")),
        ("S", crlf("354 End data with <CR><LF>.<CR><LF>")),
        ("C", crlf(*body) + b".\r\n"),
        ("S", crlf("250 2.0.0 Ok: queued as 4TQ1nB2xYz")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])


def smtp_pipelining(out):
    """Port 587, PIPELINING, no STARTTLS offered.  NOOP and AUTH PLAIN in
    one segment, answered 250 then 535 in one segment; AUTH PLAIN again
    for the same user, 235; MAIL, two RCPT and DATA in one segment,
    answered in one; the end of data and QUIT in one segment."""
    _smtp(out, ("10.2.0.6", 42006), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_NO_STARTTLS),
        ("C", crlf("NOOP", "AUTH PLAIN " + plain_ir(
            "rita@example.org", "Rita-Wrong-0000"))),
        ("S", crlf("250 2.0.0 Ok",
                   "535 5.7.8 Error: authentication failed")),
        ("C", crlf("AUTH PLAIN " + plain_ir("rita@example.org",
                                            "Rita-Pipe-8364"))),
        ("S", crlf("235 2.7.0 Authentication successful")),
        ("C", crlf("MAIL FROM:<rita@example.org>",
                   "RCPT TO:<one@example.net>",
                   "RCPT TO:<two@example.net>", "DATA")),
        ("S", crlf("250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok",
                   "354 End data with <CR><LF>.<CR><LF>")),
        ("C", crlf("Subject: pipelined", "", "Hi both.", ".", "QUIT")),
        ("S", crlf("250 2.0.0 Ok: queued as 4TQ1nB2xYz", "221 2.0.0 Bye")),
    ])


def smtp_starttls_then_cleartext(out):
    """Port 587.  STARTTLS is accepted with 220 but the client goes on in
    clear text: EHLO again (the reply still lists STARTTLS), AUTH PLAIN."""
    _smtp(out, ("10.2.0.7", 42007), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("STARTTLS")),
        ("S", crlf("220 2.0.0 Ready to start TLS")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("AUTH PLAIN " + plain_ir("sami@example.org",
                                            "Sami-Clear-7125"))),
        ("S", crlf("235 2.7.0 Authentication successful")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])


def smtp_starttls_no_handshake(out):
    """Port 25.  STARTTLS is accepted with 220, then both sides close the
    connection without a byte more."""
    _smtp(out, ("10.2.0.8", 42008), ("192.0.2.26", 25), [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO mta3.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("STARTTLS")),
        ("S", crlf("220 2.0.0 Ready to start TLS")),
    ])


def tls12_session(conn, label, exchanges):
    """A TLS 1.2 handshake (ECDHE-RSA-AES128-GCM-SHA256) on conn, then
    application data records of the given plaintext sizes, ("C"|"S", n),
    and close_notify alerts."""
    conn.client(tls12_client_hello("mail.example.net", label + "/ch"))
    conn.server(tls12_server_flight(CERT_DER, label=label + "/sh"))
    conn.client(tls12_client_finish(label + "/cf"))
    conn.server(tls12_server_finish(label + "/sf"))
    for i, (who, n) in enumerate(exchanges):
        conn.send(who == "C", tls12_app_data("%s/app%d" % (label, i), n))
    conn.client(tls12_close_notify(label + "/cc"))
    conn.server(tls12_close_notify(label + "/sc"))


def smtp_starttls_ok(out):
    """Port 587.  STARTTLS offered, issued, accepted, then a TLS 1.2
    handshake and encrypted SMTP: the clean case."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.2.0.9", 42009), SMTP_SERVER4)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO client.example.org"))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("STARTTLS"))
    conn.server(crlf("220 2.0.0 Ready to start TLS"))
    tls12_session(conn, "starttls", [("C", 25), ("S", 110), ("C", 60),
                                     ("S", 39), ("C", 6), ("S", 15)])
    conn.close()
    cap.write_pcap(out + ".pcap")


def smtp_implicit_tls(out):
    """Port 465 (submissions): TLS 1.2 from the first byte, ClientHello,
    ServerHello, Certificate, ServerKeyExchange, ServerHelloDone,
    ClientKeyExchange, ChangeCipherSpec, Finished both ways, then
    encrypted SMTP and close_notify."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.2.0.10", 42010),
                   ("192.0.2.25", 465))
    conn.handshake()
    tls12_session(conn, "smtps", [("S", 36), ("C", 25), ("S", 110),
                                  ("C", 60), ("S", 39), ("C", 6), ("S", 15)])
    conn.close()
    cap.write_pcap(out + ".pcap")


def smtp_cram_md5(out):
    """Port 587, no STARTTLS offered.  AUTH CRAM-MD5 (RFC 2195) with a real
    HMAC-MD5 response."""
    challenge = "<1896.697170952@mail.example.net>"
    digest = hmac.new(b"Tanja-Cram-3810", challenge.encode(),
                      hashlib.md5).hexdigest()
    _smtp(out, ("10.2.0.11", 42011), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP")),
        ("C", crlf("EHLO client.example.org")),
        ("S", crlf("250-mail.example.net", "250-AUTH CRAM-MD5",
                   "250 8BITMIME")),
        ("C", crlf("AUTH CRAM-MD5")),
        ("S", crlf("334 " + b64(challenge))),
        ("C", crlf(b64("tanja@example.org " + digest))),
        ("S", crlf("235 2.7.0 Authentication successful")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])
    return digest


XOAUTH2_TOKEN = "ya29.Test-Token-Ulrich-4bX9q"


def smtp_xoauth2(out):
    """Port 587, no STARTTLS offered.  AUTH XOAUTH2 with the bearer token in
    the initial response."""
    blob = "user=ulrich@example.org\x01auth=Bearer %s\x01\x01" % XOAUTH2_TOKEN
    _smtp(out, ("10.2.0.12", 42012), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP")),
        ("C", crlf("EHLO client.example.org")),
        ("S", crlf("250-mail.example.net", "250-AUTH XOAUTH2 PLAIN",
                   "250 8BITMIME")),
        ("C", crlf("AUTH XOAUTH2 " + b64(blob))),
        ("S", crlf("235 2.7.0 Accepted")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])


def scram_sha256(user, password, cnonce, snonce, salt, iterations):
    """The four SCRAM-SHA-256 messages of RFC 7677/5802."""
    client_first_bare = "n=%s,r=%s" % (user, cnonce)
    server_first = "r=%s%s,s=%s,i=%d" % (cnonce, snonce, b64(salt),
                                         iterations)
    final_bare = "c=biws,r=%s%s" % (cnonce, snonce)
    auth_msg = ",".join([client_first_bare, server_first, final_bare])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt,
                                 iterations)
    ckey = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(ckey).digest()
    csig = hmac.new(stored, auth_msg.encode(), hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(ckey, csig))
    skey = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    ssig = hmac.new(skey, auth_msg.encode(), hashlib.sha256).digest()
    return ("n,," + client_first_bare, server_first,
            final_bare + ",p=" + b64(proof), "v=" + b64(ssig))


def smtp_scram_sha_256(out):
    """Port 587, no STARTTLS offered.  AUTH SCRAM-SHA-256 with a real
    exchange: client-first as initial response, server-first, client-final,
    server-final in a 334, empty client line, 235."""
    c1, s1, c2, s2 = scram_sha256("vera", "Vera-Scram-6157",
                                  "rOprNGfwEbeRWgbNEkqO",
                                  "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
                                  base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="),
                                  4096)
    _smtp(out, ("10.2.0.13", 42013), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP")),
        ("C", crlf("EHLO client.example.org")),
        ("S", crlf("250-mail.example.net", "250-AUTH SCRAM-SHA-256",
                   "250 8BITMIME")),
        ("C", crlf("AUTH SCRAM-SHA-256 " + b64(c1))),
        ("S", crlf("334 " + b64(s1))),
        ("C", crlf(b64(c2))),
        ("S", crlf("334 " + b64(s2))),
        ("C", crlf("")),
        ("S", crlf("235 2.7.0 Authentication successful")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])
    return c2


def smtp_auth_cancelled(out):
    """Port 587, STARTTLS offered.  AUTH LOGIN, then "*" at the first
    prompt: the exchange is cancelled before any name was sent."""
    _smtp(out, ("10.2.0.14", 42014), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("AUTH LOGIN")),
        ("S", crlf("334 VXNlcm5hbWU6")),
        ("C", crlf("*")),
        ("S", crlf("501 5.7.0 Authentication aborted")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])


def smtp_auth_rejected(out):
    """Port 587, STARTTLS offered.  AUTH PLAIN answered 535."""
    _smtp(out, ("10.2.0.15", 42015), SMTP_SERVER4, [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_STARTTLS),
        ("C", crlf("AUTH PLAIN " + plain_ir("wilma@example.org",
                                            "Wilma-Wrong-4620"))),
        ("S", crlf("535 5.7.8 Error: authentication failed")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 2.0.0 Bye")),
    ])


def smtp_auth_retry_folded(out):
    """Port 587, no STARTTLS offered.  The same user tries AUTH LOGIN twice
    with two wrong passwords; both are answered 535."""
    steps = [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO client.example.org")),
        ("S", EHLO_NO_STARTTLS),
    ]
    for pw in ("Xenia-Try1-1111", "Xenia-Try2-2222"):
        steps += [
            ("C", crlf("AUTH LOGIN")),
            ("S", crlf("334 VXNlcm5hbWU6")),
            ("C", crlf(b64("xenia@example.org"))),
            ("S", crlf("334 UGFzc3dvcmQ6")),
            ("C", crlf(b64(pw))),
            ("S", crlf("535 5.7.8 Error: authentication failed")),
        ]
    steps += [("C", crlf("QUIT")), ("S", crlf("221 2.0.0 Bye"))]
    _smtp(out, ("10.2.0.16", 42016), SMTP_SERVER4, steps)


def smtp_mta_no_starttls(out):
    """Port 25, server to server: the EHLO reply lists no STARTTLS; one
    message."""
    _smtp(out, ("10.2.0.17", 42017), ("192.0.2.26", 25), [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO mta4.example.org")),
        ("S", crlf("250-mail.example.net", "250-PIPELINING",
                   "250-SIZE 52428800", "250 8BITMIME")),
    ] + MTA_TRANSACTION)


def smtp_mta_starttls_not_used(out):
    """Port 25, server to server: STARTTLS offered, the client sends its
    message in clear text anyway."""
    _smtp(out, ("10.2.0.18", 42018), ("192.0.2.26", 25), [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("EHLO mta5.example.org")),
        ("S", crlf("250-mail.example.net", "250-PIPELINING",
                   "250-SIZE 52428800", "250-STARTTLS", "250 8BITMIME")),
    ] + MTA_TRANSACTION)


def smtp_helo_only(out):
    """Port 25: HELO, not EHLO, so no capability list exists; one
    message."""
    _smtp(out, ("10.2.0.19", 42019), ("192.0.2.26", 25), [
        ("S", crlf("220 mail.example.net ESMTP Postfix")),
        ("C", crlf("HELO mta6.example.org")),
        ("S", crlf("250 mail.example.net")),
    ] + MTA_TRANSACTION)


# ---------------------------------------------------------------------------
# IMAP

IMAP_SERVER = ("203.0.113.143", 143)


def _imap(out, client, steps):
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), client, IMAP_SERVER)
    conn.handshake()
    for step in steps:
        who, data = step[0], step[1]
        kw = step[2] if len(step) > 2 else {}
        conn.send(who == "C", data, **kw)
    conn.close()
    cap.write_pcap(out + ".pcap")


IMAP_LOGOUT = [
    ("C", crlf("a9 LOGOUT")),
    ("S", crlf("* BYE logging out", "a9 OK LOGOUT completed")),
]


def imap_login_literal_sync(out):
    """LOGIN whose user name "yann smith" (with a space) is a synchronising
    literal {10}: the client waits for the server's "+" before sending
    it, then the quoted password.  STARTTLS is offered in the greeting."""
    _imap(out, ("10.3.0.1", 43001), [
        ("S", crlf("* OK [CAPABILITY IMAP4rev1 LITERAL+ STARTTLS "
                   "AUTH=PLAIN] imap.example.net ready")),
        ("C", crlf("a1 LOGIN {10}")),
        ("S", crlf("+ Ready for literal data")),
        ("C", crlf('yann smith "Yann-Lit-3927"')),
        ("S", crlf("a1 OK LOGIN completed")),
    ] + IMAP_LOGOUT)


def imap_login_literal_plus(out):
    """LOGIN with non-synchronising literals (RFC 7888) for both user name
    and password, {9+} and {12+}, in one command cut into three segments
    (inside "{9+}" and inside the user name).  No STARTTLS in the
    greeting's capabilities."""
    _imap(out, ("10.3.0.2", 43002), [
        ("S", crlf("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] "
                   "imap.example.net ready")),
        ("C", b"a1 LOGIN {9+}\r\nzora.test {12+}\r\nZora Pass 55\r\n",
         {"splits": [11, 20]}),
        ("S", crlf("a1 OK LOGIN completed")),
    ] + IMAP_LOGOUT)


def imap_login_quoted(out):
    """CAPABILITY command (STARTTLS listed), then LOGIN with quoted strings
    holding escaped quotes and a backslash (RFC 3501 quoted-specials):
    user name  ken "the" user  and password  Pa<backslash>ss"Ken-9051."""
    _imap(out, ("10.3.0.3", 43003), [
        ("S", crlf("* OK imap.example.net ready")),
        ("C", crlf("a1 CAPABILITY")),
        ("S", crlf("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN",
                   "a1 OK CAPABILITY completed")),
        ("C", crlf(r'a2 LOGIN "ken \"the\" user" "Pa\\ss\"Ken-9051"')),
        ("S", crlf("a2 OK LOGIN completed")),
    ] + IMAP_LOGOUT)


IMAP_FETCHED = crlf(
    "From: it@example.net", "To: lena@example.org",
    "Subject: how to log in by hand", "",
    "Telnet to port 143 and type:",
    "a1 LOGIN mallory Trap-Fetch-0005",
    "a1 OK LOGIN completed",
    "a2 AUTHENTICATE PLAIN " + plain_ir("mallory", "Trap-Fetch-0006"),
    "That is all.")
IMAP_APPENDED = crlf(
    "From: lena@example.org", "To: it@example.net",
    "Subject: Re: how to log in by hand", "",
    "> a1 LOGIN mallory Trap-Append-0007",
    "a5 LOGIN mallory2 Trap-Append-0008",
    "a6 AUTHENTICATE PLAIN " + plain_ir("mallory3", "Trap-Append-0009"),
    "Thanks.")


def imap_literal_traps(out):
    """A real LOGIN, then a FETCH whose BODY[] literal (split across three
    segments) and an APPEND whose synchronising literal hold LOGIN and
    AUTHENTICATE lines.  No STARTTLS in the greeting's capabilities."""
    fetch = b"* 1 FETCH (BODY[] {%d}\r\n" % len(IMAP_FETCHED) + \
        IMAP_FETCHED + b")\r\na3 OK FETCH completed\r\n"
    _imap(out, ("10.3.0.4", 43004), [
        ("S", crlf("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] "
                   "imap.example.net ready")),
        ("C", crlf('a1 LOGIN lena "Lena-Trap-6284"')),
        ("S", crlf("a1 OK LOGIN completed")),
        ("C", crlf("a2 SELECT INBOX")),
        ("S", crlf("* 1 EXISTS", "a2 OK [READ-WRITE] SELECT completed")),
        ("C", crlf("a3 FETCH 1 BODY[]")),
        ("S", fetch, {"splits": [30, 120]}),
        ("C", crlf("a4 APPEND Drafts {%d}" % len(IMAP_APPENDED))),
        ("S", crlf("+ Ready for literal data")),
        ("C", IMAP_APPENDED + b"\r\n"),
        ("S", crlf("a4 OK APPEND completed")),
    ] + IMAP_LOGOUT)


def imap_starttls_refused(out):
    """STARTTLS offered in the greeting; a1 STARTTLS answered NO; the
    client logs in in clear text anyway."""
    _imap(out, ("10.3.0.5", 43005), [
        ("S", crlf("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] "
                   "imap.example.net ready")),
        ("C", crlf("a1 STARTTLS")),
        ("S", crlf("a1 NO [UNAVAILABLE] TLS is not available now")),
        ("C", crlf('a2 LOGIN mona "Mona-Refused-7392"')),
        ("S", crlf("a2 OK LOGIN completed")),
    ] + IMAP_LOGOUT)


def imap_authenticate_plain(out):
    """CAPABILITY (no STARTTLS), AUTHENTICATE PLAIN without initial
    response: empty "+ " continuation, then the base64 line."""
    _imap(out, ("10.3.0.6", 43006), [
        ("S", crlf("* OK imap.example.net ready")),
        ("C", crlf("a1 CAPABILITY")),
        ("S", crlf("* CAPABILITY IMAP4rev1 AUTH=PLAIN",
                   "a1 OK CAPABILITY completed")),
        ("C", crlf("a2 AUTHENTICATE PLAIN")),
        ("S", crlf("+ ")),
        ("C", crlf(plain_ir("nora", "Nora-Auth-8130"))),
        ("S", crlf("a2 OK AUTHENTICATE completed")),
    ] + IMAP_LOGOUT)


def imap_logindisabled(out):
    """The greeting lists STARTTLS and LOGINDISABLED; the client sends
    LOGIN in clear text anyway and is refused with NO."""
    _imap(out, ("10.3.0.7", 43007), [
        ("S", crlf("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] "
                   "imap.example.net ready")),
        ("C", crlf('a1 LOGIN otto "Otto-Disabled-2741"')),
        ("S", crlf("a1 NO [PRIVACYREQUIRED] LOGIN is disabled")),
    ] + IMAP_LOGOUT)


# ---------------------------------------------------------------------------
# POP3

POP3_SERVER = ("192.0.2.110", 110)


def pop3_user_pass(conn, user, password):
    conn.handshake()
    conn.server(crlf("+OK POP3 server ready"))
    conn.client(crlf("USER " + user))
    conn.server(crlf("+OK"))
    conn.client(crlf("PASS " + password))
    conn.server(crlf("+OK logged in"))
    conn.client(crlf("QUIT"))
    conn.server(crlf("+OK bye"))
    conn.close()


def _pop3(out, client, steps):
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), client, POP3_SERVER)
    conn.handshake()
    for who, data in steps:
        conn.send(who == "C", data)
    conn.close()
    cap.write_pcap(out + ".pcap")


def pop3_user_pass_retry(out):
    """No CAPA.  USER/PASS with a wrong password (-ERR), then USER/PASS
    again for the same user, accepted."""
    _pop3(out, ("10.4.0.1", 44001), [
        ("S", crlf("+OK POP3 server ready")),
        ("C", crlf("USER pia")),
        ("S", crlf("+OK")),
        ("C", crlf("PASS Pia-Wrong-0000")),
        ("S", crlf("-ERR [AUTH] Authentication failed")),
        ("C", crlf("USER pia")),
        ("S", crlf("+OK")),
        ("C", crlf("PASS Pia-Right-5288")),
        ("S", crlf("+OK logged in")),
        ("C", crlf("STAT")),
        ("S", crlf("+OK 0 0")),
        ("C", crlf("QUIT")),
        ("S", crlf("+OK bye")),
    ])


APOP_BANNER = "<4711.1709283600@pop.example.net>"
APOP_PASSWORD = "Rolf-Apop-3362"


def pop3_apop(out):
    """No CAPA.  APOP (RFC 1939 section 7) with the MD5 of the greeting's
    timestamp and the password."""
    digest = hashlib.md5((APOP_BANNER + APOP_PASSWORD).encode()).hexdigest()
    _pop3(out, ("10.4.0.2", 44002), [
        ("S", crlf("+OK POP3 server ready " + APOP_BANNER)),
        ("C", crlf("APOP rolf " + digest)),
        ("S", crlf("+OK maildrop has 0 messages")),
        ("C", crlf("QUIT")),
        ("S", crlf("+OK bye")),
    ])
    return digest


def pop3_auth_plain_ir(out):
    """CAPA lists SASL PLAIN and STLS; AUTH PLAIN with an initial response
    (RFC 5034), accepted."""
    _pop3(out, ("10.4.0.3", 44003), [
        ("S", crlf("+OK POP3 server ready")),
        ("C", crlf("CAPA")),
        ("S", crlf("+OK Capability list follows", "TOP", "USER",
                   "SASL PLAIN", "STLS", "UIDL", ".")),
        ("C", crlf("AUTH PLAIN " + plain_ir("sara", "Sara-Sasl-4951"))),
        ("S", crlf("+OK Logged in.")),
        ("C", crlf("QUIT")),
        ("S", crlf("+OK bye")),
    ])


POP3_MESSAGE = crlf(
    "From: it@example.net", "To: tom@example.org",
    "Subject: POP3 by hand", "",
    "Connect to port 110 and type:",
    "USER mallory",
    "PASS Trap-Retr-0010",
    "..PASS Trap-Retr-0011",
    "AUTH PLAIN " + plain_ir("mallory", "Trap-Retr-0012"),
    "..",
    "Bye.")


def pop3_retr_trap(out):
    """No CAPA.  USER/PASS accepted, then RETR of a message whose lines hold
    USER, PASS and AUTH PLAIN commands, some dot-stuffed, and a stuffed
    lone dot."""
    _pop3(out, ("10.4.0.4", 44004), [
        ("S", crlf("+OK POP3 server ready")),
        ("C", crlf("USER tom")),
        ("S", crlf("+OK")),
        ("C", crlf("PASS Tom-Retr-6735")),
        ("S", crlf("+OK logged in")),
        ("C", crlf("RETR 1")),
        ("S", crlf("+OK %d octets" % len(POP3_MESSAGE)) + POP3_MESSAGE +
         b".\r\n"),
        ("C", crlf("QUIT")),
        ("S", crlf("+OK bye")),
    ])


def pop3_stls_refused(out):
    """CAPA lists STLS; STLS answered -ERR; USER/PASS in clear text."""
    _pop3(out, ("10.4.0.5", 44005), [
        ("S", crlf("+OK POP3 server ready")),
        ("C", crlf("CAPA")),
        ("S", crlf("+OK Capability list follows", "USER", "STLS", ".")),
        ("C", crlf("STLS")),
        ("S", crlf("-ERR TLS not available")),
        ("C", crlf("USER uwe")),
        ("S", crlf("+OK")),
        ("C", crlf("PASS Uwe-Refused-1487")),
        ("S", crlf("+OK logged in")),
        ("C", crlf("QUIT")),
        ("S", crlf("+OK bye")),
    ])


# ---------------------------------------------------------------------------
# TLS posture: versions, cipher suites, certificates, odd handshakes

CERT_DIR = os.path.join(HERE, "..", "pcap", "crafted", "certs")
WEB_SERVER = ("192.0.2.43", 443)

# A browser-like TLS 1.2 offer and a TLS 1.3 one (RFC 8446 suites first).
SUITES_12 = [0xC02F, 0xC030, 0xC02B, 0xC02C, 0xCCA8, 0xC013, 0xC014,
             0x009C, 0x009D, 0x002F, 0x0035, 0x000A, 0x00FF]
SUITES_13 = [0x1301, 0x1302, 0x1303] + SUITES_12[:-1]


def cert(name):
    """A DER certificate of tests/pcap/crafted/certs (see README.md
    there)."""
    with open(os.path.join(CERT_DIR, name + ".der"), "rb") as f:
        return f.read()


def tls_client_hello(label, version=0x0303, sni=None, alpn=None,
                     suites=SUITES_12, tls13=False, shares=(0x001D,),
                     extensions=True):
    """A ClientHello message: SNI and ALPN when given, the usual TLS 1.2
    extensions, and for tls13 a 32-byte legacy session id, key shares and
    supported_versions (0x0304, 0x0303).  extensions=False sends none (SSL
    3.0 and TLS 1.0 clients of old)."""
    if not extensions:
        return client_hello(version, suites, None, label)
    exts = []
    if sni:
        exts.append(ext_server_name(sni))
    exts += [ext_extended_master_secret(), ext_renegotiation_info(),
             ext_supported_groups([0x001D, 0x0017, 0x0018]),
             ext_ec_point_formats(), ext_session_ticket()]
    if alpn:
        exts.append(ext_alpn(alpn))
    exts.append(ext_signature_algorithms())
    sid = b""
    if tls13:
        exts += [ext_key_share_client(shares, label + "/share"),
                 ext_psk_key_exchange_modes(),
                 ext_supported_versions([0x0304, 0x0303])]
        sid = filler(label + "/sid", 32)
    return client_hello(version, suites, exts, label, session_id=sid)


def tls_server_flight(label, version, suite, kex, certs, alpn=None,
                      group=0x001D, dh_len=256, plain=False):
    """ServerHello, Certificate (when certs), ServerKeyExchange (kex
    "ecdhe", "dhe" or "dh_anon"; none for "rsa") and ServerHelloDone, as
    handshake bytes.  Signatures name an algorithm from TLS 1.2 on.  plain
    leaves the ServerHello without extensions, as a server must when the
    client sent none."""
    exts = [ext_renegotiation_info(), ext_ec_point_formats()]
    if alpn:
        exts.append(ext_alpn([alpn]))
    if plain:
        exts = None
    msgs = server_hello(version, suite, exts, label,
                        session_id=filler(label + "/sid", 32))
    if certs:
        msgs += certificate(certs)
    sig_alg = 0x0804 if version >= 0x0303 else None
    if kex == "ecdhe":
        msgs += server_key_exchange_ecdhe(group, label + "/ske", sig_alg)
    elif kex == "dhe":
        msgs += server_key_exchange_dhe(dh_len, label + "/ske", sig_alg)
    elif kex == "dh_anon":
        msgs += server_key_exchange_dhe(dh_len, label + "/ske",
                                        anonymous=True)
    return msgs + server_hello_done()


def tls_client_key_exchange(label, version, kex, group=0x001D, dh_len=256):
    if kex == "ecdhe":
        return client_key_exchange_ecdhe(group, label)
    if kex in ("dhe", "dh_anon"):
        return client_key_exchange_dhe(dh_len, label)
    return client_key_exchange_rsa(label, ssl3=version == 0x0300)


def tls12_like_session(conn, label, version, suite, kex, certs,
                       hello=None, alpn=None, group=0x001D, dh_len=256,
                       app=(("C", 120), ("S", 900)), close=True, plain=False,
                       alerts=True):
    """A full TLS 1.2-style handshake (also TLS 1.0/1.1 and SSL 3.0) on
    conn, then application data of the given sizes and encrypted
    close_notify alerts.  hello defaults to a TLS 1.2 offer for
    www.example.net; plain says it had no extensions, so the server
    answers without any and sends no session ticket; alerts=False closes
    without close_notify."""
    rec_hello = 0x0300 if version == 0x0300 else 0x0301
    if hello is None:
        hello = tls_client_hello(label + "/ch", sni="www.example.net")
    conn.client(tls_record(22, hello, rec_hello))
    conn.server(tls_record(22, tls_server_flight(
        label + "/sh", version, suite, kex, certs, alpn, group, dh_len,
        plain), version))
    cke = tls_client_key_exchange(label + "/cke", version, kex, group,
                                  dh_len)
    conn.client(tls_record(22, cke, version) +
                tls_record(20, b"\x01", version) +
                tls_encrypted(22, label + "/cfin", 40, version))
    ticket = b"" if plain else \
        tls_record(22, new_session_ticket(label + "/nst"), version)
    conn.server(ticket + tls_record(20, b"\x01", version) +
                tls_encrypted(22, label + "/sfin", 40, version))
    for i, (who, n) in enumerate(app):
        conn.send(who == "C", tls_encrypted(23, "%s/app%d" % (label, i), n,
                                            version))
    if close:
        if alerts:
            conn.client(tls_encrypted(21, label + "/cclose", 26, version))
            conn.server(tls_encrypted(21, label + "/sclose", 26, version))
        conn.close()


def tls13_session(conn, label, hello, suite=0x1301, group=0x001D,
                  app=(("C", 90), ("S", 1400))):
    """The TLS 1.3 flights after the ClientHello was sent: ServerHello
    (supported_versions 0x0304, key share), a compatibility
    ChangeCipherSpec and the encrypted EncryptedExtensions to Finished;
    the client's ChangeCipherSpec and encrypted Finished; tickets,
    application data and close_notify, all as application data records
    (RFC 8446 section 5.2)."""
    sid = hello[4 + 2 + 32 + 1:4 + 2 + 32 + 1 + 32]  # echo the session id
    sh = server_hello(0x0303, suite,
                      [ext_selected_version(0x0304),
                       ext_key_share_server(group, label + "/sshare")],
                      label + "/sh", session_id=sid)
    conn.server(tls_record(22, sh) + tls_record(20, b"\x01") +
                tls_encrypted(23, label + "/ee-fin", 2270))
    conn.client(tls_record(20, b"\x01") +
                tls_encrypted(23, label + "/cfin", 53))
    conn.server(tls_encrypted(23, label + "/nst", 250))
    for i, (who, n) in enumerate(app):
        conn.send(who == "C", tls_encrypted(23, "%s/app%d" % (label, i), n))
    conn.client(tls_encrypted(23, label + "/cclose", 19))
    conn.server(tls_encrypted(23, label + "/sclose", 19))
    conn.close()


def _tls12_case(out, client, version, suite, kex, certs=None, server=None,
                **kw):
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), client, server or WEB_SERVER)
    conn.handshake()
    if certs is None:
        certs = [cert("www"), cert("ca")]
    tls12_like_session(conn, out.rsplit("/", 1)[-1], version, suite, kex,
                       certs, **kw)
    cap.write_pcap(out + ".pcap")


def tls_13_h2(out):
    """TLS 1.3 to 192.0.2.43:443: ClientHello with SNI www.example.net,
    ALPN h2 and http/1.1, an x25519 key share and supported_versions
    0x0304/0x0303; ServerHello with TLS_AES_128_GCM_SHA256 and x25519,
    encrypted flights, application data: the clean modern case."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.1", 45001), WEB_SERVER)
    conn.handshake()
    hello = tls_client_hello("tls-13-h2/ch", sni="www.example.net",
                             alpn=["h2", "http/1.1"], suites=SUITES_13,
                             tls13=True)
    conn.client(tls_record(22, hello, 0x0301))
    tls13_session(conn, "tls-13-h2", hello)
    cap.write_pcap(out + ".pcap")


def tls_12_ecdhe(out):
    """TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and x25519; the
    client offers ALPN h2 and http/1.1, the server picks http/1.1; a
    certificate for www.example.net from the test CA; the clean TLS 1.2
    case (also run under --tls-min TLSv1.3)."""
    hello = tls_client_hello("tls-12-ecdhe/ch", sni="www.example.net",
                             alpn=["h2", "http/1.1"])
    _tls12_case(out, ("10.5.0.2", 45002), 0x0303, 0xC02F, "ecdhe",
                hello=hello, alpn="http/1.1")


def tls_12_rsa_kex(out):
    """TLS 1.2 with TLS_RSA_WITH_AES_128_GCM_SHA256: RSA key transport,
    no ServerKeyExchange, a 256-byte encrypted premaster secret."""
    _tls12_case(out, ("10.5.0.3", 45003), 0x0303, 0x009C, "rsa")


def tls_11_ecdhe(out):
    """A TLS 1.1 client (hello version 0x0302, no supported_versions) and
    a server agreeing on TLS 1.1 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    (secp256r1; signatures without an algorithm field)."""
    hello = tls_client_hello("tls-11-ecdhe/ch", version=0x0302,
                             sni="www.example.net",
                             suites=[0xC013, 0xC014, 0x002F, 0x0035, 0x000A,
                                     0x00FF])
    _tls12_case(out, ("10.5.0.4", 45004), 0x0302, 0xC013, "ecdhe",
                hello=hello, group=0x0017)


def tls_10_ecdhe(out):
    """A TLS 1.0 client and server with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    (secp256r1): an outdated version and nothing else wrong (also run
    under --tls-min TLSv1.0)."""
    hello = tls_client_hello("tls-10-ecdhe/ch", version=0x0301,
                             sni="www.example.net",
                             suites=[0xC013, 0xC014, 0x002F, 0x0035, 0x000A,
                                     0x00FF])
    _tls12_case(out, ("10.5.0.5", 45005), 0x0301, 0xC013, "ecdhe",
                hello=hello, group=0x0017)


def tls_10_rc4(out):
    """TLS 1.0 with TLS_RSA_WITH_RC4_128_SHA: old version, RC4 and RSA key
    transport at once; the client sends no extensions at all."""
    hello = tls_client_hello("tls-10-rc4/ch", version=0x0301,
                             suites=[0x0005, 0x0004, 0x002F, 0x000A],
                             extensions=False)
    _tls12_case(out, ("10.5.0.6", 45006), 0x0301, 0x0005, "rsa",
                hello=hello, plain=True)


def tls_ssl3(out):
    """SSL 3.0 (records and hellos 0x0300, no extensions) with
    TLS_DHE_RSA_WITH_AES_128_CBC_SHA: a forward-secret, unbroken suite,
    so only the version is wrong."""
    hello = tls_client_hello("tls-ssl3/ch", version=0x0300,
                             suites=[0x0033, 0x0039, 0x002F, 0x0035, 0x000A,
                                     0x0005], extensions=False)
    _tls12_case(out, ("10.5.0.7", 45007), 0x0300, 0x0033, "dhe",
                hello=hello, plain=True)


def tls_sslv2(out):
    """SSL 2.0 on 443: CLIENT-HELLO version 0x0002 with seven cipher kinds,
    SERVER-HELLO version 0x0002 with the www.example.net certificate and
    two kinds, CLIENT-MASTER-KEY choosing SSL_CK_RC4_128_WITH_MD5
    (0x010080), then encrypted CLIENT-FINISHED, SERVER-VERIFY,
    SERVER-FINISHED and application data records."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.8", 45008), WEB_SERVER)
    conn.handshake()
    conn.client(sslv2_client_hello(0x0002, [0x010080, 0x020080, 0x030080,
                                            0x040080, 0x050080, 0x060040,
                                            0x0700C0], "tls-sslv2/ch"))
    conn.server(sslv2_server_hello(cert("www"), [0x010080, 0x0700C0],
                                   "tls-sslv2/sh"))
    conn.client(sslv2_client_master_key(0x010080, "tls-sslv2/cmk") +
                sslv2_encrypted("tls-sslv2/cfin", 33))
    conn.server(sslv2_encrypted("tls-sslv2/sverify", 33) +
                sslv2_encrypted("tls-sslv2/sfin", 33))
    conn.client(sslv2_encrypted("tls-sslv2/app0", 136))
    conn.server(sslv2_encrypted("tls-sslv2/app1", 1016))
    conn.close()
    cap.write_pcap(out + ".pcap")


def tls_null_cipher(out):
    """TLS 1.2 with TLS_ECDHE_RSA_WITH_NULL_SHA (0xc010): forward secret
    key exchange, no encryption at all.  The connection ends with FINs
    and no close_notify, whose bytes would be readable here."""
    hello = tls_client_hello("tls-null-cipher/ch", sni="www.example.net",
                             suites=[0xC010, 0xC02F, 0x00FF])
    _tls12_case(out, ("10.5.0.9", 45009), 0x0303, 0xC010, "ecdhe",
                hello=hello, alerts=False)


def tls_export_cipher(out):
    """TLS 1.0 with TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA (0x0014), a
    512-bit DH group as export rules had it: forward secret, export
    grade."""
    hello = tls_client_hello("tls-export-cipher/ch", version=0x0301,
                             suites=[0x0014, 0x0011, 0x0008, 0x0003],
                             extensions=False)
    _tls12_case(out, ("10.5.0.10", 45010), 0x0301, 0x0014, "dhe",
                hello=hello, dh_len=64, plain=True)


def tls_anon_dh(out):
    """TLS 1.2 with TLS_DH_anon_WITH_AES_128_GCM_SHA256 (0x00a6): no
    Certificate message, an unsigned ServerKeyExchange."""
    hello = tls_client_hello("tls-anon-dh/ch", sni="www.example.net",
                             suites=[0x00A6, 0x00A7, 0x00FF])
    _tls12_case(out, ("10.5.0.11", 45011), 0x0303, 0x00A6, "dh_anon",
                certs=[], hello=hello)


def tls_3des(out):
    """TLS 1.2 with TLS_RSA_WITH_3DES_EDE_CBC_SHA (0x000a): a 64-bit block
    cipher and RSA key transport."""
    hello = tls_client_hello("tls-3des/ch", sni="www.example.net",
                             suites=[0x000A, 0x00FF])
    _tls12_case(out, ("10.5.0.12", 45012), 0x0303, 0x000A, "rsa",
                hello=hello)


def tls_13_hrr(out):
    """TLS 1.3 with a HelloRetryRequest: the client's first ClientHello
    carries an x25519 share, the server asks for secp256r1 (HRR random,
    selected_group 23) and sends a compatibility ChangeCipherSpec; the
    client sends its own ChangeCipherSpec and a second ClientHello with a
    secp256r1 share (same extension list, so the same JA3); the real
    ServerHello picks TLS_AES_256_GCM_SHA384 and secp256r1."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.13", 45013), WEB_SERVER)
    conn.handshake()
    ch1 = tls_client_hello("tls-13-hrr/ch", sni="www.example.net",
                           alpn=["h2", "http/1.1"], suites=SUITES_13,
                           tls13=True, shares=(0x001D,))
    conn.client(tls_record(22, ch1, 0x0301))
    sid = ch1[4 + 2 + 32 + 1:4 + 2 + 32 + 1 + 32]
    hrr = server_hello(0x0303, 0x1302, [ext_selected_version(0x0304),
                                        ext_key_share_hrr(0x0017)],
                       "tls-13-hrr/hrr", session_id=sid, random=HRR_RANDOM)
    conn.server(tls_record(22, hrr) + tls_record(20, b"\x01"))
    ch2 = tls_client_hello("tls-13-hrr/ch", sni="www.example.net",
                           alpn=["h2", "http/1.1"], suites=SUITES_13,
                           tls13=True, shares=(0x0017,))
    conn.client(tls_record(20, b"\x01") + tls_record(22, ch2))
    tls13_session_after_hrr(conn, "tls-13-hrr", sid)
    cap.write_pcap(out + ".pcap")


def tls13_session_after_hrr(conn, label, sid):
    """ServerHello (secp256r1, TLS_AES_256_GCM_SHA384) and the encrypted
    rest; no second compatibility ChangeCipherSpec from either side."""
    sh = server_hello(0x0303, 0x1302,
                      [ext_selected_version(0x0304),
                       ext_key_share_server(0x0017, label + "/sshare")],
                      label + "/sh", session_id=sid)
    conn.server(tls_record(22, sh) +
                tls_encrypted(23, label + "/ee-fin", 2270))
    conn.client(tls_encrypted(23, label + "/cfin", 53))
    conn.server(tls_encrypted(23, label + "/nst", 250))
    conn.client(tls_encrypted(23, label + "/app0", 90))
    conn.server(tls_encrypted(23, label + "/app1", 1400))
    conn.client(tls_encrypted(23, label + "/cclose", 19))
    conn.server(tls_encrypted(23, label + "/sclose", 19))
    conn.close()


def tls_split_client_hello(out):
    """The TLS 1.2 ClientHello record (SNI www.example.net, ALPN h2 and
    http/1.1) cut into six TCP segments at odd offsets: inside the record
    header, inside the handshake header, in the middle of the random, of
    the cipher list and of the server name.  The rest is the clean
    ECDHE handshake."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.14", 45014), WEB_SERVER)
    conn.handshake()
    hello = tls_client_hello("tls-split-client-hello/ch",
                             sni="www.example.net", alpn=["h2", "http/1.1"])
    record = tls_record(22, hello, 0x0301)
    name_at = record.index(b"www.example.net")
    conn.client(record, splits=[3, 7, 23, 51, name_at + 5])
    label = "tls-split-client-hello"
    conn.server(tls_record(22, tls_server_flight(
        label + "/sh", 0x0303, 0xC02F, "ecdhe", [cert("www"), cert("ca")])))
    _tls12_finish(conn, label, 0x0303, "ecdhe")
    cap.write_pcap(out + ".pcap")


def _tls12_finish(conn, label, version, kex):
    """The client's key exchange, both ChangeCipherSpec and Finished,
    application data and close_notify of a TLS 1.2-style session."""
    conn.client(tls_record(22, tls_client_key_exchange(label + "/cke",
                                                       version, kex),
                           version) +
                tls_record(20, b"\x01", version) +
                tls_encrypted(22, label + "/cfin", 40, version))
    conn.server(tls_record(20, b"\x01", version) +
                tls_encrypted(22, label + "/sfin", 40, version))
    conn.client(tls_encrypted(23, label + "/app0", 120, version))
    conn.server(tls_encrypted(23, label + "/app1", 900, version))
    conn.client(tls_encrypted(21, label + "/cclose", 26, version))
    conn.server(tls_encrypted(21, label + "/sclose", 26, version))
    conn.close()


def tls_split_records(out):
    """Handshake messages split across TLS records (RFC 5246 section
    6.2.1): the ClientHello in two records (the first 61 bytes of the
    message, then the rest, in one TCP segment), and the server's
    Certificate message straddling two records (ServerHello and the first
    300 bytes of the Certificate, then the rest with ServerKeyExchange and
    ServerHelloDone)."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.15", 45015), WEB_SERVER)
    conn.handshake()
    label = "tls-split-records"
    hello = tls_client_hello(label + "/ch", sni="www.example.net",
                             alpn=["h2", "http/1.1"])
    conn.client(tls_records(22, hello, 0x0301, sizes=[61]))
    flight = tls_server_flight(label + "/sh", 0x0303, 0xC02F, "ecdhe",
                               [cert("www"), cert("ca")])
    sh_len = 4 + int.from_bytes(flight[1:4], "big")
    conn.server(tls_records(22, flight, 0x0303, sizes=[sh_len + 300]))
    _tls12_finish(conn, label, 0x0303, "ecdhe")
    cap.write_pcap(out + ".pcap")


def _one_sided(out, client, keep_client):
    """A clean TLS 1.2 ECDHE session of which only one direction was
    captured: the other side's packets are built (sequence numbers move,
    the kept side acknowledges them) but never written."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), client, WEB_SERVER)
    label = out.rsplit("/", 1)[-1]
    opts = struct.pack("!BBH", 2, 4, 1460)
    if keep_client:
        conn.emit(True, 0x02, conn.c.next_seq, options=opts)       # SYN
    conn.c.next_seq += 1
    if not keep_client:
        conn.emit(False, 0x12, conn.s.next_seq, options=opts)      # SYN-ACK
    conn.s.next_seq += 1
    if keep_client:
        conn.ack(True)
    hello = tls_client_hello(label + "/ch", sni="www.example.net",
                             alpn=["h2", "http/1.1"])
    flight = tls_server_flight(label + "/sh", 0x0303, 0xC02F, "ecdhe",
                               [cert("www"), cert("ca")])
    steps = [
        (True, tls_record(22, hello, 0x0301)),
        (False, tls_record(22, flight)),
        (True, tls_record(22, client_key_exchange_ecdhe(0x001D,
                                                        label + "/cke")) +
         tls_record(20, b"\x01") + tls_encrypted(22, label + "/cfin", 40)),
        (False, tls_record(20, b"\x01") +
         tls_encrypted(22, label + "/sfin", 40)),
        (True, tls_encrypted(23, label + "/app0", 120)),
        (False, tls_encrypted(23, label + "/app1", 900)),
    ]
    for from_client, data in steps:
        segs = conn.segments(from_client, data)
        if from_client == keep_client:
            for seg in segs:
                conn.put(seg)
        else:
            conn.ack(keep_client)
    conn.fin(keep_client)
    cap.write_pcap(out + ".pcap")


def tls_client_only(out):
    """Only the client's half of a clean TLS 1.2 session was captured:
    SYN, ACK, ClientHello (SNI www.example.net, ALPN h2, http/1.1), ACKs
    of server data never seen, ClientKeyExchange, ChangeCipherSpec,
    Finished, application data, FIN."""
    _one_sided(out, ("10.5.0.16", 45016), True)


def tls_server_only(out):
    """Only the server's half of a clean TLS 1.2 session was captured:
    SYN-ACK, ServerHello (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
    Certificate (www.example.net), ServerKeyExchange (x25519),
    ServerHelloDone, ACKs, ChangeCipherSpec, Finished, application data,
    FIN."""
    _one_sided(out, ("10.5.0.17", 45017), False)


def tls_alert_handshake_failure(out):
    """A TLS 1.2 ClientHello offering only TLS_RSA_WITH_RC4_128_SHA and
    TLS_RSA_WITH_3DES_EDE_CBC_SHA; the server answers with a fatal
    handshake_failure alert in clear text (15 03 03 00 02 02 28) and
    closes."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.18", 45018), WEB_SERVER)
    conn.handshake()
    hello = tls_client_hello("tls-alert-handshake-failure/ch",
                             sni="www.example.net",
                             suites=[0x0005, 0x000A])
    conn.client(tls_record(22, hello, 0x0301))
    conn.server(tls_record(21, b"\x02\x28"))
    conn.close(client_first=False)
    cap.write_pcap(out + ".pcap")


def tls_no_server_hello(out):
    """A TLS 1.2 ClientHello (SNI www.example.net) answered by a TLS
    handshake record that holds only a HelloRequest (16 03 03 00 04 00 00
    00 00), no ServerHello, no alert; the server then closes."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.28", 45032), WEB_SERVER)
    conn.handshake()
    hello = tls_client_hello("tls-no-server-hello/ch", sni="www.example.net")
    conn.client(tls_record(22, hello, 0x0301))
    conn.server(tls_record(22, b"\x00\x00\x00\x00"))
    conn.close(client_first=False)
    cap.write_pcap(out + ".pcap")


def tls_cert_self_signed(out):
    """TLS 1.2 ECDHE to www.example.net; the server's only certificate is
    self-signed (subject = issuer, signed with its own key), names
    www.example.net and is valid 2024-2034."""
    _tls12_case(out, ("10.5.0.19", 45019), 0x0303, 0xC02F, "ecdhe",
                certs=[cert("selfsigned")])


def tls_cert_expired(out):
    """TLS 1.2 ECDHE, SNI old.example.net; the certificate (from the test
    CA, for old.example.net) was valid 2020-01-01 to 2021-01-01, the
    capture is of 2024-03-01."""
    hello = tls_client_hello("tls-cert-expired/ch", sni="old.example.net")
    _tls12_case(out, ("10.5.0.20", 45020), 0x0303, 0xC02F, "ecdhe",
                certs=[cert("expired"), cert("ca")], hello=hello)


def tls_cert_name_mismatch(out):
    """TLS 1.2 ECDHE, SNI www.example.org; the certificate's CN is
    www.example.org but its only DNS subjectAltName is mail.example.net
    (RFC 6125: with a DNS SAN present the CN is not a name)."""
    hello = tls_client_hello("tls-cert-name-mismatch/ch",
                             sni="www.example.org")
    _tls12_case(out, ("10.5.0.21", 45021), 0x0303, 0xC02F, "ecdhe",
                certs=[cert("mismatch"), cert("ca")], hello=hello)


def tls_cert_wildcard(out):
    """TLS 1.2 ECDHE, SNI mail.example.net; the certificate names
    *.example.net (CN and DNS SAN): a matching wildcard."""
    hello = tls_client_hello("tls-cert-wildcard/ch", sni="mail.example.net")
    _tls12_case(out, ("10.5.0.22", 45022), 0x0303, 0xC02F, "ecdhe",
                certs=[cert("wildcard"), cert("ca")], hello=hello)


def tls_cert_wildcard_edges(out):
    """Four TLS 1.2 ECDHE sessions testing name rules: SNI
    a.mail.example.net and example.net against *.example.net (a wildcard
    covers exactly one label), mail.example.org against m*.example.org (a
    wildcard only as the whole left-most label), and legacy.example.net
    against a certificate without subjectAltName whose CN is
    legacy.example.net (the CN counts then)."""
    cap = Capture(LINKTYPE_ETHERNET)
    cases = [("a.mail.example.net", "wildcard", 45023),
             ("example.net", "wildcard", 45024),
             ("mail.example.org", "partial-wildcard", 45025),
             ("legacy.example.net", "cn-only", 45026)]
    for sni, name, port in cases:
        conn = TcpConn(cap, eth_link(), ("10.5.0.23", port), WEB_SERVER,
                       isn_client=1000000 + port)
        conn.handshake()
        label = "tls-cert-wildcard-edges/%d" % port
        hello = tls_client_hello(label + "/ch", sni=sni)
        tls12_like_session(conn, label, 0x0303, 0xC02F, "ecdhe",
                           [cert(name), cert("ca")], hello=hello)
        cap.tick(1)
    cap.write_pcap(out + ".pcap")


def _starttls_rsa(out, client, server, ehlo):
    """SMTP with STARTTLS, then TLS 1.2 with TLS_RSA_WITH_AES_128_GCM_SHA256
    and a certificate for mail.example.net (SNI mail.example.net)."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), client, server)
    conn.handshake()
    conn.server(crlf("220 mail.example.net ESMTP Postfix"))
    conn.client(crlf("EHLO " + ehlo))
    conn.server(EHLO_STARTTLS)
    conn.client(crlf("STARTTLS"))
    conn.server(crlf("220 2.0.0 Ready to start TLS"))
    label = out.rsplit("/", 1)[-1]
    hello = tls_client_hello(label + "/ch", sni="mail.example.net")
    tls12_like_session(conn, label, 0x0303, 0x009C, "rsa",
                       [cert("mail"), cert("ca")], hello=hello,
                       app=(("C", 25), ("S", 110), ("C", 60), ("S", 39),
                            ("C", 6), ("S", 15)))
    cap.write_pcap(out + ".pcap")


def tls_starttls_587_rsa(out):
    """Submission on 587: EHLO offers STARTTLS, STARTTLS, 220, then TLS 1.2
    with TLS_RSA_WITH_AES_128_GCM_SHA256 (no forward secrecy) and
    encrypted SMTP."""
    _starttls_rsa(out, ("10.5.0.24", 45027), SMTP_SERVER4,
                  "client.example.org")


def tls_starttls_25_rsa(out):
    """Relay on 25: the same upgrade between mail servers, TLS 1.2 with
    TLS_RSA_WITH_AES_128_GCM_SHA256."""
    _starttls_rsa(out, ("10.5.0.25", 45028), ("192.0.2.26", 25),
                  "mta.example.org")


def tls_993_answered_in_clear(out):
    """A TLS 1.2 ClientHello (SNI imap.example.net) to port 993, answered
    by a clear-text IMAP greeting without capabilities; the client gives
    up and closes."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.5.0.26", 45029),
                   ("203.0.113.143", 993))
    conn.handshake()
    hello = tls_client_hello("tls-993-answered-in-clear/ch",
                             sni="imap.example.net")
    conn.client(tls_record(22, hello, 0x0301))
    conn.server(crlf("* OK mail.example.net IMAP4rev1 server ready"))
    conn.close()
    cap.write_pcap(out + ".pcap")


def tls_port_4443(out):
    """Two clean TLS 1.2 ECDHE sessions to 192.0.2.44:4443, a port that
    names no protocol: the first offers no ALPN; the second offers h2 and
    http/1.1 and the server picks h2."""
    cap = Capture(LINKTYPE_ETHERNET)
    server = ("192.0.2.44", 4443)
    for port, alpn in ((45030, None), (45031, "h2")):
        conn = TcpConn(cap, eth_link(), ("10.5.0.27", port), server,
                       isn_client=1000000 + port)
        conn.handshake()
        label = "tls-port-4443/%d" % port
        hello = tls_client_hello(label + "/ch", sni="www.example.net",
                                 alpn=["h2", "http/1.1"] if alpn else None)
        tls12_like_session(conn, label, 0x0303, 0xC02F, "ecdhe",
                           [cert("www"), cert("ca")], hello=hello,
                           alpn=alpn)
        cap.tick(1)
    cap.write_pcap(out + ".pcap")


# ---------------------------------------------------------------------------
# Logins of the other analyzers: HTTP, FTP, Telnet, LDAP, SNMP, MySQL,
# PostgreSQL, and the internal services they are served from.

HTTP_SERVER = ("192.0.2.80", 80)
WEBMAIL_SERVER = ("192.0.2.81", 80)
FTP_SERVER = ("198.51.100.21", 21)
TELNET_SERVER = ("198.51.100.23", 23)
LDAP_SERVER = ("203.0.113.89", 389)
SNMP_AGENT = ("198.51.100.161", 161)
MYSQL_SERVER = ("203.0.113.33", 3306)
PGSQL_SERVER = ("203.0.113.54", 5432)

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 " \
    "Firefox/115.0"


def _conversation(cap, client, server, steps, handshake=True, close=True,
                  isn_client=1000000):
    """One TCP connection from a list of ("C"|"S", bytes) steps, each sent
    as one segment and acknowledged by the peer."""
    conn = TcpConn(cap, eth_link(), client, server, isn_client=isn_client)
    if handshake:
        conn.handshake()
    for who, data in steps:
        conn.send(who == "C", data)
    if close:
        conn.close()
    return conn


def _one_conversation(out, client, server, steps, **kw):
    cap = Capture(LINKTYPE_ETHERNET)
    _conversation(cap, client, server, steps, **kw)
    cap.write_pcap(out + ".pcap")


def http_request(method, target, host, headers=(), body=b""):
    """An HTTP/1.1 request: request line, Host, User-Agent, the given
    header lines, Content-Length when there is a body, blank line,
    body."""
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: " + host,
             "User-Agent: " + BROWSER_UA] + list(headers)
    if body:
        lines.append("Content-Length: %d" % len(body))
    return crlf(*lines) + b"\r\n" + body


def http_response(status, headers=(), body=b""):
    """An HTTP/1.1 response with a Content-Length body."""
    lines = ["HTTP/1.1 " + status, "Date: Fri, 01 Mar 2024 09:00:00 GMT",
             "Server: nginx"] + list(headers) + \
        ["Content-Length: %d" % len(body)]
    return crlf(*lines) + b"\r\n" + body


PAGE = b"<!DOCTYPE html>\n<html><body><p>Welcome.</p></body></html>\n"
DENIED = b"<!DOCTYPE html>\n<html><body><p>Unauthorized.</p></body></html>\n"


def basic(user, password):
    return "Authorization: Basic " + b64(("%s:%s" % (user, password))
                                         .encode())


def http_basic(out):
    """Port 80: GET /reports/ with Basic credentials for user ada,
    answered 200."""
    _one_conversation(out, ("10.6.0.1", 46001), HTTP_SERVER, [
        ("C", http_request("GET", "/reports/", "www.example.net",
                           [basic("ada", "Ada-Basic-4711")])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ])


def http_basic_outcomes(out):
    """Three connections to port 80 with Basic credentials for user carol:
    46021 sends a wrong password and gets 401; 46022 the right one and
    gets 200; 46023 first the wrong one (401), then the right one (200) on
    the same connection."""
    cap = Capture(LINKTYPE_ETHERNET)
    client = "10.6.0.2"
    wrong = basic("carol", "Carol-Wrong-1111")
    right = basic("carol", "Carol-Right-2222")
    challenge = ['WWW-Authenticate: Basic realm="reports"',
                 "Content-Type: text/html"]
    get = "/reports/q1.html"
    _conversation(cap, (client, 46021), HTTP_SERVER, [
        ("C", http_request("GET", get, "www.example.net", [wrong])),
        ("S", http_response("401 Unauthorized", challenge, DENIED)),
    ], isn_client=1046021)
    cap.tick(1)
    _conversation(cap, (client, 46022), HTTP_SERVER, [
        ("C", http_request("GET", get, "www.example.net", [right])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ], isn_client=1046022)
    cap.tick(1)
    _conversation(cap, (client, 46023), HTTP_SERVER, [
        ("C", http_request("GET", get, "www.example.net", [wrong])),
        ("S", http_response("401 Unauthorized", challenge, DENIED)),
        ("C", http_request("GET", get, "www.example.net", [right])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ], isn_client=1046023)
    cap.write_pcap(out + ".pcap")


def http_basic_repeated(out):
    """One keep-alive connection to port 80: three requests, each with
    the same Basic credentials (user dana), answered 200, 304 and 200."""
    auth = basic("dana", "Dana-Repeat-3303")
    _one_conversation(out, ("10.6.0.3", 46031), HTTP_SERVER, [
        ("C", http_request("GET", "/reports/", "www.example.net", [auth])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
        ("C", http_request("GET", "/reports/style.css", "www.example.net",
                           [auth, 'If-None-Match: "5f2a"'])),
        ("S", http_response("304 Not Modified", ['ETag: "5f2a"'])),
        ("C", http_request("GET", "/reports/q2.html", "www.example.net",
                           [auth])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ])


def digest_response(user, realm, password, method, uri, nonce, nc, cnonce,
                    qop="auth"):
    """The Digest response of RFC 7616 section 3.4.1 with MD5."""
    def h(s):
        return hashlib.md5(s.encode()).hexdigest()
    ha1 = h("%s:%s:%s" % (user, realm, password))
    ha2 = h("%s:%s" % (method, uri))
    return h("%s:%s:%s:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop, ha2))


DIGEST_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
DIGEST_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


def http_digest(out):
    """Port 80: GET /admin/ without credentials, 401 with a Digest
    challenge (MD5, qop auth); the same GET with a Digest response for
    user erin (RFC 7616 section 3.4, computed from a made-up password),
    answered 200."""
    resp = digest_response("erin", "admin@example.net", "Erin-Digest-2290",
                           "GET", "/admin/", DIGEST_NONCE, "00000001",
                           DIGEST_CNONCE)
    auth = ('Authorization: Digest username="erin", '
            'realm="admin@example.net", nonce="%s", uri="/admin/", '
            'algorithm=MD5, response="%s", qop=auth, nc=00000001, '
            'cnonce="%s"' % (DIGEST_NONCE, resp, DIGEST_CNONCE))
    _one_conversation(out, ("10.6.0.4", 46041), HTTP_SERVER, [
        ("C", http_request("GET", "/admin/", "www.example.net")),
        ("S", http_response("401 Unauthorized", [
            'WWW-Authenticate: Digest realm="admin@example.net", '
            'qop="auth", algorithm=MD5, nonce="%s", '
            'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
            % DIGEST_NONCE, "Content-Type: text/html"], DENIED)),
        ("C", http_request("GET", "/admin/", "www.example.net", [auth])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ])
    return resp


def _utf16(s):
    return s.encode("utf-16-le")


def ntlm_negotiate():
    """An NTLM NEGOTIATE_MESSAGE ([MS-NLMP] 2.2.1.1) without domain or
    workstation, flags UNICODE, OEM, REQUEST_TARGET, NTLM,
    ALWAYS_SIGN, EXTENDED_SESSIONSECURITY."""
    return b"NTLMSSP\0" + struct.pack("<II", 1, 0x00088207) + \
        struct.pack("<HHI", 0, 0, 0) * 2


def ntlm_challenge(label):
    """A CHALLENGE_MESSAGE (2.2.1.2) for target EXAMPLE with a filler
    server challenge and no target information."""
    target = _utf16("EXAMPLE")
    return b"NTLMSSP\0" + struct.pack("<I", 2) + \
        struct.pack("<HHI", len(target), len(target), 48) + \
        struct.pack("<I", 0x00098205) + filler(label + "/chal", 8) + \
        b"\0" * 8 + struct.pack("<HHI", 0, 0, 48) + target


def ntlm_authenticate(domain, user, workstation, label):
    """An AUTHENTICATE_MESSAGE (2.2.1.3), Unicode: LM and NTLMv2 responses
    of filler bytes, then domain, user and workstation names."""
    lm = filler(label + "/lm", 24)
    nt = filler(label + "/nt", 70)
    fields = [lm, nt, _utf16(domain), _utf16(user), _utf16(workstation),
              b""]
    off = 64
    head = b""
    for f in fields:
        head += struct.pack("<HHI", len(f), len(f), off)
        off += len(f)
    msg = b"NTLMSSP\0" + struct.pack("<I", 3) + head + \
        struct.pack("<I", 0x00088205)
    return msg + b"".join(fields)


def http_ntlm(out):
    """Port 80: NTLM over HTTP (RFC 4559 style): GET with a NEGOTIATE
    message, 401 with the CHALLENGE, GET with an AUTHENTICATE message for
    EXAMPLE\\frank from workstation WS01, answered 200."""
    t1 = b64(ntlm_negotiate())
    t2 = b64(ntlm_challenge("http-ntlm"))
    t3 = b64(ntlm_authenticate("EXAMPLE", "frank", "WS01", "http-ntlm"))
    _one_conversation(out, ("10.6.0.5", 46051), HTTP_SERVER, [
        ("C", http_request("GET", "/intranet/", "www.example.net",
                           ["Authorization: NTLM " + t1])),
        ("S", http_response("401 Unauthorized",
                            ["WWW-Authenticate: NTLM " + t2,
                             "Content-Type: text/html"], DENIED)),
        ("C", http_request("GET", "/intranet/", "www.example.net",
                           ["Authorization: NTLM " + t3])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ])
    return t3


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, label):
    """A JWS compact serialisation (RFC 7515) of claims with an HS256
    header and a filler signature."""
    head = b64url(b'{"alg":"HS256","typ":"JWT"}')
    body = b64url(claims.encode())
    return head + "." + body + "." + b64url(filler(label + "/sig", 32))


def http_bearer(out):
    """Port 80: GET /api/v1/reports with a Bearer token that is a JWT
    whose claims name the user (sub, preferred_username
    gina@example.org), answered 200 with JSON."""
    token = jwt('{"iss":"https://sso.example.net","sub":"7f3c2a10",'
                '"preferred_username":"gina@example.org",'
                '"exp":1709290800}', "http-bearer")
    _one_conversation(out, ("10.6.0.6", 46061), HTTP_SERVER, [
        ("C", http_request("GET", "/api/v1/reports", "www.example.net",
                           ["Authorization: Bearer " + token,
                            "Accept: application/json"])),
        ("S", http_response("200 OK", ["Content-Type: application/json"],
                            b'{"reports":[]}\n')),
    ])
    return token


def http_form_urlencoded(out):
    """Port 80: GET /login (the form), then POST /login with an
    application/x-www-form-urlencoded body (username hugo, password,
    remember), answered 302 to /home."""
    body = b"username=hugo&password=Hugo-Form-5150&remember=1"
    _one_conversation(out, ("10.6.0.7", 46071), HTTP_SERVER, [
        ("C", http_request("GET", "/login", "www.example.net")),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
        ("C", http_request("POST", "/login", "www.example.net",
                           ["Content-Type: application/x-www-form-"
                            "urlencoded"], body)),
        ("S", http_response("302 Found", ["Location: /home"])),
    ])


def http_form_multipart(out):
    """Port 80: POST /account/signin as multipart/form-data: fields email
    (iris@example.org), passwd, and a text file part, answered 303 to
    /dashboard."""
    boundary = "----geckoformboundary5c1e6a"
    parts = [
        ('name="email"', b"iris@example.org"),
        ('name="passwd"', b"Iris-Multi-6262"),
        ('name="note"; filename="note.txt"\r\nContent-Type: text/plain',
         b"username=nobody\r\npassword=in-a-file"),
    ]
    body = b""
    for disp, value in parts:
        body += ("--%s\r\nContent-Disposition: form-data; %s\r\n\r\n"
                 % (boundary, disp)).encode() + value + b"\r\n"
    body += ("--%s--\r\n" % boundary).encode()
    _one_conversation(out, ("10.6.0.8", 46081), HTTP_SERVER, [
        ("C", http_request("POST", "/account/signin", "www.example.net",
                           ["Content-Type: multipart/form-data; "
                            "boundary=" + boundary], body)),
        ("S", http_response("303 See Other", ["Location: /dashboard"])),
    ])


def http_form_get(out):
    """Port 80: a login form sent with GET: /login.php?user=jack&pass=...
    &lang=en, answered 200."""
    _one_conversation(out, ("10.6.0.9", 46091), HTTP_SERVER, [
        ("C", http_request("GET", "/login.php?user=jack&pass=Jack-Get-6021"
                           "&lang=en", "www.example.net")),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ])


def http_webmail_roundcube(out):
    """Roundcube on port 80 of webmail host 192.0.2.81: GET /roundcube/,
    then POST /roundcube/?_task=login with _token, _task, _action,
    _timezone, _url, _user (kate@example.org) and _pass, answered 302 to
    /roundcube/?_task=mail."""
    body = (b"_token=Qm9ndXNUb2tlbjEyMzQ&_task=login&_action=login&"
            b"_timezone=Europe%2FParis&_url=&_user=kate%40example.org&"
            b"_pass=Kate-Round-7734")
    host = "mail.example.net"
    _one_conversation(out, ("10.6.0.10", 46101), WEBMAIL_SERVER, [
        ("C", http_request("GET", "/roundcube/", host)),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
        ("C", http_request("POST", "/roundcube/?_task=login", host,
                           ["Content-Type: application/x-www-form-"
                            "urlencoded",
                            "Referer: http://mail.example.net/roundcube/"],
                           body)),
        ("S", http_response("302 Found",
                            ["Location: ./?_task=mail&_mbox=INBOX"])),
    ])


def http_webmail_owa(out):
    """Outlook on the web on port 80 of 192.0.2.81: two connections
    posting to /owa/auth.owa (destination, flags, forcedownlevel,
    username EXAMPLE\\leo, password, passwordText, isUtf8).  46111 has
    the wrong password and is sent back to
    /owa/auth/logon.aspx?...&reason=2; 46112 the right one and is sent to
    /owa/."""
    cap = Capture(LINKTYPE_ETHERNET)
    host = "mail.example.net"
    for port, password, location in (
            (46111, "Leo-Wrong-0000",
             "/owa/auth/logon.aspx?replaceCurrent=1&reason=2&url="
             "http%3a%2f%2fmail.example.net%2fowa%2f"),
            (46112, "Leo-Owa-8842", "/owa/")):
        body = ("destination=http%%3A%%2F%%2Fmail.example.net%%2Fowa%%2F&"
                "flags=4&forcedownlevel=0&username=EXAMPLE%%5Cleo&"
                "password=%s&passwordText=&isUtf8=1" % password).encode()
        _conversation(cap, ("10.6.0.11", port), WEBMAIL_SERVER, [
            ("C", http_request("POST", "/owa/auth.owa", host,
                               ["Content-Type: application/x-www-form-"
                                "urlencoded"], body)),
            ("S", http_response("302 Found", ["Location: " + location])),
        ], isn_client=1000000 + port)
        cap.tick(1)
    cap.write_pcap(out + ".pcap")


PROXY_SERVER = ("192.0.2.31", 3128)


def http_url_userinfo(out):
    """A forward proxy on port 3128, one keep-alive connection: GET
    ftp://fiona:...@ftp.example.net/pub/report.pdf, answered 407; the same
    with Proxy-Authorization (Basic, user gus), answered 200; GET
    http://www.example.net/reports/ with a Referer naming the ftp URL and
    its login, answered 200; GET http://helene%40example.net:...@
    www.example.net/private/, answered 401."""
    proxy = basic("gus", "Gus-Proxy-6262").replace(
        "Authorization:", "Proxy-Authorization:", 1)
    ftp_url = "ftp://fiona:Fiona-Ftp-5150@ftp.example.net/pub/report.pdf"
    _one_conversation(out, ("10.6.0.12", 46121), PROXY_SERVER, [
        ("C", http_request("GET", ftp_url, "ftp.example.net")),
        ("S", http_response("407 Proxy Authentication Required", [
            'Proxy-Authenticate: Basic realm="proxy"',
            "Content-Type: text/html"], DENIED)),
        ("C", http_request("GET", ftp_url, "ftp.example.net", [proxy])),
        ("S", http_response("200 OK", ["Content-Type: application/pdf"],
                            b"%PDF-1.4\n%%EOF\n")),
        ("C", http_request("GET", "http://www.example.net/reports/",
                           "www.example.net",
                           [proxy, "Referer: " + ftp_url])),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
        ("C", http_request("GET", "http://helene%40example.net:"
                           "Helene-Url-7373@www.example.net/private/",
                           "www.example.net", [proxy])),
        ("S", http_response("401 Unauthorized", [
            'WWW-Authenticate: Basic realm="private"',
            "Content-Type: text/html"], DENIED)),
    ])


def ftp_login_accepted(out):
    """FTP on 21: greeting, USER mila, 331, PASS, 230, SYST, PWD, QUIT;
    no FEAT."""
    _one_conversation(out, ("10.7.0.1", 47001), FTP_SERVER, [
        ("S", crlf("220 ftp.example.net FTP server ready.")),
        ("C", crlf("USER mila")),
        ("S", crlf("331 Password required for mila.")),
        ("C", crlf("PASS Mila-Ftp-4040")),
        ("S", crlf("230 User mila logged in.")),
        ("C", crlf("SYST")),
        ("S", crlf("215 UNIX Type: L8")),
        ("C", crlf("PWD")),
        ("S", crlf('257 "/home/mila" is the current directory')),
        ("C", crlf("QUIT")),
        ("S", crlf("221 Goodbye.")),
    ])


FTP_FEAT_TLS = crlf("211-Features:", " AUTH TLS", " PBSZ", " PROT",
                    " EPSV", " MDTM", " SIZE", " UTF8", "211 End")


def ftp_login_rejected(out):
    """FTP on 21: FEAT lists AUTH TLS; the client logs in in clear text
    anyway, USER nils, 331, PASS, "530 Login incorrect.", QUIT."""
    _one_conversation(out, ("10.7.0.2", 47002), FTP_SERVER, [
        ("S", crlf("220 ftp.example.net FTP server ready.")),
        ("C", crlf("FEAT")),
        ("S", FTP_FEAT_TLS),
        ("C", crlf("USER nils")),
        ("S", crlf("331 Password required for nils.")),
        ("C", crlf("PASS Nils-Wrong-5353")),
        ("S", crlf("530 Login incorrect.")),
        ("C", crlf("QUIT")),
        ("S", crlf("221 Goodbye.")),
    ])


def ftp_auth_tls(out):
    """FTP on 21: FEAT lists AUTH TLS, AUTH TLS, 234, then a TLS 1.2
    handshake (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, no SNI) and
    encrypted commands; the login happens inside TLS."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.7.0.3", 47003), FTP_SERVER)
    conn.handshake()
    conn.server(crlf("220 ftp.example.net FTP server ready."))
    conn.client(crlf("FEAT"))
    conn.server(FTP_FEAT_TLS)
    conn.client(crlf("AUTH TLS"))
    conn.server(crlf("234 AUTH TLS successful"))
    hello = tls_client_hello("ftp-auth-tls/ch")
    tls12_like_session(conn, "ftp-auth-tls", 0x0303, 0xC02F, "ecdhe",
                       [cert("www"), cert("ca")], hello=hello,
                       app=(("C", 12), ("S", 30), ("C", 24), ("S", 28)))
    cap.write_pcap(out + ".pcap")


IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
TN_ECHO, TN_SGA, TN_TTYPE, TN_NAWS, TN_TSPEED, TN_NEW_ENVIRON = \
    1, 3, 24, 31, 32, 39


def iac(*seq):
    return bytes([IAC] + list(seq))


def telnet_negotiation():
    """What a Linux telnetd and its client say before the banner: the
    server asks for terminal type, speed, window size and environment,
    the client agrees and sends them, the server takes over echoing."""
    return [
        ("S", iac(DO, TN_TTYPE) + iac(DO, TN_TSPEED) + iac(DO, TN_NAWS) +
         iac(DO, TN_NEW_ENVIRON)),
        ("C", iac(WILL, TN_TTYPE) + iac(WILL, TN_TSPEED) +
         iac(WILL, TN_NAWS) + iac(WONT, TN_NEW_ENVIRON)),
        ("S", iac(SB, TN_TSPEED, 1) + iac(SE) + iac(SB, TN_TTYPE, 1) +
         iac(SE)),
        ("C", iac(SB, TN_NAWS, 0, 80, 0, 24) + iac(SE) +
         iac(SB, TN_TSPEED, 0) + b"38400,38400" + iac(SE) +
         iac(SB, TN_TTYPE, 0) + b"XTERM-256COLOR" + iac(SE)),
        ("S", iac(WILL, TN_SGA) + iac(DO, TN_ECHO) + iac(WILL, TN_ECHO)),
        ("C", iac(DO, TN_SGA) + iac(WONT, TN_ECHO) + iac(DO, TN_ECHO)),
    ]


def typed(text, echo=True):
    """A line typed one key a segment, each key echoed when echo, then
    CR NUL (RFC 854)."""
    steps = []
    for ch in text:
        steps.append(("C", ch.encode()))
        if echo:
            steps.append(("S", ch.encode()))
    steps.append(("C", b"\r\0"))
    steps.append(("S", b"\r\n"))
    return steps


def telnet_login(out):
    """Telnet on 23: option negotiation, a banner, "host1 login: ", the
    user types omar (echoed), "Password: ", a wrong password (not
    echoed), "Login incorrect", a new login prompt, omar again, the right
    password, the motd and a shell prompt "omar@host1:~$ ", then exit."""
    steps = telnet_negotiation() + [
        ("S", b"Debian GNU/Linux 12\r\n"),
        ("S", b"host1 login: "),
    ] + typed("omar") + [
        ("S", b"Password: "),
    ] + typed("Omar-Wrong-1212", echo=False) + [
        ("S", b"\r\nLogin incorrect\r\n"),
        ("S", b"host1 login: "),
    ] + typed("omar") + [
        ("S", b"Password: "),
    ] + typed("Omar-Telnet-3434", echo=False) + [
        ("S", b"Linux host1 6.1.0-18-amd64 #1 SMP x86_64\r\n\r\n"
              b"The programs included with the Debian GNU/Linux system "
              b"are free software.\r\n"),
        ("S", b"omar@host1:~$ "),
    ] + typed("exit") + [
        ("S", b"logout\r\n"),
    ]
    _one_conversation(out, ("10.8.0.1", 48001), TELNET_SERVER, steps)


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x100:
        return bytes([0x81, n])
    return bytes([0x82, n >> 8, n & 0xFF])


def ber(tag, content):
    """One BER TLV (X.690 section 8.1), definite length."""
    return bytes([tag]) + ber_len(len(content)) + content


def ber_int(v, tag=0x02):
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return ber(tag, v.to_bytes(n, "big", signed=True))


def ber_str(s, tag=0x04):
    return ber(tag, s if isinstance(s, bytes) else s.encode())


def ber_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(chunk)
    return ber(0x06, out)


def ldap_msg(msgid, op):
    """An LDAPMessage (RFC 4511 section 4.1.1) without controls."""
    return ber(0x30, ber_int(msgid) + op)


def ldap_bind(msgid, name, password):
    """A BindRequest, version 3, simple authentication."""
    return ldap_msg(msgid, ber(0x60, ber_int(3) + ber_str(name) +
                               ber_str(password, 0x80)))


def ldap_result(msgid, tag, code, diag=""):
    """An LDAPResult-shaped response: resultCode, matchedDN, message."""
    return ldap_msg(msgid, ber(tag, ber_int(code, 0x0A) + ber_str("") +
                               ber_str(diag)))


def ldap_search(msgid, base, scope, attrs):
    """A SearchRequest with filter (objectClass=*)."""
    return ldap_msg(msgid, ber(0x63, ber_str(base) + ber_int(scope, 0x0A) +
                               ber_int(0, 0x0A) + ber_int(0) + ber_int(0) +
                               ber(0x01, b"\x00") +
                               ber_str("objectClass", 0x87) +
                               ber(0x30, b"".join(ber_str(a)
                                                  for a in attrs))))


def ldap_entry(msgid, dn, attrs):
    """A SearchResultEntry; attrs is a list of (type, [values])."""
    al = b"".join(ber(0x30, ber_str(t) +
                      ber(0x31, b"".join(ber_str(v) for v in vals)))
                  for t, vals in attrs)
    return ldap_msg(msgid, ber(0x64, ber_str(dn) + ber(0x30, al)))


LDAP_STARTTLS_OID = "1.3.6.1.4.1.1466.20037"


def ldap_unbind(msgid):
    """An UnbindRequest ([APPLICATION 2] NULL)."""
    return ldap_msg(msgid, b"\x42\x00")


def ldap_simple_bind(out):
    """LDAP on 389: an anonymous bind (empty name and password, success),
    a simple bind as cn=pia,ou=people,dc=example,dc=net with a wrong
    password (invalidCredentials, 49), the same with the right one
    (success), a search for the entry, unbind."""
    dn = "cn=pia,ou=people,dc=example,dc=net"
    _one_conversation(out, ("10.8.0.2", 48002), LDAP_SERVER, [
        ("C", ldap_bind(1, "", "")),
        ("S", ldap_result(1, 0x61, 0)),
        ("C", ldap_bind(2, dn, "Pia-Wrong-9898")),
        ("S", ldap_result(2, 0x61, 49, "80090308: LdapErr: DSID-0C09044E, "
                          "comment: AcceptSecurityContext error, data 52e")),
        ("C", ldap_bind(3, dn, "Pia-Ldap-5656")),
        ("S", ldap_result(3, 0x61, 0)),
        ("C", ldap_search(4, dn, 0, ["mail", "cn"])),
        ("S", ldap_entry(4, dn, [("mail", ["pia@example.net"]),
                                 ("cn", ["pia"])]) +
         ldap_result(4, 0x65, 0)),
        ("C", ldap_unbind(5)),
    ])


def ldap_starttls(out):
    """LDAP on 389: a root DSE search (supportedExtension lists the
    StartTLS OID), the StartTLS extended request, success, then a TLS 1.2
    handshake (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, no SNI) and
    encrypted LDAP."""
    cap = Capture(LINKTYPE_ETHERNET)
    conn = TcpConn(cap, eth_link(), ("10.8.0.3", 48003), LDAP_SERVER)
    conn.handshake()
    conn.client(ldap_search(1, "", 0, ["supportedExtension"]))
    conn.server(ldap_entry(1, "", [("supportedExtension", [
        "1.3.6.1.4.1.4203.1.11.1", "1.3.6.1.4.1.4203.1.11.3",
        LDAP_STARTTLS_OID])]) + ldap_result(1, 0x65, 0))
    conn.client(ldap_msg(2, ber(0x77, ber_str(LDAP_STARTTLS_OID, 0x80))))
    conn.server(ldap_msg(2, ber(0x78, ber_int(0, 0x0A) + ber_str("") +
                                ber_str("") +
                                ber_str(LDAP_STARTTLS_OID, 0x8A))))
    hello = tls_client_hello("ldap-starttls/ch")
    tls12_like_session(conn, "ldap-starttls", 0x0303, 0xC02F, "ecdhe",
                       [cert("www"), cert("ca")], hello=hello,
                       app=(("C", 80), ("S", 24), ("C", 60), ("S", 300)))
    cap.write_pcap(out + ".pcap")


def snmp_msg(version, community, pdu_tag, reqid, varbinds, error=0):
    """An SNMPv1/v2c message (RFC 1157, RFC 1901); varbinds is a list of
    (OID, value TLV)."""
    vb = b"".join(ber(0x30, ber_oid(o) + v) for o, v in varbinds)
    pdu = ber(pdu_tag, ber_int(reqid) + ber_int(error) + ber_int(0) +
              ber(0x30, vb))
    return ber(0x30, ber_int(version) + ber_str(community) + pdu)


BER_NULL = b"\x05\x00"


def _udp_exchange(cap, client, server, payloads):
    """UDP datagrams between client and server; payloads is a list of
    ("C"|"S", bytes)."""
    ident = 0x4000
    for who, data in payloads:
        src, dst = (client, server) if who == "C" else (server, client)
        ident += 1
        cap.add(eth_link()(ipv4(src[0], dst[0], IPPROTO_UDP,
                                udp(src[0], dst[0], src[1], dst[1], data),
                                ident=ident, df=False), who == "C"))


def snmp_v1_get(out):
    """SNMPv1 to 161: a get of sysName.0 and sysUpTime.0 with community
    Comm-Read-3381, and the get-response with error-status noError."""
    cap = Capture(LINKTYPE_ETHERNET)
    community = "Comm-Read-3381"
    oids = ["1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0"]
    _udp_exchange(cap, ("10.8.0.4", 48004), SNMP_AGENT, [
        ("C", snmp_msg(0, community, 0xA0, 1801, [(o, BER_NULL)
                                                  for o in oids])),
        ("S", snmp_msg(0, community, 0xA2, 1801, [
            (oids[0], ber_str("sw-core-1")), (oids[1], ber_int(8840512,
                                                               0x43))])),
    ])
    cap.write_pcap(out + ".pcap")


def snmp_v2c_set(out):
    """SNMPv2c to 161: a set of sysContact.0 with community
    Comm-Write-9047, and the response with error-status noError."""
    cap = Capture(LINKTYPE_ETHERNET)
    community = "Comm-Write-9047"
    vb = [("1.3.6.1.2.1.1.4.0", ber_str("noc@example.net"))]
    _udp_exchange(cap, ("10.8.0.5", 48005), SNMP_AGENT, [
        ("C", snmp_msg(1, community, 0xA3, 2201, vb)),
        ("S", snmp_msg(1, community, 0xA2, 2201, vb)),
    ])
    cap.write_pcap(out + ".pcap")


# MySQL capability flags ("Capability Flags" of the internals manual).
MY_LONG_PASSWORD, MY_FOUND_ROWS, MY_LONG_FLAG, MY_CONNECT_WITH_DB = \
    0x1, 0x2, 0x4, 0x8
MY_PROTOCOL_41, MY_SSL, MY_TRANSACTIONS, MY_SECURE_CONNECTION = \
    0x200, 0x800, 0x2000, 0x8000
MY_MULTI_STATEMENTS, MY_MULTI_RESULTS, MY_PLUGIN_AUTH = \
    0x10000, 0x20000, 0x80000
MY_CONNECT_ATTRS, MY_PLUGIN_AUTH_LENENC = 0x100000, 0x200000
MY_SERVER_CAPS = (MY_LONG_PASSWORD | MY_FOUND_ROWS | MY_LONG_FLAG |
                  MY_CONNECT_WITH_DB | MY_PROTOCOL_41 | MY_TRANSACTIONS |
                  MY_SECURE_CONNECTION | MY_MULTI_STATEMENTS |
                  MY_MULTI_RESULTS | MY_PLUGIN_AUTH | MY_CONNECT_ATTRS |
                  MY_PLUGIN_AUTH_LENENC)


def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def lenenc(n):
    if n < 0xFB:
        return bytes([n])
    return b"\xfc" + struct.pack("<H", n)


def mysql_greeting(version, caps, nonce, conn_id=17):
    """Initial Handshake, protocol 10, default plugin
    mysql_native_password."""
    return mysql_packet(0, b"\x0a" + version.encode() + b"\0" +
                        struct.pack("<I", conn_id) + nonce[:8] + b"\0" +
                        struct.pack("<H", caps & 0xFFFF) + b"\x21" +
                        struct.pack("<H", 0x0002) +
                        struct.pack("<H", caps >> 16) + bytes([21]) +
                        b"\0" * 10 + nonce[8:20] + b"\0" +
                        b"mysql_native_password\0")


def mysql_native_scramble(password, nonce):
    """SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password)))."""
    h1 = hashlib.sha1(password.encode()).digest()
    h2 = hashlib.sha1(h1).digest()
    h3 = hashlib.sha1(nonce + h2).digest()
    return bytes(a ^ b for a, b in zip(h1, h3))


def mysql_login(user, password, nonce, db, client_caps):
    """HandshakeResponse41 with mysql_native_password and the attributes
    _client_name and _client_version."""
    attrs = b""
    for k, v in (("_client_name", "libmysql"), ("_client_version",
                                                  "8.0.36")):
        attrs += lenenc(len(k)) + k.encode() + lenenc(len(v)) + v.encode()
    auth = mysql_native_scramble(password, nonce)
    return mysql_packet(1, struct.pack("<IIB", client_caps, 16777216, 0x21) +
                        b"\0" * 23 + user.encode() + b"\0" +
                        lenenc(len(auth)) + auth + db.encode() + b"\0" +
                        b"mysql_native_password\0" + lenenc(len(attrs)) +
                        attrs)


MYSQL_OK = mysql_packet(2, b"\x00\x00\x00\x02\x00\x00\x00")
MYSQL_QUIT = mysql_packet(0, b"\x01")


def mysql_native_password(out):
    """MySQL 8.0 on 3306: the greeting offers TLS (CLIENT_SSL) and
    mysql_native_password; the client answers with a HandshakeResponse41
    in clear text for user quentin, database shop, and gets OK; then
    COM_QUIT."""
    nonce = filler("mysql-native-password/nonce", 20)
    caps = MY_SERVER_CAPS | MY_SSL
    client_caps = caps & ~MY_SSL
    _one_conversation(out, ("10.9.0.1", 49001), MYSQL_SERVER, [
        ("S", mysql_greeting("8.0.36", caps, nonce)),
        ("C", mysql_login("quentin", "Quentin-Sql-7171", nonce, "shop",
                          client_caps)),
        ("S", MYSQL_OK),
        ("C", MYSQL_QUIT),
    ])


def mysql_no_tls(out):
    """MySQL 5.5 on 3306: the greeting's capabilities lack CLIENT_SSL;
    the client logs in with mysql_native_password for user rita,
    database shop, and gets ERR 1045 (access denied)."""
    nonce = filler("mysql-no-tls/nonce", 20)
    caps = MY_SERVER_CAPS
    err = mysql_packet(2, b"\xff" + struct.pack("<H", 1045) + b"#28000" +
                       b"Access denied for user 'rita'@'10.9.0.2' (using "
                       b"password: YES)")
    _one_conversation(out, ("10.9.0.2", 49002), MYSQL_SERVER, [
        ("S", mysql_greeting("5.5.62-log", caps, nonce)),
        ("C", mysql_login("rita", "Rita-Wrong-8080", nonce, "shop", caps)),
        ("S", err),
    ])


def pg_startup(params):
    body = struct.pack("!I", 196608) + b"".join(
        k.encode() + b"\0" + v.encode() + b"\0" for k, v in params) + b"\0"
    return struct.pack("!I", len(body) + 4) + body


def pg_msg(kind, body):
    return kind + struct.pack("!I", len(body) + 4) + body


PG_SSLREQUEST = struct.pack("!II", 8, 80877103)
PG_AFTER_LOGIN = (pg_msg(b"R", struct.pack("!I", 0)) +
                  pg_msg(b"S", b"server_version\x0016.2\0") +
                  pg_msg(b"S", b"client_encoding\0UTF8\0") +
                  pg_msg(b"K", struct.pack("!II", 4242, 0x5eed5eed)) +
                  pg_msg(b"Z", b"I"))
PG_TERMINATE = pg_msg(b"X", b"")


def _pg_cleartext(user):
    return [
        ("C", pg_startup([("user", user), ("database", "app"),
                          ("application_name", "psql")])),
        ("S", pg_msg(b"R", struct.pack("!I", 3))),
    ]


def pgsql_cleartext(out):
    """PostgreSQL on 5432, no SSLRequest: StartupMessage (user sara,
    database app, application_name psql), AuthenticationCleartextPassword,
    the password message, AuthenticationOk, parameters, ReadyForQuery,
    Terminate."""
    _one_conversation(out, ("10.9.0.3", 49003), PGSQL_SERVER,
                      _pg_cleartext("sara") + [
                          ("C", pg_msg(b"p", b"Sara-Pg-2626\0")),
                          ("S", PG_AFTER_LOGIN),
                          ("C", PG_TERMINATE),
                      ])


def pgsql_md5(out):
    """PostgreSQL on 5432: StartupMessage (user tom), AuthenticationMD5
    Password with a salt, the answer "md5" + md5(md5(password + user) +
    salt), AuthenticationOk, ReadyForQuery, Terminate."""
    salt = b"\x8b\x1e\x77\x2c"
    inner = hashlib.md5(b"Tom-Md5-3939" + b"tom").hexdigest().encode()
    answer = b"md5" + hashlib.md5(inner + salt).hexdigest().encode()
    _one_conversation(out, ("10.9.0.4", 49004), PGSQL_SERVER, [
        ("C", pg_startup([("user", "tom"), ("database", "app"),
                          ("application_name", "psql")])),
        ("S", pg_msg(b"R", struct.pack("!I", 5) + salt)),
        ("C", pg_msg(b"p", answer + b"\0")),
        ("S", PG_AFTER_LOGIN),
        ("C", PG_TERMINATE),
    ])
    return answer.decode()


def pgsql_sslrequest_refused(out):
    """PostgreSQL on 5432: SSLRequest answered 'N'; the client goes on in
    clear text: StartupMessage (user uma), AuthenticationCleartextPassword,
    the password, AuthenticationOk, ReadyForQuery, Terminate."""
    _one_conversation(out, ("10.9.0.5", 49005), PGSQL_SERVER, [
        ("C", PG_SSLREQUEST),
        ("S", b"N"),
    ] + _pg_cleartext("uma") + [
        ("C", pg_msg(b"p", b"Uma-Refused-4545\0")),
        ("S", PG_AFTER_LOGIN),
        ("C", PG_TERMINATE),
    ])


def internal_cleartext_services(out):
    """Clients of 10.10.0.0/24 reach, in turn, an internal and an external
    server of each protocol: HTTP (10.10.1.80:80 twice, 192.0.2.80:80),
    Telnet up to the login prompt (192.168.1.23:23, 198.51.100.23:23),
    LDAP with an anonymous bind and a search (10.10.1.89:389,
    203.0.113.89:389), SNMPv2c get with community Comm-Int-6006
    (10.10.1.161:161, 198.51.100.161:161); and HTTPS, TLS 1.2, to
    10.10.1.80:443."""
    cap = Capture(LINKTYPE_ETHERNET)
    http = [
        ("C", http_request("GET", "/status", "intranet.example.net")),
        ("S", http_response("200 OK", ["Content-Type: text/html"], PAGE)),
    ]
    for port, server in ((50001, ("10.10.1.80", 80)),
                         (50002, ("10.10.1.80", 80)),
                         (50003, HTTP_SERVER)):
        _conversation(cap, ("10.10.0.5", port), server, http,
                      isn_client=1000000 + port)
        cap.tick(1)
    telnet = telnet_negotiation() + [
        ("S", b"Debian GNU/Linux 12\r\n"),
        ("S", b"host2 login: "),
    ]
    for port, server in ((50011, ("192.168.1.23", 23)),
                         (50012, TELNET_SERVER)):
        _conversation(cap, ("10.10.0.6", port), server, telnet,
                      isn_client=1000000 + port)
        cap.tick(1)
    base = "dc=example,dc=net"
    ldap = [
        ("C", ldap_bind(1, "", "")),
        ("S", ldap_result(1, 0x61, 0)),
        ("C", ldap_search(2, base, 0, ["dc"])),
        ("S", ldap_entry(2, base, [("dc", ["example"])]) +
         ldap_result(2, 0x65, 0)),
        ("C", ldap_unbind(3)),
    ]
    for port, server in ((50021, ("10.10.1.89", 389)),
                         (50022, LDAP_SERVER)):
        _conversation(cap, ("10.10.0.7", port), server, ldap,
                      isn_client=1000000 + port)
        cap.tick(1)
    oid = "1.3.6.1.2.1.1.5.0"
    for port, server in ((50031, ("10.10.1.161", 161)),
                         (50032, SNMP_AGENT)):
        _udp_exchange(cap, ("10.10.0.8", port), server, [
            ("C", snmp_msg(1, "Comm-Int-6006", 0xA0, port,
                           [(oid, BER_NULL)])),
            ("S", snmp_msg(1, "Comm-Int-6006", 0xA2, port,
                           [(oid, ber_str("sw-edge-2"))])),
        ])
        cap.tick(1)
    conn = TcpConn(cap, eth_link(), ("10.10.0.5", 50041),
                   ("10.10.1.80", 443), isn_client=1050041)
    conn.handshake()
    tls12_like_session(conn, "internal-cleartext-services/443", 0x0303,
                       0xC02F, "ecdhe", [cert("www"), cert("ca")],
                       hello=tls_client_hello(
                           "internal-cleartext-services/443/ch",
                           sni="www.example.net"))
    cap.write_pcap(out + ".pcap")


# ---------------------------------------------------------------------------

CASES = {
    "decode-ethernet": decode_ethernet,
    "decode-vlan": decode_vlan,
    "decode-qinq": decode_qinq,
    "decode-mpls": decode_mpls,
    "decode-gre": decode_gre,
    "decode-gre-key-seq": decode_gre_key_seq,
    "decode-erspan2": decode_erspan2,
    "decode-erspan3": decode_erspan3,
    "decode-vxlan": decode_vxlan,
    "decode-sll": decode_sll,
    "decode-sll2": decode_sll2,
    "decode-raw-ipv4": decode_raw_ipv4,
    "decode-raw-ipv6": decode_raw_ipv6,
    "decode-raw12-ipv4": decode_raw12_ipv4,
    "decode-linktype-ipv4": decode_linktype_ipv4,
    "decode-linktype-ipv6": decode_linktype_ipv6,
    "decode-null-inet6": decode_null_inet6,
    "decode-null-inet-be": decode_null_inet_be,
    "decode-loop-inet6": decode_loop_inet6,
    "decode-ipv6-ext-headers": decode_ipv6_ext_headers,
    "decode-ipv4-options": decode_ipv4_options,
    "decode-pcapng": decode_pcapng,
    "decode-pcap-nsec": decode_pcap_nsec,
    "decode-ip-fragments": decode_ip_fragments,
    "decode-snaplen": decode_snaplen,
    "decode-bad-ip-checksum": decode_bad_ip_checksum,
    "decode-garbage": decode_garbage,
    "decode-unsupported-linktype": decode_unsupported_linktype,
    "decode-cut-mid-packet": decode_cut_mid_packet,
    "option-bpf": option_bpf,
    "option-two-files": option_two_files,
    "reasm-out-of-order": reasm_out_of_order,
    "reasm-retransmission": reasm_retransmission,
    "reasm-overlap-first-wins": reasm_overlap_first_wins,
    "reasm-gap-resync": reasm_gap_resync,
    "reasm-midstream-imap": reasm_midstream_imap,
    "reasm-smtp-port-2525": reasm_smtp_port_2525,
    "reasm-server-first-odd-ports": reasm_server_first_odd_ports,
    "smtp-stripped-greeting": smtp_stripped_greeting,
    "smtp-stripped-capability": smtp_stripped_capability,
    "smtp-stripped-command": smtp_stripped_command,
    "smtp-bdat": smtp_bdat,
    "smtp-data-dot-stuffing": smtp_data_dot_stuffing,
    "smtp-pipelining": smtp_pipelining,
    "smtp-starttls-then-cleartext": smtp_starttls_then_cleartext,
    "smtp-starttls-no-handshake": smtp_starttls_no_handshake,
    "smtp-starttls-ok": smtp_starttls_ok,
    "smtp-implicit-tls": smtp_implicit_tls,
    "smtp-cram-md5": smtp_cram_md5,
    "smtp-xoauth2": smtp_xoauth2,
    "smtp-scram-sha-256": smtp_scram_sha_256,
    "smtp-auth-cancelled": smtp_auth_cancelled,
    "smtp-auth-rejected": smtp_auth_rejected,
    "smtp-auth-retry-folded": smtp_auth_retry_folded,
    "smtp-mta-no-starttls": smtp_mta_no_starttls,
    "smtp-mta-starttls-not-used": smtp_mta_starttls_not_used,
    "smtp-helo-only": smtp_helo_only,
    "imap-login-literal-sync": imap_login_literal_sync,
    "imap-login-literal-plus": imap_login_literal_plus,
    "imap-login-quoted": imap_login_quoted,
    "imap-literal-traps": imap_literal_traps,
    "imap-starttls-refused": imap_starttls_refused,
    "imap-authenticate-plain": imap_authenticate_plain,
    "imap-logindisabled": imap_logindisabled,
    "pop3-user-pass-retry": pop3_user_pass_retry,
    "pop3-apop": pop3_apop,
    "pop3-auth-plain-ir": pop3_auth_plain_ir,
    "pop3-retr-trap": pop3_retr_trap,
    "pop3-stls-refused": pop3_stls_refused,
    "tls-13-h2": tls_13_h2,
    "tls-12-ecdhe": tls_12_ecdhe,
    "tls-12-rsa-kex": tls_12_rsa_kex,
    "tls-11-ecdhe": tls_11_ecdhe,
    "tls-10-ecdhe": tls_10_ecdhe,
    "tls-10-rc4": tls_10_rc4,
    "tls-ssl3": tls_ssl3,
    "tls-sslv2": tls_sslv2,
    "tls-null-cipher": tls_null_cipher,
    "tls-export-cipher": tls_export_cipher,
    "tls-anon-dh": tls_anon_dh,
    "tls-3des": tls_3des,
    "tls-13-hrr": tls_13_hrr,
    "tls-split-client-hello": tls_split_client_hello,
    "tls-split-records": tls_split_records,
    "tls-client-only": tls_client_only,
    "tls-server-only": tls_server_only,
    "tls-alert-handshake-failure": tls_alert_handshake_failure,
    "tls-no-server-hello": tls_no_server_hello,
    "tls-cert-self-signed": tls_cert_self_signed,
    "tls-cert-expired": tls_cert_expired,
    "tls-cert-name-mismatch": tls_cert_name_mismatch,
    "tls-cert-wildcard": tls_cert_wildcard,
    "tls-cert-wildcard-edges": tls_cert_wildcard_edges,
    "tls-starttls-587-rsa": tls_starttls_587_rsa,
    "tls-starttls-25-rsa": tls_starttls_25_rsa,
    "tls-993-answered-in-clear": tls_993_answered_in_clear,
    "tls-port-4443": tls_port_4443,
    "http-basic": http_basic,
    "http-basic-outcomes": http_basic_outcomes,
    "http-basic-repeated": http_basic_repeated,
    "http-digest": http_digest,
    "http-ntlm": http_ntlm,
    "http-bearer": http_bearer,
    "http-form-urlencoded": http_form_urlencoded,
    "http-form-multipart": http_form_multipart,
    "http-form-get": http_form_get,
    "http-webmail-roundcube": http_webmail_roundcube,
    "http-webmail-owa": http_webmail_owa,
    "http-url-userinfo": http_url_userinfo,
    "ftp-login-accepted": ftp_login_accepted,
    "ftp-login-rejected": ftp_login_rejected,
    "ftp-auth-tls": ftp_auth_tls,
    "telnet-login": telnet_login,
    "ldap-simple-bind": ldap_simple_bind,
    "ldap-starttls": ldap_starttls,
    "snmp-v1-get": snmp_v1_get,
    "snmp-v2c-set": snmp_v2c_set,
    "mysql-native-password": mysql_native_password,
    "mysql-no-tls": mysql_no_tls,
    "pgsql-cleartext": pgsql_cleartext,
    "pgsql-md5": pgsql_md5,
    "pgsql-sslrequest-refused": pgsql_sslrequest_refused,
    "internal-cleartext-services": internal_cleartext_services,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT,
                    help="output folder (default tests/pcap/crafted)")
    ap.add_argument("--only", default="",
                    help="comma-separated case names")
    ap.add_argument("--list", action="store_true",
                    help="list the cases with their description")
    a = ap.parse_args()
    only = [x for x in a.only.split(",") if x]
    unknown = [x for x in only if x not in CASES]
    if unknown:
        ap.error("unknown case(s): " + ", ".join(unknown))
    for name, fn in CASES.items():
        if only and name not in only:
            continue
        if a.list:
            print("%-30s %s" % (name, " ".join(fn.__doc__.split())))
            continue
        os.makedirs(a.out, exist_ok=True)
        fn(os.path.join(a.out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
