#!/usr/bin/env bash
# Restores a dump made by deploy/backup.sh into an EMPTY database.
#
#   createdb -h db.internal -U postgres afterschool_restored
#   deploy/restore.sh /var/backups/afterschool/afterschool-20250301-020000.dump \
#       postgres://postgres@db.internal:5432/afterschool_restored
#
# Refuses a database that already has tables, so it can never overwrite the
# live one by mistake. All or nothing: one transaction, stops at the first
# error. Afterwards point DATABASE_URL at it and run
# `python manage.py migrate --check` (see README, Deployment).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: deploy/restore.sh DUMP_FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
dump="$1"
target="$2"
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }

tables="$(psql "$target" -XAtq -v ON_ERROR_STOP=1 \
  -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != 0 ]; then
  echo "restore.sh: the target database already has $tables tables; restore into a new, empty database" >&2
  exit 1
fi

pg_restore --dbname="$target" --no-owner --no-privileges \
  --single-transaction --exit-on-error "$dump"
echo "restored $dump"
