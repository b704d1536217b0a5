#!/bin/sh
# The energy-monitor service's InfluxDB token: read and write of one bucket, nothing else.
# Run by the one-shot `influxdb-token` service of docker-compose.yml (influxdb image, as root)
# with the admin token; the service container mounts TOKEN_FILE read-only and never sees the
# admin token. A later start finds the token still valid and keeps it. Rotate: delete the file
# (docker compose run --rm --entrypoint rm influxdb-token -f /run/energy-influx/token), run
# `docker compose up -d` (a new token), restart energy-monitor, then `influx auth delete` the old one.
#
#   INFLUX_HOST, INFLUX_ADMIN_TOKEN, INFLUX_ORG, INFLUX_BUCKET, TOKEN_FILE, TOKEN_OWNER (uid:gid)
set -eu
: "${INFLUX_HOST:?}" "${INFLUX_ADMIN_TOKEN:?}" "${INFLUX_ORG:?}" "${INFLUX_BUCKET:?}" "${TOKEN_FILE:?}" "${TOKEN_OWNER:?}"
export INFLUX_HOST INFLUX_ORG
export INFLUX_TOKEN="$INFLUX_ADMIN_TOKEN"
DESCRIPTION=energy-monitor-service

if [ -s "$TOKEN_FILE" ] && influx auth list --json | grep -qF -- "\"$(cat "$TOKEN_FILE")\""; then
  echo "service-token: ${TOKEN_FILE} holds a valid token: kept"
  exit 0
fi

BUCKET_ID="$(influx bucket list --name "$INFLUX_BUCKET" --hide-headers | awk 'NR == 1 { print $1 }')"
if [ -z "$BUCKET_ID" ]; then
  echo "service-token: bucket ${INFLUX_BUCKET} not found in organisation ${INFLUX_ORG}" >&2
  exit 1
fi

# --read-dbrps: InfluxQL (/query) reaches the bucket through its DBRP mapping. The JSON answer
# has the token as "token": "..." (no jq in the image: sed).
TOKEN="$(influx auth create --description "$DESCRIPTION" --read-bucket "$BUCKET_ID" --write-bucket "$BUCKET_ID" --read-dbrps --json \
  | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' | head -n 1)"
if [ -z "$TOKEN" ]; then
  echo "service-token: influx auth create returned no token" >&2
  exit 1
fi
umask 077
printf '%s' "$TOKEN" > "${TOKEN_FILE}.tmp"
chown "$TOKEN_OWNER" "${TOKEN_FILE}.tmp"
chmod 0400 "${TOKEN_FILE}.tmp"
mv -f "${TOKEN_FILE}.tmp" "$TOKEN_FILE"
echo "service-token: wrote a read/write token for bucket ${INFLUX_BUCKET} (${BUCKET_ID}) to ${TOKEN_FILE}"
