#!/usr/bin/env bash
# The agent's CPU per probe for each kind of probe on its own, for one build or two side by side.
#
# agent_vs_blackbox.sh measures the agent beside the exporter, the way they would share a node;
# that shows the ratio users care about but mixes every kind and every other process's load into
# one figure. This runs one agent at a time with checks of a single kind (dns/udp, dns/tcp, tcp,
# http) against loopback servers and nothing else busy, so the cost of one kind, and the change a
# code change makes to it, stand out of the noise. With two builds (--bin twice) the agents take
# turns, round after round, and the ratio B/A per kind is printed. See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/agent_per_kind.sh [options]

Options:
  --bin DIR        a build's bin directory holding netprobe-agent; give it twice to compare two
                   builds, A then B (default: $NETPROBE_BUILD/bin, i.e. build/bin)
  --checks N       checks per agent, all of one kind (default 100)
  --interval MS    their interval in milliseconds (default 500)
  --seconds S      how long each agent is measured (default 10)
  --rounds N       how many times each build runs each kind; figures are the median (default 3)
  --kinds LIST     comma-separated, from dns_udp,dns_tcp,tcp,http (default all four)
  -h, --help       this help

Prints, per kind and build, CPU microseconds per probe (from /proc/PID/schedstat) and context
switches per probe (voluntary: the agent waited; involuntary: it was preempted), then B/A.
Everything listens on and talks to 127.0.0.1; every process started here stops on exit.
Defaults take about 2 minutes per build.
EOF
}

bins=()
checks=100
interval_ms=500
seconds=10
rounds=3
kinds=dns_udp,dns_tcp,tcp,http
while [ $# -gt 0 ]; do
  case $1 in
    --bin) need_value "$@"; bins+=("$2"); shift 2 ;;
    --checks) need_value "$@"; checks=$2; shift 2 ;;
    --interval) need_value "$@"; interval_ms=$2; shift 2 ;;
    --seconds) need_value "$@"; seconds=$2; shift 2 ;;
    --rounds) need_value "$@"; rounds=$2; shift 2 ;;
    --kinds) need_value "$@"; kinds=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ ${#bins[@]} -gt 0 ] || bins=("${NETPROBE_BUILD:-build}/bin")
[ ${#bins[@]} -le 2 ] || die "--bin: at most two builds"
for n in "$checks" "$interval_ms" "$seconds" "$rounds"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "expected a positive number, got \"$n\""; done
[ "$checks" -le 1000 ] || die "--checks: at most 1000"
[ "$interval_ms" -ge 100 ] || die "--interval: at least 100 ms"
[ "$seconds" -le 120 ] && [ "$rounds" -le 10 ] || die "--seconds at most 120, --rounds at most 10"
IFS=, read -r -a kind_list <<<"$kinds"
for kind in "${kind_list[@]}"; do
  case $kind in dns_udp | dns_tcp | tcp | http) ;; *) die "--kinds: unknown kind \"$kind\"" ;; esac
done
for bin in "${bins[@]}"; do [ -x "$bin/netprobe-agent" ] || die "no $bin/netprobe-agent; build first"; done
for tool in dnsmasq curl ss awk; do command -v "$tool" >/dev/null || die "missing $tool"; done

bench_workdir netprobe-per-kind

# The servers: dnsmasq (UDP and TCP) and one agent without probes, whose /metrics is the HTTP
# target and whose listener the TCP target.
free_port dns_port
# Answer data only: nothing ever connects to this address.
dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --user=root \
  --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" \
  --host-record=svc.bench.svc.cluster.local,10.96.0.1 2>>"$work/dnsmasq.log" &  # not-a-destination: answer data
pids+=($!)
free_port target_port
"${bins[0]}/netprobe-agent" --listen "127.0.0.1:$target_port" --node target --log-level warn 2>>"$work/target.log" &
pids+=($!)
wait_http "http://127.0.0.1:$target_port/metrics" "$!" || die "the target server does not start (logs in $work)"
for i in $(seq 100); do ss -Htln "sport = :$dns_port" | grep -q . && break; sleep 0.05; done

timeout_ms=$((interval_ms * 4 / 5))
write_config() {  # kind file
  local i
  {
    printf 'interval: %sms\ntimeout: %sms\nprobes:\n' "$interval_ms" "$timeout_ms"
    for ((i = 0; i < checks; i++)); do
      case $1 in
        dns_udp | dns_tcp)
          printf '  - name: p%d\n    type: dns\n    servers: ["127.0.0.1:%s"]\n    query: svc.bench.svc.cluster.local.\n    transports: [%s]\n' \
            "$i" "$dns_port" "${1#dns_}" ;;
        tcp) printf '  - name: p%d\n    type: tcp\n    target: 127.0.0.1:%s\n' "$i" "$target_port" ;;
        http) printf '  - name: p%d\n    type: http\n    url: http://127.0.0.1:%s/metrics\n' "$i" "$target_port" ;;
      esac
    done
  } >"$2"
}

