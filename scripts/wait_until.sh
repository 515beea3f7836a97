# shellcheck shell=bash
# wait_until SECONDS COMMAND…: polls every 50 ms until the command succeeds or time is up (status 1).
# Shared by the tests (tests/lib.sh) and the benchmarks; a poll with a deadline, never a bare sleep.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  while ! "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05  # polling with a deadline
  done
}
