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
	"net/netip"
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
	DB              string         // SQLite file path, or a postgres:// URL
	Addr            string         // host:port to listen on; port 0 picks a free one
	LogFormat       string         // "text" or "json"
	LogLevel        slog.Level     // debug, info, warn, error
	Region          string         // ISO 3166 region for phone numbers written without +country code
	MaxBody         int64          // largest request body the API accepts, in bytes
	ShutdownTimeout time.Duration  // how long in-flight requests may run after SIGTERM
	AdminEmail      string         // email of the administrator created on first run
	MetricsPublic   bool           // serve /metrics without a token
	SecureCookies   bool           // mark console cookies Secure even on plain HTTP (behind a TLS proxy)
	TrustedProxies  []netip.Prefix // proxies whose X-Forwarded-For names the client

	// TimeZone is the desk's time zone, an IANA name (Africa/Nairobi):
	// every clock time the console, kiosk, tickets, SMS and USSD show is on
	// its clock, and the lobby's day and the insights' days and weeks start
	// at its midnight, whatever the server's own zone. Location is it
	// loaded, once validated.
	TimeZone string
	Location *time.Location

	// Reaching customers: links in messages, SMS, email, and the lobby.
	BaseURL      string // the desk's public address, for links in SMS and email; "" means the listening address
	SMSURL       string // the SMS gateway's send endpoint; "" logs messages instead of sending them
	SMSUsername  string // the gateway account's username
	SMSKey       string // the gateway account's API key
	SMSFrom      string // the sender id or short code messages come from; "" for the gateway's default
	SMTPAddr     string // host:port of the SMTP relay for email; "" logs email instead of sending it
	SMTPFrom     string // the From address of kindred's email
	SMTPUsername string // SMTP AUTH PLAIN user; "" sends without authenticating
	SMTPPassword string
	OfficeHours  string // opening hours told to USSD callers and shown on the kiosk
	// USSDCode is the number people dial to reach the desk's USSD menu
	// (*384*1234#), shown wherever a code is offered read out; "" when the
	// desk has no USSD line, or has not said which.
	USSDCode   string
	GatewayKey string // required on USSD and inbound-SMS callbacks when set
	// InsecureGateway lets the gateway callbacks run without GatewayKey
	// (trying kindred out); without either, they refuse every request.
	InsecureGateway bool

	// Inbound email: kindred's own SMTP listener, an IMAP mailbox, or both.
	SMTPListen     string        // host:port of the SMTP listener; "" for none
	InboxAddresses string        // comma-separated addresses the listener accepts mail for
	IMAPAddr       string        // host:port of an IMAP server to poll (993: TLS; others: STARTTLS, except on localhost); "" for none
	IMAPUsername   string        // the mailbox's user
	IMAPPassword   string        // the mailbox's password
	IMAPMailbox    string        // the folder polled
	IMAPPoll       time.Duration // how often the mailbox is polled

	// WhatsApp Business Cloud API. With no phone id, WhatsApp replies are
	// not sent (they fail with the reason); with no app secret the webhook
	// accepts nothing, since nothing unsigned is taken in.
	WhatsAppURL         string // the Graph API base, https://graph.facebook.com/v21.0, or kindred wagw's address
	WhatsAppPhoneID     string // the business phone number id messages are sent from
	WhatsAppToken       string // the access token sends carry
	WhatsAppAppSecret   string // signs the webhook's posts (X-Hub-Signature-256)
	WhatsAppVerifyToken string // answers the webhook's subscription handshake

	// WebhookAllowPrivate lets webhooks reach loopback and private addresses.
	WebhookAllowPrivate bool

	// ChatOrigins are the websites that may embed the web chat widget,
	// each scheme://host[:port] as browsers send it in Origin. None: the
	// web chat is off.
	ChatOrigins []string
}

