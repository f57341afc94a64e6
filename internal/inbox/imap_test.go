package inbox

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

// startDovecot starts a real Dovecot IMAP server of its own, from a config
// written to a temp dir, on a free loopback port, with one user "desk"
// (password "secret") whose mail lives in the temp dir. It skips when
// Dovecot is not installed, unless KINDRED_REQUIRE_DOVECOT=1.
func startDovecot(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("KINDRED_REQUIRE_DOVECOT") == "1" {
			t.Fatal("dovecot is not installed (apt-get install dovecot-imapd) and KINDRED_REQUIRE_DOVECOT=1")
		}
		t.Skip("dovecot is not installed (apt-get install dovecot-imapd)")
	}
	// A short path: Dovecot's sockets live under it, and a unix socket's
	// path may not be longer than about a hundred bytes.
	dir, err := os.MkdirTemp("", "kdv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	// Dovecot will not give mail to root: as root, the mail belongs to
	// Dovecot's own user.
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	internal, uid, gid := me.Username, me.Uid, me.Gid
	if me.Uid == "0" {
		du, err := user.Lookup("dovecot")
		if err != nil {
			t.Fatalf("running as root, and no dovecot user: %v", err)
		}
		internal, uid, gid = "dovecot", du.Uid, du.Gid
	}
	mailDir := filepath.Join(dir, "mail")
	if err := os.MkdirAll(mailDir, 0o755); err != nil {
		t.Fatal(err)
	}
	u, _ := strconv.Atoi(uid)
	g, _ := strconv.Atoi(gid)
	os.Chown(mailDir, u, g)
	passwd := filepath.Join(dir, "passwd")
	if err := os.WriteFile(passwd, []byte("desk:{PLAIN}secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
listen = 127.0.0.1
protocols = imap
default_internal_user = %[2]s
default_internal_group = %[6]s
default_login_user = %[2]s
first_valid_uid = 1
mail_location = maildir:%[3]s/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[4]s
}
userdb {
  driver = static
  args = uid=%[7]s gid=%[8]s home=%[3]s/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`, dir, internal, mailDir, passwd, port, groupName(t, gid), uid, gid)
	confPath := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", confPath, "-F")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot log:\n%s", log)
		}
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start listening on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func groupName(t *testing.T, gid string) string {
	g, err := user.LookupGroupId(gid)
	if err != nil {
		t.Fatal(err)
	}
	return g.Name
}

// appendMail puts a mail in the user's INBOX over IMAP, as a mail server's
// delivery would.
func appendMail(t *testing.T, addr, raw string) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("desk", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func unseen(t *testing.T, addr string) int {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("desk", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(d.AllUIDs())
}

func TestPollerFetchesUnseenMailFromDovecotAndMarksItSeenAfterStoring(t *testing.T) {
	addr := startDovecot(t)
	d := startDesk(t)
	appendMail(t, addr, firstMail)
	appendMail(t, addr, "From: Grace <grace@example.org>\nTo: help@example.org\nSubject: Letter\nMessage-ID: <g1@example.org>\n\nThe letter came, thank you.\n")
	appendMail(t, addr, "From: Grace <grace@example.org>\nSubject: caf\xc3\n\nbroken\n")
	if n := unseen(t, addr); n != 3 {
		t.Fatalf("%d unseen before the poll", n)
	}
	p := &Poller{Desk: &Desk{Store: d.db, Analyzer: compassion.DeskAnalyzer{}}, Addr: addr, Username: "desk", Password: "secret"}
	n, err := p.Poll(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("poll handled %d: %v", n, err)
	}
	if left := unseen(t, addr); left != 0 {
		t.Fatalf("%d mails still unseen after the poll", left)
	}
	convs, err := d.db.Conversations(context.Background(), kindred.ConversationFilter{Channel: kindred.ChannelEmail})
	if err != nil || len(convs) != 2 {
		t.Fatalf("conversations %+v %v", convs, err)
	}
	if n, err := p.Poll(context.Background()); err != nil || n != 0 {
		t.Fatalf("a second poll handled %d: %v", n, err)
	}
	// A mail that was fetched but whose store failed stays unseen: the
	// same mail again (an IMAP re-poll after a crash) is stored once.
	appendMail(t, addr, firstMail)
	if n, err := p.Poll(context.Background()); err != nil || n != 1 {
		t.Fatalf("re-poll handled %d: %v", n, err)
	}
	if c := d.count(t, "messages"); c != 2 {
		t.Fatalf("%d messages after the same mail came twice, want 2", c)
	}
}

func TestPollerLeavesMailUnseenWhenTheStoreFails(t *testing.T) {
	addr := startDovecot(t)
	d := startDesk(t)
	appendMail(t, addr, firstMail)
	d.db.Close() // the database is gone: storing fails
	p := &Poller{Desk: &Desk{Store: d.db}, Addr: addr, Username: "desk", Password: "secret"}
	if _, err := p.Poll(context.Background()); err == nil {
		t.Fatal("the poll reported success with the database closed")
	}
	if n := unseen(t, addr); n != 1 {
		t.Fatalf("%d unseen: a mail not stored was marked seen", n)
	}
}
