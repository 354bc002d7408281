#!/bin/sh
# Restore the helpdesk database from a file made by backup.sh (the kind must match the database's).
# Usage: restore.sh [--database-url URL] [--force] BACKUP_FILE
# Stop every helpdesk process first (systemctl stop yorisoi-helpdesk / docker compose stop helpdesk).
# A database that already holds tables is only replaced with --force; a SQLite database's old content is kept
# beside it as <file>.before-restore-<UTC time>; PostgreSQL restores in one transaction (all or nothing).
# Exit status 0 on success; 1 with "restore: error [code]: what to do" on stderr otherwise.
set -eu
here=$(dirname "$0")
python=${YORISOI_PYTHON:-/opt/yorisoi/venv/bin/python}
[ -x "$python" ] || python=python3
exec "$python" "$here/dbbackup.py" restore "$@"
