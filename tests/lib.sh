# Shell helpers for tests that drive the built binaries. Source it.
set -euo pipefail

# Never a real cluster: a controller started here must not find one in the
# environment (a developer's $KUBECONFIG, or a CI job running inside a pod).
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT

TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/netprobe-$TEST_NAME-XXXXXX")
TEST_PIDS=()
TEST_FAILURES=0
TEST_PASSES=0

cleanup_test() {
  local pid
  for pid in "${TEST_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${TEST_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$TEST_TMP"
}
trap cleanup_test EXIT

fail() { printf 'FAIL: %s\n' "$*" >&2; TEST_FAILURES=$((TEST_FAILURES + 1)); }
pass() { printf 'ok: %s\n' "$*"; TEST_PASSES=$((TEST_PASSES + 1)); }

# check "description" command…: records a pass or a failure.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# Prints the summary line and exits non-zero when anything failed.
finish() {
  printf '%d passed, %d failed\n' "$TEST_PASSES" "$TEST_FAILURES"
  [ "$TEST_FAILURES" -eq 0 ]
}

# wait_until SECONDS command… (scripts/wait_until.sh): polls every 50 ms until it succeeds or time is up.
# shellcheck source=../scripts/wait_until.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/wait_until.sh"

# free_port VAR (scripts/free_port.sh): a port nothing uses, never the same twice.
# shellcheck source=../scripts/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/free_port.sh"

# Whether something listens on TCP port $1 (ss itself exits 0 either way).
listening() { ss -Htln "sport = :$1" | grep -q .; }

# metric URL 'name{labels}': prints the sample's value (exact series match).
metric() {
  curl -fsS "$1" | awk -v series="$2" '$1 == series { print $2; found = 1 } END { exit !found }'
}

metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }
