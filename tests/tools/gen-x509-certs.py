#!/usr/bin/env python3
"""Generate tests/unit/data/x509_certs.h for tests/unit/test_x509.c.

Makes throwaway certificates with the openssl command line tool (keys of
every type libcrypto knows, a wildcard and IP addresses among the SANs,
too many SANs, a long UTF-8 subject, a CA and a leaf it signs) and takes
one real certificate from a public capture.  The expected facts come from
"openssl x509" output and from how each certificate was made, not from
plainsight: fingerprint, RFC 2253 names, dates, signature algorithm and
SANs as the command prints them; key type and size and self-signedness by
construction.

Keys are made afresh on each run, so the output changes from run to run.

PCAP-DIR holds the public captures as PROJECT/FILE (the real certificate
comes from suricata-verify/sslv2-tls-upgrade-01__ssl-v2-s1.pcap).

Usage: tests/tools/gen-x509-certs.py PCAP-DIR > \
           tests/unit/data/x509_certs.h
"""

import calendar
import ipaddress
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time

NAME_MAX = 256
SANS_MAX = 512

LONG_OU = "Organisational Unit With A Rather Long Name For Testing"
UTF8_SUBJECT = ("".join("/OU=%s %d" % (LONG_OU, i) for i in range(5)) +
                "/CN=Z\u00fcrich Pr\u00fcfstelle")
MANY = ",".join("DNS:host-%02d.long-subdomain.example.test" % i
                for i in range(40))

# (name, key, signer, subject, SAN or None, digest, key type, bits)
CERTS = [
    ("rsa_wild", "rsa:2048", None,
     "/C=DE/O=Plain Sight Test/CN=www.example.test",
     "DNS:www.example.test,DNS:*.mail.example.test,IP:192.0.2.7,"
     "IP:2001:db8::1", "sha256", "RSA", 2048),
    ("ca", "rsa:3072", None, "/O=Plain Sight Test/CN=Plain Sight Root CA",
     None, "sha384", "RSA", 3072),
    ("ec_leaf", "ec:P-256", "ca", "/CN=Other Name",
     "DNS:mail.example.test", "sha1", "EC", 256),
    ("ed25519", "ed25519", None, "/CN=cn-only.example.test", None, None,
     "Ed25519", 256),
    ("dsa", "dsa:2048", None, "/CN=dsa.example.test", "DNS:dsa.example.test",
     "sha256", "DSA", 2048),
    ("rsa_pss", "rsa-pss:2048", None, "/CN=pss.example.test",
     "DNS:pss.example.test", "sha256", "RSA-PSS", 2048),
    ("many_sans", "ec:P-384", None, "/CN=host-00.long-subdomain.example.test",
     MANY, "sha384", "EC", 384),
    ("utf8_long", "ec:P-256", None, UTF8_SUBJECT, "IP:198.51.100.1",
     "sha256", "EC", 256),
]


def run(args, data=None):
    return subprocess.run(args, input=data, check=True,
                          capture_output=True).stdout


def make_key(spec, path, work):
    kind, _, arg = spec.partition(":")
    if kind == "rsa":
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
             "rsa_keygen_bits:" + arg, "-out", path])
    elif kind == "rsa-pss":
        run(["openssl", "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt",
             "rsa_keygen_bits:" + arg, "-out", path])
    elif kind == "ec":
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
             "ec_paramgen_curve:" + arg, "-out", path])
    elif kind == "ed25519":
        run(["openssl", "genpkey", "-algorithm", "ED25519", "-out", path])
    elif kind == "dsa":
        params = os.path.join(work, "dsa.param")
        run(["openssl", "genpkey", "-genparam", "-algorithm", "DSA",
             "-pkeyopt", "dsa_paramgen_bits:" + arg, "-out", params])
        run(["openssl", "genpkey", "-paramfile", params, "-out", path])


