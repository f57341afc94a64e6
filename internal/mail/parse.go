package mail

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-8859-*, Windows-125*, GB18030…: what customers' mail programs still write
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/kindred-desk/kindred"
)

// Limits on the mail Parse accepts. A customer's photo of a letter or a PDF
// statement fits in 10 MB; a few of them in 25. Raw mail is larger than its
// files by base64's third, so a mail may be 36 MB on the wire. The header
// limits stop a header bomb (thousands of fields, or one enormous block)
// before it costs memory; real mail has a few dozen fields in a few KB.
const (
	MaxAttachmentBytes  = 10 << 20 // one file, decoded
	MaxAttachmentsBytes = 25 << 20 // all the files of one mail, decoded
	MaxMailBytes        = 36 << 20 // the raw mail
	MaxHeaderBytes      = 64 << 10 // the top-level header block
	MaxHeaderFields     = 300
	MaxParts            = 100     // MIME parts, nested ones counted
	MaxTextBytes        = 1 << 20 // a text or HTML body read; longer is cut
	MaxBodyRunes        = 50000   // the message kept, as the API's limit
	maxIDs              = 50      // Message-IDs kept from References
)

// Kind is what sort of mail Parse found.
type Kind int

// Kinds of mail. Only a person's mail (KindPerson) becomes a message; the
// others are recognised so that they do not start loops or bury the desk.
const (
	KindPerson    Kind = iota // a person wrote to the desk
	KindAutoReply             // an out-of-office, a list, a robot (Auto-Submitted, Precedence…)
	KindBounce                // a delivery failure report about mail we sent
	KindOurs                  // mail kindred sent, come back (X-Kindred-Outbox-Id)
)

func (k Kind) String() string {
	return [...]string{"person", "auto-reply", "bounce", "ours"}[k]
}

// Inbound is a parsed email.
type Inbound struct {
	kindred.InboundEmail
	Kind Kind
	// Why says which header made the mail automatic, a bounce or ours.
	Why string
	// Recipients are the addresses of To, Cc and Delivered-To, lower-cased.
	Recipients []string
	// Bounced lists the Message-IDs of the mail a bounce reports as
	// undelivered, and BounceReason the receiving server's words.
	Bounced      []string
	BounceReason string
}

// RefusedError is a mail Parse will not take, with the part of it at fault
// and why. Nothing of a refused mail is stored.
type RefusedError struct {
	Field  string // "header", "Subject", "attachment \"x.pdf\"", "mime"…
	Reason string
	// TooLarge is set when a size limit refused it (SMTP answers 552).
	TooLarge bool
}

func (e *RefusedError) Error() string { return "mail refused: " + e.Field + ": " + e.Reason }

