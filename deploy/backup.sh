#!/bin/sh
# Back up the helpdesk database into a folder, as one checked file per run:
#   SQLite     → helpdesk-<UTC time>.sqlite3  (online backup API while the helpdesk serves; never a file copy)
#   PostgreSQL → helpdesk-<UTC time>.pgdump   (pg_dump -Fc, then read back with pg_restore --list)
# Usage: backup.sh [--database-url URL] [--keep N] FOLDER
# The database URL defaults to $YORISOI_DATABASE_URL (systemd: EnvironmentFile=/etc/yorisoi/helpdesk.env).
# Exit status 0 on success; 1 with "backup: error [code]: what to do" on stderr otherwise.
set -eu
here=$(dirname "$0")
python=${YORISOI_PYTHON:-/opt/yorisoi/venv/bin/python}
[ -x "$python" ] || python=python3
exec "$python" "$here/dbbackup.py" backup "$@"
