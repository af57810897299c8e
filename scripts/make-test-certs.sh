#!/usr/bin/env bash
# Makes a test certificate authority and a certificate signed by it, for PyFn's TLS between hosts (runner's Fn
# API server, worker pools, mutual TLS). For tests and trials: a real deployment uses its own CA.
#
#   scripts/make-test-certs.sh DIR NAME [ADDRESS ...]
#
# DIR/ca.pem and DIR/ca.key are made on the first call and reused after; each call makes DIR/NAME.pem and
# DIR/NAME.key (mode 0600), a certificate for server and client use whose subject alternative names are every
# ADDRESS (IP addresses or DNS names) plus 127.0.0.1 and localhost. Example for a runner and two pool hosts:
#   scripts/make-test-certs.sh certs runner 10.77.0.1
#   scripts/make-test-certs.sh certs pool-a 10.77.0.2
#   scripts/make-test-certs.sh certs pool-b 10.77.1.2
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 DIR NAME [ADDRESS ...]" >&2
    exit 2
fi
dir=$1 name=$2
shift 2
command -v openssl >/dev/null || { echo "$0: openssl is not installed (Debian: apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=PyFn test CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
names="IP:127.0.0.1,DNS:localhost"
for address in "$@"; do
    if [[ $address =~ ^[0-9.]+$ || $address == *:* ]]; then names+=",IP:$address"; else names+=",DNS:$address"; fi
done
extensions=$(mktemp)
trap 'rm -f "$extensions" "$dir/$name.csr"' EXIT
cat > "$extensions" <<CONF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$names
CONF
openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
    -extfile "$extensions" -out "$dir/$name.pem" 2>/dev/null
chmod 600 "$dir/$name.key"
chmod 644 "$dir/$name.pem" "$dir/ca.pem"
echo "$dir/$name.pem ($names), signed by $dir/ca.pem"