// Inboxes returns the inbox addresses, lower-cased.
func (c *Config) Inboxes() []string {
	var out []string
	for _, a := range strings.Split(c.InboxAddresses, ",") {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// DefaultWhatsAppURL is the Graph API the WhatsApp Business Cloud API is
// served from.
const DefaultWhatsAppURL = "https://graph.facebook.com/v21.0"

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
		AdminEmail:      "",
		SMTPFrom:        "kindred@localhost",
		OfficeHours:     "Monday to Friday, 8:00 to 17:00",
		IMAPMailbox:     "INBOX",
		IMAPPoll:        time.Minute,
		WhatsAppURL:     DefaultWhatsAppURL,
		TimeZone:        DefaultTimeZone,
	}
}

// DefaultTimeZone is the desk's time zone unless --time-zone says
// otherwise: kindred was first made for offices in Kenya.
const DefaultTimeZone = "Africa/Nairobi"

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

// Links binds --base-url alone, for commands that print links to the desk
// (kindred agent reset-link) but send nothing.
func (fs *FlagSet) Links() {
	fs.StringVar(&fs.cfg.BaseURL, "base-url", fs.cfg.BaseURL, "the desk's public address, for the printed link (default: http:// and the default --addr)"+fs.bind("base-url"))
}

// Clock binds --time-zone: the desk's clock, for commands that show or
// decide clock times.
func (fs *FlagSet) Clock() {
	fs.StringVar(&fs.cfg.TimeZone, "time-zone", fs.cfg.TimeZone, "the desk's time zone, an IANA name such as Africa/Nairobi or Europe/London: the clock times people are shown, and the midnight that starts the lobby's day and the insights' days and weeks"+fs.bind("time-zone"))
}

// Log binds --log-format and --log-level.
func (fs *FlagSet) Log() {
	fs.StringVar(&fs.cfg.LogFormat, "log-format", fs.cfg.LogFormat, "log format: text or json"+fs.bind("log-format"))
	fs.TextVar(&fs.cfg.LogLevel, "log-level", fs.cfg.LogLevel, "log level: debug, info, warn or error"+fs.bind("log-level"))
}

// Region binds --region, for commands that read phone numbers (serve,
// import).
func (fs *FlagSet) Region() {
	fs.StringVar(&fs.cfg.Region, "region", fs.cfg.Region, "region for phone numbers written without +country code (ISO 3166, e.g. KE, GB)"+fs.bind("region"))
}

// Serve binds the settings of the running desk: --addr, --region,
// --max-body, --shutdown-timeout, --admin-email, --secure-cookies,
// --trusted-proxies and --metrics-public.
func (fs *FlagSet) Serve() {
	fs.StringVar(&fs.cfg.Addr, "addr", fs.cfg.Addr, "address to listen on, host:port (port 0 picks a free port)"+fs.bind("addr"))
	fs.Region()
	fs.Int64Var(&fs.cfg.MaxBody, "max-body", fs.cfg.MaxBody, "largest API request body, in bytes"+fs.bind("max-body"))
	fs.DurationVar(&fs.cfg.ShutdownTimeout, "shutdown-timeout", fs.cfg.ShutdownTimeout, "how long in-flight requests may finish after SIGINT/SIGTERM"+fs.bind("shutdown-timeout"))
	fs.StringVar(&fs.cfg.AdminEmail, "admin-email", fs.cfg.AdminEmail, "email of the administrator created on first run"+fs.bind("admin-email"))
	fs.BoolVar(&fs.cfg.SecureCookies, "secure-cookies", fs.cfg.SecureCookies, "mark the console's cookies Secure even when kindred itself speaks plain HTTP: set it behind a proxy that terminates TLS"+fs.bind("secure-cookies"))
	fs.Func("trusted-proxies", "comma-separated CIDRs of the proxies in front of kindred (e.g. 127.0.0.1/32,10.0.0.0/8): their X-Forwarded-For names the client, for sign-in limits and logs"+fs.bind("trusted-proxies"), func(v string) error {
		prefixes, err := parsePrefixes(v)
		fs.cfg.TrustedProxies = prefixes
		return err
	})
	fs.BoolVar(&fs.cfg.MetricsPublic, "metrics-public", fs.cfg.MetricsPublic, "serve /metrics without a token; only where the scraper alone can reach the port"+fs.bind("metrics-public"))
}

