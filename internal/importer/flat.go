package importer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
)

// The columns of a CSV file (its header row names them, in any order) and
// the keys of a JSON Lines object. See the README's Import section.
const (
	colCustomerID     = "customer_id"
	colCustomerName   = "customer_name"
	colPhone          = "phone"
	colEmail          = "email"
	colConversationID = "conversation_id"
	colChannel        = "channel"
	colDirection      = "direction"
	colAuthor         = "author"
	colBody           = "body"
	colCreatedAt      = "created_at"
	// Optional.
	colMessageID = "message_id"
	colSubject   = "subject"
	colStatus    = "status"
	colPriority  = "priority"
)

// flatColumns lists every column, in the order the README gives them.
var flatColumns = []string{colCustomerID, colCustomerName, colPhone, colEmail, colConversationID, colChannel,
	colDirection, colAuthor, colBody, colCreatedAt, colMessageID, colSubject, colStatus, colPriority}

// requiredColumns must be in a CSV file's header.
var requiredColumns = []string{colConversationID, colChannel, colDirection, colBody, colCreatedAt}

// maxLine is the longest JSON Lines record read: a message of 50,000
// characters, escaped, and its fields fit many times over.
const maxLine = 4 << 20

// flatReader reads messages from a CSV file or JSON Lines, one message a
// row.
type flatReader struct {
	format string
	in     io.Reader
	t      *tracker
	// col maps a column name to its index in a CSV row.
	col map[string]int
	csv *csv.Reader
}

func newFlatReader(format string, in *countingReader, t *tracker) (*flatReader, error) {
	f := &flatReader{format: format, in: in, t: t}
	if format == JSONL {
		return f, nil
	}
	f.csv = csv.NewReader(bufio.NewReaderSize(in, 256<<10))
	f.csv.ReuseRecord = true
	f.csv.FieldsPerRecord = -1 // each row is checked against the header below
	header, err := f.csv.Read()
	if err == io.EOF {
		return nil, errors.New("csv: the file is empty; it needs a header row naming its columns")
	}
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	f.col = map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := f.col[h]; dup {
			return nil, fmt.Errorf("csv header: column %q is named twice", h)
		}
		f.col[h] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := f.col[c]; !ok {
			missing = append(missing, c)
		}
	}
	_, hasID := f.col[colCustomerID]
	_, hasPhone := f.col[colPhone]
	_, hasEmail := f.col[colEmail]
	if !hasID && !hasPhone && !hasEmail {
		missing = append(missing, "customer_id (or phone or email)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("csv header: missing column %s (the header names %s; see the README for the columns)",
			strings.Join(missing, ", "), strings.Join(header, ", "))
	}
	return f, nil
}

func (f *flatReader) read(ctx context.Context, emit func(*item) error) error {
	if f.format == JSONL {
		return f.readJSONL(emit)
	}
	return f.readCSV(emit)
}

// row is one message as a flat file gives it.
type row map[string]string

func (f *flatReader) readCSV(emit func(*item) error) error {
	r := make(row, len(flatColumns))
	for {
		rec, err := f.csv.Read()
		if err == io.EOF {
			return nil
		}
		it := &item{offset: f.csv.InputOffset()}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			// FieldPos panics after a failed Read: the error names the line.
			it.at = "line " + strconv.Itoa(pe.StartLine)
			it.rejectField("record", pe.Err.Error())
			if err := emit(it); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("csv: %w", err)
		}
		line, _ := f.csv.FieldPos(0)
		it.at = "line " + strconv.Itoa(line)
		if len(rec) != len(f.col) {
			it.rejectField("record", fmt.Sprintf("has %d fields; the header names %d", len(rec), len(f.col)))
			if err := emit(it); err != nil {
				return err
			}
			continue
		}
		clear(r)
		for name, i := range f.col {
			r[name] = rec[i]
		}
		f.message(it, r)
		if err := emit(it); err != nil {
			return err
		}
	}
}

func (f *flatReader) readJSONL(emit func(*item) error) error {
	br := bufio.NewReaderSize(f.in, 256<<10)
	var (
		line   int
		offset int64
		buf    []byte
	)
	for {
		line++
		buf = buf[:0]
		tooLong := false
		for {
			chunk, err := br.ReadSlice('\n')
			offset += int64(len(chunk))
			if len(buf)+len(chunk) <= maxLine {
				buf = append(buf, chunk...)
			} else {
				tooLong = true
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				if len(buf) == 0 && !tooLong {
					return nil
				}
				break
			}
			if err != nil {
				return fmt.Errorf("jsonl: line %d: %w", line, err)
			}
			break
		}
		text := bytes.TrimSpace(buf)
		if len(text) == 0 && !tooLong {
			continue // blank lines are allowed, as at the end of a file
		}
		it := &item{at: "line " + strconv.Itoa(line), offset: offset}
		var r row
		switch {
		case tooLong:
			it.rejectField("record", fmt.Sprintf("is longer than %d MB", maxLine>>20))
		default:
			var err error
			if r, err = decodeFlatJSON(text); err != nil {
				it.rejectField("record", err.Error())
			}
		}
		if len(it.rejected) == 0 {
			f.message(it, r)
		}
		if err := emit(it); err != nil {
			return err
		}
	}
}

