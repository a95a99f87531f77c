#!/usr/bin/env bash
#
# benchmarks/scripts/create-users.sh <gateway-dir> <count> <users-file> [parallel]
#
# Creates <count> sensor accounts bench-dev-1 .. bench-dev-<count> with random 24-character
# passwords on the running gateway, through bin/warden (one SSH exec each, password on stdin),
# <parallel> at a time (default 8). Writes username:password lines to <users-file> (mode 0600):
# the input of LoadRun --users-file. Prints the time taken.
#
set -u
gw=$1
count=$2
file=$3
parallel=${4:-8}

umask 077
: > "$file"
for i in $(seq 1 "$count"); do
    pw=$(head -c 48 /dev/urandom | base64 -w 0 | tr -dc 'A-Za-z0-9' | head -c 24)
    printf 'bench-dev-%d:%s\n' "$i" "$pw" >> "$file"
done

start=$(date +%s%N)
failed=0
while IFS=: read -r user pw; do
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
        wait -n
    done
    { printf '%s\n' "$pw" | "$gw/bin/warden" user-add --role sensor --password-stdin "$user" >/dev/null \
        || echo "create-users: failed to create $user" >&2; } &
done < "$file"
wait
end=$(date +%s%N)
echo "create-users: $count accounts, $parallel at a time, in" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
