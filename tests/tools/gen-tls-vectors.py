#!/usr/bin/env python3
"""Generate tests/unit/data/tls_sessions.h for tests/unit/test_tls.c.

Each session below is one TCP stream of a capture.  tshark gives the TCP
segments; this script puts each direction back in sequence order (dropping
retransmitted bytes, turning holes into gap events) and keeps the segments
up to the point where both sides send application data.

The expected facts come from tshark's TLS dissector, not from plainsight:
versions, cipher suite, names, ALPN, key share groups, JA3 (tshark's own
tls.handshake.ja3 and ja3_full), cleartext alerts, and the SHA-256 of the
first certificate tshark shows in the server's Certificate message
(hashed here with hashlib).  Whether a stream is TLS at all is stated per
session, from the capture's documentation.

PCAP-DIR holds the public captures as PROJECT/FILE, with a MANIFEST.tsv
naming the repository, path and commit each came from.

Usage: tests/tools/gen-tls-vectors.py PCAP-DIR > \
           tests/unit/data/tls_sessions.h
"""

import csv
import hashlib
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL = os.path.join(HERE, "..", "unit", "data")

# (C name, capture, TCP stream, server port, server stream is TLS, note)
SESSIONS = [
    ("ssl3", "arkime/openssl-ssl3.pcap", 0, 443, True,
     "SSLv3, ECDHE-RSA with RC4"),
    ("tls10_rc4_md5", "arkime/openssl-tls1_2-tls1.pcap", 0, 443, True,
     "TLS 1.0 after a TLS 1.2 ClientHello; ServerHello, Certificate and "
     "ServerHelloDone in one record"),
    ("tls11", "zeek/tls1_1.pcap", 0, 443, True, "TLS 1.1"),
    ("tls12", "arkime/openssl-tls1_2.pcap", 0, 443, True,
     "TLS 1.2, ECDHE-RSA AES-GCM"),
    ("tls12_ecdhe", "zeek/ecdhe.pcap", 0, 443, True,
     "TLS 1.2, application data from both sides"),
    ("tls12_mutual", "local:tls12-mutual.pcapng", 0, 44331, True,
     "TLS 1.2 with a certificate chain, a client certificate and ALPN"),
    ("tls13_draft18", "arkime/tls13.pcap", 0, 443, True,
     "TLS 1.3 draft 18 (0x7f12): the old ServerHello layout, GREASE"),
    ("tls13_draft28_a", "suricata-verify/tls13-draft28__tls13_draft28.pcap",
     0, 4433, True, "TLS 1.3 draft 28 (0x7f1c)"),
    ("tls13_draft28_b", "suricata-verify/tls13-draft28__tls13_draft28.pcap",
     1, 4433, True, "TLS 1.3 draft 28 (0x7f1c), second session"),
    ("tls13", "arkime/curl-enabled-tls13.pcap", 0, 443, True, "TLS 1.3"),
    ("tls13_hrr", "local:tls13-hrr.pcapng", 0, 44330, True,
     "TLS 1.3 with a HelloRetryRequest, a dummy ChangeCipherSpec before "
     "the second ClientHello"),
    ("tls13_kyber", "zeek/chrome-1250-tls-x25519-kyber.pcap", 0, 443, True,
     "TLS 1.3, a 1.8 KB ClientHello over two segments, GREASE"),
    ("tls13_fizz", "ndpi/tls_2_reasms.pcapng", 0, 443, True,
     "TLS 1.3 as Facebook's 0xfb1a; no SYN from the client"),
    ("sslv2_hello", "suricata-verify/sslv2-tls-upgrade-01__ssl-v2-s1.pcap",
     0, 443, True, "SSLv2 ClientHello answered in TLS 1.0"),
    ("handshake_failure", "zeek/tls-1.2-handshake-failure.pcap", 0, 443,
     True, "ClientHello answered by a fatal handshake_failure alert"),
    ("smtps_cleartext", "ndpi/smtps.pcapng", 0, 465, False,
     "ClientHello to port 465 answered by a cleartext SMTP greeting"),
    ("missing_ch_frag", "ndpi/tls_missing_ch_frag.pcap", 0, 443, True,
     "481 bytes of the ClientHello record not captured"),
    ("invalid_reads", "ndpi/tls_invalid_reads.pcap", 0, 443, True,
     "TLS 1.0 with RC4-MD5; a hole in the server's stream"),
]

