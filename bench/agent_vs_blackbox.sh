#!/usr/bin/env bash
# netprobe-agent against prometheus-blackbox-exporter on the same workload, in one run.
#
# Both tools probe the same targets on 127.0.0.1 (a real dnsmasq over UDP and TCP, TCP listeners,
# HTTP /metrics endpoints) at the same rate, at the same time. The agent runs its checks from its
# config file; the exporter is driven through /probe by a curl driver, spread over the interval the
# way Prometheus spreads scrapes. Only the two tools' own processes are measured (CPU from
# /proc/PID/stat, peak and current RSS from /proc/PID/status); the driver, dnsmasq and the target
# servers are not. See bench/README.md for how to read the output.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/agent_vs_blackbox.sh [options]

Runs netprobe-agent and prometheus-blackbox-exporter side by side on one loopback workload and
prints CPU seconds per 1,000 probes, peak RSS, and their ratios (netprobe / exporter).

Phases (each starts a fresh agent and a fresh exporter; both run at the same time):
  realistic  --targets checks every --interval for --duration   (headline RSS figure)
  fast       the same targets every --fast-interval for --fast-duration (headline CPU figure)

Options:
  --targets N           checks per tool, split evenly over dns/udp, dns/tcp, tcp, http (default 100)
  --interval D          realistic phase interval (default 10s)
  --duration D          realistic phase length (default 2m)
  --fast-interval D     fast phase interval (default 500ms)
  --fast-duration D     fast phase length (default 30s)
  --timeout D           per-probe timeout for both tools, capped at the interval (default 1s)
  --scrape-interval D   how often the agent's own /metrics is scraped during a phase, counted in
                        its CPU like the exporter's /probe answers are in the exporter's (default 10s)
  --no-fast             skip the fast phase (CPU goal then judged on the realistic phase)
  --no-realistic        skip the realistic phase (RSS goal then judged on the fast phase)
  --bin DIR             where netprobe-agent is (default $NETPROBE_BUILD/bin, i.e. build/bin)
  --exporter PATH       blackbox exporter binary (default /usr/bin/prometheus-blackbox-exporter)
  --keep                keep the work directory (configs, logs, exporter responses)
  -h, --help            this help

Durations: 500ms, 10s, 1m. Defaults take about 160 s. Everything listens on and talks to
127.0.0.1 only; every process started here is stopped on exit.

Goals: agent peak RSS <= 6 MiB with 100 checks (realistic phase); agent CPU per probe
<= 1/10 of the exporter's in the fast phase and <= 1/5 in the realistic phase.

Output: a table, then one JSON line (the last line of stdout) with every figure.
Exit status: 0 measured; 1 some probes failed (the comparison is then not meaningful);
2 usage error or a missing tool.
EOF
}

# ---------------------------------------------------------------------------------------------
# Options

targets=100
interval=10s
duration=2m
fast_interval=500ms
fast_duration=30s
timeout=1s
scrape_interval=10s
run_fast=1
run_realistic=1
bin_dir=$NETPROBE_BUILD/bin
exporter_bin=/usr/bin/prometheus-blackbox-exporter
keep=0

while [ $# -gt 0 ]; do
  case $1 in
    --targets) need_value "$@"; targets=$2; shift 2 ;;
    --interval) need_value "$@"; interval=$2; shift 2 ;;
    --duration) need_value "$@"; duration=$2; shift 2 ;;
    --fast-interval) need_value "$@"; fast_interval=$2; shift 2 ;;
    --fast-duration) need_value "$@"; fast_duration=$2; shift 2 ;;
    --timeout) need_value "$@"; timeout=$2; shift 2 ;;
    --scrape-interval) need_value "$@"; scrape_interval=$2; shift 2 ;;
    --no-fast) run_fast=0; shift ;;
    --no-realistic) run_realistic=0; shift ;;
    --bin) need_value "$@"; bin_dir=$2; shift 2 ;;
    --exporter) need_value "$@"; exporter_bin=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

