#!/bin/sh
# Captures two TLS handshakes on the loopback interface, with OpenSSL's
# s_server and s_client, for the TLS parser's unit tests:
#
#   tls13-hrr.pcapng     TLS 1.3 with a HelloRetryRequest: the client sends
#                        an X25519 key share, the server only takes P-384.
#   tls12-mutual.pcapng  TLS 1.2, ECDHE-RSA, a two-certificate server chain,
#                        a client certificate and ALPN "imap".
#
# The keys are made afresh on each run, so the captures differ from run to
# run: after running this, run gen-tls-vectors.py again.  Needs dumpcap with
# the right to capture on "lo".
#
# Usage: tests/tools/make-local-pcaps.sh [output-directory]
set -eu

out=${1:-tests/unit/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# A CA, a server certificate it signs, a client certificate, all throwaway.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
    -days 3650 -subj "/CN=plainsight test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
    -subj "/CN=mail.test.example" 2>/dev/null
printf 'subjectAltName=DNS:mail.test.example,DNS:*.test.example\n' > san.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 3650 -extfile san.ext -out srv.pem 2>/dev/null
cat srv.pem ca.pem > chain.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout cli.key -out cli.pem -days 3650 -subj "/CN=client" 2>/dev/null

# capture PORT FILE SERVER-ARGS -- CLIENT-ARGS
capture() {
	port=$1 file=$2
	shift 2
	srv=""
	while [ "$1" != "--" ]; do srv="$srv $1"; shift; done
	shift
	dumpcap -q -i lo -f "tcp port $port" -w "$work/$file" -a duration:5 &
	cap=$!
	sleep 1
	# shellcheck disable=SC2086
	openssl s_server -accept "$port" -www $srv >/dev/null 2>&1 &
	srvpid=$!
	sleep 1
	printf 'GET / HTTP/1.0\r\n\r\n' |
	    openssl s_client -connect "127.0.0.1:$port" -ign_eof "$@" \
	    >/dev/null 2>&1 || true
	sleep 1
	kill "$srvpid" 2>/dev/null || true
	wait "$cap" || true
	cp "$work/$file" "$OLDPWD/$out/$file"
}

capture 44330 tls13-hrr.pcapng -cert srv.pem -key srv.key -tls1_3 \
    -groups P-384 -- -tls1_3 -groups X25519:P-384 -servername mail.test.example
capture 44331 tls12-mutual.pcapng -cert srv.pem -key srv.key \
    -cert_chain ca.pem -tls1_2 -Verify 1 -alpn imap \
    -cipher ECDHE-RSA-AES128-GCM-SHA256 -- \
    -tls1_2 -cert cli.pem -key cli.key -alpn imap,pop3 \
    -servername mail.test.example
