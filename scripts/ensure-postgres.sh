#!/bin/sh
# Make sure a local PostgreSQL serves the ledger tests (tests/ledger, tests/cli): installs
# Debian's `postgresql` when it is missing and we are root on Debian/Ubuntu, starts the
# newest cluster, creates the role `assetloc` and the database `assetloc_test`, and prints
# the SQLAlchemy URL for ASSETLOC_TEST_PG_URL on stdout (its only output there; what it
# does goes to stderr). Idempotent: a second run only checks, in well under a second.
#
#   ASSETLOC_TEST_PG_URL=$(sh scripts/ensure-postgres.sh)     # from `make test`
#
# Environment:
#   ASSETLOC_SKIP_POSTGRES=1   do nothing, print nothing (PostgreSQL tests skip; in CI they fail)
#
# Not root, or no apt-get: prints nothing and exits 0 (the PostgreSQL tests then skip
# locally and fail under CI=true, saying what to do). Exit 1 when an install or start failed.
set -u

say() { printf 'ensure-postgres: %s\n' "$*" >&2; }

ROLE=assetloc
PASSWORD=assetloc   # a local test role on localhost only
DB=assetloc_test

if [ "${ASSETLOC_SKIP_POSTGRES:-0}" = "1" ]; then
    say "ASSETLOC_SKIP_POSTGRES=1: not setting up PostgreSQL (its tests skip, or fail in CI)"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    say "not root: not installing or starting PostgreSQL; set ASSETLOC_TEST_PG_URL yourself"
    exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "PostgreSQL not found and apt-get is not available: not installing"
        exit 0
    fi
    say "PostgreSQL not found; installing Debian's postgresql (apt-get update && apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends postgresql; } >&2; then
        say "installation failed; see the apt-get output above"
        exit 1
    fi
fi

version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    say "no cluster; creating $version/main"
    pg_createcluster "$version" main >&2 || { say "pg_createcluster failed"; exit 1; }
fi
if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
    say "starting cluster $version/main"
    pg_ctlcluster "$version" main start >&2 || { say "pg_ctlcluster $version main start failed"; exit 1; }
fi
port=$(pg_conftool -s "$version" main show port 2>/dev/null || echo 5432)
i=0
until pg_isready -q -h localhost -p "$port"; do
    i=$((i + 1))
    [ "$i" -ge 30 ] && { say "cluster $version/main does not accept connections on port $port"; exit 1; }
    sleep 0.5
done

psql_admin() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -tAq -c \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    say "creating role $ROLE"
    psql_admin "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2 || exit 1
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    say "creating database $DB"
    psql_admin "CREATE DATABASE $DB OWNER $ROLE" >&2 || exit 1
fi
say "ready: PostgreSQL $version on localhost:$port, database $DB"
echo "postgresql+psycopg://$ROLE:$PASSWORD@localhost:$port/$DB"
