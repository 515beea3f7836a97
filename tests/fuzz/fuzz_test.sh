#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of outside input: agent reports,
# agent and controller configs, ad hoc probe bodies, Kubernetes manifests (with
# the policy checks and their JSON), and the duration, endpoint and URL parsers.
# libFuzzer with ASan and UBSan: a crash, a sanitizer report, an exception
# other than the parser's documented error, a hang or runaway memory fails.
#
# Builds its own Clang tree next to the build directory (BUILD/fuzz), then
# runs each target for NETPROBE_FUZZ_SECONDS (default 20) from the seeds in
# tests/fuzz/seeds and the repository's test data. The corpus each run finds
# is kept in BUILD/fuzz/corpus, so later runs start where earlier ones ended.
# A failing input is copied to BUILD/fuzz/crashes; reproduce it with
#   BUILD/fuzz/bin/NAME_fuzz BUILD/fuzz/crashes/FILE
# Needs clang and libclang-rt-14-dev (scripts/packages/test.txt): without them
# it skips (77), or fails as root, where the test scripts install them.
bin=${1:?usage: fuzz_test.sh BUILD_BIN_DIR}
source "$(dirname "$0")/../lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$bin/.." && pwd)/fuzz
seconds=${NETPROBE_FUZZ_SECONDS:-20}

compiler=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$compiler" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "FAIL: clang++ is not installed (Debian packages clang, libclang-rt-14-dev)" >&2
    exit 1
  fi
  echo "SKIP: clang++ is not installed (Debian packages clang, libclang-rt-14-dev)"
  exit 77
fi

# Only netprobe_core and the fuzz targets are built: the parsers are pure.
if ! cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
       -DNETPROBE_FUZZ=ON -DNETPROBE_SANITIZE=address,undefined -DNETPROBE_WERROR=OFF >"$TEST_TMP/configure.log" 2>&1 ||
   ! cmake --build "$build" --target netprobe_fuzzers >"$TEST_TMP/build.log" 2>&1; then
  tail -n 30 "$TEST_TMP/configure.log" "$TEST_TMP/build.log" >&2 || true
  echo "FAIL: the fuzz targets did not build (is libclang-rt-14-dev installed?)" >&2
  exit 1
fi

# seeds NAME: the starting inputs of one target, one file each.
seeds() {
  case $1 in
    agent_config) echo "$root"/tests/unit/testdata/agent/*.yaml "$root"/manifests/base/config/agent.yaml ;;
    controller_config) echo "$root"/manifests/base/config/controller.yaml ;;
    manifests) echo "$root"/tests/unit/testdata/netpol/* "$root"/tests/integration/testdata/lint/*.yaml \
                 "$root"/tests/integration/testdata/lint/*/*.yaml "$root"/tests/integration/testdata/lint/json/*.json \
                 "$root"/manifests/base/*-networkpolicy.yaml "$root"/manifests/base/canary.yaml ;;
    *) echo "$root/tests/fuzz/seeds/$1"/* ;;
  esac
}

mkdir -p "$build/crashes"
for program in "$build"/bin/*_fuzz; do
  name=$(basename "$program" _fuzz)
  corpus=$build/corpus/$name
  mkdir -p "$corpus"
  for seed in $(seeds "$name"); do
    if [ -f "$seed" ]; then cp "$seed" "$corpus/seed-$(basename "$seed")"; fi
  done
  # -timeout: one input taking 10 s is a hang. -rss_limit_mb: a few KB of input
  # must not need GBs. The run's own time limit ends it; exit 0 means nothing found.
  status=0
  "$program" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$build/crashes/$name-" -print_final_stats=1 >"$TEST_TMP/$name.log" 2>&1 || status=$?
  runs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$TEST_TMP/$name.log")
  if [ "$status" -eq 0 ]; then
    pass "$name: ${runs:-?} inputs in ${seconds} s, corpus $(ls "$corpus" | wc -l) files, nothing found"
  else
    grep -E 'ERROR|SUMMARY|terminate|what\(\)|Test unit written|#0 |#1 |#2 |#3 ' "$TEST_TMP/$name.log" | head -30 >&2
    fail "$name: libFuzzer exited $status (input in $build/crashes)"
  fi
done
[ "$TEST_PASSES" -gt 0 ] || fail "no fuzz target was built"

finish
