#!/usr/bin/env bash
# faults.sh is kindred's fault tally: real processes under load, then the
# faults a desk meets in life, then a count of what survived.
#
#   scripts/faults.sh                        # SQLite, then PostgreSQL
#   FAULTS_BACKENDS=sqlite scripts/faults.sh # one of them
#   FAULTS_QUICK=1 scripts/faults.sh         # 4 kills, gateways down 15 s: a try-out
#
# For each database it builds nothing new (the kindred binary is built once),
# starts `kindred smsgw` (the SMS gateway simulator) and `kindred mailgw`
# (the mailbox an SMTP relay would reach), `kindred serve` wired to both, and
# two `kindred bench` loads that write down every write the desk answered
# 2xx with the id it returned (--acked): new customers, conversations and
# messages, and agent replies on SMS and email conversations, which go
# through the outbox. Then, under that load:
#   1. half the SIGKILLs of serve, each followed by a restart on the same
#      port and a wait until it answers /readyz;
#   2. both gateways are stopped for FAULTS_DOWN seconds while replies keep
#      being queued, and the other half of the kills happen meanwhile;
#   3. the gateways come back (the SMS simulator reads its record back, as
#      a gateway that was down still knows what it took);
#   4. on PostgreSQL, 2 s later, while the outbox sends its backlog, the
#      database is stopped with -m immediate (a crash), kept down 5 s and
#      started again; serve must ride it out and answer again without a
#      restart;
#   5. the load runs 20 s more and stops, and the outbox is given time to
#      drain.
# Then it stops everything and prints the tally (scripts/faults): each
# acknowledged write present as sent, the outbox drained (no pending, no
# dead rows), each sent SMS and email taken by its gateway exactly once,
# PRAGMA integrity_check (SQLite) or pg_amcheck (PostgreSQL), rows that
# point nowhere, kindred's own check. It exits 1 when anything is wrong.
#
# PostgreSQL is a throwaway cluster of its own (initdb under the work
# folder, port FAULTS_PG_PORT, trust authentication on loopback), never a
# server someone else uses.
#
# Environment: FAULTS_DIR (work folder, default /tmp/kindred-faults; its
# old contents are removed), FAULTS_BACKENDS (default "sqlite postgres"),
# FAULTS_KILLS (default 20), FAULTS_DOWN (seconds the gateways are down,
# default 120), FAULTS_DRAIN (seconds allowed for the outbox to drain,
# default 900), FAULTS_PORT (first of three loopback ports, default 18480),
# FAULTS_PG_PORT (default 55432), KINDRED_BIN (a kindred binary to test
# instead of building this tree).
#
# A full run takes about 5 minutes per database (648 s for both on two busy
# cores), most of it the gateways' down time and the outbox's backoff after
# it.
set -euo pipefail
cd "$(dirname "$0")/.."

kills=${FAULTS_KILLS:-20}
down=${FAULTS_DOWN:-120}
drain=${FAULTS_DRAIN:-900}
if [ "${FAULTS_QUICK:-}" = 1 ]; then
	kills=${FAULTS_KILLS:-4}
	down=${FAULTS_DOWN:-15}
fi
backends=${FAULTS_BACKENDS:-sqlite postgres}
dir=${FAULTS_DIR:-/tmp/kindred-faults}
port=${FAULTS_PORT:-18480}
pgport=${FAULTS_PG_PORT:-55432}
if [ "$pgport" = 5432 ]; then
	echo "faults.sh: FAULTS_PG_PORT=5432 is the shared server's port; this script restarts its own cluster" >&2
	exit 2
fi
serve_addr=127.0.0.1:$port
sms_addr=127.0.0.1:$((port + 1))
mail_addr=127.0.0.1:$((port + 2))
gateway_key=faults-gateway-key
pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")

rm -rf "$dir"
mkdir -p "$dir"
kindred=${KINDRED_BIN:-$dir/kindred}
if [ -z "${KINDRED_BIN:-}" ]; then
	go build -o "$kindred" ./cmd/kindred
fi
go build -o "$dir/tally" ./scripts/faults

say() { echo "[$(date +%T)] $*"; }