def make_cert(work, name, key, signer, subject, san, digest):
    kpath = os.path.join(work, name + ".key")
    cpath = os.path.join(work, name + ".pem")
    make_key(key, kpath, work)
    ext = os.path.join(work, name + ".ext")
    with open(ext, "w", encoding="utf-8") as f:
        f.write("basicConstraints=critical,CA:%s\n" %
                ("TRUE" if name == "ca" else "FALSE"))
        if san:
            f.write("subjectAltName=%s\n" % san)
    dig = ["-" + digest] if digest else []
    if signer is None:
        run(["openssl", "req", "-x509", "-new", "-utf8", "-key", kpath,
             "-subj", subject, "-days", "3650", "-out", cpath,
             "-extensions", "v3", "-config", config(work, ext)] + dig)
    else:
        csr = os.path.join(work, name + ".csr")
        run(["openssl", "req", "-new", "-utf8", "-key", kpath, "-subj",
             subject, "-out", csr, "-config", config(work, None)])
        run(["openssl", "x509", "-req", "-in", csr, "-CA",
             os.path.join(work, signer + ".pem"), "-CAkey",
             os.path.join(work, signer + ".key"), "-CAcreateserial",
             "-days", "3650", "-extfile", ext, "-out", cpath] + dig)
    return run(["openssl", "x509", "-in", cpath, "-outform", "DER"])


def config(work, ext):
    """A minimal openssl.cnf: UTF-8 strings, extensions from ext."""
    path = os.path.join(work, "req.cnf")
    with open(path, "w", encoding="utf-8") as f:
        f.write("[req]\ndistinguished_name=dn\nstring_mask=utf8only\n"
                "[dn]\n[v3]\n")
        if ext:
            with open(ext, encoding="utf-8") as e:
                f.write(e.read())
    return path


def cut_utf8(b, size):
    if len(b) < size:
        return b
    n = size - 1
    while n > 0 and (b[n] & 0xC0) == 0x80:
        n -= 1
    return b[:n]


