#!/usr/bin/env bash
# The OpenAPI document must match the server: serve the demo province from a
# scratch data directory with the given thuocdo binary, then let schemathesis
# (tests/schemathesis/requirements.txt) call every operation with generated
# requests, as the public and with an admin token. It fails on any 5xx, any
# response whose body breaks the documented schema, any undocumented status
# code or content type.
#
#   bash tests/schemathesis/run.sh target/debug/thuocdo
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:?usage: run.sh PATH-TO-THUOCDO}")"
port="${THUOCDO_SCHEMATHESIS_PORT:-18089}"
examples="${THUOCDO_SCHEMATHESIS_EXAMPLES:-30}"

if ! command -v schemathesis >/dev/null 2>&1; then
  echo "schemathesis: installing $(grep -v '^#' "$here/requirements.txt")"
  python3 -m pip install -q -r "$here/requirements.txt"
fi

work="$(mktemp -d)"
log="$work/demo.log"
"$bin" --data-dir "$work/data" demo --listen "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 300); do
  grep -q '^admin token (shown once): ' "$log" && curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "schemathesis: the demo server stopped"; exit 1; }
  sleep 1
done
token="$(sed -n 's/^admin token (shown once): //p' "$log")"
[ -n "$token" ] || { cat "$log"; echo "schemathesis: no admin token in the demo's output"; exit 1; }

checks="not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
common=(--checks "$checks" --max-examples "$examples" --seed 2025 --phases examples,coverage,fuzzing
        --generation-database none --no-color --request-timeout 30 --warnings off
        --suppress-health-check filter_too_much)
url="http://127.0.0.1:$port/api/v1/openapi.json"

# schemathesis keeps a cache in the directory it runs in: the scratch one.
cd "$work"
echo "schemathesis: as the public"
schemathesis run "$url" "${common[@]}"
echo "schemathesis: as an admin"
schemathesis run "$url" "${common[@]}" -H "Authorization: Bearer $token"
