package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// crlf writes a mail as it travels: CRLF line ends.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const plainReply = `From: "Amina Odhiambo" <Amina@Example.org>
To: help@example.org
Cc: Someone <someone@example.net>
Subject: =?utf-8?q?Re:_My_card_=E2=80=94_still_waiting?= [#12]
Message-ID: <cust-2@example.org>
In-Reply-To: <ours-1@kindred.example>
References: <cust-1@example.org> <ours-1@kindred.example>
Content-Type: text/plain; charset=utf-8

It still has not come.

On Mon, 3 Dec 2026 at 10:00, Kindred Desk <desk@kindred.example> wrote:
> Your card is on its way.
`

const htmlWithFile = `From: Baraka <baraka@example.org>
To: help@example.org
Subject: Statement
Message-ID: <b-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<p>Here is my statement, caf=E9 receipt.</p><script>alert(1)</script>
--inner--
--outer
Content-Type: text/html; name="statement.html"
Content-Disposition: attachment; filename="../../etc/statement.html"
Content-Transfer-Encoding: base64

PGh0bWw+PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0PjwvaHRtbD4=
--outer
Content-Type: application/octet-stream; name="scan.pdf"
Content-Disposition: attachment; filename="scan.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCg==
--outer--
`

func TestParseReadsAPersonsMail(t *testing.T) {
	in, err := Parse(strings.NewReader(crlf(plainReply)))
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != KindPerson || in.From != "Amina@Example.org" || in.FromName != "Amina Odhiambo" {
		t.Errorf("kind %v from %q %q", in.Kind, in.From, in.FromName)
	}
	if in.Subject != "Re: My card — still waiting [#12]" || in.MessageID != "cust-2@example.org" {
		t.Errorf("subject %q id %q", in.Subject, in.MessageID)
	}
	if fmt.Sprint(in.InReplyTo) != "[ours-1@kindred.example]" || fmt.Sprint(in.References) != "[cust-1@example.org ours-1@kindred.example]" {
		t.Errorf("in-reply-to %v references %v", in.InReplyTo, in.References)
	}
	if in.Body != "It still has not come." {
		t.Errorf("body %q: the quoted mail should be cut", in.Body)
	}
	if fmt.Sprint(in.Recipients) != "[help@example.org someone@example.net]" {
		t.Errorf("recipients %v", in.Recipients)
	}
}

func TestParseTurnsHTMLToTextAndKeepsFilesWithSniffedTypes(t *testing.T) {
	in, err := Parse(strings.NewReader(crlf(htmlWithFile)))
	if err != nil {
		t.Fatal(err)
	}
	if in.Body != "Here is my statement, café receipt." {
		t.Errorf("body %q", in.Body)
	}
	if len(in.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2", len(in.Attachments))
	}
	a, b := in.Attachments[0], in.Attachments[1]
	if a.Filename != "statement.html" || a.ContentType != "text/html; charset=utf-8" || string(a.Data) != "<html><script>alert(1)</script></html>" {
		t.Errorf("first file %q %q %q", a.Filename, a.ContentType, a.Data)
	}
	if b.Filename != "scan.pdf" || b.ContentType != "application/pdf" || b.Size != int64(len(b.Data)) {
		t.Errorf("second file %q %q %d", b.Filename, b.ContentType, b.Size)
	}
}

func TestParseRecognisesAutomaticMail(t *testing.T) {
	base := "From: Amina <amina@example.org>\nTo: help@example.org\nSubject: Out of office\nMessage-ID: <a@x>\n%s\nI am away.\n"
	tests := []struct {
		name   string
		header string
		want   Kind
	}{
		{"a person", "", KindPerson},
		{"Auto-Submitted: no is a person", "Auto-Submitted: no\n", KindPerson},
		{"auto-replied", "Auto-Submitted: auto-replied\n", KindAutoReply},
		{"precedence bulk", "Precedence: bulk\n", KindAutoReply},
		{"precedence junk", "Precedence: junk\n", KindAutoReply},
		{"X-Autoreply", "X-Autoreply: yes\n", KindAutoReply},
		{"a list", "List-Id: <news.example.org>\n", KindAutoReply},
		{"empty return path", "Return-Path: <>\n", KindAutoReply},
		{"our own mail come back", OutboxIDHeader + ": 7\n", KindOurs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(strings.NewReader(crlf(fmt.Sprintf(base, tt.header))))
			if err != nil {
				t.Fatal(err)
			}
			if in.Kind != tt.want {
				t.Errorf("kind %v (%s), want %v", in.Kind, in.Why, tt.want)
			}
		})
	}
}

const bounce = `Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: desk@kindred.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.org>
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

This is the mail system. Your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; amina@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <amina@example.org>: Recipient address rejected: User unknown
--b
Content-Type: text/rfc822-headers

From: Kindred Desk <desk@kindred.example>
To: amina@example.org
Subject: Re: My card [#12]
Message-ID: <ours-9@kindred.example>
X-Kindred-Outbox-Id: 9
--b--
`

func TestParseFindsTheMailABounceReturns(t *testing.T) {
	in, err := Parse(strings.NewReader(crlf(bounce)))
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != KindBounce {
		t.Fatalf("kind %v, want bounce", in.Kind)
	}
	if fmt.Sprint(in.Bounced) != "[ours-9@kindred.example]" {
		t.Errorf("bounced %v", in.Bounced)
	}
	if in.BounceReason != "550 5.1.1 <amina@example.org>: Recipient address rejected: User unknown" {
		t.Errorf("reason %q", in.BounceReason)
	}
}

// bigAttachment is a mail with one file of n bytes, base64 as mail carries it.
func bigAttachment(n int) string {
	var b strings.Builder
	b.WriteString(crlf("From: a@example.org\nTo: help@example.org\nSubject: big\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nSee attached.\n--x\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=big.pdf\nContent-Transfer-Encoding: base64\n\n"))
	enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("%PDF-1.4 lorem ipsum "), n/21+1)[:n])
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--x--\r\n")
	return b.String()
}

func TestParseRefusesBadMailClearly(t *testing.T) {
	bomb := "From: a@example.org\r\n" + strings.Repeat("X-Spam: 1\r\n", 5000) + "\r\nhi\r\n"
	hugeField := "From: a@example.org\r\nSubject: " + strings.Repeat("a ", 40000) + "\r\n\r\nhi\r\n"
	tests := []struct {
		name     string
		mail     string
		field    string
		tooLarge bool
	}{
		{"a header bomb of many fields", bomb, "header", true},
		{"a huge header block", hugeField, "header", true},
		{"invalid UTF-8 in a header", "From: a@example.org\r\nSubject: caf\xe9\r\n\r\nhi\r\n", "header", false},
		{"invalid UTF-8 after RFC 2047 decoding", "From: a@example.org\r\nSubject: =?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte("caf\xe9")) + "?=\r\n\r\nhi\r\n", "Subject", false},
		{"a multipart that never ends", crlf("From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n"), "mime", false},
		{"no From", crlf("Subject: hi\n\nhello\n"), "From", false},
		{"no header at all", "\r\nhello\r\n", "header", false},
		{"a 30 MB attachment", bigAttachment(30 << 20), `attachment "big.pdf"`, true},
		{"an 11 MB attachment", bigAttachment(11 << 20), `attachment "big.pdf"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(strings.NewReader(tt.mail))
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("Parse = %+v, %v; want a refusal", in, err)
			}
			if re.Field != tt.field || re.TooLarge != tt.tooLarge || re.Reason == "" {
				t.Errorf("refused %q (too large %v): %v; want field %q, too large %v", re.Field, re.TooLarge, re, tt.field, tt.tooLarge)
			}
		})
	}
}