runs_of() { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" | awk '/^netprobe_probe_runs_total\{/ { n += $NF } END { print n + 0 }'; }
oks_of() { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" | awk '/^netprobe_probe_runs_total\{.*outcome="ok"/ { n += $NF } END { print n + 0 }'; }
failures_of() {
  curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" | awk '
    /^netprobe_probe_runs_total\{/ && !/outcome="ok"/ { match($0, /outcome="[a-z_]*"/); n[substr($0, RSTART + 9, RLENGTH - 10)] += $NF }
    END { for (o in n) printf "%s %d, ", o, n[o] }'
}
switches_of() { awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 } END { print v, n }' "/proc/$1/status"; }

# One agent, one kind: prints "us_per_probe voluntary_per_probe involuntary_per_probe".
measure() {  # bin kind
  local port pid r0 r1 ok0 ok1 c0 c1 v0 n0 v1 n1
  write_config "$2" "$work/$2.yaml"
  free_port port
  "$1/netprobe-agent" --config "$work/$2.yaml" --listen "127.0.0.1:$port" --node bench --namespace bench \
    --log-level warn >>"$work/agent.log" 2>&1 &  # not our stdout: this runs inside $(…)
  pid=$!
  wait_http "http://127.0.0.1:$port/healthz" "$pid" || die "the agent does not start (logs in $work)"
  sleep "$(awk -v ms="$interval_ms" 'BEGIN { printf "%.3f", 2 * ms / 1000 }')"  # every check has run once
  r0=$(runs_of "$port"); ok0=$(oks_of "$port"); c0=$(awk '{ print $1 }' "/proc/$pid/schedstat"); read -r v0 n0 < <(switches_of "$pid")
  sleep "$seconds"
  r1=$(runs_of "$port"); ok1=$(oks_of "$port"); c1=$(awk '{ print $1 }' "/proc/$pid/schedstat"); read -r v1 n1 < <(switches_of "$pid")
  local failures=""
  [ $((ok1 - ok0)) -eq $((r1 - r0)) ] && [ $((r1 - r0)) -gt 0 ] || failures=$(failures_of "$port")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ -z "$failures" ] ||
    die "$2: $((r1 - r0 - ok1 + ok0)) of $((r1 - r0)) probes failed (since start: $failures); the figure would not be meaningful (logs in $work)"
  awk -v r=$((r1 - r0)) -v c=$((c1 - c0)) -v v=$((v1 - v0)) -v n=$((n1 - n0)) \
    'BEGIN { printf "%.1f %.2f %.2f\n", c / 1000 / r, v / r, n / r }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

log "${#bins[@]} build(s), $checks checks of one kind every ${interval_ms}ms, ${seconds}s each, $rounds round(s)"
declare -A figures
for kind in "${kind_list[@]}"; do
  for ((round = 1; round <= rounds; round++)); do
    for b in "${!bins[@]}"; do
      figure=$(measure "${bins[$b]}" "$kind") || exit 2  # it said why
      figures[$kind,$b]+="$figure"$'\n'
    done
  done
done

labels=(A B)
printf '\n%-8s %-5s %10s %10s %12s   %s\n' KIND BUILD "µs/probe" "waits/p" "preempted/p" "rounds (µs/probe)"
for kind in "${kind_list[@]}"; do
  for b in "${!bins[@]}"; do
    series=${figures[$kind,$b]}
    us=$(awk 'NF { print $1 }' <<<"$series" | median)
    printf '%-8s %-5s %10s %10s %12s   %s\n' "$kind" "${labels[$b]}" "$us" \
      "$(awk 'NF { print $2 }' <<<"$series" | median)" "$(awk 'NF { print $3 }' <<<"$series" | median)" \
      "$(awk 'NF { printf "%s ", $1 }' <<<"$series")"
    eval "us_$b=$us"
  done
  # shellcheck disable=SC2154
  [ ${#bins[@]} -eq 1 ] || printf '%-8s %-5s %10s\n' "$kind" "B/A" "$(awk -v a="$us_0" -v b="$us_1" 'BEGIN { printf "%.3f", b / a }')"
done
printf '\nA = %s\n' "${bins[0]}"
[ ${#bins[@]} -eq 1 ] || printf 'B = %s\n' "${bins[1]}"
