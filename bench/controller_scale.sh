#!/usr/bin/env bash
# How netprobe-controller's cost grows with the fleet: bench/controller_load.sh at 5,000, 10,000 and
# 20,000 agents (30 results every 10 s each, by default), one after another in this run, and a table of
# each size's CPU per 1,000 results, peak RSS, report latency p99 and /metrics time, with the ratio of
# each to the smallest size's (the peer, measured minutes apart on the same machine). See bench/README.md.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/controller_scale.sh [--sizes 5000,10000,20000] [--duration D] [--bin DIR]

Runs bench/controller_load.sh once per size (agents x 30 results every 10 s, fresh connections) and
prints, per size: controller cores, CPU s per 1,000 results, peak RSS, report latency p99, /metrics
median time and size, each with its ratio to the first size's figure. Then the goals at the largest
size: <= 1 core, <= 512 MiB, /metrics <= 200 ms, CPU per result within 20 % of the first size's.

Options:
  --sizes N,N,...  fleet sizes, smallest first (default 5000,10000,20000)
  --duration D     each run's length (default 60s; controller_load.sh --help explains the window)
  --bin DIR        where netprobe-controller and controller-load are (default $NETPROBE_BUILD/bin)
  -h, --help       this help

Each run takes about its duration plus 5 s; the default three about 3.5 minutes. Loopback only; every
process is stopped when its run ends. The last line of stdout is one JSON object with every figure.
Exit status: 0 measured (goals met or not, reports failed or not: the table says), 1 a run failed,
2 usage error.
EOF
}

sizes=5000,10000,20000
duration=60s
bin_dir=$NETPROBE_BUILD/bin
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) need_value "$@"; sizes=$2; shift 2 ;;
    --duration) need_value "$@"; duration=$2; shift 2 ;;
    --bin) need_value "$@"; bin_dir=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ $sizes =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sizes: numbers separated by commas, e.g. 5000,10000,20000"
command -v jq >/dev/null || die "missing jq (Debian package jq)"
IFS=, read -r -a fleet <<<"$sizes"

bench_workdir netprobe-controller-scale
here=$(dirname "${BASH_SOURCE[0]}")
for agents in "${fleet[@]}"; do
  log "controller_load.sh --agents $agents --duration $duration"
  # Listening agents stay at 1,000 (fewer in a smaller fleet): the fan-out is not what this measures.
  rc=0
  "$here/controller_load.sh" --agents "$agents" --listening-agents "$((agents < 1000 ? agents : 1000))" \
    --duration "$duration" --bin "$bin_dir" >"$work/run-$agents.out" 2>"$work/run-$agents.err" || rc=$?
  # 1: some reports failed. The figures of an overloaded controller are still the point (where
  # growth stops being flat), so the run counts, marked; anything else is a broken run.
  if [ "$rc" -eq 1 ]; then
    log "at $agents agents some reports failed: the controller did not keep up (reports_failed in the table)"
  elif [ "$rc" -ne 0 ]; then
    tail -n 20 "$work/run-$agents.err" >&2
    die "the run at $agents agents failed (its output above)"
  fi
  tail -n 1 "$work/run-$agents.out" >"$work/run-$agents.json"
  jq -e . "$work/run-$agents.json" >/dev/null || die "the run at $agents agents printed no JSON figures"
done

jq -s '
  def ratio(a; b): if b > 0 then (a / b * 100 | round) / 100 else null end;
  .[0] as $peer |
  { sizes: [ .[] | {
      agents, cores, cpu_s_per_1000_results, peak_rss_mib, report_p99_ms: .report_latency_ms.p99,
      metrics_ms: .metrics.wall_ms_median, metrics_bytes: .metrics.bytes, metrics_series: .metrics.series,
      reports_failed,
      vs_first: { cpu_per_result: ratio(.cpu_s_per_1000_results; $peer.cpu_s_per_1000_results),
                  peak_rss: ratio(.peak_rss_mib; $peer.peak_rss_mib),
                  report_p99: ratio(.report_latency_ms.p99; $peer.report_latency_ms.p99),
                  metrics: ratio(.metrics.wall_ms_median; $peer.metrics.wall_ms_median) } } ] }
  | .sizes[-1] as $largest
  | .goals = { at_agents: $largest.agents,
               cores_le_1: ($largest.cores <= 1), peak_rss_le_512_mib: ($largest.peak_rss_mib <= 512),
               metrics_le_200_ms: ($largest.metrics_ms <= 200),
               cpu_per_result_within_20_percent: ($largest.vs_first.cpu_per_result <= 1.2),
               no_reports_failed: ([ .sizes[].reports_failed ] | all(. == 0)) }' \
  $(for agents in "${fleet[@]}"; do echo "$work/run-$agents.json"; done) >"$work/summary.json"

printf '%-8s %7s %18s %16s %16s %18s %8s %8s\n' agents cores "CPU s/1k results" "peak RSS MiB" "report p99 ms" "/metrics ms" "series" "failed"
jq -r '.sizes[] | [.agents, .cores, .cpu_s_per_1000_results, .vs_first.cpu_per_result, .peak_rss_mib,
    .vs_first.peak_rss, .report_p99_ms, .vs_first.report_p99, .metrics_ms, .vs_first.metrics, .metrics_series,
    .reports_failed] | @tsv' \
  "$work/summary.json" |
  while IFS=$'\t' read -r agents cores cpu cpu_x rss rss_x p99 p99_x metrics metrics_x series failed; do
    printf '%-8s %7s %10s (x%-5s) %8s (x%-5s) %8s (x%-5s) %9s (x%-5s) %8s %8s\n' \
      "$agents" "$cores" "$cpu" "$cpu_x" "$rss" "$rss_x" "$p99" "$p99_x" "$metrics" "$metrics_x" "$series" "$failed"
  done
jq -r '.goals | "goals at \(.at_agents) agents: <= 1 core \(if .cores_le_1 then "met" else "NOT met" end); <= 512 MiB \(if .peak_rss_le_512_mib then "met" else "NOT met" end); /metrics <= 200 ms \(if .metrics_le_200_ms then "met" else "NOT met" end); CPU per result within 20 % of the first size \(if .cpu_per_result_within_20_percent then "met" else "NOT met" end)\(if .no_reports_failed then "" else "; some reports failed: the controller did not keep up with the load" end)"' \
  "$work/summary.json"
jq -c . "$work/summary.json"