func refuse(field, format string, args ...any) error {
	return &RefusedError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func tooLarge(field, format string, args ...any) error {
	return &RefusedError{Field: field, Reason: fmt.Sprintf(format, args...), TooLarge: true}
}

// Parse reads one RFC 5322 mail from r. It refuses, with a RefusedError,
// malformed MIME, headers that are not UTF-8 (after RFC 2047 decoding), a
// header bomb, and mail or files over the limits above. The body is the
// first text/plain part, or the first text/html part turned to text, with
// the quoted earlier mail below a reply cut off; every other part is an
// attachment, its type sniffed from its bytes.
func Parse(r io.Reader) (*Inbound, error) {
	hash := sha256.New()
	raw := &capped{r: io.TeeReader(r, hash), n: MaxMailBytes}
	br := bufio.NewReaderSize(raw, 4096)
	head, err := readHead(br)
	if err != nil {
		return nil, err
	}
	mr, err := gomail.CreateReader(io.MultiReader(bytes.NewReader(head), br))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, mimeError(raw, err)
	}
	in := &Inbound{}
	h := mr.Header
	if err := in.readHeader(h); err != nil {
		return nil, err
	}
	var text, htmlText string
	var total int64
	ct, ctParams, _ := h.ContentType()
	report := ct == "multipart/report"
	for parts := 0; ; parts++ {
		if parts >= MaxParts {
			return nil, refuse("mime", "more than %d parts", MaxParts)
		}
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return nil, mimeError(raw, err)
		}
		pct, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		pct = strings.ToLower(pct)
		disp, dparams, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		switch {
		case pct == "message/delivery-status" || pct == "message/global-delivery-status":
			b, err := readText(raw, p.Body)
			if err != nil {
				return nil, err
			}
			report = true
			in.BounceReason = deliveryStatusReason(b)
			continue
		case pct == "message/rfc822" || pct == "text/rfc822-headers" || pct == "message/global" || pct == "message/global-headers":
			// The returned mail, or its header: whose Message-ID bounced.
			b, err := readText(raw, p.Body)
			if err != nil {
				return nil, err
			}
			in.Bounced = append(in.Bounced, returnedIDs(b)...)
			continue
		case disp != "attachment" && (pct == "text/plain" || pct == "" || pct == "text/html"):
			b, err := readText(raw, p.Body)
			if err != nil {
				return nil, err
			}
			s := strings.ToValidUTF8(b, "\uFFFD")
			if pct == "text/html" {
				if htmlText == "" {
					htmlText = HTMLToText(s)
				}
			} else if text == "" {
				text = strings.TrimSpace(s)
			}
			continue
		}
		a, err := readAttachment(raw, p.Body, len(in.Attachments)+1, pct, params, dparams, &total)
		if err != nil {
			return nil, err
		}
		in.Attachments = append(in.Attachments, a)
	}
	// Whatever follows the last part (an epilogue) still counts and hashes.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, mimeError(raw, err)
	}
	body := text
	if body == "" {
		body = htmlText
	}
	in.Body = trimBody(TrimQuoted(body))
	if in.MessageID == "" {
		// No Message-ID: one from the content, so that the same mail
		// delivered twice is still known as one.
		in.MessageID = hex.EncodeToString(hash.Sum(nil)[:16]) + "@kindred.invalid"
	}
	in.classify(h, report || (ct == "multipart/report" && strings.EqualFold(ctParams["report-type"], "delivery-status")))
	if in.Kind == KindPerson && strings.TrimSpace(in.Body) == "" && len(in.Attachments) == 0 {
		return nil, refuse("body", "the mail has no text and no files")
	}
	return in, nil
}

// capped reads at most n bytes from r and fails beyond them.
type capped struct {
	r io.Reader
	n int64
}

var errMailTooLarge = tooLarge("mail", "larger than %d MB", MaxMailBytes>>20)

func (c *capped) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errMailTooLarge
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// mimeError is the refusal for a parse failure: the size limit's own when
// that is what stopped it.
func mimeError(c *capped, err error) error {
	var re *RefusedError
	if errors.As(err, &re) {
		return re
	}
	if c.n <= 0 {
		return errMailTooLarge
	}
	return refuse("mime", "malformed: %v", err)
}

// readHead reads the top-level header block, refusing a header bomb before
// go-message keeps it all, and header text that is not UTF-8.
func readHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	fields := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, tooLarge("header", "a header line longer than %d bytes", br.Size())
		}
		if err != nil && err != io.EOF {
			var re *RefusedError
			if errors.As(err, &re) {
				return nil, re
			}
			return nil, refuse("header", "cannot be read: %v", err)
		}
		if len(head)+len(line) > MaxHeaderBytes {
			return nil, tooLarge("header", "larger than %d KB", MaxHeaderBytes>>10)
		}
		if !utf8.Valid(line) {
			return nil, refuse("header", "not valid UTF-8 (%q)", bytes.TrimSpace(line))
		}
		head = append(head, line...)
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			if fields == 0 {
				return nil, refuse("header", "the mail has no header")
			}
			return head, nil
		}
		if line[0] != ' ' && line[0] != '\t' {
			if fields++; fields > MaxHeaderFields {
				return nil, tooLarge("header", "more than %d fields", MaxHeaderFields)
			}
			if bytes.IndexByte(line, ':') <= 0 {
				return nil, refuse("header", "a line that is not a field: %q", bytes.TrimSpace(line))
			}
		}
		if err == io.EOF {
			return nil, refuse("mime", "the mail ends inside its header")
		}
	}
}

