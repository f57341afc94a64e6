#!/usr/bin/env bash
# speed.sh times `kindred analyze --jsonl` the way an outside check does:
# the whole process (start-up, decoding, analysis, encoding, the garbage
# collector), on one core (taskset and GOMAXPROCS=1), against the govader
# peer in ../shared/peers/govader-jsonl, which prints the compound score of
# each line's reply and nothing else. The corpus is the VADER tweets (reply
# only) and the EPITOME emotional-reactions pairs (seeker post + response),
# the whole set repeated 8 times (52,760 lines), written from ../shared/data.
#
#   scripts/speed.sh [ROUNDS]        # default 10 rounds
#
# Each round runs both programs once, in alternating order, output to
# /dev/null. It prints, for each program, the best and the median wall time,
# CPU time (user+sys) and peak RSS, then kindred's time over govader's two
# ways: best of the first two rounds over best of the first two rounds (the
# outside check's figure), and the median of the per-round ratios (the
# figure to trust on a busy machine, where a neighbour can slow one run).
#
# With CALLGRIND=1 it instead counts instructions and simulated cache misses
# under valgrind's callgrind over one copy of the corpus (6,595 lines):
# slow (a few minutes) but the same from run to run on a busy machine.
# valgrind does not know the RDTSCP instruction that the Go runtime's
# cputicks uses when a lock is contended, so both programs are counted in
# copies where it is replaced by RDTSC (the extra register it sets is not
# read there).
#
# Environment: KINDRED_BIN (a kindred binary to time instead of building
# this tree), SPEED_DIR (work folder, default /tmp/kindred-speed), CPU (the
# core to pin to, default 1), REPEAT (corpus repetitions, default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
dir=${SPEED_DIR:-/tmp/kindred-speed}
cpu=${CPU:-1}
repeat=${REPEAT:-8}
shared=$(cd ../shared && pwd)
mkdir -p "$dir"

# The peer, built from a copy so that the shared folder stays read-only.
if [ ! -x "$dir/govader-jsonl" ]; then
	rm -rf "$dir/peer" && cp -r "$shared/peers/govader-jsonl" "$dir/peer"
	(cd "$dir/peer" && go build -o "$dir/govader-jsonl" .)
fi
kindred=${KINDRED_BIN:-$dir/kindred}
if [ -z "${KINDRED_BIN:-}" ]; then
	go build -o "$kindred" ./cmd/kindred
fi
corpus=$dir/corpus-x$repeat.jsonl
if [ ! -s "$corpus" ]; then
	go run ./internal/peer/govader -make -repeat "$repeat" \
		-epitome "$shared/data/epitome/emotional-reactions-reddit.csv" \
		-tweets "$shared/data/vader/tweets_GroundTruth.txt" >"$corpus"
fi
echo "corpus: $(wc -l <"$corpus") lines, $(wc -c <"$corpus") bytes ($corpus)"

if [ "${CALLGRIND:-}" = 1 ]; then
	one=$dir/corpus-x1.jsonl
	head -n "$(($(wc -l <"$corpus") / repeat))" "$corpus" >"$one"
	for name in kindred govader; do
		bin=$kindred
		[ $name = govader ] && bin=$dir/govader-jsonl
		python3 - "$bin" "$dir/$name.vg" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
rdtscp = bytes.fromhex('0f01f948c1e220')  # RDTSCP; SHLQ $32, DX
assert b.count(rdtscp) == 1, 'runtime.cputicks not found'
i = b.index(rdtscp)
b[i:i + 3] = bytes.fromhex('0f3190')  # RDTSC; NOP
open(sys.argv[2], 'wb').write(b)
PY
		chmod +x "$dir/$name.vg"
		args=()
		[ $name = kindred ] && args=(analyze --jsonl)
		GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --cache-sim=yes \
			--callgrind-out-file="$dir/callgrind.$name" "$dir/$name.vg" "${args[@]}" <"$one" >/dev/null 2>"$dir/callgrind.$name.log"
		echo "$name: $(grep -E 'I *refs|D1 *misses|LL misses' "$dir/callgrind.$name.log" | sed 's/==[0-9]*== *//; s/ (.*//' | tr -s ' ' | paste -sd ';')"
	done
	exit 0
fi

# run NAME CMD...: one timed run, appended to $dir/NAME.times as
# "wall cpu rss_kb".
run() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$dir/time.out" \
		env GOMAXPROCS=1 taskset -c "$cpu" "$@" <"$corpus" >/dev/null
	awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}' "$dir/time.out" >>"$dir/$name.times"
}
rm -f "$dir/kindred.times" "$dir/govader.times"
for i in $(seq 1 "$rounds"); do
	if [ $((i % 2)) = 1 ]; then
		run kindred "$kindred" analyze --jsonl
		run govader "$dir/govader-jsonl"
	else
		run govader "$dir/govader-jsonl"
		run kindred "$kindred" analyze --jsonl
	fi
done

paste "$dir/kindred.times" "$dir/govader.times" | awk -v rounds="$rounds" '
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
{
	kw[NR] = $1; kc[NR] = $2; kr[NR] = $3; gw[NR] = $4; gc[NR] = $5; gr[NR] = $6
	rw[NR] = $1 / $4; rc[NR] = $2 / $5
}
END {
	n = NR
	best2k = kw[1] < kw[2] ? kw[1] : kw[2]; best2g = gw[1] < gw[2] ? gw[1] : gw[2]
	for (i = 1; i <= n; i++) { a1[i] = kw[i]; a2[i] = gw[i]; a3[i] = kc[i]; a4[i] = gc[i]; a5[i] = kr[i]; a6[i] = gr[i]; bk = (i == 1 || kw[i] < bk) ? kw[i] : bk; bg = (i == 1 || gw[i] < bg) ? gw[i] : bg }
	printf "%d rounds, one core each, alternating\n", n
	printf "%-8s  %-22s  %-12s  %s\n", "", "wall s (best, median)", "CPU s (med)", "peak RSS MB (med)"
	printf "%-8s  %6.3f  %6.3f         %6.3f        %6.1f\n", "kindred", bk, median(a1, n), median(a3, n), median(a5, n) / 1024
	printf "%-8s  %6.3f  %6.3f         %6.3f        %6.1f\n", "govader", bg, median(a2, n), median(a4, n), median(a6, n) / 1024
	printf "kindred / govader, wall, best of two runs each: %.2f\n", best2k / best2g
	printf "kindred / govader, median of per-round ratios: wall %.2f, CPU %.2f\n", median(rw, n), median(rc, n)
}'
