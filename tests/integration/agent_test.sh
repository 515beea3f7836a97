#!/usr/bin/env bash
# The agent end to end on loopback: several probes, the /metrics values they
# produce, SIGHUP with a broken file (old config keeps running), SIGHUP with a
# good one, a one-shot probe, and SIGTERM exiting cleanly within 2 s.
bin=${1:?usage: agent_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"

free_port port
free_port closed
url=http://127.0.0.1:$port/metrics
config=$TEST_TMP/agent.yaml
echo "t0ken" > "$TEST_TMP/token"

write_config() {
  cat > "$config" <<YAML
interval: 500ms
timeout: 300ms
adhoc:  # one-shot probes may reach loopback only
  allow_cidrs: ["127.0.0.0/8", "::1/128"]
  allow_suffixes: [localhost]
probes:
  - name: self-tcp
    type: tcp
    target: 127.0.0.1:$port
  - name: self-http
    type: http
    url: http://127.0.0.1:$port/healthz
  - name: closed
    type: tcp
    target: 127.0.0.1:$closed
  - name: closed-deny
    type: tcp
    target: 127.0.0.1:$closed
    expect: deny
  - name: internal-no-tls-key  # the private CA is not trusted without tls.ca_file
    type: http
    url: https://127.0.0.1:$internal_port/
  - name: internal-ca
    type: http
    url: https://127.0.0.1:$internal_port/
    tls: {ca_file: $TEST_TMP/ca.pem, server_name: web.internal}
  - name: internal-insecure
    type: http
    url: https://127.0.0.1:$internal_port/
    tls: {insecure_skip_verify: true}
  - name: internal-wrong-name
    type: http
    url: https://127.0.0.1:$internal_port/
    tls: {ca_file: $TEST_TMP/ca.pem, server_name: other.internal}
$1
YAML
}

# A broken file at start: exit 2, and the message names file, line and field.
printf 'probes:\n  - name: x\n    type: dnss\n' > "$TEST_TMP/bad.yaml"
set +e
"$bin/netprobe-agent" --config "$TEST_TMP/bad.yaml" --listen "127.0.0.1:$port" 2> "$TEST_TMP/bad.log"
status=$?
set -e
check "a bad config at start exits 2" [ "$status" -eq 2 ]
check "the error names file:line and field" grep -q "bad.yaml:3: probes\[0\].type: unknown probe type" "$TEST_TMP/bad.log"

# Two TLS servers for https one-shots: one whose certificate the agent trusts
# (through SSL_CERT_FILE, as OpenSSL reads it), one it does not. The agent is a
# static binary with OpenSSL linked in: this is its TLS stack end to end.
tls_server() {  # name port
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$1" -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TEST_TMP/$1.key" -out "$TEST_TMP/$1.pem" 2>/dev/null
  openssl s_server -quiet -www -accept "127.0.0.1:$2" -cert "$TEST_TMP/$1.pem" -key "$TEST_TMP/$1.key" \
    </dev/null >"$TEST_TMP/$1.log" 2>&1 &
  TEST_PIDS+=($!)
  wait_until 5 listening "$2" || fail "openssl s_server $1 did not start"
}
free_port trusted_port
tls_server trusted "$trusted_port"
free_port untrusted_port
tls_server untrusted "$untrusted_port"

# A private CA made here, and a server certificate it signed for web.internal
# only (no IP SAN), served on loopback: an in-cluster service behind an internal CA.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=netprobe test CA" \
  -keyout "$TEST_TMP/ca.key" -out "$TEST_TMP/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=web.internal" \
  -keyout "$TEST_TMP/web.key" -out "$TEST_TMP/web.csr" 2>/dev/null
printf 'subjectAltName=DNS:web.internal\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$TEST_TMP/web.ext"
openssl x509 -req -in "$TEST_TMP/web.csr" -CA "$TEST_TMP/ca.pem" -CAkey "$TEST_TMP/ca.key" -CAcreateserial -days 1 \
  -extfile "$TEST_TMP/web.ext" -out "$TEST_TMP/web.pem" 2>/dev/null
free_port internal_port
openssl s_server -quiet -www -accept "127.0.0.1:$internal_port" -cert "$TEST_TMP/web.pem" -key "$TEST_TMP/web.key" \
  </dev/null >"$TEST_TMP/web.log" 2>&1 &
TEST_PIDS+=($!)
wait_until 5 listening "$internal_port" || fail "openssl s_server web.internal did not start"

# --check-config: validates and exits, listening on nothing and reading no token file.
write_config ""
set +e
"$bin/netprobe-agent" --check-config --config "$config" --listen "127.0.0.1:$port" \
  --token-file "$TEST_TMP/no-such-token" > "$TEST_TMP/check.out" 2> "$TEST_TMP/check.err"
status=$?
set -e
check "--check-config on a good file exits 0 ($status)" [ "$status" -eq 0 ]
check "--check-config says ok and counts the probes" [ "$(cat "$TEST_TMP/check.out")" = "$config: ok (8 probes)" ]
check "--check-config listens on nothing" bash -c "! ss -Htln 'sport = :$port' | grep -q ."
set +e
"$bin/netprobe-agent" --check-config --config "$TEST_TMP/bad.yaml" > "$TEST_TMP/check.out" 2> "$TEST_TMP/check.err"
status=$?
set -e
check "--check-config on a broken file exits 2 ($status)" [ "$status" -eq 2 ]
check "--check-config names file:line and field on stderr" \
  grep -qx "$TEST_TMP/bad.yaml:3: probes\[0\].type: unknown probe type \"dnss\" (expected dns, tcp, http, metadata)" "$TEST_TMP/check.err"
check "--check-config prints nothing on stdout for a broken file" [ ! -s "$TEST_TMP/check.out" ]
printf 'probes:\n  - name: web\n    type: http\n    url: https://127.0.0.1:%s/\n    tls: {ca_file: %s/no-ca.pem}\n' \
  "$internal_port" "$TEST_TMP" > "$TEST_TMP/bad-ca.yaml"
set +e
"$bin/netprobe-agent" --check-config --config "$TEST_TMP/bad-ca.yaml" 2> "$TEST_TMP/check.err"
status=$?
set -e
check "--check-config: an unreadable tls.ca_file exits 2 ($status)" [ "$status" -eq 2 ]
check "... naming the field and the system's reason" grep -qx \
  "$TEST_TMP/bad-ca.yaml:5: probes\[0\].tls.ca_file: cannot read $TEST_TMP/no-ca.pem: No such file or directory" "$TEST_TMP/check.err"
set +e
"$bin/netprobe-agent" --check-config --config "$TEST_TMP/nope.yaml" 2> "$TEST_TMP/check.err"
status=$?
set -e
check "--check-config on a missing file exits 2 ($status)" [ "$status" -eq 2 ]
check "a missing file is named with the reason" grep -qx "cannot read $TEST_TMP/nope.yaml: No such file or directory" "$TEST_TMP/check.err"
set +e
"$bin/netprobe-agent" --check-config --config "$config" --listen "nowhere:1" 2> "$TEST_TMP/check.err"
status=$?
set -e
check "--check-config checks --listen too ($status)" [ "$status" -eq 2 ]
check "--check-config is in --help" bash -c "'$bin/netprobe-agent' --help | grep -q -- --check-config"
set +e
"$bin/netprobe-agent" --config "$config" --listen "127.0.0.1:$port" --token-file "$TEST_TMP/no-such-token" \
  2> "$TEST_TMP/no-token.log"
status=$?
set -e
check "a start with a missing token file exits 2 ($status)" [ "$status" -eq 2 ]
check "... and says why" grep -q "cannot read $TEST_TMP/no-such-token: No such file or directory" "$TEST_TMP/no-token.log"

write_config ""
SSL_CERT_FILE="$TEST_TMP/trusted.pem" \
"$bin/netprobe-agent" --config "$config" --listen "127.0.0.1:$port" --node node-a --namespace monitoring \
  --token-file "$TEST_TMP/token" 2> "$TEST_TMP/agent.log" &
agent=$!
TEST_PIDS+=("$agent")

series_ok='netprobe_probe_success{expect="allow",probe="self-tcp",target="127.0.0.1:'$port'",transport="tcp",type="tcp"}'
check "the agent probes and exposes results" wait_until 10 metric_is "$url" "$series_ok" 1
# Each check runs at its own offset in the interval: wait until every one has run once.
for probe in self-http closed closed-deny internal-no-tls-key internal-ca internal-insecure internal-wrong-name; do
  wait_until 5 bash -c "curl -fsS $url | grep -q '^netprobe_probe_runs_total{.*probe=\"$probe\"'" || fail "$probe never ran"
done

check "http probe ok" metric_is "$url" 'netprobe_probe_success{expect="allow",probe="self-http",target="http://127.0.0.1:'$port'/healthz",transport="http",type="http"}' 1
check "closed port: success 0" metric_is "$url" 'netprobe_probe_success{expect="allow",probe="closed",target="127.0.0.1:'$closed'",transport="tcp",type="tcp"}' 0
check "closed port: outcome refused" metric_is "$url" 'netprobe_probe_outcome{outcome="refused",probe="closed",target="127.0.0.1:'$closed'",transport="tcp"}' 1
check "closed port: other outcomes pre-created at 0" metric_is "$url" 'netprobe_probe_outcome{outcome="timeout",probe="closed",target="127.0.0.1:'$closed'",transport="tcp"}' 0
check "expect deny on a closed port succeeds" metric_is "$url" 'netprobe_probe_success{expect="deny",probe="closed-deny",target="127.0.0.1:'$closed'",transport="tcp",type="tcp"}' 1
internal_outcome() {  # probe outcome: that outcome's series is 1
  metric_is "$url" 'netprobe_probe_outcome{outcome="'"$2"'",probe="'"$1"'",target="https://127.0.0.1:'$internal_port'/",transport="https"}' 1
}
check "private CA without tls: tls_error" internal_outcome internal-no-tls-key tls_error
check "private CA with tls.ca_file and server_name: ok" internal_outcome internal-ca ok
check "private CA with insecure_skip_verify: ok" internal_outcome internal-insecure ok
check "private CA with the wrong server_name: tls_error" internal_outcome internal-wrong-name tls_error
check "agent info" metric_is "$url" 'netprobe_agent_info{namespace="monitoring",node="node-a",version="0.1.0"}' 1
check "all 14 outcome series per check" [ "$(curl -fsS "$url" | grep -c '^netprobe_probe_outcome{.*probe="closed",')" -eq 14 ]
# The agent writes its exposition text itself (agent/metrics.cpp): Prometheus's
# own parser and linter must accept it.
curl -fsS "$url" > "$TEST_TMP/metrics.txt"
check "promtool check metrics accepts /metrics" promtool check metrics < "$TEST_TMP/metrics.txt"
check "durations are a histogram with a +Inf bucket" \
  grep -q '^netprobe_probe_duration_seconds_bucket{probe="closed",transport="tcp",le="+Inf"} [1-9]' "$TEST_TMP/metrics.txt"
check "reload counters exist from the start" grep -q '^netprobe_agent_config_reloads_total{result="failure"} 0$' "$TEST_TMP/metrics.txt"

# One-shot probe through the API.
answer=$(curl -fsS -X POST -H 'Authorization: Bearer t0ken' "http://127.0.0.1:$port/api/v1/probe" \
  -d '{"probe": {"type": "tcp", "target": "127.0.0.1:'$closed'"}}')
check "one-shot probe answers with the outcome" [ "$(jq -r '.results[0].outcome' <<<"$answer")" = refused ]
# A host name: the static agent resolves it through c-ares (/etc/hosts), not glibc's NSS.
answer=$(curl -fsS -X POST -H 'Authorization: Bearer t0ken' "http://127.0.0.1:$port/api/v1/probe" \
  -d '{"probe": {"type": "tcp", "target": "localhost:'$closed'"}}')
check "a host name resolves (localhost: refused, not resolve_error)" [ "$(jq -r '.results[0].outcome' <<<"$answer")" = refused ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/probe" -d '{}')
check "one-shot probe without token is 401" [ "$code" = 401 ]
one_shot_outcome() {  # url
  curl -fsS -X POST -H 'Authorization: Bearer t0ken' "http://127.0.0.1:$port/api/v1/probe" \
    -d '{"probe": {"type": "http", "url": "'"$1"'"}}' | jq -r '.results[0].outcome'
}
check "https to a trusted certificate: ok" [ "$(one_shot_outcome "https://127.0.0.1:$trusted_port/")" = ok ]
check "https to an untrusted certificate: tls_error" \
  [ "$(one_shot_outcome "https://127.0.0.1:$untrusted_port/")" = tls_error ]
one_shot_tls() {  # tls-object: POST a one-shot to the private CA's server, prints the body
  curl -sS -X POST -H 'Authorization: Bearer t0ken' "http://127.0.0.1:$port/api/v1/probe" \
    -d '{"probe": {"type": "http", "url": "https://127.0.0.1:'"$internal_port"'/", "tls": '"$1"'}}'
}
answer=$(one_shot_tls '{"server_name": "web.internal", "insecure_skip_verify": true}')
check "one-shot with insecure_skip_verify: ok" [ "$(jq -r '.results[0].outcome' <<<"$answer")" = ok ]
answer=$(one_shot_tls '{"server_name": "web.internal"}')
check "one-shot to a private CA without it: tls_error" [ "$(jq -r '.results[0].outcome' <<<"$answer")" = tls_error ]
check "... the detail says the chain failed" grep -q "certificate verify failed" <<<"$(jq -r '.results[0].detail' <<<"$answer")"
code=$(curl -s -o "$TEST_TMP/ca.out" -w '%{http_code}' -X POST -H 'Authorization: Bearer t0ken' \
  "http://127.0.0.1:$port/api/v1/probe" \
  -d '{"probe": {"type": "http", "url": "https://127.0.0.1:'"$internal_port"'/", "tls": {"ca_file": "'"$TEST_TMP"'/ca.pem"}}}')
check "one-shot with tls.ca_file is refused: 400 ($code)" [ "$code" = 400 ]
check "... naming the field" grep -q '"probe.tls.ca_file: not allowed in an ad hoc probe' "$TEST_TMP/ca.out"

# Hardening: oversized and malformed requests get clear errors, the agent keeps serving.
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x' > "$TEST_TMP/big"
code=$(curl -s -o "$TEST_TMP/big.out" -w '%{http_code}' -X POST -H 'Authorization: Bearer t0ken' \
  --data-binary @"$TEST_TMP/big" "http://127.0.0.1:$port/api/v1/probe")
check "an oversized body is 413" [ "$code" = 413 ]
check "the 413 says why" grep -q body_too_large "$TEST_TMP/big.out"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer t0ken' \
  "http://127.0.0.1:$port/api/v1/probe" -d '{"probe": {"type": "tcp", "target": 5}}')
check "a bad field is 400" [ "$code" = 400 ]
reply=$(printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; cat <&3" || true)
check "a malformed request line gets 400" grep -q '^HTTP/1.1 400' <<<"$reply"
check "still serving after bad input" metric_is "$url" "$series_ok" 1

# SIGHUP with a broken file: rejected, the old probes keep running.
runs_before=$(metric "$url" 'netprobe_probe_runs_total{outcome="ok",probe="self-tcp",transport="tcp"}')
printf 'probes:\n  - name: x\n    type: tcp\n    target: nope\n' > "$config"
kill -HUP "$agent"
check "a broken reload is reported" wait_until 5 metric_is "$url" netprobe_agent_config_last_reload_successful 0
check "the error is logged with file:line" wait_until 5 grep -q 'agent.yaml:4: probes\[0\].target: invalid address' "$TEST_TMP/agent.log"
check "old probes keep running after a broken reload" wait_until 5 bash -c \
  "[ \$(curl -fsS $url | awk '\$1 == \"netprobe_probe_runs_total{outcome=\\\"ok\\\",probe=\\\"self-tcp\\\",transport=\\\"tcp\\\"}\" {print \$2}') -gt $runs_before ]"

# SIGHUP with a good file: the new set replaces the old one.
write_config "  - name: added
    type: tcp
    target: 127.0.0.1:$port"
kill -HUP "$agent"
check "a good reload is applied" wait_until 5 metric_is "$url" 'netprobe_probe_success{expect="allow",probe="added",target="127.0.0.1:'$port'",transport="tcp",type="tcp"}' 1
check "reload success reported" metric_is "$url" netprobe_agent_config_last_reload_successful 1

# SIGTERM: exits 0 within 2 s.
start=$(date +%s%N)
kill -TERM "$agent"
set +e
wait "$agent"
status=$?
set -e
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
# The agent is gone; the TLS servers are still the trap's to stop.
kept=()
for pid in "${TEST_PIDS[@]}"; do [ "$pid" = "$agent" ] || kept+=("$pid"); done
TEST_PIDS=("${kept[@]}")
check "SIGTERM exits 0" [ "$status" -eq 0 ]
check "SIGTERM exits within 2 s (took ${elapsed_ms} ms)" [ "$elapsed_ms" -lt 2000 ]
check "logs are JSON lines" bash -c "jq -e . '$TEST_TMP/agent.log' >/dev/null"

finish