# Duration text (500ms, 10s, 1m) to milliseconds.
to_ms() {
  case $1 in
    *ms) [[ ${1%ms} =~ ^[0-9]+$ ]] && echo $((10#${1%ms})) && return ;;
    *s) [[ ${1%s} =~ ^[0-9]+$ ]] && echo $((10#${1%s} * 1000)) && return ;;
    *m) [[ ${1%m} =~ ^[0-9]+$ ]] && echo $((10#${1%m} * 60000)) && return ;;
  esac
  die "bad duration \"$1\" (expected e.g. 500ms, 10s, 1m)"
}
interval_ms=$(to_ms "$interval")
duration_ms=$(to_ms "$duration")
fast_interval_ms=$(to_ms "$fast_interval")
fast_duration_ms=$(to_ms "$fast_duration")
timeout_ms=$(to_ms "$timeout")
scrape_ms=$(to_ms "$scrape_interval")
[ "$scrape_ms" -ge 1000 ] || die "--scrape-interval must be at least 1s"
[[ $targets =~ ^[0-9]+$ ]] && [ "$targets" -ge 4 ] && [ "$targets" -le 2000 ] ||
  die "--targets: expected a number from 4 to 2000"
for v in interval_ms fast_interval_ms; do
  [ "${!v}" -ge 100 ] || die "intervals must be at least 100ms"
done
[ "$duration_ms" -ge "$interval_ms" ] || die "--duration must cover at least one --interval"
[ "$fast_duration_ms" -ge "$fast_interval_ms" ] || die "--fast-duration must cover at least one --fast-interval"
[ "$timeout_ms" -ge 50 ] || die "--timeout must be at least 50ms"
[ "$duration_ms" -le 600000 ] && [ "$fast_duration_ms" -le 600000 ] || die "phases are limited to 10m each"
[ $((run_fast + run_realistic)) -ge 1 ] || die "--no-fast and --no-realistic together leave nothing to run"

agent_bin=$bin_dir/netprobe-agent
[ -x "$agent_bin" ] || die "no $agent_bin; build first (./scripts/test or cmake --build build), or pass --bin"
[ -x "$exporter_bin" ] || die "no $exporter_bin (Debian package prometheus-blackbox-exporter)"
for tool in dnsmasq curl ss awk; do
  command -v "$tool" >/dev/null || die "missing $tool (Debian packages: dnsmasq-base, curl, iproute2, mawk)"
done

# ---------------------------------------------------------------------------------------------
# Processes and cleanup

bench_workdir netprobe-bench

# Stops one process started here and forgets it.
stop() {
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  pids=(${kept[@]+"${kept[@]}"})
}

wait_tcp() {
  local i
  for i in $(seq 200); do ss -Htln "sport = :$1" | grep -q . && return 0; sleep 0.05; done
  die "nothing listens on 127.0.0.1:$1 (logs in $work)"
}

# Starts a server on a fresh port, retrying on another port if it does not come up (another
# process on this shared machine may take a port between the check and the bind).
# start_server PORT_VAR PID_VAR URL_PATH LOG command… (the command's "{port}" becomes the port)
start_server() {
  local port_var=$1 pid_var=$2 path=$3 logfile=$4 try ss_port ss_pid args a
  shift 4
  for try in 1 2 3; do
    free_port ss_port
    args=()
    for a in "$@"; do args+=("${a//\{port\}/$ss_port}"); done
    "${args[@]}" 2>>"$logfile" &
    ss_pid=$!; pids+=("$ss_pid")
    if wait_http "http://127.0.0.1:$ss_port$path" "$ss_pid"; then
      printf -v "$port_var" %s "$ss_port"; printf -v "$pid_var" %s "$ss_pid"
      return 0
    fi
    log "$(basename "$1") did not come up on 127.0.0.1:$ss_port (try $try); log: $(tail -n 3 "$logfile" | tr '\n' ' ')"
    stop "$ss_pid"
  done
  die "$(basename "$1") does not start (logs in $work)"
}

clk_tck=$(getconf CLK_TCK)
# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }  # drop "pid (comm) ": the name may hold spaces
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}
# Time on CPU in nanoseconds (first field of /proc/PID/schedstat): a finer cross-check of the ticks.
# Summed over the live threads: a thread that has exited is missing here, not in /proc/PID/stat.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ n += $1 } END { printf "%d\n", n }'; }
# A /proc/PID/status field in kB (VmHWM = peak RSS, VmRSS = current RSS).
status_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# Scrapes the agent's /metrics to stdout. Notes its VmHWM just before (the peak since the previous
# scrape: probing only) and just after (the scrape's own peak) in a log, then resets VmHWM to the
# current RSS (clear_refs 5) so that the next "before" covers only the time between scrapes.
scrape_agent() {  # port pid hwm_log
  local before after
  before=$(status_kb "$2" VmHWM)
  curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics"
  after=$(status_kb "$2" VmHWM)
  echo "$before $after" >>"$3"
  { echo 5 >"/proc/$2/clear_refs"; } 2>/dev/null || true
}

# Sum of netprobe_probe_runs_total over all series, and over the outcome="ok" series.
agent_runs() {  # port pid hwm_log
  scrape_agent "$@" | awk '
    /^netprobe_probe_runs_total\{/ { all += $NF; if ($0 ~ /outcome="ok"/) ok += $NF }
    END { printf "%d %d\n", all, ok }'
}

# ---------------------------------------------------------------------------------------------
# The workload: one dnsmasq, a few HTTP /metrics servers (netprobe-agent without probes) that also
# serve as TCP targets. Shared by both tools and by both phases.

dns_names=5
dns_port=0; free_port dns_port
host_records=()
for i in $(seq 0 $((dns_names - 1))); do
  # Answer data only: nothing ever connects to these addresses.
  host_records+=("--host-record=svc-$i.bench.svc.cluster.local,10.96.0.$((i + 1))")  # not-a-destination: answer data
done
dnsmasq --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null --user=root \
  --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" "${host_records[@]}" \
  2>>"$work/dnsmasq.log" &
pids+=($!)

wait_tcp "$dns_port"
target_servers=4
target_ports=()
for i in $(seq 1 $target_servers); do
  start_server port pid /metrics "$work/target-$i.log" \
    "$agent_bin" --listen "127.0.0.1:{port}" --node "target-$i" --log-level warn
  target_ports+=("$port")
done

kinds=(dns_udp dns_tcp tcp http)
# Target i (0-based) is of kind i % 4; its DNS name and target server rotate.
kind_of() { echo "${kinds[$(($1 % 4))]}"; }
count_kind() { local k=$1 n=0 i; for ((i = 0; i < targets; i++)); do [ $((i % 4)) -eq "$k" ] && n=$((n + 1)); done; echo $n; }
split_text="$(count_kind 0) dns/udp, $(count_kind 1) dns/tcp, $(count_kind 2) tcp, $(count_kind 3) http"

# The agent's config: one probe per check, so each check is named in the metrics.
write_agent_config() {  # file interval_ms timeout_ms
  local file=$1 i n name port
  {
    printf 'interval: %sms\ntimeout: %sms\nprobes:\n' "$2" "$3"
    for ((i = 0; i < targets; i++)); do
      n=$((i / 4)); name=svc-$((n % dns_names)).bench.svc.cluster.local
      port=${target_ports[$((n % target_servers))]}
      case $(kind_of "$i") in
        dns_udp) printf '  - name: dns-udp-%d\n    type: dns\n    servers: ["127.0.0.1:%s"]\n    query: %s.\n    transports: [udp]\n' "$n" "$dns_port" "$name" ;;
        dns_tcp) printf '  - name: dns-tcp-%d\n    type: dns\n    servers: ["127.0.0.1:%s"]\n    query: %s.\n    transports: [tcp]\n' "$n" "$dns_port" "$name" ;;
        tcp) printf '  - name: tcp-%d\n    type: tcp\n    target: 127.0.0.1:%s\n' "$n" "$port" ;;
        http) printf '  - name: http-%d\n    type: http\n    url: http://127.0.0.1:%s/metrics\n' "$n" "$port" ;;
      esac
    done
  } >"$file"
}

