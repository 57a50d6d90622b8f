#!/usr/bin/env bash
# Starts the hub exactly as `npm start` does (fresh data dir, free ports), then
# presses a demo button with the mosquitto clients, as docs/protocol.md shows,
# and checks the ack, the retained feedback, the API and /metrics (with promtool);
# then once more over TLS (`--cafile`, MQTT over TLS on its own port), with a
# throwaway CA and certificate made by openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
http_port=$((20000 + RANDOM % 10000))
mqtt_port=$((http_port + 1))
mqtts_port=$((http_port + 2))
log="$data/hub.log"
# A throwaway CA and a certificate for 127.0.0.1 signed by it (docs/operations.md, TLS).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=smoke CA" \
  -keyout "$data/ca.key" -out "$data/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$data/hub.key" -out "$data/hub.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$data/hub.ext"
openssl x509 -req -in "$data/hub.csr" -CA "$data/ca.pem" -CAkey "$data/ca.key" -CAcreateserial -days 1 \
  -extfile "$data/hub.ext" -out "$data/hub.pem" 2>/dev/null
# In a session of its own, so that stopping it stops npm's node child too (kill the whole group).
ANXIN_DATA_DIR="$data" ANXIN_HTTP_PORT=$http_port ANXIN_MQTT_PORT=$mqtt_port ANXIN_HTTP_HOST=127.0.0.1 \
  ANXIN_MQTT_HOST=127.0.0.1 ANXIN_MQTT_TLS_PORT=$mqtts_port ANXIN_TLS_CERT="$data/hub.pem" \
  ANXIN_TLS_KEY="$data/hub.key" setsid npm start >"$log" 2>&1 &
hub=$!
trap 'kill -- -$hub 2>/dev/null || true; wait $hub 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$http_port/health" || { echo "hub did not come up"; cat "$log"; exit 1; }
echo
grep -q "password:" "$log" || { echo "no generated admin password printed"; exit 1; }

read -r id secret < <(node -e 'const d=require(process.argv[1]);console.log(d.devices[0].deviceId, d.devices[0].secret)' "$data/demo-devices.json")
mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -i "$id:sub" -u "$id" -P "$secret" -q 1 -t "anxin/v1/devices/$id/#" -v -W 10 >"$data/sub.txt" 2>&1 &
sub=$!
sleep 1
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -i "$id:pub" -u "$id" -P "$secret" -q 1 \
  -t "anxin/v1/devices/$id/alarm" \
  -m "{\"pressId\":\"smoke-$(date +%s)\",\"kind\":\"sos\",\"deviceTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"seq\":1,\"battery\":97}"
for _ in $(seq 1 20); do grep -q '"state":"received"' "$data/sub.txt" && break; sleep 0.5; done
kill $sub 2>/dev/null || true
cat "$data/sub.txt"
grep -q "/ack {\"pressId\":\"smoke-" "$data/sub.txt" || { echo "no ack"; exit 1; }
grep -q '"state":"received"' "$data/sub.txt" || { echo "no feedback"; exit 1; }
grep -q "SMS (console sink)" "$log" || { echo "no SMS reached the console sink"; exit 1; }

# /metrics from loopback (no ANXIN_METRICS_TOKEN), read by Prometheus' own parser and linter, with the press counted.
curl -fs "http://127.0.0.1:$http_port/metrics" >"$data/metrics.txt" || { echo "no /metrics"; exit 1; }
# Prometheus' linter finds fault with three of prom-client's own default names (gauges named *_total); any
# other complaint, and every parse error, fails.
promtool check metrics <"$data/metrics.txt" >"$data/lint.txt" 2>&1 || true
if grep -vE '^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$' \
  "$data/lint.txt" | grep -q .; then
  echo "promtool refused /metrics:"; cat "$data/lint.txt"; exit 1
fi
grep -qx 'anxin_alarms_received_total{kind="sos",source="button"} 1' "$data/metrics.txt" ||
  { echo "the press is not counted in /metrics"; grep anxin_alarms_received "$data/metrics.txt"; exit 1; }
echo "smoke: npm start + mosquitto press OK"

# The same press over TLS, as docs/protocol.md shows it (--cafile, the TLS port).
tls=(-h 127.0.0.1 -p "$mqtts_port" --cafile "$data/ca.pem")
mosquitto_sub "${tls[@]}" -i "$id:tls-sub" -u "$id" -P "$secret" -q 1 -t "anxin/v1/devices/$id/ack" -v -W 10 \
  >"$data/tls-sub.txt" 2>&1 &
sub=$!
sleep 1
mosquitto_pub "${tls[@]}" -i "$id:tls-pub" -u "$id" -P "$secret" -q 1 -t "anxin/v1/devices/$id/alarm" \
  -m "{\"pressId\":\"smoke-tls-$(date +%s)\",\"kind\":\"test\",\"deviceTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"seq\":2,\"battery\":97}"
for _ in $(seq 1 20); do grep -q "/ack {\"pressId\":\"smoke-tls-" "$data/tls-sub.txt" && break; sleep 0.5; done
kill $sub 2>/dev/null || true
cat "$data/tls-sub.txt"
grep -q "/ack {\"pressId\":\"smoke-tls-" "$data/tls-sub.txt" || { echo "no ack over TLS"; exit 1; }
echo "smoke: mosquitto press over TLS OK"
