#!/usr/bin/env bash
# Back up Chợ công nghệ số: PostgreSQL (pg_dump -Fc) + MARKETPLACE_DATA_DIR (uploads etc.) into
# $BACKUP_DIR/<UTC timestamp>/, then keep only the newest $BACKUP_KEEP backups.
# Not included: index/ (rebuild: flask --app marketplace search reindex), mail/ (dev mail), the SQLite
# queue file and pid files. Run as the marketplace user, e.g. from a systemd timer or cron on one node.
# Reads /etc/marketplace/env (or $ENV_FILE) when MARKETPLACE_DATABASE_URL is not already set.
set -euo pipefail

ENV_FILE=${ENV_FILE:-/etc/marketplace/env}
if [[ -z ${MARKETPLACE_DATABASE_URL:-} && -r $ENV_FILE ]]; then
    set -a
    # shellcheck source=/dev/null
    . "$ENV_FILE"
    set +a
fi

die() { echo "backup.sh: $*" >&2; exit 1; }

db_url=${MARKETPLACE_DATABASE_URL:?MARKETPLACE_DATABASE_URL is not set}
data_dir=${MARKETPLACE_DATA_DIR:?MARKETPLACE_DATA_DIR is not set}
backup_dir=${BACKUP_DIR:-/var/backups/marketplace}
keep=${BACKUP_KEEP:-14}
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a positive integer, not '$keep'"
[[ -d $data_dir ]] || die "data dir $data_dir does not exist"

# pg_dump speaks libpq URLs, not SQLAlchemy ones.
case $db_url in
    postgresql+psycopg://*) pg_url=postgresql://${db_url#postgresql+psycopg://} ;;
    postgresql://* | postgres://*) pg_url=$db_url ;;
    *) die "only PostgreSQL databases are supported (MARKETPLACE_DATABASE_URL=${db_url%%:*}://...)" ;;
esac

umask 077
mkdir -p "$backup_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target=$backup_dir/$stamp
work=$backup_dir/.partial-$stamp
trap 'rm -rf -- "$work"' EXIT
mkdir "$work"

pg_dump --format=custom --no-password --file="$work/db.dump" --dbname="$pg_url"

# GNU tar exits 1 when a file changed while being read (a live upload): keep going, fail on real errors.
rc=0
tar --create --gzip --file="$work/data.tar.gz" --directory="$data_dir" \
    --exclude=./index --exclude=./mail --exclude='./queue.db*' --exclude='./*.pid' \
    --warning=no-file-changed . || rc=$?
(( rc <= 1 )) || die "tar failed with status $rc"

(cd "$work" && sha256sum db.dump data.tar.gz > SHA256SUMS)
mv -- "$work" "$target"
trap - EXIT

echo "Wrote $target:"
(cd "$target" && du -h db.dump data.tar.gz SHA256SUMS)

# Retention: timestamped directories sort chronologically; delete all but the newest $keep.
mapfile -t backups < <(find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*T[0-9]*Z' | sort)
excess=$(( ${#backups[@]} - keep ))
for (( i = 0; i < excess; i++ )); do
    rm -rf -- "${backups[i]}"
    echo "Removed old backup ${backups[i]}"
done
