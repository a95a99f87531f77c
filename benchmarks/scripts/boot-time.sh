#!/usr/bin/env bash
#
# benchmarks/scripts/boot-time.sh first|restart <gateway-dir> <runs> [tarball]
#
# Time from `bin/karaf server` to the first HTTP 200 on GET /health (curl every 50 ms), then the
# resident set size of the Karaf JVM 10 s later (ps -o rss), then bin/stop.
#   first    each run deletes <gateway-dir>, unpacks <tarball> into it (not timed) and starts it:
#            a real first start (database created, admin accounts, SSH key).
#   restart  starts the existing <gateway-dir> (started at least once before) each run.
# Ports: HTTP_PORT (default 19180), SSH_PORT (default 18101) and RECOVERY_PORT (19190) are written into the gateway's
# etc/ before it starts, so a gateway on the default ports may keep running next to it.
# Prints one line per run and the medians.
#
set -u
kind=$1
gw=$2
runs=$3
tarball=${4:-}
http_port=${HTTP_PORT:-19180}
ssh_port=${SSH_PORT:-18101}
recovery_port=${RECOVERY_PORT:-19190}

set_ports() {
    sed -i "s/^port = .*/port = $http_port/" "$gw/etc/org.mqttwarden.http.cfg"
    sed -i "s/^sshPort = .*/sshPort = $ssh_port/" "$gw/etc/org.apache.karaf.shell.cfg"
    # the recovery listener (warden-otp): its key is shipped commented out, so a line of our own sets it
    grep -q "^http.port = $recovery_port" "$gw/etc/org.mqttwarden.otp.cfg" 2>/dev/null \
        || printf '\nhttp.port = %s\n' "$recovery_port" >> "$gw/etc/org.mqttwarden.otp.cfg"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

times=()
rsss=()
for run in $(seq 1 "$runs"); do
    if [ "$kind" = first ]; then
        rm -rf "$gw" && mkdir -p "$gw"
        tar xzf "$tarball" -C "$gw" --strip-components=1
    fi
    set_ports
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$http_port/health"; then
        echo "boot-time: something already answers on port $http_port" >&2
        exit 1
    fi
    t0=$(date +%s%N)
    "$gw/bin/karaf" server > "$gw/console-$run.out" 2>&1 &
    script=$!
    code=000
    while [ "$code" != 200 ]; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$http_port/health")
        [ "$code" = 200 ] && break
        if [ $(( ($(date +%s%N) - t0) / 1000000000 )) -ge 180 ]; then
            echo "boot-time: no 200 on /health after 180 s" >&2
            break
        fi
        sleep 0.05
    done
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    java=$(pgrep -P "$script" java || echo "$script")
    sleep 10
    rss_kb=$(ps -o rss= -p "$java" | tr -d ' ')
    rss=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
    echo "$kind run $run: /health 200 after ${secs} s; RSS 10 s later ${rss} MiB (java pid $java)"
    times+=("$secs")
    rsss+=("$rss")
    "$gw/bin/stop" >/dev/null 2>&1
    for _ in $(seq 1 300); do
        kill -0 "$java" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$java" 2>/dev/null; then
        echo "boot-time: bin/stop did not end pid $java in 30 s, killing it" >&2
        kill "$java"
    fi
    wait "$script" 2>/dev/null
done
echo "$kind: median time to /health 200: $(printf '%s\n' "${times[@]}" | median) s;" \
    "median RSS 10 s after: $(printf '%s\n' "${rsss[@]}" | median) MiB"
