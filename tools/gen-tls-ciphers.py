#!/usr/bin/env python3
"""Generate analyzers/tls_ciphers.c, plainsight's cipher-suite table.

The list of code points and their names comes from the TLS dissector of
the tshark found on the PATH:

    tshark -G values | grep -P '^V\ttls.handshake.ciphersuite\t'

Everything else in the table (key exchange, forward secrecy, why a suite
is broken) is derived here from the IANA name alone, by the rules below.
A name that no rule understands stops the script: a newer tshark with new
suites needs a new rule, not a silent guess.

Usage: tools/gen-tls-ciphers.py [values-file] > analyzers/tls_ciphers.c
Without a file, tshark is run.  The output is formatted with clang-format
when it is installed.
"""

import os
import re
import shutil
import subprocess
import sys

# Key exchange named by the part of a TLS 1.0-1.2 suite before "_WITH_".
# Export and FIPS variants exchange keys the same way as their base.
KEX = {
    "NULL": "NULL",
    "RSA": "RSA",
    "RSA_EXPORT": "RSA",
    "RSA_EXPORT1024": "RSA",
    "RSA_FIPS": "RSA",
    "DH_DSS": "DH",
    "DH_RSA": "DH",
    "DH_DSS_EXPORT": "DH",
    "DH_RSA_EXPORT": "DH",
    "DHE_DSS": "DHE",
    "DHE_RSA": "DHE",
    "DHE_DSS_EXPORT": "DHE",
    "DHE_RSA_EXPORT": "DHE",
    "DHE_DSS_EXPORT1024": "DHE",
    "DH_anon": "DH_anon",
    "DH_anon_EXPORT": "DH_anon",
    "ECDH_ECDSA": "ECDH",
    "ECDH_RSA": "ECDH",
    "ECDHE_ECDSA": "ECDHE",
    "ECDHE_RSA": "ECDHE",
    "ECDH_anon": "ECDH_anon",
    "PSK": "PSK",
    "DHE_PSK": "DHE_PSK",
    # RFC 6655 section 3 spells the DHE_PSK CCM_8 suites "PSK_DHE".
    "PSK_DHE": "DHE_PSK",
    "RSA_PSK": "RSA_PSK",
    "ECDHE_PSK": "ECDHE_PSK",
    "KRB5": "KRB5",
    "KRB5_EXPORT": "KRB5",
    "SRP_SHA": "SRP",
    "SRP_SHA_RSA": "SRP",
    "SRP_SHA_DSS": "SRP",
    "FORTEZZA_KEA": "FORTEZZA",
    "GOSTR341094": "GOST",
    "GOSTR341001": "GOST",
    "GOSTR341112_256": "GOST",
    "ECCPWD": "ECCPWD",
    "ECJPAKE": "ECJPAKE",
}

# Suites of the Chinese GM/T 0024 profile carry no "TLS_" prefix and no
# "_WITH_": the first word is the key exchange.
GMT_KEX = {
    "ECDHE": "ECDHE",
    "ECC": "ECC",
    "IBSDH": "IBSDH",
    "IBC": "IBC",
    "RSA": "RSA",
}

# Exchanges whose session keys do not follow from any long-term secret:
# ephemeral (EC)DH, alone or mixed with a PSK; SRP and the password
# exchanges ECCPWD (RFC 8492 section 1) and EC J-PAKE, where both sides
# pick fresh random exponents; and every TLS 1.3 suite, whose exchange is
# always ephemeral (RFC 8446 section 2; psk_ke resumption aside, which the
# suite cannot show).  Anonymous DH is ephemeral too, though the suite is
# broken for lack of authentication.
FORWARD_SECRET = {
    "DHE", "ECDHE", "DHE_PSK", "ECDHE_PSK", "DH_anon", "ECDH_anon",
    "SRP", "ECCPWD", "ECJPAKE", "TLS13",
}


def tls13_suite(code, name):
    """True for suites that only TLS 1.3 negotiates."""
    if 0x1301 <= code <= 0x13FF:
        return True
    # RFC 8998 (SM4), RFC 9150 (integrity only), RFC 9367 (GOST MGM).
    if name in ("TLS_SM4_GCM_SM3", "TLS_SM4_CCM_SM3",
                "TLS_SHA256_SHA256", "TLS_SHA384_SHA384"):
        return True
    return re.match(r"TLS_GOSTR341112_256_WITH_\w+_MGM_[LS]$", name) is not None


