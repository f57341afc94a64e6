package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // as the binary: zones without the machine's zoneinfo
)

// parse binds every kindred setting, as serve does, and parses args with env
// as the environment.
func parse(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	cfg := Default()
	fs := NewFlagSet("test", &cfg, io.Discard)
	fs.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	fs.DB()
	fs.Log()
	fs.Serve()
	err := fs.Parse(args)
	return cfg, err
}

func TestFlagWinsOverEnvironmentWhichWinsOverDefault(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(Config) bool
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return reflect.DeepEqual(c, Default()) // a slice field rules out ==
		}},
		{"env fills an absent flag", nil, map[string]string{"KINDRED_DB": "/var/lib/kindred.db", "KINDRED_LOG_FORMAT": "json"}, func(c Config) bool {
			return c.DB == "/var/lib/kindred.db" && c.LogFormat == "json"
		}},
		{"flag beats env", []string{"--db", "flag.db"}, map[string]string{"KINDRED_DB": "env.db"}, func(c Config) bool {
			return c.DB == "flag.db"
		}},
		{"flag equal to the default still beats env", []string{"--addr", "127.0.0.1:8080"}, map[string]string{"KINDRED_ADDR": "0.0.0.0:9000"}, func(c Config) bool {
			return c.Addr == "127.0.0.1:8080"
		}},
		{"typed values from env", nil, map[string]string{"KINDRED_SHUTDOWN_TIMEOUT": "3s", "KINDRED_MAX_BODY": "2048", "KINDRED_LOG_LEVEL": "debug"}, func(c Config) bool {
			return c.ShutdownTimeout == 3*time.Second && c.MaxBody == 2048 && c.LogLevel == slog.LevelDebug
		}},
		{"region is normalised", []string{"--region", " gb "}, nil, func(c Config) bool {
			return c.Region == "GB"
		}},
		{"postgres URL", []string{"--db", "postgres://kindred:secret@db.internal/kindred?sslmode=require"}, nil, func(c Config) bool {
			return c.Postgres()
		}},
		{"port zero", []string{"--addr", "127.0.0.1:0"}, nil, func(c Config) bool {
			return c.Addr == "127.0.0.1:0"
		}},
		{"trusted proxies: CIDRs and bare addresses", []string{"--trusted-proxies", "10.0.0.0/8, 127.0.0.1,::1"}, nil, func(c Config) bool {
			return fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 127.0.0.1/32 ::1/128]"
		}},
		{"trusted proxies from env, masked", nil, map[string]string{"KINDRED_TRUSTED_PROXIES": "192.168.1.7/24"}, func(c Config) bool {
			return fmt.Sprint(c.TrustedProxies) == "[192.168.1.0/24]"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parse(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(cfg) {
				t.Errorf("got %+v", cfg)
			}
		})
	}
}

func TestInvalidSettingsAreRejectedNamingFlagAndVariable(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"log format", []string{"--log-format", "xml"}, nil, "--log-format (or KINDRED_LOG_FORMAT)"},
		{"log level from env", nil, map[string]string{"KINDRED_LOG_LEVEL": "loud"}, "KINDRED_LOG_LEVEL"},
		{"duration from env", nil, map[string]string{"KINDRED_SHUTDOWN_TIMEOUT": "soon"}, "KINDRED_SHUTDOWN_TIMEOUT"},
		{"addr without port", []string{"--addr", "localhost"}, nil, "--addr"},
		{"unknown region", []string{"--region", "XX"}, nil, "--region"},
		{"empty db", []string{"--db", ""}, nil, "--db"},
		{"postgres URL without host", []string{"--db", "postgres://"}, nil, "--db"},
		{"zero body", []string{"--max-body", "0"}, nil, "--max-body"},
		{"negative timeout", []string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout"},
		{"admin email", []string{"--admin-email", "root"}, nil, "--admin-email"},
		{"admin email the setup form refuses", []string{"--admin-email", "admin@localhost"}, nil, "--admin-email"},
		{"trusted proxy not a CIDR", []string{"--trusted-proxies", "10.0.0.0/8,proxy.internal"}, nil, "-trusted-proxies"},
		{"trusted proxy from env", nil, map[string]string{"KINDRED_TRUSTED_PROXIES": "10.0.0.0/33"}, "KINDRED_TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.args, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestUnboundSettingsAreNeitherReadNorValidated(t *testing.T) {
	cfg := Default()
	cfg.Region = "nowhere" // invalid, but migrate does not use it
	fs := NewFlagSet("migrate", &cfg, io.Discard)
	fs.LookupEnv = func(k string) (string, bool) { return "from-env", true }
	fs.DB()
	var out string
	fs.StringVar(&out, "out", "", "a subcommand's own flag") // no env fallback: KINDRED_OUT is not read
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != Default().Addr {
		t.Errorf("Addr = %q: an unbound setting was read from the environment", cfg.Addr)
	}
	if out != "" {
		t.Errorf("out = %q: a subcommand's own flag was read from the environment", out)
	}
	if cfg.DB != "from-env" {
		t.Errorf("DB = %q: the bound setting was not read from the environment", cfg.DB)
	}
	if fs.Lookup("addr") != nil {
		t.Error("migrate should not offer --addr")
	}
}

func TestHelpIsReportedAsErrHelp(t *testing.T) {
	_, err := parse(t, []string{"-h"}, nil)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
}

// FuzzParsePrefixes: any --trusted-proxies value is parsed or refused,
// never a panic, and what parses is masked.
func FuzzParsePrefixes(f *testing.F) {
	f.Add("10.0.0.0/8, 127.0.0.1,::1")
	f.Add("192.168.1.7/24")
	f.Add("proxy.internal,,/")
	f.Fuzz(func(t *testing.T, v string) {
		ps, err := parsePrefixes(v)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p != p.Masked() || !p.IsValid() {
				t.Fatalf("parsePrefixes(%q) gave %v", v, p)
			}
		}
	})
}

