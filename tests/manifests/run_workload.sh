#!/usr/bin/env bash
# run_workload.sh PLAN_DIR BIN_DIR: starts one container of the rendered manifests the way
# its pod would (argv, env and mounted files from `validate.mjs plan`), with the binary of
# BIN_DIR, checks that it stays up and answers its liveness and readiness paths, then stops
# it with SIGTERM and expects a clean exit. validate_test.sh runs this under
# `unshare -n`: a fresh network namespace with nothing but loopback, so the probes of the
# real default config (kube-dns, 169.254.169.254, the controller) cannot leave it.  # netns-only
set -euo pipefail
dir=${1:?usage: run_workload.sh PLAN_DIR BIN_DIR} bin=${2:?usage: run_workload.sh PLAN_DIR BIN_DIR}

# The real default probes must never reach the host's network: refuse to run outside a
# network namespace that has nothing but loopback.
if [ "$(ip -o link show | wc -l)" -ne 1 ]; then
  echo "run_workload.sh: refusing to run outside a fresh network namespace (unshare -n)" >&2
  exit 1
fi
ip link set lo up
mapfile -d '' argv <"$dir/argv"
mapfile -d '' envs <"$dir/env"
port=$(<"$dir/port")
liveness=$(<"$dir/liveness")
readiness=$(<"$dir/readiness")
exe="$bin/$(basename "${argv[0]}")"
[ -x "$exe" ] || { echo "no binary $exe"; exit 1; }

env -i PATH=/usr/bin:/bin "${envs[@]}" "$exe" "${argv[@]:1}" >"$dir/log" 2>&1 &
pid=$!
show_log() { sed 's/^/    /' "$dir/log"; }
up=0
for _ in $(seq 100); do  # 5 s: it is listening within milliseconds
  kill -0 "$pid" 2>/dev/null || break
  if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port$liveness"; then up=1; break; fi
  sleep 0.05  # polling with a deadline
done
if [ "$up" != 1 ]; then
  status=0
  kill -0 "$pid" 2>/dev/null && kill "$pid" && status=timeout
  wait "$pid" || status=$?
  echo "did not come up (exit $status: 2 is a usage or config error):"; show_log
  exit 1
fi
sleep 1  # config errors surface at start; a process still up a second later took its config
if ! kill -0 "$pid" 2>/dev/null; then
  echo "exited after starting:"; show_log; exit 1
fi
for path in "$liveness" "$readiness"; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port$path")
  [ "$code" = 200 ] || { echo "GET $path answered $code"; show_log; kill "$pid"; exit 1; }
done
# The token files were read: the start-up line says what a missing token disables.
if grep -q -- 'token-file=' "$dir/argv" && grep -Eq '"(disabled|refused: no --[a-z-]+)"' "$dir/log"; then
  echo "started without the tokens it was given:"; show_log; kill "$pid"; exit 1
fi
if grep -q '"level":"error"' "$dir/log"; then
  echo "logged an error:"; show_log; kill "$pid"; exit 1
fi
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" = 0 ] || { echo "SIGTERM: exit $status, expected 0:"; show_log; exit 1; }
grep -o '"msg":"[^"]*"' "$dir/log" | sort | uniq -c | sed 's/^/    /'
