#!/usr/bin/env bash
# Restore a backup made by backup.sh:  restore.sh [--yes] /var/backups/marketplace/<timestamp>
# Replaces the database objects (pg_restore --clean --if-exists --no-owner, in one transaction) and
# extracts the data dir over MARKETPLACE_DATA_DIR. Stop marketplace-web and marketplace-worker on ALL
# nodes first; afterwards run `flask --app marketplace search reindex` and start them again.
# Reads /etc/marketplace/env (or $ENV_FILE) when MARKETPLACE_DATABASE_URL is not already set.
set -euo pipefail

usage() { echo "usage: $0 [--yes] BACKUP_DIR" >&2; exit 2; }
die() { echo "restore.sh: $*" >&2; exit 1; }

assume_yes=0
source_dir=
for arg in "$@"; do
    case $arg in
        -y | --yes) assume_yes=1 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) [[ -z $source_dir ]] || usage; source_dir=$arg ;;
    esac
done
[[ -n $source_dir ]] || usage

ENV_FILE=${ENV_FILE:-/etc/marketplace/env}
if [[ -z ${MARKETPLACE_DATABASE_URL:-} && -r $ENV_FILE ]]; then
    set -a
    # shellcheck source=/dev/null
    . "$ENV_FILE"
    set +a
fi

db_url=${MARKETPLACE_DATABASE_URL:?MARKETPLACE_DATABASE_URL is not set}
data_dir=${MARKETPLACE_DATA_DIR:?MARKETPLACE_DATA_DIR is not set}
case $db_url in
    postgresql+psycopg://*) pg_url=postgresql://${db_url#postgresql+psycopg://} ;;
    postgresql://* | postgres://*) pg_url=$db_url ;;
    *) die "only PostgreSQL databases are supported" ;;
esac

[[ -f $source_dir/db.dump && -f $source_dir/data.tar.gz ]] \
    || die "$source_dir does not contain db.dump and data.tar.gz"
if [[ -f $source_dir/SHA256SUMS ]]; then
    (cd "$source_dir" && sha256sum --check --quiet SHA256SUMS) || die "checksum mismatch in $source_dir"
fi

db_target=${pg_url#*@}  # host:port/db, without credentials
echo "This will OVERWRITE database ${db_target%%\?*} and files in $data_dir"
echo "with the backup in $source_dir."
if (( ! assume_yes )); then
    read -r -p "Type 'restore' to continue: " answer
    [[ $answer == restore ]] || die "aborted"
fi

pg_restore --clean --if-exists --no-owner --single-transaction --no-password \
    --dbname="$pg_url" "$source_dir/db.dump"
echo "Database restored."

mkdir -p "$data_dir"
tar --extract --gzip --file="$source_dir/data.tar.gz" --directory="$data_dir"
echo "Data dir restored into $data_dir."
echo "Next: flask --app marketplace search reindex, then start marketplace-web and marketplace-worker."
