#!/bin/sh
# dash10m.sh builds a PostgreSQL database with ten million messages, shaped
# like a real desk's history, and times every query the dashboards run on
# it, with their plans (docs/dashboards-10m.md shows a run).
#
#   scripts/dash10m.sh                      # build kindred10m, then measure
#   DASH_SKIP_BUILD=1 scripts/dash10m.sh    # measure the database already built
#   DASH_DOUBLE=1 scripts/dash10m.sh        # import half, over the first half of the
#                                           # span, and copy it into the second half
#                                           # (scripts/dash10m-double.sql): much faster
#
# The history: 60 agents in 8 teams, about 250,000 customers who come back,
# 500,000 conversations on six channels spread evenly from DASH_FROM to
# DASH_TO, each message brought in by `kindred import` (so the engine's
# report is stored on it as the import stores it); then, by
# scripts/dash10m-care.sql, surveys after resolved conversations (a third
# answered), heads-ups, follow-ups and the kindness log.
#
# It needs psql and createdb, and a server it may create a database on
# (DASH_PG, trust or a password in the URL). It never touches another
# database. Drop it afterwards with: dropdb -h HOST -U USER kindred10m
set -eu

PG=${DASH_PG:-postgres://postgres@127.0.0.1:5432}
NAME=${DASH_NAME:-kindred10m}
N=${DASH_MESSAGES:-10000000}
FROM=${DASH_FROM:-2025-06-01}
TO=${DASH_TO:-2026-12-01}
OUT=${DASH_OUT:-dashboards-10m-plans.md}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
DB="$PG/$NAME?sslmode=disable"

cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/kindred" ./cmd/kindred
go build -o "$bin/importgen" ./scripts/importgen

if [ -z "${DASH_SKIP_BUILD:-}" ]; then
	createdb --maintenance-db="$PG/postgres" "$NAME"
	"$bin/kindred" migrate --db "$DB"
	psql -q -v ON_ERROR_STOP=1 "$DB" <<-'SQL'
		INSERT INTO agents (name, email, role, team, created_at)
		SELECT 'Agent ' || i, 'agent' || i || '@desk.example', 'agent',
		       (ARRAY['Pensions', 'Cards', 'Payments', 'Records', 'Walk-in', 'Email desk', 'Night shift', 'Outreach'])[1 + (i - 1) % 8],
		       (extract(epoch FROM timestamp '2025-05-01') * 1000)::bigint
		FROM generate_series(1, 60) i;
	SQL
	n=$N until=$TO
	if [ -n "${DASH_DOUBLE:-}" ]; then
		n=$((N / 2))
		until=$(date -u -d "@$((($(date -u -d "$FROM" +%s) + $(date -u -d "$TO" +%s)) / 2))" +%F)
	fi
	echo "importing $n messages ($FROM to $until); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	start=$(date +%s)
	"$bin/importgen" -n "$n" -agents 60 -from "$FROM" -to "$until" |
		"$bin/kindred" import --format jsonl --quiet --db "$DB" -
	echo "imported in $(($(date +%s) - start)) s"
	if [ -n "${DASH_DOUBLE:-}" ]; then
		start=$(date +%s)
		psql -q -o /dev/null -v ON_ERROR_STOP=1 "$DB" -f scripts/dash10m-double.sql
		echo "doubled in $(($(date +%s) - start)) s"
	fi
	start=$(date +%s)
	psql -q -o /dev/null -v ON_ERROR_STOP=1 "$DB" -f scripts/dash10m-care.sql
	vacuumdb -q --analyze -d "$DB"
	echo "surveys, heads-ups, follow-ups and kindness added, and the database vacuumed, in $(($(date +%s) - start)) s"
fi

psql -X "$DB" <<-'SQL'
	SELECT (SELECT COUNT(*) FROM messages) AS messages, (SELECT COUNT(*) FROM conversations) AS conversations,
	       (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL) AS answers,
	       pg_size_pretty(pg_database_size(current_database())) AS database;
	SELECT relname AS "table", pg_size_pretty(pg_table_size(relid)) AS "table and toast",
	       pg_size_pretty(pg_indexes_size(relid)) AS indexes
	FROM pg_statio_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 6;
SQL

# The last day the history reaches ends the periods measured.
KINDRED_DASH_DB="$DB" KINDRED_DASH_TO="$TO" KINDRED_DASH_OUT="$OUT" \
	go test -count 1 -run '^TestDashboardPlans$' ./internal/store/
grep -E '^(## |### |#### )' "$OUT"
echo "plans in $OUT"
