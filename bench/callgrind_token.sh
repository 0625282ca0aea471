#!/bin/bash
# Instructions per /token (main thread), load-independent: bench/callgrind_token.py.
# Usage (from the repository root): bench/callgrind_token.sh [COUNT] [userinfo|authorize]   (default
# 100 /token requests; ~1 min; `userinfo`: UserInfo requests instead; `authorize`: GET /authorize of
# the signed-in citizen whose consent stands, a code at once). The
# COUNT codes are made before the measured part and live 600 s (bench/callgrind_token.py).
set -euo pipefail
COUNT=${1:-100}
SCENARIO=${2:-token}
# CALLGRIND_MODULE=bench.callgrind_production: the same requests on PostgreSQL + Redis.
MODULE=${CALLGRIND_MODULE:-bench.callgrind_token}
ROOT=$(pwd)
DIR=$(mktemp -d)
PYTHONPATH=$ROOT valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
    --callgrind-out-file="$DIR/callgrind.out" .venv/bin/python -m "$MODULE" "$COUNT" "$DIR" "$SCENARIO" \
    > "$DIR/log" 2>&1 &
PID=$!
# wait_for FILE INTERVAL WHY: until the run writes $DIR/FILE; if it stops first, say so (WHY) and exit 1.
wait_for() {
    until [ -f "$DIR/$1" ]; do
        sleep "$2"
        kill -0 $PID 2>/dev/null || { echo "the run stopped$3:"; tail "$DIR/log"; exit 1; }
    done
}
wait_for ready 0.5 ""
callgrind_control -i on $PID > /dev/null 2>&1
touch "$DIR/go"
wait_for done 0.2 " (a refused request?)"
callgrind_control -i off $PID > /dev/null 2>&1
touch "$DIR/end"
wait $PID
MAIN=$(grep -h "^totals:" "$DIR/callgrind.out-01" | awk '{print $2}')
echo "/$SCENARIO: $((MAIN / COUNT)) instructions per request (main thread; profile in $DIR/callgrind.out-01)"
