package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite's driver prepares every statement anew on each Exec and Query, and
// parsing was the largest single cost of a post (about 30% of the CPU of a
// `kindred bench` run). Each SQLite connection therefore keeps its most
// recently used statements prepared and runs a query it has seen before on
// its prepared statement. The store runs a small, fixed set of statements;
// the bound keeps queries built on the fly (IN lists) from growing it.
const stmtCacheSize = 200

// cachingConnector hands out SQLite connections that keep their prepared
// statements (see cachingConn).
type cachingConnector struct {
	driver.Connector
}

// sqliteConnector connects to the SQLite database dsn with connections that
// keep their statements prepared.
func sqliteConnector(dsn string) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{c}, nil
}

// sqliteConn is what database/sql uses of modernc's connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(sqliteConn)
	if !ok {
		return conn, nil // a driver that changed: it runs as it is, unprepared
	}
	if err := planStably(conn); err != nil {
		conn.Close()
		return nil, err
	}
	return &cachingConn{sqliteConn: sc, lru: list.New(), stmts: map[string]*list.Element{}}, nil
}

// A kept statement is only worth keeping if SQLite runs it as prepared. But
// since 3.54 the planner reads some bound values while planning: the value of
// LIMIT ?, and whether the right side of a "col = ?" term it cannot look up
// in an index is 0 or 1 (a flag, so the term is thought less selective). It
// then marks the statement to be prepared again when the next value bound
// there differs (for LIMIT, any value; for "col = ?", to or from 0 or 1):
// ForMessage's statements ran for conversation 1 among others, and every
// list with a LIMIT, were parsed and planned on nearly every run (94% of
// the parser's time in a `kindred bench` profile was sqlite3Reprepare).
// SQLITE_DBCONFIG_ENABLE_QPSG, the query planner stability guarantee, makes
// the plan independent of bound values, which is what a statement cache
// wants: each statement is planned once per connection.
//
// modernc's driver does not expose sqlite3_db_config, so planStably reaches
// the connection's handle and thread state by reflection, checking the
// field names and types first; if the driver changes them, Open fails
// rather than running on unseen.
func planStably(conn driver.Conn) error {
	v := reflect.ValueOf(conn)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("sqlite connection %T: not the driver's connection", conn)
	}
	c := v.Elem()
	db, tls := c.FieldByName("db"), c.FieldByName("tls")
	if !db.IsValid() || db.Kind() != reflect.Uintptr || !tls.IsValid() || tls.Type() != reflect.TypeFor[*libc.TLS]() {
		return fmt.Errorf("sqlite connection %T: no db handle and thread state to configure", conn)
	}
	return setDBConfig((*libc.TLS)(tls.UnsafePointer()), uintptr(db.Uint()), sqlite3.SQLITE_DBCONFIG_ENABLE_QPSG, 1)
}

// setDBConfig calls sqlite3_db_config(db, op, on, NULL) for a boolean op.
func setDBConfig(tls *libc.TLS, db uintptr, op, on int32) error {
	// The variadic arguments: an int and a NULL pointer, 8 bytes each.
	va := libc.Xmalloc(tls, 16)
	if va == 0 {
		return errors.New("sqlite3_db_config: out of memory")
	}
	defer libc.Xfree(tls, va)
	if rc := sqlite3.Xsqlite3_db_config(tls, db, op, libc.VaList(va, on, uintptr(0))); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlite3_db_config(%d, %d): %d", op, on, rc)
	}
	return nil
}

// cachingConn is an SQLite connection that runs the queries it has seen
// before on statements it keeps prepared, the most recently used
// stmtCacheSize of them. A statement in use (its rows still open when the
// same query runs again within them) is not shared: that query runs
// unprepared, as it did before the cache.
type cachingConn struct {
	sqliteConn
	// database/sql uses a connection from one goroutine at a time, but may
	// close a query's rows from another (when its context ends).
	mu    sync.Mutex
	lru   *list.List // of *cachedStmt, most recently used first
	stmts map[string]*list.Element
}

type cachedStmt struct {
	query   string
	stmt    driver.Stmt
	busy    bool // running, or its rows are open
	evicted bool // dropped from the cache while busy: closed once released
}

// take returns the prepared statement for query, marked busy, or nil when
// the query must run unprepared.
func (c *cachingConn) take(ctx context.Context, query string) *cachedStmt {
	c.mu.Lock()
	if e, ok := c.stmts[query]; ok {
		s := e.Value.(*cachedStmt)
		if s.busy {
			c.mu.Unlock()
			return nil
		}
		s.busy = true
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return s
	}
	c.mu.Unlock()
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		// Run unprepared, which reports the error as it always did.
		return nil
	}
	s := &cachedStmt{query: query, stmt: ds, busy: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stmts[query] = c.lru.PushFront(s)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.stmts, old.query)
		if old.busy {
			old.evicted = true
		} else {
			old.stmt.Close()
		}
	}
	return s
}

// release makes s available again.
func (c *cachingConn) release(s *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.busy = false
	if s.evicted {
		s.stmt.Close()
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s := c.take(ctx, query)
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	defer c.release(s)
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s := c.take(ctx, query)
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(s)
		return nil, err
	}
	return &cachedRows{rows: rows, release: func() { c.release(s) }}, nil
}

// Close closes the kept statements, then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.stmts)
	c.mu.Unlock()
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// cachedRows are the rows of a kept statement, which is released when they
// close.
type cachedRows struct {
	rows    driver.Rows
	once    sync.Once
	release func()
}

func (r *cachedRows) Columns() []string              { return r.rows.Columns() }
func (r *cachedRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }

func (r *cachedRows) Close() error {
	err := r.rows.Close()
	r.once.Do(r.release)
	return err
}

// The column type methods of the driver's rows, for sql.Rows.ColumnTypes.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