# Every process this script starts, by pid, so that the exit trap ends
# those and no others.
pids=()
pg_data=
cleanup() {
	for pid in "${pids[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
		pg "$pgbin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# start_bg LOG CMD...: start CMD in the background, its output to LOG; the
# pid is in $started.
start_bg() {
	local log=$1
	shift
	"$@" >>"$log" 2>&1 &
	started=$!
	pids+=("$started")
}

# stop PID: SIGTERM and wait for it.
stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# wait_ready: until serve answers /readyz (the database answers), up to 60 s.
wait_ready() {
	local i
	for i in $(seq 1 600); do
		if curl -fs -o /dev/null --max-time 2 "http://$serve_addr/readyz"; then
			return 0
		fi
		if ! kill -0 "$serve_pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# start_serve: start kindred serve and wait until it answers, starting it
# again if it exits first (its database may be coming back).
start_serve() {
	local try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		start_bg "$run/serve.log" "$kindred" serve --db "$dsn" --addr "$serve_addr" --log-level warn \
			--sms-url "http://$sms_addr/" --sms-username sandbox --sms-key sim \
			--smtp-addr "$mail_addr" --smtp-from "Kindred Desk <desk@example.org>" \
			--gateway-key "$gateway_key"
		serve_pid=$started
		if wait_ready; then
			return 0
		fi
		kill -9 "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
		say "serve did not come up (try $try); starting it again"
		sleep 1
	done
	echo "faults.sh: kindred serve does not come up; see $run/serve.log" >&2
	exit 1
}

start_gateways() {
	start_bg "$run/smsgw.log" "$kindred" smsgw --addr "$sms_addr" --record "$run/sms.jsonl" \
		--report-url "http://$serve_addr/api/v1/sms/delivery" --report-key "$gateway_key" --report-delay 1s
	sms_pid=$started
	start_bg "$run/mailgw.log" "$kindred" mailgw --addr "$mail_addr" --record "$run/mail.jsonl"
	mail_pid=$started
	local addr i
	for addr in "$sms_addr" "$mail_addr"; do
		for i in $(seq 1 100); do
			if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then
				break
			fi
			if [ "$i" = 100 ]; then
				echo "faults.sh: no gateway listening on $addr; see $run/smsgw.log and $run/mailgw.log" >&2
				exit 1
			fi
			sleep 0.1
		done
	done
}

acked() { cat "$run"/acked-*.jsonl 2>/dev/null | wc -l; }

kills_done=0
# kill_serve: one SIGKILL under load, then a restart.
kill_serve() {
	kills_done=$((kills_done + 1))
	local before
	before=$(acked)
	kill -9 "$serve_pid"
	wait "$serve_pid" 2>/dev/null || true
	local t0=$SECONDS
	start_serve
	say "kill $kills_done/$kills: SIGKILL after $before acknowledged writes; answering again after $((SECONDS - t0)) s"
}

# pause_random LO HI: sleep a random whole number of seconds in [LO, HI].
pause_random() { sleep $(($1 + RANDOM % ($2 - $1 + 1))); }

# pg CMD...: a PostgreSQL server program, which refuses to run as root: as
# root it runs as FAULTS_PG_USER (default postgres) instead.
pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "${FAULTS_PG_USER:-postgres}" -- "$@"
	else
		"$@"
	fi
}

# pg_start: start our own cluster (fsync and synchronous_commit as
# PostgreSQL ships them: on) and wait until it takes connections.
pg_start() {
	pg "$pgbin/pg_ctl" -D "$pg_data" -l "$pg_data.log" -w -o "-p $pgport -k $pg_data.sock -c listen_addresses=127.0.0.1" start >/dev/null
}

# restart_postgres: stop our cluster as a crash would (-m immediate), keep
# it down 5 s, start it again, and check that the same serve answers and
# takes writes again.
restart_postgres() {
	local before t0
	before=$(acked)
	pg "$pgbin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null
	say "PostgreSQL stopped (immediate, as a crash) after $before acknowledged writes, with the outbox draining; down 5 s"
	sleep 5
	pg_start
	pg_restarts=$((pg_restarts + 1))
	t0=$SECONDS
	if ! wait_ready; then
		echo "faults.sh: kindred serve did not answer again after PostgreSQL came back; see $run/serve.log" >&2
		exit 1
	fi
	before=$(acked)
	sleep 3
	if [ "$(acked)" -le "$before" ]; then
		echo "faults.sh: the load made no progress after PostgreSQL came back; see $run/serve.log and $run/bench-*.log" >&2
		exit 1
	fi
	say "PostgreSQL back; the same serve (pid $serve_pid) answers again after $((SECONDS - t0)) s, and writes are acknowledged"
}

# pg_cluster: a throwaway PostgreSQL of our own, started.
pg_cluster() {
	pg_data=$dir/pg/data
	mkdir -p "$dir/pg" "$pg_data.sock"
	if [ "$(id -u)" = 0 ]; then
		chown -R "${FAULTS_PG_USER:-postgres}" "$dir/pg"
	fi
	pg "$pgbin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 >"$dir/pg/initdb.log"
	pg_start
	psql -q -h 127.0.0.1 -p "$pgport" -U postgres -c "CREATE DATABASE faults" postgres
	psql -q -h 127.0.0.1 -p "$pgport" -U postgres -c "CREATE EXTENSION amcheck" faults
}

failed=0
for backend in $backends; do
	run=$dir/$backend
	mkdir -p "$run"
	case $backend in
	sqlite) dsn=$run/kindred.db ;;
	postgres)
		pg_cluster
		dsn="postgres://postgres@127.0.0.1:$pgport/faults?sslmode=disable"
		;;
	*)
		echo "faults.sh: unknown backend $backend (sqlite or postgres)" >&2
		exit 2
		;;
	esac
	what="$kills SIGKILLs, gateways down ${down}s"
	if [ "$backend" = postgres ]; then
		what="$what, PostgreSQL restarted"
	fi
	say "== $backend: $what"
	load_before=$(cut -d' ' -f1 /proc/loadavg)
	t_start=$SECONDS
	token=$("$kindred" token create --db "$dsn" --role agent --name "fault tally" | tail -n 1)

	start_gateways
	start_serve
	start_bg "$run/bench-outbound.log" "$kindred" bench --url "http://$serve_addr" --token "$token" \
		--mode outbound -c 2 --pause 20ms --duration 4h --acked "$run/acked-outbound.jsonl"
	bench_out=$started
	start_bg "$run/bench-customers.log" "$kindred" bench --url "http://$serve_addr" --token "$token" \
		--mode customers -c 1 --pause 40ms --duration 4h --acked "$run/acked-customers.jsonl"
	bench_cust=$started
	# The load is running once both have written past their set-up.
	for i in $(seq 1 300); do
		if [ "$(cat "$run/acked-outbound.jsonl" 2>/dev/null | wc -l)" -gt 12 ] &&
			[ "$(cat "$run/acked-customers.jsonl" 2>/dev/null | wc -l)" -gt 6 ]; then
			break
		fi
		if ! kill -0 "$bench_out" 2>/dev/null || ! kill -0 "$bench_cust" 2>/dev/null; then
			echo "faults.sh: kindred bench stopped during its set-up; see $run/bench-*.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	say "load running: $(acked) acknowledged writes so far"

	first_half=$((kills / 2))
	for k in $(seq 1 "$first_half"); do
		pause_random 2 5
		kill_serve
	done

	stop "$sms_pid"
	stop "$mail_pid"
	say "SMS gateway and mailbox down for ${down}s"
	t_down=$SECONDS
	second_half=$((kills - first_half))
	# The rest of the kills spread over the down time.
	gap=$((down / (second_half + 1)))
	for k in $(seq 1 "$second_half"); do
		sleep "$gap"
		kill_serve
	done
	left=$((down - (SECONDS - t_down)))
	if [ "$left" -gt 0 ]; then
		sleep "$left"
	fi
	start_gateways
	say "SMS gateway and mailbox up again after $((SECONDS - t_down)) s"
	pg_restarts=0
	if [ "$backend" = postgres ]; then
		# While the worker sends the backlog: a send whose outcome cannot
		# be recorded is the way to deliver twice.
		sleep 2
		restart_postgres
	fi
	sleep 20

	stop "$bench_out"
	stop "$bench_cust"
	load_seconds=$((SECONDS - t_start))
	say "load stopped: $(acked) acknowledged writes"
	if ! "$dir/tally" --db "$dsn" --wait "${drain}s"; then
		failed=1
	fi
	stop "$serve_pid"
	stop "$sms_pid"
	stop "$mail_pid"

	amcheck=
	if [ "$backend" = postgres ]; then
		if "$pgbin/pg_amcheck" -h 127.0.0.1 -p "$pgport" -U postgres --heapallindexed --parent-check faults >"$run/amcheck.log" 2>&1; then
			amcheck="ok    pg_amcheck --heapallindexed --parent-check: no corruption (all tables and indexes of the database)"
		else
			amcheck="FAIL  pg_amcheck: $(head -c 500 "$run/amcheck.log")"
			failed=1
		fi
	fi

	tally=$run/tally.txt
	{
		echo "== fault tally: $backend"
		echo "faults: $kills_done SIGKILLs of kindred serve under load, PostgreSQL restarts: $pg_restarts, SMS gateway and mailbox down ${down}s"
		echo "load (kindred bench, stopped with SIGTERM; its errors are requests refused or cut off while serve or its database was down):"
		echo "  outbound  $(tail -n 1 "$run/bench-outbound.log")"
		echo "  customers $(tail -n 1 "$run/bench-customers.log")"
		echo "outbox tries whose outcome serve had to record again (database away): $(grep -c 'could not record a try; trying again' "$run/serve.log" || true); sent but never recorded: $(grep -c 'sent, but could not record it' "$run/serve.log" || true)"
		echo "took $((SECONDS - t_start)) s (load $load_seconds s); load average before $load_before, now $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$tally"
	if ! "$dir/tally" --db "$dsn" --acked "$run/acked-outbound.jsonl,$run/acked-customers.jsonl" \
		--sms "$run/sms.jsonl" --mail "$run/mail.jsonl" >>"$tally" 2>&1; then
		failed=1
	fi
	if [ -n "$amcheck" ]; then
		echo "$amcheck" >>"$tally"
	fi
	cat "$tally"
	if [ "$backend" = postgres ]; then
		pg "$pgbin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null
		pg_data=
	fi
	kills_done=0
done
if [ "$failed" != 0 ]; then
	echo "faults.sh: FAILED (see the lines marked FAIL; logs in $dir)" >&2
	exit 1
fi
echo "faults.sh: all checks passed (logs in $dir)"
