#!/usr/bin/env bash
# netprobe-controller under the load of thousands of synthetic agents, on loopback.
#
# Starts build/bin/netprobe-controller on a free 127.0.0.1 port (fresh tokens, a config whose ad
# hoc allowlist is 127.0.0.0/8 only), then runs build/bin/controller-load against it: N agents
# posting full reports every interval, Prometheus-like scrapes, timed /metrics GETs and ad hoc
# fan-outs to 1,000 agents answering on 127.0.X.Y. Only the controller's process is measured (CPU
# from /proc/PID/stat and schedstat, peak RSS from VmHWM). See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/controller_load.sh [options] [-- controller-load options]

Runs netprobe-controller against synthetic agents on loopback and prints its CPU per 1,000 results,
peak RSS, report latency, /metrics render time and size, and ad hoc fan-out time.

Options:
  --agents N            synthetic agents (default 5000)
  --results N           results per report (default 30)
  --interval D          every agent reports this often (default 10s)
  --duration D          how long the reports go on (default 60s): the first interval fills the
                        controller, the last 10 s hold the /metrics and fan-out tests, the rest is
                        the steady window the CPU figures come from
  --listening-agents N  agents answering ad hoc probes on 127.0.X.Y (default 1000)
  --adhoc-timeout D     the ad hoc probe's timeout (default 2s; fan-out goal: timeout + 1 s)
  --keepalive N         reports over a pool of at most N keep-alive connections instead of a fresh
                        connection per report as netprobe-agent sends them (default 0: fresh)
  --bin DIR             where netprobe-controller and controller-load are (default $NETPROBE_BUILD/bin)
  --keep                keep the work directory (config, tokens, controller log)
  -h, --help            this help

Anything after "--" goes to controller-load as is (build/bin/controller-load --help lists it).
Durations: 500ms, 10s, 1m. The defaults take about 65 s. Everything listens on and talks to
127.0.0.0/8 only; every process started here is stopped on exit.

Goals (from the controller issue): at 5,000 agents x 30 results every 10 s, <= 1 core and
<= 256 MiB; /metrics <= 100 ms; ad hoc fan-out to 1,000 agents <= timeout + 1 s.

Output: a table, then one JSON line (the last line of stdout) with every figure.
Exit status: 0 measured; 1 some reports failed (the figures are not those of the full load);
2 usage error or a missing tool; 3 the load generator did not finish.
EOF
}

agents=5000
results=30
interval=10s
duration=60s
listening=1000
adhoc_timeout=2s
keepalive=0
bin_dir=$NETPROBE_BUILD/bin
keep=0
extra=()

while [ $# -gt 0 ]; do
  case $1 in
    --agents) need_value "$@"; agents=$2; shift 2 ;;
    --results) need_value "$@"; results=$2; shift 2 ;;
    --interval) need_value "$@"; interval=$2; shift 2 ;;
    --duration) need_value "$@"; duration=$2; shift 2 ;;
    --listening-agents) need_value "$@"; listening=$2; shift 2 ;;
    --adhoc-timeout) need_value "$@"; adhoc_timeout=$2; shift 2 ;;
    --keepalive) need_value "$@"; keepalive=$2; shift 2 ;;
    --bin) need_value "$@"; bin_dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for v in agents results listening keepalive; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "--${v/listening/listening-agents}: expected a number"
done
# controller-load checks the ranges and the durations itself (and says which flag is wrong).

controller_bin=$bin_dir/netprobe-controller
load_bin=$bin_dir/controller-load
for b in "$controller_bin" "$load_bin"; do
  [ -x "$b" ] || die "no $b; build first (cmake --build build), or pass --bin"
done
for tool in curl ss awk od; do
  command -v "$tool" >/dev/null || die "missing $tool (Debian packages: curl, iproute2, mawk, coreutils)"
done

# File descriptors: the controller holds one per report in flight and, during an "all": true
# fan-out, one per agent; the generator one per listening agent plus its connections.
hard=$(ulimit -Hn)
want=$((agents + listening + 2048))
if [ "$hard" = unlimited ]; then ulimit -n "$want"; elif [ "$(ulimit -Sn)" -lt "$hard" ]; then ulimit -n "$hard"; fi
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt "$want" ]; then
  log "warning: open-file limit $(ulimit -Sn) is below the $want this run may need (hard limit $hard)"
fi

# ---------------------------------------------------------------------------------------------
# Processes and cleanup

bench_workdir netprobe-controller-load

bench_tokens
cat >"$work/controller.yaml" <<'EOF'
# controller_load.sh: ad hoc probes may only reach loopback (the synthetic agents' own target).
stale_after: 3
max_failing_series: 500
adhoc:
  allow_cidrs: ["127.0.0.0/8"]
  allow_suffixes: []
  rate_per_minute: 60
  max_timeout: 10s
# Every synthetic agent reports from 127.0.0.1; in a cluster each has its own pod IP.
limits:
  max_connections_per_client: 100000
EOF

controller_pid=
for try in 1 2 3; do
  free_port port
  "$controller_bin" --config "$work/controller.yaml" --listen "127.0.0.1:$port" \
    --agent-token-file "$work/agent-token" --api-token-file "$work/api-token" --log-level warn \
    2>>"$work/controller.log" &
  controller_pid=$!; pids+=("$controller_pid")
  if wait_http "http://127.0.0.1:$port/readyz" "$controller_pid"; then break; fi
  log "netprobe-controller did not come up on 127.0.0.1:$port (try $try): $(tail -n 3 "$work/controller.log" | tr '\n' ' ')"
  kill "$controller_pid" 2>/dev/null || true; wait "$controller_pid" 2>/dev/null || true
  controller_pid=
done
[ -n "$controller_pid" ] || die "netprobe-controller does not start (log in $work)"

log "controller pid $controller_pid on 127.0.0.1:$port; $agents agents x $results results every $interval for $duration" \
  "(open-file limit $(ulimit -Sn), load average $(cut -d' ' -f1-3 /proc/loadavg))"
rc=0
"$load_bin" --controller "127.0.0.1:$port" --controller-pid "$controller_pid" \
  --agent-token-file "$work/agent-token" --api-token-file "$work/api-token" \
  --agents "$agents" --results "$results" --interval "$interval" --duration "$duration" \
  --listening-agents "$listening" --adhoc-timeout "$adhoc_timeout" --keepalive "$keepalive" \
  ${extra[@]+"${extra[@]}"} || rc=$?
kill -0 "$controller_pid" 2>/dev/null || { log "netprobe-controller exited during the run: $(tail -n 5 "$work/controller.log")"; rc=3; }
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg); controller log warnings: $(grep -c '"level":"\(warn\|error\)"' "$work/controller.log" || true)"
exit "$rc"
