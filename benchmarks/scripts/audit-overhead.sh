#!/usr/bin/env bash
#
# benchmarks/scripts/audit-overhead.sh <assembly-dir> [rounds] [n]
#
# The audit's cost on decisions: feature-overhead.sh with warden-audit.
#
exec "$(dirname "$0")/feature-overhead.sh" "$1" warden-audit "${2:-3}" "${3:-5000}"
