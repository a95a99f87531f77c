#!/usr/bin/env bash
#
# Tests of bin/warden-mqtt that need no broker: run during the build against the assembled gateway, so they prove
# that the launcher finds its three jars in system/ and runs warden-crypto's command line in a plain JVM.
# (Publishing and subscribing through a real Mosquitto are tested in bundles/crypto: WardenMqttTest, PlainJvmCliTest.)
#
# usage: bin-warden-mqtt-test.sh <assembly folder>
set -u
ASSEMBLY=${1:?usage: bin-warden-mqtt-test.sh <assembly folder>}
SCRIPT=$ASSEMBLY/bin/warden-mqtt
[ -x "$SCRIPT" ] || { echo "bin-warden-mqtt-test: no executable $SCRIPT" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bin-warden-mqtt-test.XXXXXXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# keygen writes a key file only its owner may read, and never overwrites one
out=$("$SCRIPT" keygen --out "$WORK/device.key" 2>&1); status=$?
[ "$status" = 0 ] || fail "keygen exited $status: $out"
[ -f "$WORK/device.key" ] || fail "keygen wrote no $WORK/device.key"
mode=$(stat -c %a "$WORK/device.key" 2>/dev/null)
[ "$mode" = 600 ] || fail "the key file has mode $mode, not 600"
"$SCRIPT" keygen --out "$WORK/device.key" >/dev/null 2>&1; status=$?
[ "$status" != 0 ] || fail "keygen overwrote an existing key file"

# no arguments, or an unknown command: usage on stderr, exit 2
"$SCRIPT" >/dev/null 2>"$WORK/err"; status=$?
[ "$status" = 2 ] || fail "no arguments exited $status, not 2"
grep -q "keygen" "$WORK/err" || fail "no arguments printed no usage: $(cat "$WORK/err")"
"$SCRIPT" launch-rockets >/dev/null 2>&1; status=$?
[ "$status" = 2 ] || fail "an unknown command exited $status, not 2"

# a broker that is not there: exit 3
"$SCRIPT" publish --url tcp://127.0.0.1:1 --key "$WORK/device.key" --topic t --message m --state-dir "$WORK/state" \
    >/dev/null 2>&1; status=$?
[ "$status" = 3 ] || fail "an unreachable broker exited $status, not 3"

# import-key: a file that is not a key export of warden:key-export is a key error (exit 4), nothing written
echo "a passphrase" | "$SCRIPT" import-key --in "$WORK/device.key" --out "$WORK/imported.key" >/dev/null 2>&1; status=$?
[ "$status" = 4 ] || fail "import-key of a file that is no export exited $status, not 4"
[ ! -e "$WORK/imported.key" ] || fail "import-key wrote a key file from a file that is no export"

# a gateway folder without its jars is named as such
mkdir -p "$WORK/broken/bin" && cp "$SCRIPT" "$WORK/broken/bin/"
out=$("$WORK/broken/bin/warden-mqtt" keygen --out "$WORK/x.key" 2>&1); status=$?
[ "$status" = 1 ] && [[ "$out" == *"not a complete Warden gateway"* ]] || fail "a folder without jars: $status $out"

if [ "$failures" -gt 0 ]; then
    echo "bin-warden-mqtt-test: $failures failure(s)" >&2
    exit 1
fi
echo "bin-warden-mqtt-test: ok"