// flatJSON is one JSON Lines record.
type flatJSON struct {
	CustomerID     flex `json:"customer_id"`
	CustomerName   flex `json:"customer_name"`
	Phone          flex `json:"phone"`
	Email          flex `json:"email"`
	ConversationID flex `json:"conversation_id"`
	Channel        flex `json:"channel"`
	Direction      flex `json:"direction"`
	Author         flex `json:"author"`
	Body           flex `json:"body"`
	CreatedAt      flex `json:"created_at"`
	MessageID      flex `json:"message_id"`
	Subject        flex `json:"subject"`
	Status         flex `json:"status"`
	Priority       flex `json:"priority"`
}

// plainJSON is a JSON Lines record whose values are all strings (or null).
type plainJSON struct {
	CustomerID     string `json:"customer_id"`
	CustomerName   string `json:"customer_name"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	ConversationID string `json:"conversation_id"`
	Channel        string `json:"channel"`
	Direction      string `json:"direction"`
	Author         string `json:"author"`
	Body           string `json:"body"`
	CreatedAt      string `json:"created_at"`
	MessageID      string `json:"message_id"`
	Subject        string `json:"subject"`
	Status         string `json:"status"`
	Priority       string `json:"priority"`
}

// decodeFlatJSON reads one JSON Lines record: an object whose values are
// strings, numbers (ids, Unix times) or null.
func decodeFlatJSON(b []byte) (row, error) {
	// Most files write every value as a string: read them so, which is
	// quicker than through flex, and fall back on flex for the others.
	var p plainJSON
	if err := json.Unmarshal(b, &p); err == nil {
		return row{
			colCustomerID: p.CustomerID, colCustomerName: p.CustomerName, colPhone: p.Phone, colEmail: p.Email,
			colConversationID: p.ConversationID, colChannel: p.Channel, colDirection: p.Direction, colAuthor: p.Author,
			colBody: p.Body, colCreatedAt: p.CreatedAt, colMessageID: p.MessageID, colSubject: p.Subject,
			colStatus: p.Status, colPriority: p.Priority,
		}, nil
	}
	var j flatJSON
	if err := json.Unmarshal(b, &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s must be a string or a number", te.Field)
		}
		return nil, fmt.Errorf("is not a JSON object: %v", err)
	}
	return row{
		colCustomerID: string(j.CustomerID), colCustomerName: string(j.CustomerName), colPhone: string(j.Phone),
		colEmail: string(j.Email), colConversationID: string(j.ConversationID), colChannel: string(j.Channel),
		colDirection: string(j.Direction), colAuthor: string(j.Author), colBody: string(j.Body),
		colCreatedAt: string(j.CreatedAt), colMessageID: string(j.MessageID), colSubject: string(j.Subject),
		colStatus: string(j.Status), colPriority: string(j.Priority),
	}, nil
}

// flex is a JSON string, number or null, read as text: exports write ids
// and Unix times either way.
type flex string

// UnmarshalJSON reads a string, a number or null.
func (f *flex) UnmarshalJSON(v []byte) error {
	switch {
	case string(v) == "null":
		*f = ""
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		*f = flex(s)
	case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
		*f = flex(v)
	default:
		return &json.UnmarshalTypeError{Value: string(v[:1]), Type: reflect.TypeFor[string]()}
	}
	return nil
}

// message reads row r into it.
func (f *flatReader) message(it *item, r row) {
	cf := customerFields{id: strings.TrimSpace(r[colCustomerID]), name: r[colCustomerName], phone: r[colPhone], email: r[colEmail]}
	if cf.id == "" {
		// A file without customer ids knows people by their phone or email.
		if p := strings.TrimSpace(cf.phone); p != "" {
			cf.id = "phone:" + p
		} else if e := strings.TrimSpace(cf.email); e != "" {
			cf.id = "email:" + strings.ToLower(e)
		}
	}
	cust := f.t.customer(cf)
	conv := f.t.conversation(conversationFields{
		id:       strings.TrimSpace(r[colConversationID]),
		channel:  kindred.Channel(strings.ToLower(strings.TrimSpace(r[colChannel]))),
		subject:  r[colSubject],
		status:   flatStatus(r[colStatus]),
		priority: kindred.Priority(strings.ToLower(strings.TrimSpace(r[colPriority]))),
	}, cust)
	mf := messageFields{
		id:        strings.TrimSpace(r[colMessageID]),
		direction: flatDirection(r[colDirection]),
		author:    r[colAuthor],
		body:      r[colBody],
		at:        parseTime(r[colCreatedAt]),
		atText:    r[colCreatedAt],
	}
	if mf.id == "" {
		mf.id = contentID(conv.rec.SourceID, r)
	}
	f.t.message(it, conv, mf)
}

// contentID names a message that has no id in its file by what it is: its
// conversation, direction, time and text. The same row read again gets
// the same id, so a second run adds nothing; two rows alike in all four
// are taken as one.
func contentID(conv string, r row) string {
	h := sha256.New()
	for _, s := range []string{conv, r[colDirection], r[colCreatedAt], r[colBody]} {
		h.Write([]byte(strings.TrimSpace(s)))
		h.Write([]byte{0})
	}
	return "sha256:" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// flatDirection reads a direction: in, out or note, or a word for one.
func flatDirection(s string) kindred.Direction {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "in", "inbound", "incoming", "customer":
		return kindred.Inbound
	case "out", "outbound", "outgoing", "agent", "reply":
		return kindred.Outbound
	case "note", "internal", "private":
		return kindred.InternalNote
	}
	return kindred.Direction(s)
}

// flatStatus reads a status: kindred's own, or closed and solved for
// resolved.
func flatStatus(s string) kindred.Status {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "closed", "solved":
		return kindred.StatusResolved
	}
	return kindred.Status(s)
}
