package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store/storetest"
)

// The store suite is written once and run on both databases.

func TestSQLiteStore(t *testing.T) {
	runSuite(t, func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "kindred.db")
	})
}

func TestPostgresStore(t *testing.T) {
	base := postgresURL(t)
	runSuite(t, func(t *testing.T) string { return freshPostgresSchema(t, base) })
}

// freshPostgresSchema is a schema of the test's own (see storetest.Schema).
func freshPostgresSchema(t *testing.T, base string) string { return storetest.Schema(t, base) }

// forEachDialectAt runs fn on a new SQLite database and, when
// KINDRED_TEST_POSTGRES is set, a new PostgreSQL schema, each migrated only
// to version: for tests of a migration and of what an older kindred left.
func forEachDialectAt(t *testing.T, version int, fn func(t *testing.T, db *DB)) {
	ctx := context.Background()
	dbs := map[string]func(t *testing.T) (*DB, error){
		"sqlite": func(t *testing.T) (*DB, error) { return openSQLite(ctx, filepath.Join(t.TempDir(), "old.db")) },
	}
	if base := os.Getenv("KINDRED_TEST_POSTGRES"); base != "" {
		dbs["postgres"] = func(t *testing.T) (*DB, error) { return openPostgres(ctx, freshPostgresSchema(t, base)) }
	}
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) {
			db, err := open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.migrateTo(ctx, version); err != nil {
				t.Fatal(err)
			}
			fn(t, db)
		})
	}
}

// suite is what each test of the suite is given.
type suite struct {
	fresh func(t *testing.T) string // the DSN of a new, empty database
}

// open opens a new store on a fresh database, closed when the test ends, with
// a clock that moves one second per reading so that orderings by time are
// certain.
func (s suite) open(t *testing.T) (*DB, string) {
	t.Helper()
	dsn := s.fresh(t)
	db := openDSN(t, dsn)
	var tick atomic.Int64
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Second) }
	return db, dsn
}

func openDSN(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

// postgresURL is the PostgreSQL server the tests use (KINDRED_TEST_POSTGRES),
// or skips the test when none is set.
func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("KINDRED_TEST_POSTGRES")
	if base == "" {
		t.Skip("KINDRED_TEST_POSTGRES is not set")
	}
	return base
}

func runSuite(t *testing.T, fresh func(t *testing.T) string) {
	s := suite{fresh: fresh}
	tests := []suiteTest{
		{"OpenMigratesAndPassesCheck", testOpenAndCheck},
		{"MigrationsAreIdempotent", testMigrationsIdempotent},
		{"MigrationsSafeWhenProcessesStartTogether", testConcurrentOpen},
		{"AgentsAndTokens", testAgentsAndTokens},
		{"DisablingEndsSessionsAndTokensForGood", testDisablingEndsSessionsAndTokensForGood},
		{"AgentEmailIsUnique", testAgentEmailConflict},
		{"CustomersCreateReadUpdate", testCustomersCRUD},
		{"CustomersSearch", testCustomersSearch},
		{"CustomersPaging", testCustomersPaging},
		{"NotesSensitiveReadIsAudited", testNotes},
		{"HelpersAddRevokeExpire", testHelpers},
		{"ConversationsCreateAndFilter", testConversationsFilter},
		{"ConversationUpdate", testConversationUpdate},
		{"AddMessageAppliesDomainRules", testAddMessage},
		{"MessageAnalysisRoundTrips", testAnalysisRoundTrip},
		{"LatestInbound", testLatestInbound},
		{"ErrorKinds", testErrorKinds},
		{"FailedMutationLeavesNoTrace", testFailedMutation},
		{"CancelledWriteIsAllOrNothing", testCancelledWrite},
		{"AuditIsAppendOnly", testAuditAppendOnly},
		{"AuditRecordAndFilter", testAuditFilter},
		{"ConcurrentMessages", testConcurrentMessages},
		{"Backup", testBackup},
		{"OutboxClaimSendRetryDead", testOutbox},
		{"OutboxCodeIsNotSentAgain", testOutboxCodeIsNotSentAgain},
		{"InvitationSetsAPasswordOnceAndEndsSessions", testInvitation},
		{"NewerLinkSpendsTheOlderAndLinksExpire", testLinkReplacedAndExpired},
		{"ServiceAndDisabledAccountsGetNoLink", testLinkRefused},
		{"LinkWorksOnceUnderRace", testLinkRace},
		{"SetPasswordEndsSessionsAndIsAudited", testSetPassword},
		{"RepliesLeaveByTheirChannel", testRepliesLeaveByTheirChannel},
		{"ReplyDeliveryFollowsTheOutbox", testReplyDeliveryFollowsTheOutbox},
		{"OneTimelinePerPerson", testOneTimelinePerPerson},
		{"TextAfterResolutionReopens", testTextAfterResolutionReopens},
		{"HistoricalRepliesAreNotSent", testHistoricalRepliesAreNotSent},
	}
	tests = append(tests, featureSuites...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, s) })
	}
}

