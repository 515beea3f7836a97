# Helpers the benchmark scripts share: option parsing, a work directory whose
# processes all stop on exit, free ports and readiness waits. Source it after
# scripts/common.sh (log, die). Everything listens on 127.0.0.1.

need_value() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }

# bench_workdir PREFIX: makes $work and the process list $pids; on exit every
# process in $pids is stopped and $work removed, unless --keep set keep=1 or the
# run failed (exit status >= 2), so its logs can be read.
bench_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local rc=$? pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${keep:-0}" -eq 1 ] || [ "$rc" -ge 2 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}

# bench_tokens: fresh agent and API tokens in $work/agent-token and $work/api-token (mode 600), as
# netprobe-controller's --agent-token-file and --api-token-file read them. Call after bench_workdir.
bench_tokens() {
  local name
  for name in agent-token api-token; do
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$work/$name"
    chmod 600 "$work/$name"
  done
}

# free_port VAR (scripts/free_port.sh): a port nothing uses, never the same twice.
# shellcheck source=../scripts/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/free_port.sh"

# Never a real cluster: a controller started here must not find one in the
# environment (a developer's $KUBECONFIG, or a CI job running inside a pod).
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT


wait_http() {  # url [pid]: polls for up to 10 s; fails early when that process has exited
  local i
  for i in $(seq 200); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05  # polling with a deadline
  done
  return 1
}
