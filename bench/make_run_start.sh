#!/usr/bin/env bash
# Seconds from `make run` to http://localhost:$PORT/readyz answering 200, then Ctrl-C (SIGINT to
# the whole group, as a terminal does). Run it twice: the second start is the warm path.
#   bench/make_run_start.sh            # port 8000, ./instance
#   PORT=8610 bench/make_run_start.sh  # elsewhere (the demo portals take PORT+1 and PORT+2)
# Prints what `make run` printed, the seconds, and the CPU seconds the start took.
set -eu
PORT=${PORT:-8000}
export CEDULA_ISSUER="http://localhost:$PORT" CEDULA_SERVER_PORT="$PORT"
export CEDULA_DEMO_REGISTRY_PORT=$((PORT + 1)) CEDULA_DEMO_TAX_PORT=$((PORT + 2))
out=$(mktemp)
start=$(date +%s.%N)
setsid make run ${MAKE_ARGS:-} >"$out" 2>&1 &
leader=$!
trap 'kill -s INT -$leader 2>/dev/null || true' EXIT INT TERM
until curl -fsS -o /dev/null "http://localhost:$PORT/readyz" 2>/dev/null; do
  kill -0 "$leader" 2>/dev/null || { cat "$out"; echo "make run stopped before serving" >&2; exit 1; }
  sleep 0.1
done
ready=$(echo "$(date +%s.%N) - $start" | bc)
cpu=$(ps -o cputimes= -g "$leader" 2>/dev/null | awk '{s += $1} END {print s}')
kill -s INT -"$leader"
wait "$leader" 2>/dev/null || true
trap - EXIT
cat "$out"
rm -f "$out"
echo "readyz answered after ${ready} s (CPU of the processes still running: ${cpu:-?} s); load: $(cut -d' ' -f1-3 /proc/loadavg)"