# The exporter's config: dns_udp_N / dns_tcp_N per name (query_name is per module), tcp_connect,
# http_2xx. All IPv4, no fallback, the same timeout as the agent.
write_exporter_config() {  # file timeout_ms
  local file=$1 t="$2ms" i proto
  {
    echo "modules:"
    for ((i = 0; i < dns_names; i++)); do
      for proto in udp tcp; do
        cat <<EOF
  dns_${proto}_$i:
    prober: dns
    timeout: $t
    dns:
      transport_protocol: $proto
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      query_name: svc-$i.bench.svc.cluster.local
      query_type: A
      valid_rcodes: [NOERROR]
EOF
      done
    done
    cat <<EOF
  tcp_connect:
    prober: tcp
    timeout: $t
    tcp:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
  http_2xx:
    prober: http
    timeout: $t
    http:
      method: GET
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
EOF
  } >"$file"
}

# The /probe URL Prometheus would scrape for target i.
probe_url() {  # exporter_port i
  local n=$(($2 / 4)) port
  port=${target_ports[$((n % target_servers))]}
  case $(kind_of "$2") in
    dns_udp) echo "http://127.0.0.1:$1/probe?module=dns_udp_$((n % dns_names))&target=127.0.0.1:$dns_port" ;;
    dns_tcp) echo "http://127.0.0.1:$1/probe?module=dns_tcp_$((n % dns_names))&target=127.0.0.1:$dns_port" ;;
    tcp) echo "http://127.0.0.1:$1/probe?module=tcp_connect&target=127.0.0.1:$port" ;;
    http) echo "http://127.0.0.1:$1/probe?module=http_2xx&target=http://127.0.0.1:$port/metrics" ;;
  esac
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# The exporter's driver: like Prometheus, every target is fetched once per interval at its own
# offset. Targets are spread over `slots` ticks per interval (at most one tick per 100 ms); at each
# tick one curl fetches that slot's targets concurrently. Each response lands in its own file,
# counted afterwards. Stops by itself after `rounds` intervals and waits for its last requests.
drive_exporter() {  # dir exporter_port interval_ms rounds timeout_ms
  local dir=$1 xport=$2 ivl=$3 rounds=$4 tmo=$5 slots i k tick ticks period start due now
  slots=$((ivl / 100)); [ "$slots" -le 10 ] || slots=10; [ "$slots" -ge 1 ] || slots=1
  [ "$slots" -le "$targets" ] || slots=$targets
  mkdir -p "$dir/slots" "$dir/out"
  for ((i = 0; i < targets; i++)); do
    k=$((i % slots))
    printf 'url = "%s"\noutput = "%d"\n' "$(probe_url "$xport" "$i")" "$i" >>"$dir/slots/$k"
  done
  period=$((ivl * 1000 / slots))  # microseconds
  ticks=$((rounds * slots))
  start=$(now_us)
  for ((tick = 0; tick < ticks; tick++)); do
    due=$((start + tick * period))
    now=$(now_us)
    if [ "$due" -gt "$now" ]; then sleep "$(awk -v us=$((due - now)) 'BEGIN { printf "%.6f", us / 1e6 }')"; fi
    mkdir "$dir/out/$tick"
    (cd "$dir/out/$tick" && exec curl -sS -g --parallel --parallel-max 100 --max-time $(((tmo + 1500) / 1000 + 1)) \
      -K "$dir/slots/$((tick % slots))" 2>>"$dir/curl.log") &
  done
  wait
}

