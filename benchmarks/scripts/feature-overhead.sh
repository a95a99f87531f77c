#!/usr/bin/env bash
#
# benchmarks/scripts/feature-overhead.sh <assembly-dir> <feature> [rounds] [n] [bundles]
#
# /acl and /user latency with one of warden's features (warden-audit, warden-lockout) installed
# versus not, in ONE gateway run: the running assembly (started once, so etc/warden-admin.key
# exists; SSH on sshPort of etc/org.apache.karaf.shell.cfg, HTTP on port of etc/org.mqttwarden.http.cfg)
# alternates `rounds` times between
#   on:  the booted `warden` feature (all of them)
#   off: every other feature of `warden` installed explicitly, then `feature:uninstall warden`
# (odd rounds on first, even rounds off first) and LoadRun --mode decisions measures a cached /acl allow, a remembered /user login and a durable
# /acl denial in each phase. Creates the account bench-audit (role sensor) if missing.
# With [bundles] (comma-separated symbolic names, e.g. warden-lockout), "off" stops those bundles with
# bundle:stop instead of uninstalling the feature: seconds instead of tens of seconds per switch, the same
# classes (no new bundle revision), so many short rounds fit in one run and a drift of the machine hits
# both phases alike.
# At the end: the median over rounds of the /user and /acl-allow p50 ratio on/off.
# Environment: WARMUP, requests per path before measuring (default 2000); DENY_TOPIC (default
# forbidden/t; empty: the durable denial is not measured).
# Run from the repository root after `mvn install` (benchmarks/target/classpath.txt).
#
set -eu
ASM=$(cd "$1" && pwd)
FEATURE=$2
ROUNDS=${3:-3}
N=${4:-5000}
BUNDLES=${5:-}
OTHERS=""
for f in warden-http warden-audit warden-lockout warden-alerts warden-otp; do
    [ "$f" = "$FEATURE" ] || OTHERS="$OTHERS $f"
done
ETC=$ASM/etc
SSH_PORT=$(sed -n 's/^[[:space:]]*sshPort[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$ETC/org.apache.karaf.shell.cfg" | head -n 1)
HTTP_PORT=$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$ETC/org.mqttwarden.http.cfg" | head -n 1)
PASSWORD='bench audit password 42'
CP=benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)

karaf() {
    ssh -q -p "$SSH_PORT" -i "$ETC/warden-admin.key" -o BatchMode=yes -o IdentitiesOnly=yes \
        -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$ETC/warden-known-hosts" \
        warden-admin@127.0.0.1 "$1" 2> >(grep -v '^Connection to .* closed by remote host' >&2)
}

await_http() {
    for _ in $(seq 1 150); do
        curl -fs "http://127.0.0.1:$HTTP_PORT/health" >/dev/null && return 0
        sleep 0.2
    done
    echo "HTTP did not come back" >&2
    exit 1
}

if ! WARDEN_SSH_PORT=$SSH_PORT "$ASM/bin/warden" user-show bench-audit >/dev/null 2>&1; then
    printf '%s\n' "$PASSWORD" | WARDEN_SSH_PORT=$SSH_PORT "$ASM/bin/warden" user-add --role sensor --password-stdin bench-audit
fi

ROWS=$(mktemp)
measure() {
    benchmarks/scripts/wait-idle.sh 120 || true
    java -cp "$CP" org.mqttwarden.benchmarks.LoadRun --url "http://127.0.0.1:$HTTP_PORT" --mode decisions \
        --label "$1" --user bench-audit --client-id bench-audit-c --topic bench-audit/t --deny-topic "${DENY_TOPIC-forbidden/t}" \
        --password "$PASSWORD" --n "$N" --warmup "${WARMUP:-2000}" | grep '^|' | tee -a "$ROWS"
}

echo "$FEATURE overhead, $(date -u +%FT%TZ), $(nproc) cores, assembly $ASM, $ROUNDS rounds, n=$N"
bundles() {
    for b in $(echo "$BUNDLES" | tr ',' ' '); do
        karaf "bundle:$1 $b" >/dev/null
    done
}

on() {
    if [ -n "$BUNDLES" ]; then
        bundles start
        await_http
    else
        karaf 'feature:list -i' | grep -q "^$FEATURE " || { karaf 'feature:install warden'; await_http; }
    fi
    sleep 2
    measure "$FEATURE on ($1)"
}

off() {
    if [ -n "$BUNDLES" ]; then
        bundles stop
        await_http
        sleep 2
        measure "$FEATURE off ($1)"
        bundles start
        await_http
        return
    fi
    karaf "feature:install$OTHERS"
    karaf 'feature:uninstall warden'
    await_http
    karaf 'feature:list -i' | grep -q "^$FEATURE " && { echo "$FEATURE still installed" >&2; exit 1; }
    sleep 2
    measure "$FEATURE off ($1)"
    karaf 'feature:install warden'
    await_http
}

# on/off in odd rounds, off/on in even ones: a drift of the machine over the run (JIT, page cache,
# neighbours) falls on both phases alike
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        on "$r"
        off "$r"
    else
        off "$r"
        on "$r"
    fi
done

# median over rounds of p50(on) / p50(off), per path
for path in '/user ok' '/acl allow'; do
    RATIOS=$(grep -F "| $path" "$ROWS" \
        | sed -n 's/^| [^ ]* \(on\|off\) (\([0-9]*\)) | [^|]* | \([0-9.]*\) .*/\2 \1 \3/p' \
        | awk '{ p[$1 " " $2] = $3; r[$1] = 1 }
               END { for (k in r) if ((k " on") in p && (k " off") in p) printf "%.3f\n", p[k " on"] / p[k " off"] }' \
        | sort -n)
    echo "$RATIOS" | awk -v path="$path" '
        NF { v[++n] = $1; all = all " " $1 }
        END {
            if (n == 0) { print path ": no complete round"; exit }
            m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            printf "%s p50 on/off, median of %d rounds: %.3f (sorted:%s)\n", path, n, m, all
        }'
done
rm -f "$ROWS"