func (in *Inbound) readHeader(h gomail.Header) error {
	from, err := h.AddressList("From")
	if err != nil || len(from) == 0 {
		return refuse("From", "missing or not an address")
	}
	in.From, in.FromName = strings.TrimSpace(from[0].Address), strings.TrimSpace(from[0].Name)
	if !strings.Contains(in.From, "@") {
		return refuse("From", "%q is not an email address", in.From)
	}
	if in.Subject, err = h.Subject(); err != nil && !message.IsUnknownCharset(err) {
		return refuse("Subject", "cannot be decoded: %v", err)
	}
	for _, f := range []struct{ name, v string }{{"Subject", in.Subject}, {"From", in.FromName}} {
		if !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) {
			return refuse(f.name, "not valid UTF-8 text")
		}
	}
	in.Subject = strings.Join(strings.Fields(in.Subject), " ")
	if id, err := h.MessageID(); err == nil && id != "" {
		in.MessageID = id
	} else if v := strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"); v != "" && len(v) <= 250 && !strings.ContainsAny(v, " \t<>") {
		in.MessageID = v
	}
	in.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	in.References, _ = h.MsgIDList("References")
	if len(in.References) > maxIDs {
		in.References = in.References[len(in.References)-maxIDs:]
	}
	if len(in.InReplyTo) > maxIDs {
		in.InReplyTo = in.InReplyTo[:maxIDs]
	}
	for _, k := range []string{"To", "Cc", "Delivered-To"} {
		list, _ := h.AddressList(k)
		for _, a := range list {
			in.Recipients = append(in.Recipients, strings.ToLower(a.Address))
		}
	}
	return nil
}

// classify tells a person's mail from automatic mail, bounces and our own.
// Auto-replies are recognised by RFC 3834's Auto-Submitted, the older
// Precedence, and the headers common auto-responders add.
func (in *Inbound) classify(h gomail.Header, report bool) {
	returnPath := strings.TrimSpace(h.Get("Return-Path"))
	emptyReturn := returnPath == "<>" || (h.Has("Return-Path") && returnPath == "")
	local := strings.ToLower(in.From)
	if at := strings.IndexByte(local, '@'); at >= 0 {
		local = local[:at]
	}
	switch {
	case h.Has(OutboxIDHeader):
		in.Kind, in.Why = KindOurs, OutboxIDHeader+" "+h.Get(OutboxIDHeader)
	case report || (emptyReturn && (local == "mailer-daemon" || local == "postmaster")):
		in.Kind, in.Why = KindBounce, "a delivery status report"
		if len(in.Bounced) == 0 {
			// A bounce without the returned mail may still say what it answers.
			in.Bounced = append(append([]string{}, in.InReplyTo...), in.References...)
		}
		if in.BounceReason == "" {
			in.BounceReason = firstLine(in.Body)
		}
	case h.Has("Auto-Submitted") && !strings.EqualFold(strings.TrimSpace(h.Get("Auto-Submitted")), "no"):
		in.Kind, in.Why = KindAutoReply, "Auto-Submitted: "+h.Get("Auto-Submitted")
	case isOneOf(h.Get("Precedence"), "bulk", "junk", "list", "auto_reply"):
		in.Kind, in.Why = KindAutoReply, "Precedence: "+h.Get("Precedence")
	case h.Has("X-Autoreply") || h.Has("X-Autorespond") || h.Has("X-Autoresponder") || h.Has("X-Auto-Reply"):
		in.Kind, in.Why = KindAutoReply, "an auto-responder's header"
	case h.Has("List-Id") || h.Has("List-Unsubscribe"):
		in.Kind, in.Why = KindAutoReply, "a mailing list"
	case emptyReturn:
		in.Kind, in.Why = KindAutoReply, "an empty Return-Path (<>)"
	}
}

func isOneOf(v string, options ...string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, o := range options {
		if v == o {
			return true
		}
	}
	return false
}

// readText reads a text part up to MaxTextBytes; more is cut.
func readText(raw *capped, r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxTextBytes))
	if err != nil {
		return "", mimeError(raw, err)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return "", mimeError(raw, err)
	}
	return string(b), nil
}

var unsafeName = regexp.MustCompile(`[\x00-\x1f\x7f/\\:*?"<>|]+`)