# ---------------------------------------------------------------------------------------------
# One phase: a fresh agent and a fresh exporter, the same targets, the same interval, measured
# over the same window. Sets phase_* variables for the report.

run_phase() {  # name interval_ms duration_ms
  local name=$1 ivl=$2 dur=$3 tmo dir agent_port exporter_port agent_pid exporter_pid driver_pid
  local rounds a_cpu0 a_cpu1 x_cpu0 x_cpu1 a_runs0 a_ok0 a_runs1 a_ok1 t0 t1 x_total x_ok a_series a_good
  tmo=$timeout_ms; [ "$tmo" -le "$ivl" ] || tmo=$ivl
  rounds=$((dur / ivl))
  dir=$work/$name
  mkdir -p "$dir"
  write_agent_config "$dir/agent.yaml" "$ivl" "$tmo"
  write_exporter_config "$dir/blackbox.yml" "$tmo"

  start_server agent_port agent_pid /healthz "$dir/agent.log" \
    "$agent_bin" --config "$dir/agent.yaml" --listen "127.0.0.1:{port}" --node bench --namespace bench --log-level warn
  start_server exporter_port exporter_pid /metrics "$dir/exporter.log" \
    "$exporter_bin" --config.file="$dir/blackbox.yml" --web.listen-address="127.0.0.1:{port}" --log.level=warn

  log "$name phase: $targets targets ($split_text) every ${ivl}ms for $((rounds * ivl / 1000))s, timeout ${tmo}ms"
  # The agent's window includes the two /metrics scrapes that count its runs (as Prometheus would
  # scrape it); the exporter's includes every /probe request the driver sends.
  local a_hwm_start a_hwm_peak a_hwm_probing a_ns0 a_ns1 hwm_log=$dir/agent-hwm.log
  a_cpu0=$(cpu_ticks "$agent_pid"); x_cpu0=$(cpu_ticks "$exporter_pid")
  a_ns0=$(cpu_ns "$agent_pid")
  read -r a_runs0 a_ok0 < <(agent_runs "$agent_port" "$agent_pid" "$hwm_log")
  t0=$(now_us)
  drive_exporter "$dir" "$exporter_port" "$ivl" "$rounds" "$tmo" &
  driver_pid=$!; pids+=("$driver_pid")
  # Prometheus scraping the agent: every --scrape-interval, between the two counting scrapes.
  local scrapes=$(((rounds * ivl - 1) / scrape_ms)) scraper_pid
  (for ((j = 1; j <= scrapes; j++)); do
    sleep "$(awk -v ms="$scrape_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
    scrape_agent "$agent_port" "$agent_pid" "$hwm_log" >/dev/null || true
  done) &
  scraper_pid=$!; pids+=("$scraper_pid")
  # The agent runs on its own schedule: give it the same wall time as the driver's schedule.
  sleep "$(awk -v ms=$((rounds * ivl)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  wait "$driver_pid" || true
  stop "$driver_pid"
  wait "$scraper_pid" || true
  stop "$scraper_pid"
  read -r a_runs1 a_ok1 < <(agent_runs "$agent_port" "$agent_pid" "$hwm_log")
  a_cpu1=$(cpu_ticks "$agent_pid"); x_cpu1=$(cpu_ticks "$exporter_pid")
  a_ns1=$(cpu_ns "$agent_pid")
  t1=$(now_us)
  # From the scrape log: at start (before the first scrape), the largest peak between two scrapes,
  # and the peak over the whole life (start, probes and scrapes): the headline figure.
  read -r a_hwm_start a_hwm_probing a_hwm_peak < <(awk '
    NR == 1 { start = $1 } NR > 1 && $1 > between { between = $1 }
    { if ($1 > peak) peak = $1; if ($2 > peak) peak = $2 }
    END { printf "%d %s %d\n", start, (NR > 1 ? between : "null"), peak }' "$hwm_log")
  [ -w "/proc/$agent_pid/clear_refs" ] || a_hwm_probing=null

  # Did the probes work? The agent: every check's latest netprobe_probe_success is 1, and the
  # window's runs were ok. The exporter: probe_success 1 in each /probe response.
  read -r a_series a_good < <(curl -fsS --max-time 5 "http://127.0.0.1:$agent_port/metrics" |
    awk '/^netprobe_probe_success\{/ { n++; if ($NF == 1) g++ } END { printf "%d %d\n", n, g }')
  read -r x_total x_ok < <(find "$dir/out" -type f -exec cat {} + 2>/dev/null |
    awk '/^probe_success / { n++; if ($2 == 1) g++ } END { printf "%d %d\n", n, g }')
  if [ "$x_ok" -lt "$x_total" ] || [ "$x_total" -lt $((rounds * targets)) ]; then
    find "$dir/out" -type f -exec grep -l '^probe_success 0' {} + 2>/dev/null | head -1 |
      xargs -r cp -t "$dir" 2>/dev/null || true
  fi

  # What a Prometheus scrape of the agent's own /metrics costs it: 5 scrapes, averaged.
  local s0 s1 bytes j
  s0=$(cpu_ns "$agent_pid")
  for j in 1 2 3 4 5; do bytes=$(curl -fsS --max-time 5 "http://127.0.0.1:$agent_port/metrics" | wc -c); done
  s1=$(cpu_ns "$agent_pid")

  eval "${name}_wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')"
  eval "${name}_interval_ms=$ivl ${name}_timeout_ms=$tmo ${name}_rounds=$rounds"
  eval "${name}_a_probes=$((a_runs1 - a_runs0)) ${name}_a_ok=$((a_ok1 - a_ok0))"
  eval "${name}_a_cpu=$((a_cpu1 - a_cpu0)) ${name}_x_cpu=$((x_cpu1 - x_cpu0))"
  eval "${name}_a_series=$a_series ${name}_a_good=$a_good"
  eval "${name}_x_probes=$x_total ${name}_x_ok=$x_ok ${name}_x_sent=$((rounds * targets))"
  eval "${name}_a_hwm=$a_hwm_peak ${name}_a_hwm_start=$a_hwm_start ${name}_a_hwm_probing=$a_hwm_probing"
  eval "${name}_a_rss=$(status_kb "$agent_pid" VmRSS) ${name}_a_rss_file=$(status_kb "$agent_pid" RssFile)"
  eval "${name}_a_rss_anon=$(status_kb "$agent_pid" RssAnon)"
  eval "${name}_a_ns=$((a_ns1 - a_ns0))"
  eval "${name}_x_hwm=$(status_kb "$exporter_pid" VmHWM) ${name}_x_rss=$(status_kb "$exporter_pid" VmRSS)"
  eval "${name}_scrape_ns=$(((s1 - s0) / 5)) ${name}_scrape_bytes=$bytes ${name}_scrapes=$((scrapes + 2))"
  cp /proc/"$agent_pid"/smaps_rollup "$dir/agent.smaps_rollup" 2>/dev/null || true
  stop "$agent_pid"; stop "$exporter_pid"
}

phases=()
[ "$run_realistic" -eq 0 ] || phases+=(realistic)
[ "$run_fast" -eq 0 ] || phases+=(fast)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for phase in "${phases[@]}"; do
  case $phase in
    realistic) run_phase realistic "$interval_ms" "$duration_ms" ;;
    fast) run_phase fast "$fast_interval_ms" "$fast_duration_ms" ;;
  esac
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Report