def split_name(code, name):
    """Returns (key exchange part, cipher and MAC part, kex) of a name."""
    if tls13_suite(code, name):
        rest = name[len("TLS_"):]
        return "", rest.split("_WITH_")[-1], "TLS13"
    m = re.match(r"(?:TLS|SSL)_(\w+?)_WITH_(\w+)$", name)
    if m:
        if m.group(1) not in KEX:
            sys.exit("no key exchange rule for %s (0x%04x)" % (name, code))
        return m.group(1), m.group(2), KEX[m.group(1)]
    m = re.match(r"(ECDHE|ECC|IBSDH|IBC|RSA)_(SM\w+)$", name)
    if m:
        return m.group(1), m.group(2), GMT_KEX[m.group(1)]
    sys.exit("cannot parse cipher suite name %s (0x%04x)" % (name, code))


def broken_class(kexpart, enc, kex, name):
    """Why a suite gives no real protection, or None.  Worst reason first."""
    if kex == "NULL" or enc.startswith("NULL") or "_NULL_" in enc:
        return "NULL"
    if name in ("TLS_SHA256_SHA256", "TLS_SHA384_SHA384"):
        return "NULL"
    if "EXPORT" in kexpart:
        return "EXPORT"
    if kex in ("DH_anon", "ECDH_anon"):
        return "anonymous"
    if "RC4" in enc:
        return "RC4"
    if "3DES" in enc:
        return "3DES"
    if re.search(r"(^|_)DES(40)?_", enc):
        return "DES"
    if "RC2" in enc:
        return "RC2"
    if "IDEA" in enc:
        return "IDEA"
    if "FORTEZZA" in enc:
        return "Skipjack"
    return None


def read_values(path):
    if path:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    else:
        text = subprocess.run(["tshark", "-G", "values"], check=True,
                              capture_output=True, text=True).stdout
    rows = []
    for line in text.splitlines():
        f = line.split("\t")
        if len(f) == 4 and f[0] == "V" and f[1] == "tls.handshake.ciphersuite":
            rows.append((int(f[2]), f[3]))
    return rows


def is_grease(code):
    return (code & 0x0F0F) == 0x0A0A and (code >> 8) == (code & 0xFF)


def c_bool(v):
    return "true" if v else "false"


def main():
    rows = read_values(sys.argv[1] if len(sys.argv) > 1 else None)
    seen = set()
    entries = []
    ngrease = 0
    for code, name in sorted(rows):
        if code in seen:
            sys.exit("duplicate code point 0x%04x" % code)
        seen.add(code)
        if name.startswith("Reserved (GREASE)"):
            if not is_grease(code):
                sys.exit("GREASE name on 0x%04x" % code)
            ngrease += 1
            continue
        if name.endswith("_SCSV"):
            entries.append((code, name, "SCSV", False, True, False, None))
            continue
        kexpart, enc, kex = split_name(code, name)
        entries.append((code, name, kex, kex in FORWARD_SECRET, False,
                        enc.endswith("_MD5"),
                        broken_class(kexpart, enc, kex, name)))

    out = []
    out.append("""/*
 * tls_ciphers.c - the TLS cipher-suite table.
 *
 * Generated by tools/gen-tls-ciphers.py from the code points and IANA names
 * known to tshark's TLS dissector (%d suites and signalling values; the %d
 * GREASE values of RFC 8701 are left to tls_is_grease()).  Do not edit: fix
 * the rules in the script and run it again.
 */
#include "analyzers/tls_ciphers.h"

#include <stddef.h>

#include "util.h"

/* Sorted by code point for the binary search below. */
static const struct tls_cipher tls_cipher_table[] = {""" %
               (len(entries), ngrease))
    for code, name, kex, fs, scsv, md5, broken in entries:
        out.append('\t{0x%04x, "%s", "%s", %s, %s, %s, %s},' % (
            code, name, kex, c_bool(fs), c_bool(scsv), c_bool(md5),
            '"%s"' % broken if broken else "NULL"))
    out.append("""};

const struct tls_cipher *
tls_cipher_lookup(uint16_t id)
{
	size_t lo = 0, hi = ARRAY_SIZE(tls_cipher_table), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tls_cipher_table[mid].id == id)
			return &tls_cipher_table[mid];
		if (tls_cipher_table[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct tls_cipher *
tls_cipher_table_get(size_t *n)
{
	*n = ARRAY_SIZE(tls_cipher_table);
	return tls_cipher_table;
}
""")
    text = "\n".join(out)
    if shutil.which("clang-format"):
        top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        text = subprocess.run(
            ["clang-format", "--assume-filename=analyzers/tls_ciphers.c"],
            input=text, check=True, capture_output=True, text=True,
            cwd=top).stdout
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