// readAttachment reads one file, refusing it over the limits, and sniffs
// its type from its bytes: a sender's Content-Type is not trusted.
func readAttachment(raw *capped, r io.Reader, n int, declared string, params, dparams map[string]string, total *int64) (kindred.Attachment, error) {
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if dec, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = dec
	}
	name = strings.TrimSpace(unsafeName.ReplaceAllString(path.Base(strings.ReplaceAll(name, "\\", "/")), "_"))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	if name == "" || name == "." || name == "_" {
		name = fmt.Sprintf("attachment-%d", n)
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		return kindred.Attachment{}, mimeError(raw, err)
	}
	field := fmt.Sprintf("attachment %q", name)
	if len(b) > MaxAttachmentBytes {
		return kindred.Attachment{}, tooLarge(field, "larger than %d MB", MaxAttachmentBytes>>20)
	}
	if *total += int64(len(b)); *total > MaxAttachmentsBytes {
		return kindred.Attachment{}, tooLarge(field, "the mail's files together are larger than %d MB", MaxAttachmentsBytes>>20)
	}
	_ = declared // the sender's word; the bytes decide
	return kindred.Attachment{Filename: name, ContentType: http.DetectContentType(b), Size: int64(len(b)), Data: b}, nil
}

// deliveryStatusReason is the reason a delivery status report gives: the
// Diagnostic-Code, else the Status, else the Action.
func deliveryStatusReason(s string) string {
	var status, action string
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "diagnostic-code":
			// "smtp; 550 5.1.1 No such user": the words after the type.
			if _, words, ok := strings.Cut(v, ";"); ok {
				v = strings.TrimSpace(words)
			}
			return v
		case "status":
			status = v
		case "action":
			action = v
		}
	}
	if status != "" {
		return "status " + status
	}
	return action
}

// returnedIDs reads the Message-ID of a returned mail or header, with our
// outbox id's mail matched by it too.
func returnedIDs(s string) []string {
	th, err := textproto.ReadHeader(bufio.NewReader(io.LimitReader(strings.NewReader(s), MaxHeaderBytes)))
	if err != nil && th.Len() == 0 {
		return nil
	}
	h := gomail.Header{Header: message.Header{Header: th}}
	if id, err := h.MessageID(); err == nil && id != "" {
		return []string{id}
	}
	return nil
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 300 {
				l = l[:300]
			}
			return l
		}
	}
	return ""
}

var (
	// "On Mon, 3 Dec 2026 at 10:00, Kindred Desk <desk@…> wrote:", as the
	// big mail programs introduce the mail they quote, and Outlook's rule.
	// Compiled on first use: .{1,300} makes a large program, and compiling
	// it at start-up cost every kindred command (analyze too) 50 million
	// instructions.
	quoteIntro = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(on\s.{1,300}\swrote:|-{2,}\s*original message\s*-{2,}|_{20,})$`)
	})
	quotedLine   = regexp.MustCompile(`^\s*>`)
	signatureSep = "-- "
)

// TrimQuoted cuts the earlier mail a reply quotes below the customer's own
// words: from the "On … wrote:" line (or Outlook's rule) on, and quoted
// ("> ") lines at the end. A mail that is nothing but a quote is kept whole.
func TrimQuoted(body string) string {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	cut := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		// The intro may wrap onto a second line ("…Kindred Desk <desk@x>\nwrote:").
		if i+1 < len(lines) && strings.HasPrefix(strings.ToLower(t), "on ") && strings.TrimSpace(lines[i+1]) == "wrote:" {
			t += " wrote:"
		}
		if quoteIntro().MatchString(t) {
			cut = i
			break
		}
	}
	for cut > 0 && (quotedLine.MatchString(lines[cut-1]) || strings.TrimSpace(lines[cut-1]) == "") {
		cut--
	}
	kept := strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	if kept == "" {
		return strings.TrimSpace(body)
	}
	if i := strings.LastIndex(kept, "\n"+signatureSep+"\n"); i > 0 {
		kept = strings.TrimSpace(kept[:i])
	}
	return kept
}

// trimBody cuts a body over MaxBodyRunes, saying so.
func trimBody(s string) string {
	if utf8.RuneCountInString(s) <= MaxBodyRunes {
		return s
	}
	r := []rune(s)
	return string(r[:MaxBodyRunes]) + "\n\n[… the rest of this mail was cut: it was longer than " + fmt.Sprint(MaxBodyRunes) + " characters]"
}