v() { local n="${1}_$2"; echo "${!n}"; }
calc() { awk "BEGIN { $1 }"; }
mib() { calc "printf \"%.1f\", $1 / 1024"; }
per_1000() {  # ticks probes
  if [ "$2" -gt 0 ]; then calc "printf \"%.4f\", $1 / $clk_tck / $2 * 1000"; else echo null; fi
}
ratio() { if [ "$1" = null ] || [ "$2" = null ] || calc "exit !($2 == 0)"; then echo null; else calc "printf \"%.3f\", $1 / $2"; fi; }
pct() { if [ "$2" -gt 0 ]; then calc "printf \"%.1f\", 100 * $1 / $2"; else echo 0.0; fi; }

exporter_version=$("$exporter_bin" --version 2>&1 | awk 'NR == 1 { print $3 }')
agent_version=$("$agent_bin" --version 2>&1 | awk '{ print $2 }')
printf '\nnetprobe-agent %s vs prometheus-blackbox-exporter %s: %d targets (%s) on 127.0.0.1\n' \
  "$agent_version" "$exporter_version" "$targets" "$split_text"
printf '%s, %d cores, load average %s before, %s after; CLK_TCK %d\n\n' \
  "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load_before" "$load_after" "$clk_tck"
printf '%-10s %-9s %-7s %-15s %8s %7s %8s %11s %9s %8s\n' \
  PHASE INTERVAL WINDOW TOOL PROBES "OK %" "CPU s" "CPU s/1000" "PEAK MiB" "RSS MiB"
