package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
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

// A kept statement runs as it was prepared whatever values are bound: SQLite
// 3.54 plans LIMIT ? and a "col = ?" term it cannot look up by index from the
// bound value unless the connection asks for stable plans, and then parsed
// such statements again on nearly every run.
func TestCachedStatementsArePlannedOnce(t *testing.T) {
	db := openCachingPool(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE b (x INTEGER, t_id INTEGER);
		CREATE INDEX b_x ON b (x);
		INSERT INTO b VALUES (0, 1), (1, 2), (5, 3)`); err != nil {
		t.Fatal(err)
	}
	queries := []struct {
		query string
		args  func(i int) []any
	}{
		{"SELECT t.v FROM t JOIN b ON b.t_id = t.id WHERE b.x = ?", func(i int) []any { return []any{[]int{1, 5}[i%2]} }},
		{"SELECT v FROM t WHERE v = ? ORDER BY id DESC LIMIT 1", func(i int) []any { return []any{[]int{0, 7}[i%2]} }},
		{"SELECT v FROM t ORDER BY id LIMIT ?", func(i int) []any { return []any{1 + i%3} }},
	}
	for _, q := range queries {
		for i := range 10 {
			rows, err := db.QueryContext(ctx, q.query, q.args(i)...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		for _, q := range queries {
			e, ok := c.stmts[q.query]
			if !ok {
				t.Errorf("%s: not kept", q.query)
				continue
			}
			if n := reprepares(t, e.Value.(*cachedStmt).stmt); n != 0 {
				t.Errorf("%s: prepared again %d times in 10 runs", q.query, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reprepares is how many times SQLite prepared the driver's statement s
// again (SQLITE_STMTSTATUS_REPREPARE), read through the driver's fields.
func reprepares(t *testing.T, s driver.Stmt) int32 {
	t.Helper()
	v := reflect.ValueOf(s).Elem()
	pstmt, c := v.FieldByName("pstmt"), v.FieldByName("c")
	if !pstmt.IsValid() || !c.IsValid() {
		t.Fatalf("%T: no pstmt and c fields", s)
	}
	tls := c.Elem().FieldByName("tls")
	if !tls.IsValid() || tls.Type() != reflect.TypeFor[*libc.TLS]() {
		t.Fatalf("%T: its connection has no tls field", s)
	}
	return sqlite3.Xsqlite3_stmt_status((*libc.TLS)(tls.UnsafePointer()), uintptr(pstmt.Uint()), sqlite3.SQLITE_STMTSTATUS_REPREPARE, 0)
}