def cli_facts(der):
    """What openssl x509 prints, as the C struct wants it."""
    x = ["openssl", "x509", "-inform", "DER", "-noout"]
    fp = run(x + ["-fingerprint", "-sha256"], der).decode()
    names = run(x + ["-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb"],
                der)
    subject, issuer = [l.split(b"=", 1)[1] for l in names.splitlines()]
    dates = run(x + ["-startdate", "-enddate"], der).decode().splitlines()
    text = run(x + ["-text"], der).decode("utf-8", "replace")
    sig = re.search(r"Signature Algorithm: (\S+)", text).group(1)
    bits = re.search(r"Public-Key: \((\d+) bit\)", text)
    san = re.search(r"X509v3 Subject Alternative Name:.*\n\s*(.*)", text)
    entries = []
    if san:
        for item in san.group(1).split(", "):
            kind, _, value = item.partition(":")
            if kind == "DNS":
                entries.append(value)
            elif kind == "IP Address":
                entries.append(str(ipaddress.ip_address(value)))
    sans, cut = "", False
    for e in entries:
        joined = e if not sans else sans + "," + e
        if len(joined) + 1 > SANS_MAX:
            cut = True
            break
        sans = joined

    def when(line):
        t = time.strptime(line.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT")
        return calendar.timegm(t)

    return {
        "sha256": fp.split("=", 1)[1].strip().replace(":", "").lower(),
        "subject": cut_utf8(subject, NAME_MAX),
        "issuer": cut_utf8(issuer, NAME_MAX),
        "sans": sans, "sans_cut": cut,
        "dns_san": any(not re.match(r"^[0-9a-f.:]+$", e) for e in entries),
        "not_before": when(dates[0]), "not_after": when(dates[1]),
        "sig_alg": sig, "bits": int(bits.group(1)) if bits else None,
    }


def c_bytes(b):
    """A C string literal of UTF-8 bytes, 60 a line."""
    out = ""
    for ch in b:
        if 0x20 <= ch < 0x7F and ch not in (0x22, 0x5C, 0x3F):
            out += chr(ch)
        else:
            out += "\\%03o" % ch
    pieces = [out[i:i + 60] for i in range(0, len(out), 60)] or [""]
    # Do not split an escape sequence.
    fixed, carry = [], ""
    for p in pieces:
        p = carry + p
        m = re.search(r"\\[0-7]{0,2}$", p)
        carry = p[m.start():] if m else ""
        fixed.append(p[:m.start()] if m else p)
    if carry:
        fixed.append(carry)
    return "\n\t    ".join('"%s"' % p for p in fixed if p) or '""'


def real_certificate(pcap_dir):
    """The server certificate of the SSLv2-upgrade capture."""
    path = os.path.join(pcap_dir,
                        "suricata-verify/sslv2-tls-upgrade-01__ssl-v2-s1.pcap")
    out = run(["tshark", "-r", path, "-Y", "tls.handshake.certificate",
               "-T", "fields", "-e", "tls.handshake.certificate"])
    return bytes.fromhex(out.decode().split(",")[0].strip().replace(":", ""))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s PCAP-DIR" % sys.argv[0])
    pcap_dir = sys.argv[1]
    certs = []
    with tempfile.TemporaryDirectory() as work:
        for name, key, signer, subject, san, digest, ktype, bits in CERTS:
            der = make_cert(work, name, key, signer, subject, san, digest)
            cn = subject.rsplit("/CN=", 1)[1].split("/")[0]
            certs.append((name, der, cn, ktype, bits, signer is None,
                          "made by gen-x509-certs.py: %s key, %s" % (
                              key, "self-signed" if signer is None else
                              "signed by " + signer)))
    der = real_certificate(pcap_dir)
    certs.append(("netscreen", der, "sigdb.secteam.netscreen.com", "RSA",
                  1024, False,
                  "the server certificate of OISF/suricata-verify "
                  "tests/sslv2-tls-upgrade-01/ssl-v2-s1.pcap"))

    out = ["""/*
 * x509_certs.h - certificates and what "openssl x509" says of them, for
 * test_x509.c.  Generated by tests/tools/gen-x509-certs.py; do not edit.
 */
#ifndef PLAINSIGHT_TEST_X509_CERTS_H
#define PLAINSIGHT_TEST_X509_CERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tv_cert {
	const char *name;
	const uint8_t *der;
	size_t len;
	const char *sha256, *subject, *issuer, *cn, *sans;
	bool sans_cut, dns_san;
	time_t not_before, not_after;
	const char *key_type;
	int key_bits;
	const char *sig_alg;
	bool self_signed;
};
"""]
    table = []
    for name, der, cn, ktype, bits, selfsigned, note in certs:
        f = cli_facts(der)
        if f["bits"] is not None and f["bits"] != bits:
            sys.exit("%s: openssl says %d bits" % (name, f["bits"]))
        if selfsigned and f["subject"] != f["issuer"]:
            sys.exit("%s: self-signed with another issuer" % name)
        text = textwrap.wrap("%s: %s." % (name, note), 73)
        out.append("/*\n * " + "\n * ".join(text) + "\n */")
        out.append("static const uint8_t %s_der[] = {" % name)
        for i in range(0, len(der), 12):
            out.append("\t" + ", ".join("0x%02x" % b for b in der[i:i + 12])
                       + ",")
        out.append("};\n")
        table.append("\t{\"%s\", %s_der, sizeof(%s_der)," % (name, name,
                                                            name))
        table.append("\t    \"%s\"" % f["sha256"][:32])
        table.append("\t    \"%s\"," % f["sha256"][32:])
        table.append("\t    %s," % c_bytes(f["subject"]))
        table.append("\t    %s," % c_bytes(f["issuer"]))
        table.append("\t    %s," % c_bytes(cn.encode()))
        table.append("\t    %s," % c_bytes(f["sans"].encode()))
        table.append("\t    %s, %s, %d, %d," % (
            "true" if f["sans_cut"] else "false",
            "true" if f["dns_san"] else "false", f["not_before"],
            f["not_after"]))
        table.append("\t    \"%s\", %d, \"%s\", %s}," % (
            ktype, bits, f["sig_alg"], "true" if selfsigned else "false"))
    out.append("static const struct tv_cert tv_certs[] = {")
    out += table
    out.append("};\n\n#endif")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