func TestInboundEmailSettings(t *testing.T) {
	bind := func(args []string, env map[string]string) (Config, error) {
		cfg := Default()
		fs := NewFlagSet("serve", &cfg, io.Discard)
		fs.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		fs.Inbound()
		return cfg, fs.Parse(args)
	}
	cfg, err := bind([]string{"--smtp-listen", "127.0.0.1:2526", "--inbox-address", "Help@Example.org", "--inbox-address", "care@example.org, billing@example.org"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Inboxes(), " "); got != "help@example.org care@example.org billing@example.org" {
		t.Errorf("inboxes %q", got)
	}
	cfg, err = bind(nil, map[string]string{"KINDRED_SMTP_LISTEN": ":2526", "KINDRED_INBOX_ADDRESS": "help@example.org",
		"KINDRED_IMAP_ADDR": "imap.example.org:993", "KINDRED_IMAP_USERNAME": "desk", "KINDRED_IMAP_POLL": "30s"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPListen != ":2526" || cfg.IMAPAddr != "imap.example.org:993" || cfg.IMAPPoll != 30*time.Second || cfg.IMAPMailbox != "INBOX" {
		t.Errorf("from the environment: %+v", cfg)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-listen", "127.0.0.1:2526"}, "needs --inbox-address"},
		{[]string{"--inbox-address", "nobody"}, "--inbox-address"},
		{[]string{"--imap-addr", "imap.example.org"}, "--imap-addr"},
		{[]string{"--imap-addr", "imap.example.org:993"}, "needs --imap-username"},
		{[]string{"--imap-poll", "10ms"}, "--imap-poll"},
	} {
		if _, err := bind(tt.args, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want one mentioning %q", tt.args, err, tt.want)
		}
	}
}

func TestChatOriginsAreReadAsBrowsersWriteThem(t *testing.T) {
	parseReach := func(args []string, env map[string]string) (Config, error) {
		cfg := Default()
		fs := NewFlagSet("test", &cfg, io.Discard)
		fs.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		fs.Reach()
		return cfg, fs.Parse(args)
	}
	good := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"none: the chat is off", nil, nil, nil},
		{"a list, cased and with default ports", []string{"--chat-origins", "HTTPS://Shop.Example:443, http://127.0.0.1:5173,https://www.example.org/"}, nil,
			[]string{"https://shop.example", "http://127.0.0.1:5173", "https://www.example.org"}},
		{"from the environment", nil, map[string]string{"KINDRED_CHAT_ORIGINS": "http://[::1]:80"}, []string{"http://[::1]"}},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseReach(tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.ChatOrigins, tt.want) {
				t.Fatalf("origins %q, want %q", cfg.ChatOrigins, tt.want)
			}
		})
	}
	for _, bad := range []string{"shop.example", "https://shop.example/chat", "ftp://shop.example", "https://*.example", "https://u:p@shop.example", "https://shop.example?x=1"} {
		if _, err := parseReach([]string{"--chat-origins", bad}, nil); err == nil || !strings.Contains(err.Error(), "chat-origins") {
			t.Errorf("--chat-origins %q: %v, want an error naming the flag", bad, err)
		}
	}
}

// TestTimeZoneAndUSSDCode: the desk's time zone is Africa/Nairobi unless
// --time-zone or KINDRED_TIME_ZONE names another, and is loaded at start
// (the binary embeds the zone database, so this needs no zoneinfo on the
// machine); a name that is not a zone, or one that means "the server's
// zone", is refused. --ussd-code takes a code as phones dial it.
func TestTimeZoneAndUSSDCode(t *testing.T) {
	parseClock := func(args []string, env map[string]string) (Config, error) {
		cfg := Default()
		fs := NewFlagSet("test", &cfg, io.Discard)
		fs.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		fs.Clock()
		fs.Outbound()
		err := fs.Parse(args)
		return cfg, err
	}
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		zone string
		ussd string
	}{
		{"default", nil, nil, "Africa/Nairobi", ""},
		{"flag", []string{"--time-zone", "Europe/London", "--ussd-code", "*384*1234#"}, nil, "Europe/London", "*384*1234#"},
		{"environment", nil, map[string]string{"KINDRED_TIME_ZONE": "Africa/Kampala", "KINDRED_USSD_CODE": " *144# "}, "Africa/Kampala", "*144#"},
		{"UTC said outright", []string{"--time-zone", "UTC"}, nil, "UTC", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseClock(tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Location == nil || cfg.Location.String() != tt.zone || cfg.USSDCode != tt.ussd {
				t.Fatalf("zone %v, USSD code %q; want %s, %q", cfg.Location, cfg.USSDCode, tt.zone, tt.ussd)
			}
		})
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"not a zone", []string{"--time-zone", "Nairobi"}, "--time-zone (or KINDRED_TIME_ZONE)"},
		{"the server's zone", []string{"--time-zone", "Local"}, "--time-zone"},
		{"empty", []string{"--time-zone", ""}, "--time-zone"},
		{"USSD code without #", []string{"--ussd-code", "*384*1234"}, "--ussd-code (or KINDRED_USSD_CODE)"},
		{"USSD code with letters", []string{"--ussd-code", "*384*desk#"}, "--ussd-code"},
		{"USSD code with an empty group", []string{"--ussd-code", "*384**1#"}, "--ussd-code"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseClock(tt.args, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