// Outbound binds how kindred reaches customers: --base-url, the SMS gateway
// (--sms-url, --sms-username, --sms-key, --sms-from), the SMTP relay
// (--smtp-addr, --smtp-from, --smtp-username, --smtp-password) and
// --gateway-key, --insecure-gateway and --office-hours.
func (fs *FlagSet) Outbound() {
	c := fs.cfg
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "the desk's public address, for links in SMS and email (default: the listening address)"+fs.bind("base-url"))
	fs.StringVar(&c.SMSURL, "sms-url", c.SMSURL, "SMS gateway send endpoint (Africa's Talking format); empty logs SMS instead of sending"+fs.bind("sms-url"))
	fs.StringVar(&c.SMSUsername, "sms-username", c.SMSUsername, "SMS gateway username"+fs.bind("sms-username"))
	fs.StringVar(&c.SMSKey, "sms-key", c.SMSKey, "SMS gateway API key; prefer the environment variable to the flag"+fs.bind("sms-key"))
	fs.StringVar(&c.SMSFrom, "sms-from", c.SMSFrom, "SMS sender id or short code; empty for the gateway's default"+fs.bind("sms-from"))
	fs.StringVar(&c.SMTPAddr, "smtp-addr", c.SMTPAddr, "SMTP relay host:port for email; empty logs email instead of sending"+fs.bind("smtp-addr"))
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "From address of kindred's email"+fs.bind("smtp-from"))
	fs.StringVar(&c.SMTPUsername, "smtp-username", c.SMTPUsername, "SMTP username (AUTH PLAIN); empty sends without authenticating"+fs.bind("smtp-username"))
	fs.StringVar(&c.SMTPPassword, "smtp-password", c.SMTPPassword, "SMTP password; prefer the environment variable to the flag"+fs.bind("smtp-password"))
	fs.StringVar(&c.GatewayKey, "gateway-key", c.GatewayKey, "a secret the SMS/USSD gateway's callback URLs carry (?key=…) or send as X-Gateway-Key; without it anyone who reaches /ussd can speak as any phone"+fs.bind("gateway-key"))
	fs.BoolVar(&c.InsecureGateway, "insecure-gateway", c.InsecureGateway, "without --gateway-key, let anyone who reaches the port use the SMS/USSD callbacks as any phone: only to try kindred out with a simulator"+fs.bind("insecure-gateway"))
	fs.StringVar(&c.OfficeHours, "office-hours", c.OfficeHours, "opening hours, as told to USSD callers and shown on the kiosk"+fs.bind("office-hours"))
	fs.StringVar(&c.USSDCode, "ussd-code", c.USSDCode, "the USSD code people dial for the desk's menu, such as *384*1234#: shown wherever a one-time code is offered read out"+fs.bind("ussd-code"))
}

// Inbound binds how customers' email reaches kindred: the SMTP listener
// (--smtp-listen, --inbox-address) and the IMAP poller (--imap-addr,
// --imap-username, --imap-password, --imap-mailbox, --imap-poll).
func (fs *FlagSet) Inbound() {
	c := fs.cfg
	fs.StringVar(&c.SMTPListen, "smtp-listen", c.SMTPListen, "listen for customers' email by SMTP on host:port; needs --inbox-address"+fs.bind("smtp-listen"))
	fs.Var((*addressList)(&c.InboxAddresses), "inbox-address", "an address the SMTP listener accepts mail for (repeat the flag, or a comma list)"+fs.bind("inbox-address"))
	fs.StringVar(&c.IMAPAddr, "imap-addr", c.IMAPAddr, "poll an existing mailbox over IMAP at host:port (993: TLS; others: STARTTLS, except on localhost)"+fs.bind("imap-addr"))
	fs.StringVar(&c.IMAPUsername, "imap-username", c.IMAPUsername, "the IMAP mailbox's user"+fs.bind("imap-username"))
	fs.StringVar(&c.IMAPPassword, "imap-password", c.IMAPPassword, "the IMAP mailbox's password; prefer the environment variable to the flag"+fs.bind("imap-password"))
	fs.StringVar(&c.IMAPMailbox, "imap-mailbox", c.IMAPMailbox, "the IMAP folder polled for unseen mail"+fs.bind("imap-mailbox"))
	fs.DurationVar(&c.IMAPPoll, "imap-poll", c.IMAPPoll, "how often the IMAP mailbox is polled"+fs.bind("imap-poll"))
}

