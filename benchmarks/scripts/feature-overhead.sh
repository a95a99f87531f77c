#!/usr/bin/env bash
#
# benchmarks/scripts/feature-overhead.sh <assembly-dir> <feature> [rounds] [n]
#
# /acl and /user latency with one of warden's features (warden-audit, warden-lockout) installed
# versus not, in ONE gateway run: the running assembly (started once, so etc/warden-admin.key
# exists; SSH on sshPort of etc/org.apache.karaf.shell.cfg, HTTP on port of etc/org.mqttwarden.http.cfg)
# alternates `rounds` times between
#   on:  the booted `warden` feature (all of them)
#   off: every other feature of `warden` installed explicitly, then `feature:uninstall warden`
# and LoadRun --mode decisions measures a cached /acl allow, a remembered /user login and a durable
# /acl denial in each phase. Creates the account bench-audit (role sensor) if missing.
# Run from the repository root after `mvn install` (benchmarks/target/classpath.txt).
#
set -eu
ASM=$(cd "$1" && pwd)
FEATURE=$2
ROUNDS=${3:-3}
N=${4:-5000}
OTHERS=""
for f in warden-http warden-audit warden-lockout; do
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

measure() {
    benchmarks/scripts/wait-idle.sh 120 || true
    java -cp "$CP" org.mqttwarden.benchmarks.LoadRun --url "http://127.0.0.1:$HTTP_PORT" --mode decisions \
        --label "$1" --user bench-audit --client-id bench-audit-c --topic bench-audit/t --deny-topic forbidden/t \
        --password "$PASSWORD" --n "$N" --warmup 2000 | grep '^|'
}

echo "$FEATURE overhead, $(date -u +%FT%TZ), $(nproc) cores, assembly $ASM, $ROUNDS rounds, n=$N"
for r in $(seq 1 "$ROUNDS"); do
    karaf 'feature:list -i' | grep -q "^$FEATURE " || { karaf 'feature:install warden'; await_http; }
    sleep 2
    measure "$FEATURE on ($r)"
    karaf "feature:install$OTHERS"
    karaf 'feature:uninstall warden'
    await_http
    karaf 'feature:list -i' | grep -q "^$FEATURE " && { echo "$FEATURE still installed" >&2; exit 1; }
    sleep 2
    measure "$FEATURE off ($r)"
    karaf 'feature:install warden'
    await_http
done
