#!/usr/bin/env bash
# Backs up the PostgreSQL database named by DATABASE_URL into BACKUP_DIR as
# afterschool-YYYYmmdd-HHMMSS.dump (pg_dump custom format: compressed,
# restorable table by table with pg_restore), then deletes dumps older than
# BACKUP_KEEP_DAYS days. Prints the new file's path.
#
#   DATABASE_URL=postgres://… BACKUP_DIR=/var/backups/afterschool deploy/backup.sh
#   (or with the env file: set -a; . /etc/afterschool/afterschool.env; set +a)
#
# The dumps hold children's ID numbers: the folder is created 0700 and the
# files 0600; copy them off the machine encrypted (see README, Deployment).
# pg_dump must be the server's major version or newer.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/afterschool}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
case "$BACKUP_KEEP_DAYS" in
  '' | *[!0-9]*) echo "backup.sh: BACKUP_KEEP_DAYS must be a whole number of days" >&2; exit 2 ;;
esac
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

umask 077
mkdir -p "$BACKUP_DIR"
stamp="$(date +%Y%m%d-%H%M%S)"
target="$BACKUP_DIR/afterschool-$stamp.dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

# A consistent snapshot even while the app is writing; no owner or grants, so
# it restores into a database owned by any role.
pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 \
  --no-owner --no-privileges --file="$partial"
# Only a complete dump gets the final name (and is counted as a backup).
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
trap - EXIT

# Keep BACKUP_KEEP_DAYS days: older finished dumps go, never the one just made.
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'afterschool-*.dump' \
  -mtime +"$BACKUP_KEEP_DAYS" ! -path "$target" -delete

echo "$target"