// addressList is a comma-separated list that a repeated flag adds to.
type addressList string

func (l *addressList) String() string { return string(*l) }

func (l *addressList) Set(v string) error {
	if *l != "" {
		v = string(*l) + "," + v
	}
	*l = addressList(v)
	return nil
}

// Reach binds the channels that meet people where they already are and
// the webhooks that tell other systems: --whatsapp-url, --whatsapp-phone-id,
// --whatsapp-token, --whatsapp-app-secret, --whatsapp-verify-token,
// --webhook-allow-private and --chat-origins.
func (fs *FlagSet) Reach() {
	c := fs.cfg
	fs.StringVar(&c.WhatsAppURL, "whatsapp-url", c.WhatsAppURL, "WhatsApp Cloud API base URL (the Graph API, or kindred wagw's address)"+fs.bind("whatsapp-url"))
	fs.StringVar(&c.WhatsAppPhoneID, "whatsapp-phone-id", c.WhatsAppPhoneID, "WhatsApp business phone number id; empty: WhatsApp replies are not sent"+fs.bind("whatsapp-phone-id"))
	fs.StringVar(&c.WhatsAppToken, "whatsapp-token", c.WhatsAppToken, "WhatsApp access token; prefer the environment variable to the flag"+fs.bind("whatsapp-token"))
	fs.StringVar(&c.WhatsAppAppSecret, "whatsapp-app-secret", c.WhatsAppAppSecret, "the Meta app secret that signs the WhatsApp webhook (X-Hub-Signature-256); empty: the webhook accepts nothing"+fs.bind("whatsapp-app-secret"))
	fs.StringVar(&c.WhatsAppVerifyToken, "whatsapp-verify-token", c.WhatsAppVerifyToken, "the token the WhatsApp webhook's subscription handshake must carry"+fs.bind("whatsapp-verify-token"))
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "let webhooks reach loopback and private addresses (tests, on-premises receivers)"+fs.bind("webhook-allow-private"))
	fs.Func("chat-origins", "comma-separated websites that may embed the web chat widget (e.g. https://www.example.org,https://shop.example.org); empty: the web chat is off"+fs.bind("chat-origins"), func(v string) error {
		origins, err := ParseOrigins(v)
		if err != nil {
			return err
		}
		c.ChatOrigins = append(c.ChatOrigins, origins...)
		return nil
	})
}

