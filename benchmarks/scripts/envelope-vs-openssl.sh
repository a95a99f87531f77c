#!/usr/bin/env bash
#
# benchmarks/scripts/envelope-vs-openssl.sh <out-dir> [jmh options]
#
# issue 14's comparison, in one run on one machine: EnvelopeBenchmark (JMH: seal, open, both; v1 and v2; 8 ... 256
# bytes and 4 KiB) and `openssl speed -evp` for the ciphers underneath (aes-128-cbc, aes-256-gcm) and SHA-256 (the
# hash of v1's HMAC) at the same sizes. Writes jmh.txt and openssl.txt into <out-dir>.
# Run from the repository root after `mvn install` (benchmarks/target/classpath.txt).
#
set -eu
OUT=$1
shift
mkdir -p "$OUT"
CP=benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)
{
    uname -srm
    nproc
    java -version 2>&1 | head -n 1
    openssl version
    uptime
} > "$OUT/machine.txt"
java -cp "$CP" org.openjdk.jmh.Main EnvelopeBenchmark "$@" > "$OUT/jmh.txt" 2>&1
for cipher in aes-128-cbc aes-256-gcm sha256; do
    for size in 8 16 32 64 128 256 4096; do
        openssl speed -seconds 1 -bytes "$size" -evp "$cipher" 2>/dev/null | tail -n 1
    done
done > "$OUT/openssl.txt"
uptime >> "$OUT/machine.txt"
