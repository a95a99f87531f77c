#!/usr/bin/env bash
#
# Tests of bin/warden that need no running gateway: run during the build against the assembled script
# (karaf-assembly/target/assembly/bin/warden), with stand-ins for ssh and bin/client that record what
# they were given. What the Karaf shell makes of the quoted command line was checked by hand against a
# real gateway (see the quoting comment in bin/warden); GatewayIT runs bin/warden end to end.
#
# usage: bin-warden-test.sh <assembly folder>
set -u
ASSEMBLY=${1:?usage: bin-warden-test.sh <assembly folder>}
SCRIPT=$ASSEMBLY/bin/warden
[ -x "$SCRIPT" ] || { echo "bin-warden-test: no $SCRIPT" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bin-warden-test.XXXXXXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# A home with the script, a key (never used: ssh and bin/client are stand-ins) and an SSH port.
HOME_DIR=$WORK/home
mkdir -p "$HOME_DIR/bin" "$HOME_DIR/etc" "$WORK/stub" "$WORK/tmp" "$WORK/path"
cp "$SCRIPT" "$HOME_DIR/bin/warden"
echo "not a key" > "$HOME_DIR/etc/warden-admin.key"
chmod 600 "$HOME_DIR/etc/warden-admin.key"
echo "sshPort = 1" > "$HOME_DIR/etc/org.apache.karaf.shell.cfg"

# ssh stand-in: records its last argument (the command line for the Karaf shell).
# The command line ends with "; echo <marker>" (bin/warden's proof of success): recorded without it.
cat > "$WORK/stub/ssh" <<EOF
#!/bin/bash
for last; do :; done
printf '%s' "\${last% ; echo __warden_done_*}" > "$WORK/sent"
printf '%s' "\$last" >> "$WORK/all-sent"
[ -z "\${STUB_OUT:-}" ] || printf '%b' "\$STUB_OUT"
[ -z "\${STUB_MARK:-}" ] || printf '%s\\n' "\${last##* ; echo }"
exit "\${STUB_RC:-0}"
EOF
chmod +x "$WORK/stub/ssh"

run_ssh() { # runs bin/warden with the ssh stand-in; sets rc
    rm -f "$WORK/sent"
    PATH=$WORK/stub:$PATH "$HOME_DIR/bin/warden" "$@" < /dev/null > "$WORK/out" 2>&1
    rc=$?
}

# ---- the command name: letters and dashes only, refused before anything is sent
for name in 'user-list; shutdown -f' $'user-list\nshutdown -f' 'user-list|shutdown' 'user-list&&x' \
        '$(shutdown)' 'User-list' 'warden:user-list' 'shell:exec' '-x' 'user list' '' ' user-list'; do
    run_ssh "$name"
    [ "$rc" -eq 2 ] || fail "command name $(printf '%q' "$name"): exit $rc, expected 2"
    [ ! -e "$WORK/sent" ] || fail "command name $(printf '%q' "$name") was sent: $(cat "$WORK/sent")"
done
run_ssh user-list --no-format
[ "$rc" -eq 0 ] && [ "$(cat "$WORK/sent")" = "warden:user-list '--no-format'" ] \
    || fail "a plain command: exit $rc, sent $(cat "$WORK/sent" 2>/dev/null)"

# ---- not on a terminal: no colour codes, the exit status kept; a failure asks for hints (typo, order)
rm -f "$WORK/all-sent"
STUB_OUT='\033[31mError executing command: \033[1mnope\033[0m\n' STUB_RC=1 run_ssh user-show x
[ "$rc" -eq 1 ] || fail "a failing command: exit $rc, expected 1"
grep -q $'\033' "$WORK/out" && fail "colour codes reached a non-terminal: $(cat -v "$WORK/out")"
grep -q 'Error executing command: nope' "$WORK/out" || fail "the message was lost: $(cat -v "$WORK/out")"
grep -q "warden:commands" "$WORK/all-sent" && fail "hints asked after a plain failure: $(cat "$WORK/all-sent")"
rm -f "$WORK/all-sent"
# as Karaf prints it, with colour codes
STUB_OUT='\033[31mCommand not found: \033[0m\033[31;1mwarden:user-shw\033[0m\n' STUB_RC=1 run_ssh user-shw x
[ "$rc" -eq 1 ] || fail "an unknown command: exit $rc, expected 1"
grep -q "warden:commands --like 'user-shw' --options-first 'x" "$WORK/all-sent" \
    || fail "no hint asked after an unknown command: $(cat "$WORK/all-sent")"
rm -f "$WORK/all-sent"
STUB_OUT='Error executing command warden:user-add: too many arguments specified\n' STUB_RC=1 \
    run_ssh user-add alice --role sensor
grep -q "warden:commands --like 'user-add' --options-first 'alice" "$WORK/all-sent" \
    || fail "no hint asked after options given late: $(cat "$WORK/all-sent")"

# ---- OpenSSH's 255 after the shell closed the session: the marker tells success; output without it, failure
STUB_OUT='done\n' STUB_MARK=1 STUB_RC=255 run_ssh user-list
[ "$rc" -eq 0 ] || fail "success then 255: exit $rc, expected 0"
grep -q '__warden_done_' "$WORK/out" && fail "the marker was printed: $(cat "$WORK/out")"
STUB_OUT='Error executing command: x\n' STUB_RC=255 run_ssh user-show x
[ "$rc" -eq 1 ] || fail "failure then 255: exit $rc, expected 1"
STUB_RC=255 run_ssh user-list
[ "$rc" -eq 3 ] && grep -q "cannot reach the gateway's shell" "$WORK/out" \
    || fail "no shell: exit $rc, $(cat "$WORK/out")"

# ---- --help without a gateway key: the usage, exit 0, nothing sent
mv "$HOME_DIR/etc/warden-admin.key" "$WORK/key"
run_ssh --help
[ "$rc" -eq 0 ] && grep -q '^usage: bin/warden' "$WORK/out" && [ ! -e "$WORK/sent" ] \
    || fail "--help without a key: exit $rc, $(cat "$WORK/out")"
mv "$WORK/key" "$HOME_DIR/etc/warden-admin.key"

# ---- every argument one single-quoted word for the Karaf shell: \ doubled, ' as '\''
expect() { # expect <expected command line> <args...>
    local want=$1
    shift
    run_ssh "$@"
    local got
    got=$(cat "$WORK/sent" 2>/dev/null; printf x)
    got=${got%x}
    [ "$rc" -eq 0 ] && [ "$got" = "$want" ] \
        || fail "args $(printf '%q ' "$@"): exit $rc, sent $(printf '%q' "$got"), expected $(printf '%q' "$want")"
}
expect "warden:acl-check 'a;b' 'x' 'read'" acl-check 'a;b' x read
expect "warden:acl-check 'a|shutdown' '\$(shutdown)' '\${karaf.home}'" acl-check 'a|shutdown' '$(shutdown)' '${karaf.home}'
expect "warden:acl-check 'dev
shutdown -f' 't' 'read'" acl-check $'dev\nshutdown -f' t read
expect "warden:acl-check 'it'\\''s' 'x\\\\' '\\\\'\\'';shutdown;'\\''' 'read'" acl-check "it's" 'x\' "\\';shutdown;'" read
expect "warden:acl-check 'back\\\\slash\\\\n' '\\\\u0041' 'read'" acl-check 'back\slash\n' '\u0041' read
expect "warden:acl-add '--role' 'viewer' 'plant/+/temp' 'read'" acl-add --role viewer 'plant/+/temp' read
expect "warden:user-show ''" user-show ''
expect "warden:user-show 'null'" user-show null

# ---- without ssh: bin/client through a fifo in a private folder, removed when the script ends
for tool in bash env dirname sed head mktemp mkfifo cat sleep rm grep; do
    ln -s "$(command -v "$tool")" "$WORK/path/$tool"
done
cat > "$HOME_DIR/bin/client" <<EOF
#!/bin/bash
for last; do :; done
printf '%s' "\$last" > "$WORK/client-args"
fifo=\$(/usr/bin/readlink /proc/self/fd/0)
/usr/bin/stat -c '%a %F' "\$(/usr/bin/dirname "\$fifo")" "\$fifo" > "$WORK/client-fifo"
/usr/bin/head -n 1 > "$WORK/client-stdin"
[ -z "\${CLIENT_HANG:-}" ] || exec /usr/bin/sleep 60
exit 3
EOF
chmod +x "$HOME_DIR/bin/client"

printf 'a long password\n' | PATH=$WORK/path TMPDIR=$WORK/tmp WARDEN_CLIENT_LINGER=0 \
    "$HOME_DIR/bin/warden" user-add --password-stdin 'a;b' > "$WORK/out" 2>&1
rc=$?
[ "$rc" -eq 3 ] || fail "bin/client's exit status not passed on: $rc ($(cat "$WORK/out"))"
[ "$(cat "$WORK/client-args" 2>/dev/null)" = "warden:user-add '--password-stdin' 'a;b'" ] \
    || fail "bin/client got $(cat "$WORK/client-args" 2>/dev/null)"
[ "$(cat "$WORK/client-stdin" 2>/dev/null)" = "a long password" ] || fail "standard input not passed on"
[ "$(cat "$WORK/client-fifo" 2>/dev/null)" = $'700 directory\n600 fifo' ] \
    || fail "fifo and its folder: $(cat "$WORK/client-fifo" 2>/dev/null)"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "left behind: $(ls -A "$WORK/tmp")"

# stopped while bin/client runs: the folder goes too
rm -f "$WORK/client-fifo"
printf 'x\n' | CLIENT_HANG=1 PATH=$WORK/path TMPDIR=$WORK/tmp "$HOME_DIR/bin/warden" user-list > "$WORK/out" 2>&1 &
pid=$!
deadline=$((SECONDS + 20))
while [ ! -s "$WORK/client-fifo" ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.05
done
[ -s "$WORK/client-fifo" ] || fail "bin/client stand-in never started"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "stopped with TERM: exit $rc"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "left behind after TERM: $(ls -A "$WORK/tmp")"

if [ "$failures" -gt 0 ]; then
    echo "bin-warden-test: $failures failure(s)" >&2
    exit 1
fi
echo "bin-warden-test: all passed"
