// Package config gathers the kindred binary's settings from command-line
// flags and KINDRED_* environment variables into one struct, validated once
// at start-up.
//
// A flag given on the command line wins; otherwise its environment variable
// (the flag's name upper-cased with dashes as underscores, after KINDRED_:
// --log-format is KINDRED_LOG_FORMAT); otherwise the default. Each subcommand
// binds only the settings it uses, so `kindred backup -h` lists what backup
// reads and nothing else.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Config is every setting the kindred binary reads from its flags and
// environment. Fields a subcommand did not bind keep their defaults and are
// not validated.
type Config struct {
	DB              string        // SQLite file path, or a postgres:// URL
	Addr            string        // host:port to listen on; port 0 picks a free one
	LogFormat       string        // "text" or "json"
	LogLevel        slog.Level    // debug, info, warn, error
	Region          string        // ISO 3166 region for phone numbers written without +country code
	MaxBody         int64         // largest request body the API accepts, in bytes
	ShutdownTimeout time.Duration // how long in-flight requests may run after SIGTERM
	AdminEmail      string        // email of the administrator created on first run
	MetricsPublic   bool          // serve /metrics without a token
	SecureCookies   bool          // mark console cookies Secure even on plain HTTP (behind a TLS proxy)
}

// Default returns the settings used when neither a flag nor the environment
// says otherwise.
func Default() Config {
	return Config{
		DB:              "./kindred.db",
		Addr:            "127.0.0.1:8080",
		LogFormat:       "text",
		LogLevel:        slog.LevelInfo,
		Region:          "KE",
		MaxBody:         1 << 20,
		ShutdownTimeout: 15 * time.Second,
		AdminEmail:      "admin@localhost",
	}
}

// FlagSet is a flag.FlagSet whose kindred settings fall back to KINDRED_*
// environment variables. Flags defined directly on the embedded FlagSet (a
// subcommand's own, such as backup's --out) have no environment fallback.
type FlagSet struct {
	*flag.FlagSet
	cfg   *Config
	bound map[string]bool // flag names with an environment fallback

	// LookupEnv reads the environment; tests may replace it. Default os.LookupEnv.
	LookupEnv func(key string) (string, bool)
}

// NewFlagSet returns a flag set for subcommand name that fills cfg. Usage and
// errors are written to out; Parse returns flag.ErrHelp for -h.
func NewFlagSet(name string, cfg *Config, out io.Writer) *FlagSet {
	fs := flag.NewFlagSet("kindred "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return &FlagSet{FlagSet: fs, cfg: cfg, bound: map[string]bool{}, LookupEnv: os.LookupEnv}
}

// EnvName returns the environment variable that backs flag name.
func EnvName(flagName string) string {
	return "KINDRED_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (fs *FlagSet) bind(name string) string {
	fs.bound[name] = true
	return " (env " + EnvName(name) + ")"
}

// DB binds --db.
func (fs *FlagSet) DB() {
	fs.StringVar(&fs.cfg.DB, "db", fs.cfg.DB, "database: a SQLite file path, or a postgres:// URL"+fs.bind("db"))
}

// Log binds --log-format and --log-level.
func (fs *FlagSet) Log() {
	fs.StringVar(&fs.cfg.LogFormat, "log-format", fs.cfg.LogFormat, "log format: text or json"+fs.bind("log-format"))
	fs.TextVar(&fs.cfg.LogLevel, "log-level", fs.cfg.LogLevel, "log level: debug, info, warn or error"+fs.bind("log-level"))
}

// Serve binds the settings of the running desk: --addr, --region,
// --max-body, --shutdown-timeout, --admin-email, --secure-cookies and
// --metrics-public.
func (fs *FlagSet) Serve() {
	fs.StringVar(&fs.cfg.Addr, "addr", fs.cfg.Addr, "address to listen on, host:port (port 0 picks a free port)"+fs.bind("addr"))
	fs.StringVar(&fs.cfg.Region, "region", fs.cfg.Region, "region for phone numbers written without +country code (ISO 3166, e.g. KE, GB)"+fs.bind("region"))
	fs.Int64Var(&fs.cfg.MaxBody, "max-body", fs.cfg.MaxBody, "largest API request body, in bytes"+fs.bind("max-body"))
	fs.DurationVar(&fs.cfg.ShutdownTimeout, "shutdown-timeout", fs.cfg.ShutdownTimeout, "how long in-flight requests may finish after SIGINT/SIGTERM"+fs.bind("shutdown-timeout"))
	fs.StringVar(&fs.cfg.AdminEmail, "admin-email", fs.cfg.AdminEmail, "email of the administrator created on first run"+fs.bind("admin-email"))
	fs.BoolVar(&fs.cfg.SecureCookies, "secure-cookies", fs.cfg.SecureCookies, "mark the console's cookies Secure even when kindred itself speaks plain HTTP: set it behind a proxy that terminates TLS"+fs.bind("secure-cookies"))
	fs.BoolVar(&fs.cfg.MetricsPublic, "metrics-public", fs.cfg.MetricsPublic, "serve /metrics without a token; only where the scraper alone can reach the port"+fs.bind("metrics-public"))
}

// Parse parses args, then fills every bound flag not given on the command
// line from its environment variable, then validates the bound settings.
func (fs *FlagSet) Parse(args []string) error {
	if err := fs.FlagSet.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if !fs.bound[f.Name] || given[f.Name] {
			return
		}
		key := EnvName(f.Name)
		if v, ok := fs.LookupEnv(key); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", key, v, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return fs.validate()
}

func (fs *FlagSet) validate() error {
	c := fs.cfg
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s (or %s): %s", name, EnvName(name), fmt.Sprintf(format, args...)))
	}
	if fs.bound["db"] {
		if c.DB == "" {
			bad("db", "must not be empty")
		} else if c.Postgres() {
			if u, err := url.Parse(c.DB); err != nil || u.Host == "" {
				bad("db", "not a usable PostgreSQL URL (postgres://user:pass@host/dbname)")
			}
		}
	}
	if fs.bound["log-format"] && c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format", "%q is neither text nor json", c.LogFormat)
	}
	if fs.bound["addr"] {
		if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
			bad("addr", "%q is not host:port", c.Addr)
		}
	}
	if fs.bound["region"] {
		c.Region = strings.ToUpper(strings.TrimSpace(c.Region))
		if !phonenumbers.GetSupportedRegions()[c.Region] {
			bad("region", "%q is not a region with phone numbers (ISO 3166 alpha-2, e.g. KE)", c.Region)
		}
	}
	if fs.bound["max-body"] && c.MaxBody <= 0 {
		bad("max-body", "must be positive")
	}
	if fs.bound["shutdown-timeout"] && c.ShutdownTimeout <= 0 {
		bad("shutdown-timeout", "must be positive")
	}
	if fs.bound["admin-email"] && !strings.Contains(c.AdminEmail, "@") {
		bad("admin-email", "%q is not an email address", c.AdminEmail)
	}
	return errors.Join(errs...)
}

// Postgres reports whether DB names a PostgreSQL database rather than a
// SQLite file.
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// Logger returns the slog logger the settings describe, writing to w.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
