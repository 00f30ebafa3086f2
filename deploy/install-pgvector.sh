#!/usr/bin/env bash
# Builds and installs pgvector into the local PostgreSQL from the vendored source tarball
# (Debian's PostgreSQL 15 has no pgvector package). Idempotent: does nothing when the server
# already offers the `vector` extension. The product runs without it (full-text search only),
# so a missing tarball is a message and exit 0, not a failure.
#
#   bash deploy/install-pgvector.sh [TARBALL]   (default: deploy/vendor/pgvector-0.8.6.tar.gz)
# Connection: PGHOST, PGPORT, PGUSER as for psql (default 127.0.0.1:5432, postgres). Needs root
# (apt-get, and `make install` into PostgreSQL's directories).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tarball="${1:-$repo/deploy/vendor/pgvector-0.8.6.tar.gz}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export DEBIAN_FRONTEND=noninteractive

sql() { psql -X -q -At -d postgres -c "$1"; }

if ! sql 'SELECT 1' >/dev/null; then
  echo "install-pgvector: PostgreSQL does not answer at $PGHOST:$PGPORT; start it first" >&2
  exit 1
fi
if [ "$(sql "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")" = "1" ]; then
  echo "pgvector: the vector extension is already available"
  exit 0
fi
if [ ! -f "$tarball" ]; then
  echo "pgvector: no source tarball at $tarball; skipping (search runs on full text only)"
  exit 0
fi

major="$(( $(sql 'SHOW server_version_num') / 10000 ))"
pg_config="/usr/lib/postgresql/$major/bin/pg_config"
missing=()
# pg_config ships with the client; the server headers come with the -dev package.
[ -f "/usr/include/postgresql/$major/server/postgres.h" ] || missing+=("postgresql-server-dev-$major")
command -v make >/dev/null 2>&1 || missing+=(make)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "pgvector: installing build dependencies: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -print -quit)"
# OPTFLAGS="" keeps the build portable across CPUs (no -march=native).
make -s -C "$src" PG_CONFIG="$pg_config" OPTFLAGS="" >/dev/null
make -s -C "$src" PG_CONFIG="$pg_config" install >/dev/null

if [ "$(sql "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")" != "1" ]; then
  echo "pgvector: built and installed, but PostgreSQL $major does not list the extension" >&2
  exit 1
fi
echo "pgvector: installed $(sql "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'") for PostgreSQL $major"