// ParseOrigins reads comma-separated web origins (scheme://host[:port]) and
// returns them as browsers write Origin: lower case, without a default port
// or a trailing slash.
func ParseOrigins(v string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Host, "*") {
			return nil, fmt.Errorf("%q is not an origin: write scheme://host[:port], e.g. https://www.example.org", f)
		}
		host := strings.ToLower(u.Host)
		if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
			host = strings.ToLower(u.Hostname())
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
		}
		out = append(out, strings.ToLower(u.Scheme)+"://"+host)
	}
	return out, nil
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
	if fs.bound["admin-email"] && c.AdminEmail != "" {
		// What the setup form accepts: a suggestion it refuses is a
		// newcomer's first error.
		_, domain, ok := strings.Cut(c.AdminEmail, "@")
		if !ok || !strings.Contains(strings.Trim(domain, "."), ".") {
			bad("admin-email", "%q is not an email address with a full domain, such as admin@example.org", c.AdminEmail)
		}
	}
	if fs.bound["base-url"] && c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("base-url", "%q is not an http(s) URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	}
	if fs.bound["sms-url"] && c.SMSURL != "" {
		if u, err := url.Parse(c.SMSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("sms-url", "%q is not an http(s) URL", c.SMSURL)
		} else if c.SMSKey == "" || c.SMSUsername == "" {
			bad("sms-url", "needs --sms-username and --sms-key too")
		}
	}
	if fs.bound["smtp-addr"] && c.SMTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.SMTPAddr); err != nil || port == "" {
			bad("smtp-addr", "%q is not host:port", c.SMTPAddr)
		}
	}
	if fs.bound["whatsapp-url"] {
		if u, err := url.Parse(c.WhatsAppURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("whatsapp-url", "%q is not an http(s) URL", c.WhatsAppURL)
		}
		c.WhatsAppURL = strings.TrimSuffix(c.WhatsAppURL, "/")
	}
	if fs.bound["whatsapp-phone-id"] && c.WhatsAppPhoneID != "" && c.WhatsAppToken == "" {
		bad("whatsapp-phone-id", "needs --whatsapp-token too")
	}
	if fs.bound["smtp-from"] && !strings.Contains(c.SMTPFrom, "@") {
		bad("smtp-from", "%q is not an email address", c.SMTPFrom)
	}
	if fs.bound["smtp-listen"] && c.SMTPListen != "" {
		if _, port, err := net.SplitHostPort(c.SMTPListen); err != nil || port == "" {
			bad("smtp-listen", "%q is not host:port", c.SMTPListen)
		} else if len(c.Inboxes()) == 0 {
			bad("smtp-listen", "needs --inbox-address: the addresses to accept mail for")
		}
	}
	if fs.bound["inbox-address"] {
		for _, a := range c.Inboxes() {
			if at := strings.IndexByte(a, '@'); at <= 0 || at == len(a)-1 || strings.ContainsAny(a, " <>") {
				bad("inbox-address", "%q is not an email address", a)
			}
		}
	}
	if fs.bound["imap-addr"] && c.IMAPAddr != "" {
		if _, port, err := net.SplitHostPort(c.IMAPAddr); err != nil || port == "" {
			bad("imap-addr", "%q is not host:port", c.IMAPAddr)
		} else if c.IMAPUsername == "" {
			bad("imap-addr", "needs --imap-username and --imap-password")
		}
	}
	if fs.bound["imap-poll"] && c.IMAPPoll < time.Second {
		bad("imap-poll", "must be at least 1s")
	}
	if fs.bound["time-zone"] {
		c.TimeZone = strings.TrimSpace(c.TimeZone)
		// "" and "Local" would mean the server's own zone, which is what
		// the setting is there to avoid; "UTC" must be said.
		if loc, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" || c.TimeZone == "Local" {
			bad("time-zone", "%q is not a time zone: give an IANA name such as Africa/Nairobi or UTC", c.TimeZone)
		} else {
			c.Location = loc
		}
	}
	if fs.bound["ussd-code"] && c.USSDCode != "" {
		c.USSDCode = strings.TrimSpace(c.USSDCode)
		if !validUSSDCode(c.USSDCode) {
			bad("ussd-code", "%q is not a USSD code: it starts with *, has digits separated by *, and ends with #, such as *384*1234#", c.USSDCode)
		}
	}
	return errors.Join(errs...)
}

// validUSSDCode reports whether s is a USSD service code as phones dial it:
// "*", groups of digits separated by "*", then "#" (*384*1234#, *144#).
func validUSSDCode(s string) bool {
	if len(s) < 3 || len(s) > 32 || s[0] != '*' || s[len(s)-1] != '#' {
		return false
	}
	for _, group := range strings.Split(s[1:len(s)-1], "*") {
		if group == "" || strings.Trim(group, "0123456789") != "" {
			return false
		}
	}
	return true
}

// parsePrefixes reads comma-separated CIDRs; a bare address is its own
// /32 or /128.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR (e.g. 10.0.0.0/8)", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
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
