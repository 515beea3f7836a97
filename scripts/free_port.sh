# shellcheck shell=bash
# free_port VAR: sets VAR to a port on 127.0.0.1 that no TCP or UDP socket uses
# in any state, and that this shell has not handed out before (nothing binds
# between a pick and its use, so two picks could otherwise collide). It sets a
# variable rather than printing: a $(…) subshell would forget what it handed
# out. Ports are drawn from 20000-31999, below the kernel's ephemeral range
# (32768+), so the short client connections a test or benchmark makes never
# take one meanwhile. The one port picker of tests/, bench/ and scripts/demo.
FREE_PORTS_HANDED_OUT=" "
free_port() {
  local candidate
  while :; do
    candidate=$((20000 + RANDOM % 12000))
    [[ $FREE_PORTS_HANDED_OUT == *" $candidate "* ]] && continue
    ss -Htuan "sport = :$candidate" | grep -q . && continue
    FREE_PORTS_HANDED_OUT+="$candidate "
    printf -v "$1" %s "$candidate"
    return 0
  done
}