// suiteTest is one test of the shared suite.
type suiteTest struct {
	name string
	run  func(t *testing.T, s suite)
}

// featureSuites holds the suite tests of features kept in their own files
// (the lobby, care, insights), which add themselves in an init function.
var featureSuites []suiteTest

// Fixtures.

func ctxAs(id int64, name string) context.Context {
	return kindred.WithActor(context.Background(), kindred.Actor{AgentID: id, Name: name, Role: kindred.RoleAgent})
}

func mustAgent(t *testing.T, db *DB, name, email string, role kindred.Role) *kindred.Agent {
	t.Helper()
	a := &kindred.Agent{Name: name, Email: email, Role: role}
	if err := db.CreateAgent(context.Background(), a, "hash-"+name); err != nil {
		t.Fatalf("create agent %s: %v", name, err)
	}
	return a
}

func mustCustomer(t *testing.T, db *DB, c kindred.Customer) *kindred.Customer {
	t.Helper()
	if err := db.CreateCustomer(context.Background(), &c); err != nil {
		t.Fatalf("create customer %s: %v", c.Name, err)
	}
	return &c
}

func mustConversation(t *testing.T, db *DB, c kindred.Conversation) *kindred.Conversation {
	t.Helper()
	if err := db.CreateConversation(context.Background(), &c); err != nil {
		t.Fatalf("create conversation: %v", err)
	}
	return &c
}

func mustMessage(t *testing.T, db *DB, ctx context.Context, m kindred.Message) *kindred.Message {
	t.Helper()
	if err := db.AddMessage(ctx, &m); err != nil {
		t.Fatalf("add message: %v", err)
	}
	return &m
}

func wantKind(t *testing.T, err error, kind kindred.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	if got := kindred.ErrorKind(err); got != kind {
		t.Fatalf("got error kind %s (%v), want %s", got, err, kind)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantKind(t, err, kindred.Invalid)
	var e *kindred.Error
	errors.As(err, &e)
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name field %s", err, field)
}

func count(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	err := db.ReadTx(context.Background(), func(tx *Tx) error {
		return tx.QueryRow(context.Background(), query, args...).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func auditActions(t *testing.T, db *DB, f kindred.AuditFilter) []string {
	t.Helper()
	entries, err := db.Audit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	return actions
}

func ptr[T any](v T) *T { return &v }

func TestRebind(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no placeholders", "SELECT 1", "SELECT 1"},
		{"numbers placeholders in order", "SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"leaves quoted question marks", `SELECT '?' , "a?" FROM t WHERE x = ?`, `SELECT '?' , "a?" FROM t WHERE x = $1`},
		{"escaped quote inside string", `SELECT 'it''s ?' WHERE y = ?`, `SELECT 'it''s ?' WHERE y = $1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rebind(tt.in); got != tt.want {
				t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := migrations(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d: add each step to both", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d is %s on sqlite but %s on postgres", i+1, lite[i].name, pg[i].name)
		}
	}
}

func TestPageLimits(t *testing.T) {
	tests := []struct {
		name                  string
		page                  kindred.Page
		wantLimit, wantOffset int
	}{
		{"zero is the default", kindred.Page{}, 50, 0},
		{"kept within bounds", kindred.Page{Limit: 20, Offset: 40}, 20, 40},
		{"capped at 500", kindred.Page{Limit: 10000}, 500, 0},
		{"negative offset is zero", kindred.Page{Limit: 5, Offset: -3}, 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, o := limits(tt.page)
			if l != tt.wantLimit || o != tt.wantOffset {
				t.Errorf("limits(%+v) = %d, %d; want %d, %d", tt.page, l, o, tt.wantLimit, tt.wantOffset)
			}
		})
	}
}

func TestOpenRefusesInMemorySQLite(t *testing.T) {
	if _, err := Open(context.Background(), ":memory:"); err == nil {
		t.Fatal("opened :memory:, whose readers would see another database")
	}
}