failed=0
json_phases=""
for p in "${phases[@]}"; do
  a_per=$(per_1000 "$(v "$p" a_cpu)" "$(v "$p" a_probes)")
  x_per=$(per_1000 "$(v "$p" x_cpu)" "$(v "$p" x_probes)")
  a_pct=$(pct "$(v "$p" a_ok)" "$(v "$p" a_probes)")
  x_pct=$(pct "$(v "$p" x_ok)" "$(v "$p" x_sent)")
  a_cpu_s=$(calc "printf \"%.2f\", $(v "$p" a_cpu) / $clk_tck")
  x_cpu_s=$(calc "printf \"%.2f\", $(v "$p" x_cpu) / $clk_tck")
  cpu_ratio=$(ratio "$a_per" "$x_per")
  rss_ratio=$(ratio "$(v "$p" a_hwm)" "$(v "$p" x_hwm)")
  ivl_text="$(v "$p" interval_ms)ms"; window="$(v "$p" wall_s)s"
  printf '%-10s %-9s %-7s %-15s %8d %7s %8s %11s %9s %8s\n' "$p" "$ivl_text" "$window" netprobe-agent \
    "$(v "$p" a_probes)" "$a_pct" "$a_cpu_s" "$a_per" "$(mib "$(v "$p" a_hwm)")" "$(mib "$(v "$p" a_rss)")"
  printf '%-10s %-9s %-7s %-15s %8d %7s %8s %11s %9s %8s\n' "" "" "" blackbox \
    "$(v "$p" x_probes)" "$x_pct" "$x_cpu_s" "$x_per" "$(mib "$(v "$p" x_hwm)")" "$(mib "$(v "$p" x_rss)")"
  printf '%-10s %-9s %-7s %-15s %8s %7s %8s %11s %9s %8s\n' "" "" "" "ratio n/b" "" "" "" "$cpu_ratio" "$rss_ratio" ""
  scrape_cpu_ms=$(calc "printf \"%.1f\", $(v "$p" scrape_ns) / 1e6")
  a_per_noscrape=null
  [ "$(v "$p" a_probes)" -eq 0 ] || a_per_noscrape=$(calc "x = ($(v "$p" a_cpu) / $clk_tck - $(v "$p" scrapes) * $(v "$p" scrape_ns) / 1e9) / $(v "$p" a_probes) * 1000; printf \"%.4f\", (x < 0 ? 0 : x)")
  probing_mib=null; [ "$(v "$p" a_hwm_probing)" = null ] || probing_mib=$(mib "$(v "$p" a_hwm_probing)")
  printf '%-10s %s\n' "" "agent RSS: $(mib "$(v "$p" a_hwm_start)") MiB at start; peak $probing_mib MiB between its /metrics scrapes;" \
    "" "  now $(mib "$(v "$p" a_rss_file)") MiB file-backed (binary, shared libraries) + $(mib "$(v "$p" a_rss_anon)") MiB anonymous (heap, stack)" \
    "" "one scrape of the agent's /metrics: $(v "$p" scrape_bytes) bytes, $scrape_cpu_ms ms CPU; $(v "$p" scrapes) in the window" \
    "" "  agent CPU s/1000 probes without those scrapes: $a_per_noscrape"
  if [ "$(v "$p" a_cpu)" -lt 50 ] || [ "$(v "$p" x_cpu)" -lt 50 ]; then
    printf '%-10s %s\n' "" "note: CPU figures rest on $(v "$p" a_cpu) and $(v "$p" x_cpu) clock ticks (1/$clk_tck s): coarse; run longer for a firm figure"
  fi
  # Meaningful only if both tools' probes worked and both ran about the expected number.
  if [ "$a_pct" != 100.0 ] || [ "$x_pct" != 100.0 ] || [ "$(v "$p" a_good)" -ne "$targets" ]; then
    failed=1
    printf '%-10s WARNING: not every probe succeeded (agent checks ok now: %d/%d); the comparison is not meaningful\n' \
      "" "$(v "$p" a_good)" "$(v "$p" a_series)"
  fi
  json_phases+="${json_phases:+,}\"$p\":{\"interval_ms\":$(v "$p" interval_ms),\"timeout_ms\":$(v "$p" timeout_ms),\"window_s\":$(v "$p" wall_s),"
  json_phases+="\"netprobe\":{\"probes\":$(v "$p" a_probes),\"ok\":$(v "$p" a_ok),\"cpu_s\":$a_cpu_s,\"cpu_s_per_1000\":$a_per,"
  json_phases+="\"cpu_s_schedstat\":$(calc "printf \"%.3f\", $(v "$p" a_ns) / 1e9"),"
  json_phases+="\"peak_rss_kib\":$(v "$p" a_hwm),\"start_rss_kib\":$(v "$p" a_hwm_start),\"probing_peak_rss_kib\":$(v "$p" a_hwm_probing),"
  json_phases+="\"rss_kib\":$(v "$p" a_rss),\"rss_file_kib\":$(v "$p" a_rss_file),\"rss_anon_kib\":$(v "$p" a_rss_anon),"
  json_phases+="\"metrics_scrape_bytes\":$(v "$p" scrape_bytes),\"metrics_scrape_cpu_ms\":$scrape_cpu_ms,\"metrics_scrapes\":$(v "$p" scrapes),\"cpu_s_per_1000_without_scrapes\":$a_per_noscrape},"
  json_phases+="\"blackbox\":{\"probes\":$(v "$p" x_probes),\"ok\":$(v "$p" x_ok),\"sent\":$(v "$p" x_sent),\"cpu_s\":$x_cpu_s,\"cpu_s_per_1000\":$x_per,"
  json_phases+="\"peak_rss_kib\":$(v "$p" x_hwm),\"rss_kib\":$(v "$p" x_rss)},"
  json_phases+="\"ratio\":{\"cpu_per_probe\":$cpu_ratio,\"peak_rss\":$rss_ratio}}"
