package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func openCachingPool(t *testing.T) *sql.DB {
	t.Helper()
	db, err := openSQLitePool(filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := db.Exec("INSERT INTO t (id, v) VALUES (?, ?)", i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// A query run again while its own rows are still open (a loop that looks
// up more of the same table) must not disturb them.
func TestCachedStatementRunsAgainInsideItsOwnRows(t *testing.T) {
	db := openCachingPool(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = "SELECT id, v FROM t WHERE id >= ? ORDER BY id"
	rows, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var outer, inner []string
	for rows.Next() {
		var id int
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, v)
		var first string
		if err := tx.QueryRow(q, id).Scan(new(int), &first); err != nil {
			t.Fatal(err)
		}
		inner = append(inner, first)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if got := strings.Join(outer, ","); got != "v1,v2,v3" {
		t.Errorf("outer rows %s, want v1,v2,v3", got)
	}
	if got := strings.Join(inner, ","); got != "v1,v2,v3" {
		t.Errorf("inner rows %s, want v1,v2,v3", got)
	}
	// And the statement is free again afterwards.
	var v string
	if err := tx.QueryRow(q, 2).Scan(new(int), &v); err != nil || v != "v2" {
		t.Fatalf("after: %q, %v", v, err)
	}
}

// More distinct queries than the cache holds: the oldest are closed, and
// every query still answers, those in use included.
func TestCachedStatementsPastTheBound(t *testing.T) {
	db := openCachingPool(t)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	open, err := tx.Query("SELECT v FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 * stmtCacheSize {
		var n int
		if err := tx.QueryRow(fmt.Sprintf("SELECT count(*) + %d FROM t", i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 3+i {
			t.Fatalf("query %d: %d, want %d", i, n, 3+i)
		}
	}
	var vs []string
	for open.Next() {
		var v string
		if err := open.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := open.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(vs, ","); got != "v1,v2,v3" {
		t.Errorf("rows open across the evictions: %s, want v1,v2,v3", got)
	}
}

// A failing statement fails as it did unprepared, and the connection goes on.
func TestCachedStatementErrors(t *testing.T) {
	db := openCachingPool(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "INSERT INTO nowhere VALUES (1)"); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("insert into a missing table: %v", err)
	}
	const insert = "INSERT INTO t (id, v) VALUES (?, ?)"
	if _, err := db.ExecContext(ctx, insert, 1, "again"); !isUnique(err) {
		t.Fatalf("duplicate id: %v, want a unique violation", err)
	}
	if _, err := db.ExecContext(ctx, insert, 4, "v4"); err != nil {
		t.Fatalf("the same statement after its failure: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 4 {
		t.Fatalf("count %d, %v; want 4", n, err)
	}
}
