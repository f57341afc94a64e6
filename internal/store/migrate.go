package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The schema, one numbered file per step and per dialect:
// migrations/<dialect>/NNNN_what.sql. Each is applied once, in order, in its
// own transaction, and recorded in schema_migrations. Never edit a shipped
// file: add the next number.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrationLock is the PostgreSQL advisory lock key held while migrating, so
// that two processes starting at once take turns ("kindred" in ASCII).
const migrationLock = 0x6b696e64726564

// migrations returns the dialect's migrations in order. The files are part of
// the binary, so a malformed set is a programming error found by the tests.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must start with its number, as in 0002_tickets.sql", dialect, name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(name, ".sql"), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations %s: expected version %d, found %s", dialect, i+1, m.name)
		}
	}
	return ms, nil
}

// latestVersion is the schema version this build brings a database to.
func latestVersion(dialect string) int {
	ms, err := migrations(dialect)
	if err != nil {
		return -1
	}
	return len(ms)
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
)`

// Migrate applies the migrations the database has not had yet. Open calls it;
// it is safe to call again, and safe when several processes call it at once.
func (db *DB) Migrate(ctx context.Context) error {
	return db.migrateTo(ctx, 0)
}

// migrateTo applies the migrations up to version upTo (0: all of them); the
// tests stop early to build a database as an older kindred left it.
func (db *DB) migrateTo(ctx context.Context, upTo int) error {
	steps, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	for _, m := range steps {
		if upTo > 0 && m.version > upTo {
			break
		}
		if err := db.migrateOne(ctx, m); err != nil {
			return fmt.Errorf("migrate %s to %s: %w", db.dialect, m.name, err)
		}
	}
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	if v > len(steps) {
		return fmt.Errorf("migrate %s: the database is at schema version %d, newer than this build knows (%d); run a newer kindred", db.dialect, v, len(steps))
	}
	return nil
}

// noForeignKeys is the first line of an SQLite migration that rebuilds a
// table others point at (SQLite's recipe for the changes ALTER TABLE cannot
// make): it runs with foreign keys off, which only a connection outside a
// transaction can ask for, and is checked with foreign_key_check before it
// commits.
const noForeignKeys = "-- kindred: foreign keys off\n"

// migrateOne applies m unless the database has it already.
func (db *DB) migrateOne(ctx context.Context, m migration) (err error) {
	fkOff := db.dialect == SQLite && strings.HasPrefix(m.sql, noForeignKeys)
	if fkOff {
		// The writer pool is one connection: the pragma holds for the
		// transaction below, and is put back however it ends.
		if _, err := db.w.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return fmt.Errorf("foreign keys off: %w", err)
		}
		defer func() {
			if _, onErr := db.w.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); onErr != nil {
				err = errors.Join(err, fmt.Errorf("foreign keys back on: %w", onErr))
			}
		}()
	}
	return db.Tx(ctx, func(tx *Tx) error {
		// On SQLite the write transaction began IMMEDIATE and so already
		// excludes other processes; PostgreSQL needs the advisory lock,
		// held until this transaction ends.
		if db.dialect == Postgres {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLock)); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, createSchemaMigrations); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		done, err := tx.Exists(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.version)
		if err != nil || done {
			return err
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return err
		}
		if fkOff {
			var table, parent string
			var rowid sql.NullInt64
			var fk int
			err := tx.QueryRow(ctx, "PRAGMA foreign_key_check").Scan(&table, &rowid, &parent, &fk)
			if err == nil {
				return fmt.Errorf("the rebuilt schema breaks a foreign key of table %s (row %d, to %s)", table, rowid.Int64, parent)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("foreign key check: %w", err)
			}
		}
		_, err = tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, ms(db.clock()))
		return err
	})
}

// Version returns the database's schema version: the number of the last
// migration applied, 0 for an empty database.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.ReadTx(ctx, func(tx *Tx) error {
		ok, err := tx.Exists(ctx, db.tableExistsQuery(), "schema_migrations")
		if err != nil || !ok {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	})
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

func (db *DB) tableExistsQuery() string {
	if db.dialect == Postgres {
		// to_regclass follows search_path, as the store's own queries do.
		return "SELECT 1 WHERE to_regclass(?) IS NOT NULL"
	}
	return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
}