HRR_RANDOM = ("cf21ad74e59a6111be1d8c021e65b891"
              "c2a211167abb8c5e079e09e2c8a8339c")


def tshark_rows(path, stream, filt, fields):
    cmd = ["tshark", "-r", path, "-Y", "tcp.stream==%d%s" % (stream, filt),
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(fields) - len(vals))
        rows.append(dict(zip(fields, vals)))
    return rows


def manifest(pcap_dir):
    info = {}
    with open(os.path.join(pcap_dir, "MANIFEST.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            info[row["rel_path"]] = row
    return info


def segments(path, stream, port):
    """In-order bytes per direction: [(from_server, bytes or gap length)]."""
    rows = tshark_rows(path, stream, "", [
        "tcp.srcport", "tcp.seq", "tcp.len", "tcp.flags.syn",
        "tcp.payload", "tls.record.content_type", "tls.record.opaque_type"])
    nxt = {}
    out = []
    seen = {False: set(), True: set()}
    for r in rows:
        server = int(r["tcp.srcport"]) == port
        seq, n = int(r["tcp.seq"]), int(r["tcp.len"])
        if r["tcp.flags.syn"] in ("1", "True"):
            nxt[server] = seq + 1
            continue
        if n == 0:
            continue
        data = bytes.fromhex(r["tcp.payload"].replace(":", ""))
        if server not in nxt:
            nxt[server] = seq
        if seq + n <= nxt[server]:
            continue
        if seq < nxt[server]:
            data = data[nxt[server] - seq:]
            seq = nxt[server]
        if seq > nxt[server]:
            out.append((server, seq - nxt[server]))
        out.append((server, data))
        nxt[server] = seq + len(data)
        # TLS 1.3 records carry their type in opaque_type.
        types = (r["tls.record.content_type"] + "," +
                 r["tls.record.opaque_type"])
        for t in types.split(","):
            if t:
                seen[server].add(int(t))
        # Enough: both sides talk in application data records.
        if 23 in seen[False] and 23 in seen[True]:
            break
    return out, seen


def first(s):
    return s.split(",")[0] if s else ""


def rank(v):
    if v == 0x0002:
        return 1 << 16
    if v == 0x0304:
        return 4 << 16
    if 0x0300 <= v <= 0x0303:
        return 2 << 16 | (v & 0xFF)
    if (v >> 8) in (0x7F, 0xFB):
        return 3 << 16 | (v & 0xFF)
    return 0


def grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def expect(path, stream, port, seen):
    """tshark's view of the handshake."""
    e = {"client_hello": False, "sslv2_hello": False, "server_hello": False,
         "hello_retry": False, "established": False, "client_version": 0,
         "version": 0, "cipher": 0, "have_cipher": False, "group": 0,
         "client_share": 0, "sni": "", "alpn": "", "ja3": "", "ja3_full": "",
         "alert": False, "alert_level": 0, "alert_description": 0,
         "alert_from_server": False, "cert": ""}

    ch = tshark_rows(path, stream, " && tls.handshake.type==1", [
        "tcp.srcport", "tls.record.version", "tls.handshake.version",
        "tls.handshake.extensions.supported_version",
        "tls.handshake.extensions_server_name",
        "tls.handshake.extensions_alpn_str", "tls.handshake.ja3",
        "tls.handshake.ja3_full", "tls.handshake.extensions_key_share_group",
        "_ws.malformed"])
    ch = [r for r in ch if int(r["tcp.srcport"]) != port
          and not r["_ws.malformed"]]
    if ch:
        r = ch[0]
        e["client_hello"] = True
        e["sslv2_hello"] = first(r["tls.record.version"]) == "0x0002"
        versions = [int(v, 16) for v in
                    r["tls.handshake.extensions.supported_version"].split(",")
                    if v and not grease(int(v, 16))]
        best = max(versions, key=rank) if versions else 0
        e["client_version"] = best or int(first(r["tls.handshake.version"]),
                                          16)
        e["sni"] = first(r["tls.handshake.extensions_server_name"])
        e["alpn"] = first(r["tls.handshake.extensions_alpn_str"])
        e["ja3"] = r["tls.handshake.ja3"]
        e["ja3_full"] = r["tls.handshake.ja3_full"]
        shares = [int(g) for g in
                  r["tls.handshake.extensions_key_share_group"].split(",")
                  if g and not grease(int(g))]
        e["client_share"] = shares[0] if shares else 0

    sh = tshark_rows(path, stream, " && tls.handshake.type==2", [
        "tcp.srcport", "tls.handshake.version",
        "tls.handshake.extensions.supported_version",
        "tls.handshake.ciphersuite", "tls.handshake.extensions_alpn_str",
        "tls.handshake.extensions_key_share_group",
        "tls.handshake.extensions_key_share_selected_group",
        "tls.handshake.random"])
    for r in sh:
        sv = r["tls.handshake.extensions.supported_version"]
        e["version"] = int(sv or first(r["tls.handshake.version"]), 16)
        e["cipher"] = int(first(r["tls.handshake.ciphersuite"]), 16)
        e["have_cipher"] = True
        g = (r["tls.handshake.extensions_key_share_group"] or
             r["tls.handshake.extensions_key_share_selected_group"])
        if g:
            e["group"] = int(first(g))
        if r["tls.handshake.extensions_alpn_str"]:
            e["alpn"] = first(r["tls.handshake.extensions_alpn_str"])
        if r["tls.handshake.random"].replace(":", "") == HRR_RANDOM:
            e["hello_retry"] = True
        else:
            e["server_hello"] = True

    # An elliptic-curve ServerKeyExchange names the group of TLS 1.2.
    ske = tshark_rows(path, stream, " && tls.handshake.type==12", [
        "tcp.srcport", "tls.handshake.server_named_curve"])
    for r in ske:
        if r["tls.handshake.server_named_curve"] and not e["group"]:
            e["group"] = int(first(r["tls.handshake.server_named_curve"]),
                             16)

    cert = tshark_rows(path, stream, " && tls.handshake.type==11", [
        "tcp.srcport", "tls.handshake.certificate"])
    for r in cert:
        if int(r["tcp.srcport"]) == port and r["tls.handshake.certificate"]:
            der = bytes.fromhex(first(r["tls.handshake.certificate"])
                                .replace(":", ""))
            e["cert"] = hashlib.sha256(der).hexdigest()
            break

    # Cleartext alerts carry a level; encrypted ones do not.
    alerts = tshark_rows(path, stream, " && tls.alert_message.level", [
        "tcp.srcport", "tls.alert_message.level", "tls.alert_message.desc"])
    for r in alerts:
        level = int(first(r["tls.alert_message.level"]))
        if e["alert"] and (e["alert_level"] == 2 or level == 1):
            continue
        e["alert"] = True
        e["alert_level"] = level
        e["alert_description"] = int(first(r["tls.alert_message.desc"]))
        e["alert_from_server"] = int(r["tcp.srcport"]) == port

    both_data = 23 in seen[False] and 23 in seen[True]
    if (e["version"] >> 8) in (0x7F, 0xFB) or e["version"] == 0x0304:
        e["established"] = e["server_hello"] and both_data
    else:
        e["established"] = ((20 in seen[False] and 20 in seen[True]) or
                            both_data)
    return e


def c_str(s, indent="\t    "):
    """A C string literal, split into pieces that fit 80 columns."""
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    pieces = [s[i:i + 60] for i in range(0, len(s), 60)] or [""]
    return ("\n" + indent).join('"%s"' % p for p in pieces)


def c_bool(v):
    return "true" if v else "false"


def emit(out, name, origin, note, segs):
    blob = b"".join(d for s, d in segs if isinstance(d, bytes))
    text = textwrap.wrap("%s: %s.  From %s." % (name, note, origin), 73)
    out.append("/*\n * " + "\n * ".join(text) + "\n */")
    out.append("static const uint8_t %s_bytes[] = {" % name)
    for i in range(0, len(blob), 12):
        out.append("\t" + ", ".join("0x%02x" % b for b in blob[i:i + 12]) +
                   ",")
    out.append("};")
    out.append("static const struct tv_seg %s_segs[] = {" % name)
    off = 0
    for server, d in segs:
        if isinstance(d, bytes):
            out.append("\t{%s, %d, %d, 0}," % (c_bool(server), off, len(d)))
            off += len(d)
        else:
            out.append("\t{%s, 0, 0, %d}," % (c_bool(server), d))
    out.append("};")


def emit_expect(name, e, server_tls):
    f = []
    f.append("\t{\"%s\"," % name)
    f.append("\t    %s_bytes, sizeof(%s_bytes)," % (name, name))
    f.append("\t    %s_segs, ARRAY_SIZE(%s_segs)," % (name, name))
    f.append("\t    %s, %s," % (
        "TLS_STREAM_TLS",
        "TLS_STREAM_TLS" if server_tls else "TLS_STREAM_NOT_TLS"))
    f.append("\t    %s, %s, %s, %s, %s," % tuple(c_bool(e[k]) for k in (
        "client_hello", "sslv2_hello", "server_hello", "hello_retry",
        "established")))
    f.append("\t    0x%04x, 0x%04x, 0x%04x, %s, %d, %d," % (
        e["client_version"], e["version"], e["cipher"],
        c_bool(e["have_cipher"]), e["group"], e["client_share"]))
    f.append("\t    %s, %s," % (c_str(e["sni"]), c_str(e["alpn"])))
    f.append("\t    %s," % c_str(e["ja3"]))
    f.append("\t    %s," % c_str(e["ja3_full"]))
    f.append("\t    %s, %d, %d, %s," % (
        c_bool(e["alert"]), e["alert_level"], e["alert_description"],
        c_bool(e["alert_from_server"])))
    f.append("\t    %s}," % c_str(e["cert"]))
    return f


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s PCAP-DIR" % sys.argv[0])
    pcap_dir = sys.argv[1]
    info = manifest(pcap_dir)
    version = subprocess.run(["tshark", "--version"], check=True,
                             capture_output=True,
                             text=True).stdout.split()[2]
    out = ["""/*
 * tls_sessions.h - TLS sessions from captures, with the facts tshark reads
 * in them, for test_tls.c.
 *
 * Generated by tests/tools/gen-tls-vectors.py with tshark %s; do
 * not edit.  The bytes are the TCP payload of each direction in sequence order,
 * cut once both sides send application data; gaps are holes in the
 * capture.  The captures are third-party test data from the public test
 * suites named with each session, or were made on loopback by
 * tests/tools/make-local-pcaps.sh (the .pcapng files beside this header).
 */
#ifndef PLAINSIGHT_TEST_TLS_SESSIONS_H
#define PLAINSIGHT_TEST_TLS_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/tls.h"
#include "util.h"

/* One segment: len bytes at off of the session's bytes, or a gap. */
struct tv_seg {
	bool from_server;
	uint32_t off;
	uint32_t len;
	uint32_t gap; /* bytes lost, when not 0 */
};

struct tv_session {
	const char *name;
	const uint8_t *bytes;
	size_t nbytes;
	const struct tv_seg *segs;
	size_t nsegs;
	enum tls_stream client_stream, server_stream;
	bool client_hello, sslv2_hello, server_hello, hello_retry;
	bool established;
	uint16_t client_version, version, cipher;
	bool have_cipher;
	uint16_t group, client_share;
	const char *sni, *alpn, *ja3, *ja3_full;
	bool alert;
	uint8_t alert_level, alert_description;
	bool alert_from_server;
	const char *cert_sha256; /* hex, "" when none */
};
""" % version]
    table = []
    for name, rel, stream, port, server_tls, note in SESSIONS:
        if rel.startswith("local:"):
            path = os.path.join(LOCAL, rel[len("local:"):])
            origin = ("tests/unit/data/%s, made by "
                      "tests/tools/make-local-pcaps.sh" % rel[6:])
        else:
            path = os.path.join(pcap_dir, rel)
            m = info[rel]
            origin = "%s %s (commit %s), TCP stream %d" % (
                m["source_repo"], m["path_in_repo"], m["commit"][:12],
                stream)
        segs, seen = segments(path, stream, port)
        e = expect(path, stream, port, seen)
        emit(out, name, origin, note, segs)
        out.append("")
        table += emit_expect(name, e, server_tls)
    out.append("static const struct tv_session tv_sessions[] = {")
    out += table
    out.append("};\n\n#endif")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