func TestParseGivesAMailWithoutMessageIDAStableOne(t *testing.T) {
	m := crlf("From: a@example.org\nSubject: hi\n\nhello\n")
	a, err := Parse(strings.NewReader(m))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse(strings.NewReader(m))
	if a.MessageID == "" || a.MessageID != b.MessageID || !strings.HasSuffix(a.MessageID, "@kindred.invalid") {
		t.Errorf("ids %q %q", a.MessageID, b.MessageID)
	}
}

func TestTrimQuotedKeepsTheCustomersOwnWords(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"gmail intro", "Yes please.\n\nOn Mon, 3 Dec 2026, Desk <d@x> wrote:\n> Shall we?", "Yes please."},
		{"wrapped intro", "Yes.\n\nOn Mon, 3 Dec 2026, Kindred Desk <d@x>\nwrote:\n> Shall we?", "Yes."},
		{"outlook", "Thanks\n\n-----Original Message-----\nFrom: Desk", "Thanks"},
		{"trailing quote", "Fine.\n> earlier", "Fine."},
		{"only a quote is kept", "> earlier\n> more", "> earlier\n> more"},
		{"signature", "Thanks\n-- \nAmina\n0722 000 111", "Thanks"},
		{"nothing to trim", "Hello\nthere", "Hello\nthere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TrimQuoted(tt.in); got != tt.want {
				t.Errorf("TrimQuoted(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseMIME(f *testing.F) {
	f.Add([]byte(crlf(plainReply)))
	f.Add([]byte(crlf(htmlWithFile)))
	f.Add([]byte(crlf(bounce)))
	f.Add([]byte("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := Parse(bytes.NewReader(raw))
		if err != nil {
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("Parse failed without a refusal: %v", err)
			}
			return
		}
		if in.MessageID == "" || in.From == "" {
			t.Fatalf("accepted a mail without Message-ID or From: %+v", in)
		}
		var total int64
		for _, a := range in.Attachments {
			if a.Size != int64(len(a.Data)) || a.Size > MaxAttachmentBytes || a.ContentType == "" || a.Filename == "" {
				t.Fatalf("attachment %q %q %d", a.Filename, a.ContentType, a.Size)
			}
			total += a.Size
		}
		if total > MaxAttachmentsBytes {
			t.Fatalf("files total %d", total)
		}
	})
}
