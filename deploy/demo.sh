#!/usr/bin/env bash
# Run the demo on embedded defaults: SQLite, a filesystem Celery transport, a file cache.
# Starts a Celery worker with beat in the background and gunicorn in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_ENV=demo
export SECRET_KEY_FILE=var/secret_key
export ENCRYPTION_KEYS_FILE=var/keys/encryption_keys
export BLIND_INDEX_KEYS_FILE=var/keys/blind_index_keys
export RECEIPT_CODE_KEYS_FILE=var/keys/receipt_code_keys
export AUDIT_SIGNING_KEYS_FILE=var/keys/audit_signing_keys
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$HOST}

mkdir -p var/celery/queue var/celery/processed var/cache
if ! .venv/bin/python manage.py migrate --no-input -v 0; then
  echo "The demo database could not be migrated. One made by an older version (before the" >&2
  echo "staff user model accounts.User) cannot be: run 'make clean-demo', then 'make demo'." >&2
  exit 1
fi
.venv/bin/python manage.py seed_demo > var/demo-logins.txt
.venv/bin/celery -A config worker --beat --loglevel=WARNING --concurrency=1 \
  --schedule=var/celery/beat-schedule > var/celery/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

url_host=$HOST
[ "$HOST" = "0.0.0.0" ] && url_host=localhost
cat <<MSG

  The ombuds demo is running at  http://$url_host:$PORT/
  Staff sign in at               http://$url_host:$PORT/staff/
  Health check                   http://$url_host:$PORT/healthz

$(cat var/demo-logins.txt)

  For the 6-digit code, add the TOTP secret to an authenticator app, or run:
    .venv/bin/python deploy/totp_code.py <TOTP secret>
  Celery worker (with beat) log: var/celery/worker.log.  Stop with Ctrl-C.

MSG
# No control socket: gunicorn's default is one per user, so a second demo (or a benchmark) on
# the same machine would collide with this one.
.venv/bin/gunicorn config.wsgi --bind "$HOST:$PORT" --workers 2 --no-control-socket \
  --access-logfile - \
  --access-logformat '%(m)s %(U)s %(s)s %(M)sms'
