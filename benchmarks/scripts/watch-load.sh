#!/usr/bin/env bash
#
# benchmarks/scripts/watch-load.sh <log-file>
#
# Every 5 s, appends the time, the 1-minute load average, how many build/test processes of others
# run (the pattern of wait-idle.sh) and the busiest other processes, until killed. Start it in the
# background around a measurement to know afterwards whether it ran on a quiet machine.
#
set -u
log=$1
while true; do
    n=$(pgrep -f 'surefire|failsafe|target/exam|maven' | wc -l)
    # second frame of top: CPU use over the last second, processes above 5 %
    top=$(top -bn2 -d 1 -w 200 | awk '/^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && $9 > 5 { printf "%s/%s:%s%% ", $12, $1, $9 }')
    echo "$(date -u +%T) load=$(cut -d' ' -f1 /proc/loadavg) builds=$n top=[$top]" >> "$log"
    sleep 4
done
