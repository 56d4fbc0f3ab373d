#!/usr/bin/env bash
# Builds and installs pgvector for the local PostgreSQL 15 from Debian's own source package
# (bookworm ships no binary package for PG 15). Idempotent: skips when already installed.
set -euo pipefail
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
sharedir=$("$PG_CONFIG" --sharedir)
if [ -f "$sharedir/extension/vector.control" ]; then
  echo "pgvector already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
echo "deb-src http://deb.debian.org/debian trixie main" > "$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists")
apt-get "${apt_opts[@]}" update -qq
if ! dpkg -s postgresql-server-dev-15 >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq postgresql-server-dev-15 make gcc >/dev/null
fi
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only pgvector >/dev/null)
tar -xf "$work"/pgvector_*.orig.tar.* -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
make -s -C "$src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
make -s -C "$src" PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "pgvector installed from Debian source"