done

# Goals: RSS from the realistic phase (100 checks at 10 s; the fast phase when it was skipped);
# CPU per probe against the exporter's in each phase run: <= 1/10 fast, <= 1/5 realistic.
rss_phase=realistic; [ "$run_realistic" -eq 1 ] || rss_phase=fast
goal_rss_mib=$(mib "$(v $rss_phase a_hwm)")
rss_met=$(calc "print ($(v $rss_phase a_hwm) <= 6 * 1024) ? \"true\" : \"false\"")
yes_no() { [ "$1" = true ] && echo met || echo "NOT met"; }
printf '\nGoals:\n'
printf '  agent peak RSS <= 6 MiB with %d checks (%s phase): %s MiB: %s\n' "$targets" "$rss_phase" "$goal_rss_mib" "$(yes_no "$rss_met")"
json_cpu_goals=""
for p in fast realistic; do
  if [ "$p" = fast ]; then ran=$run_fast; limit=10; else ran=$run_realistic; limit=5; fi
  [ "$ran" -eq 1 ] || continue
  r=$(ratio "$(per_1000 "$(v $p a_cpu)" "$(v $p a_probes)")" "$(per_1000 "$(v $p x_cpu)" "$(v $p x_probes)")")
  if [ "$r" = null ]; then met=false; else met=$(calc "print ($r <= 1 / $limit) ? \"true\" : \"false\""); fi
  printf '  agent CPU per probe <= 1/%d of the exporter'"'"'s (%s phase): ratio %s: %s\n' "$limit" "$p" "$r" "$(yes_no "$met")"
  json_cpu_goals+=",\"cpu_ratio_${p}\":$r,\"cpu_ratio_${p}_le_1_${limit}\":$met"
done
[ "$targets" -eq 100 ] || printf '  (the RSS goal is stated for 100 checks; this run used %d)\n' "$targets"
[ "$failed" -eq 0 ] || printf '  some probes failed: fix the workload before trusting these figures (--keep keeps the logs)\n'
printf '\n{"bench":"agent_vs_blackbox","time":"%s","cores":%d,"loadavg_before":"%s","loadavg_after":"%s","agent_version":"%s","exporter_version":"%s","targets":%d,"split":"%s","phases":{%s},"goals":{"rss_phase":"%s","agent_peak_rss_mib":%s,"rss_le_6mib":%s%s},"probes_ok":%s}\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$load_before" "$load_after" "$agent_version" "$exporter_version" \
  "$targets" "$split_text" "$json_phases" "$rss_phase" "$goal_rss_mib" "$rss_met" "$json_cpu_goals" \
  "$([ "$failed" -eq 0 ] && echo true || echo false)"
exit "$failed"
