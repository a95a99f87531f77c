#!/usr/bin/env bash
#
# benchmarks/scripts/wait-idle.sh [max-seconds]
#
# Waits until no build or test run of anyone else is going on (nothing matches
# 'surefire|failsafe|target/exam|maven'), polling every 20 s, for at most max-seconds (default 900).
# Prints how long it waited; exit status 1 when it gave up (then the next measurement runs under load
# and that must be written down in BENCHMARKS.md).
#
set -u
max=${1:-900}
waited=0
while pgrep -f 'surefire|failsafe|target/exam|maven' >/dev/null; do
    if [ "$waited" -ge "$max" ]; then
        echo "wait-idle: still busy after ${waited}s:" >&2
        pgrep -af 'surefire|failsafe|target/exam|maven' | cut -c1-160 >&2
        exit 1
    fi
    sleep 20
    waited=$((waited + 20))
done
echo "wait-idle: idle after ${waited}s ($(date -u +%H:%M:%SZ))"
