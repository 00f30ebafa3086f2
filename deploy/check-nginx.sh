#!/usr/bin/env bash
# Checks deploy/nginx/ with `nginx -t` (Debian's nginx) against a throwaway self-signed
# certificate. The config resolves `api` at request time (resolver + variable), and its
# relative paths (certs/, snippets/) resolve next to nginx.conf, so a temp copy of the
# directory is tested unchanged. Warnings count as failures.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$PATH:/usr/sbin:/sbin"

if ! command -v nginx >/dev/null 2>&1; then
  echo "nginx not found; installing Debian's nginx"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nginx-light >/dev/null \
    || apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -R "$here/nginx/." "$tmp/"
rm -rf "$tmp/certs" && mkdir -p "$tmp/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=localhost" -keyout "$tmp/certs/privkey.pem" -out "$tmp/certs/fullchain.pem" \
  >/dev/null 2>&1

# -e: before the config is read nginx opens its compiled-in error log; keep that off disk.
if ! out="$(nginx -t -e stderr -p "$tmp" -c "$tmp/nginx.conf" 2>&1)"; then
  echo "$out" >&2
  echo "nginx config check FAILED" >&2
  exit 1
fi
echo "$out"
if grep -q '\[warn\]' <<<"$out"; then
  echo "nginx config check FAILED: warnings above" >&2
  exit 1
fi
echo "nginx config OK ($(nginx -v 2>&1))"
