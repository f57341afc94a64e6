package sms

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Delivery is one SMS the simulator took.
type Delivery struct {
	MessageID string    `json:"message_id"`
	To        string    `json:"to"`
	From      string    `json:"from"`
	Message   string    `json:"message"`
	Key       string    `json:"key"` // the idempotency key sent with it, if any
	At        time.Time `json:"at"`
	// Repeat marks, in a Record, a request answered as the earlier one
	// with the same key: nothing was delivered again.
	Repeat bool `json:"repeat,omitempty"`
}

// Simulator answers like the SMS gateway, for tests and demos. It records
// each delivery, answers 503 while down, refuses numbers that are not in
// international form (403 InvalidPhoneNumber), and delivers a message sent
// again with the same idempotency key only once, answering as the first
// time. The zero value accepts any username and key.
type Simulator struct {
	Username string // when set, requests must carry it
	APIKey   string // when set, requests must carry it in the apiKey header
	// OnDeliver, when set, is called with each new delivery (kindred smsgw prints them).
	OnDeliver func(Delivery)
	// ReportURL, when set, is sent a delivery report for each new delivery
	// after ReportDelay, as the gateway's delivery-report callback is:
	// Success, or Failed for a number Unreachable reports true.
	ReportURL   string
	ReportKey   string // sent in the X-Gateway-Key header of each report
	ReportDelay time.Duration
	Unreachable func(to string) bool
	// OnReportError, when set, is told of a report the desk did not take.
	OnReportError func(error)
	// Record, when set, is written one JSON line (a Delivery) for each
	// message taken, and for each request answered from the idempotency
	// record (Repeat set), before the answer: an outside check can count
	// what reached the gateway, and Load lets a restarted simulator
	// remember it. A request whose line cannot be written is refused (500).
	Record io.Writer

	mu          sync.Mutex
	paused      bool     // reports wait in held until PauseReports(false)
	held        []func() // reports waiting
	down        bool
	loseReplies int
	requests    int
	seq         int
	deliveries  []Delivery
	byKey       map[string]string // idempotency key to the first reply's body
}

// SetDown switches the gateway off (every request answers 503) or on.
func (s *Simulator) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// PauseReports holds delivery reports back (true) until it is called with
// false, which posts those held, as a network slow to confirm delivery.
func (s *Simulator) PauseReports(pause bool) {
	s.mu.Lock()
	s.paused = pause
	held := s.held
	if !pause {
		s.held = nil
	}
	s.mu.Unlock()
	if !pause {
		for _, send := range held {
			go send()
		}
	}
}

// LoseReplies makes the next n accepted messages be delivered but their
// replies lost: the connection is cut before the answer is written, as when
// a network fails after the gateway has done its work.
func (s *Simulator) LoseReplies(n int) {
	s.mu.Lock()
	s.loseReplies = n
	s.mu.Unlock()
}

// Deliveries returns what was delivered, oldest first.
func (s *Simulator) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Load reads a Record written by an earlier run, so that the simulator
// goes on where that one stopped, as a gateway that was down for a while
// does: a message it took then, sent again with the same key, is not
// delivered twice, and message ids are not given out again.
func (s *Simulator) Load(r io.Reader) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var d Delivery
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return fmt.Errorf("sms record line %d: %w", line, err)
		}
		if d.Repeat {
			continue
		}
		s.deliveries = append(s.deliveries, d)
		if n, err := strconv.Atoi(strings.TrimPrefix(d.MessageID, simIDPrefix)); err == nil && n > s.seq {
			s.seq = n
		}
		if d.Key != "" {
			if s.byKey == nil {
				s.byKey = map[string]string{}
			}
			s.byKey[d.Key] = successReply(d.To, d.MessageID)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sms record: %w", err)
	}
	return nil
}

// record writes d to s.Record, when set; s.mu is held.
func (s *Simulator) record(d Delivery) error {
	if s.Record == nil {
		return nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = s.Record.Write(append(b, '\n'))
	return err
}

// Requests counts the send requests received, answered or not.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ServeHTTP answers a send request.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.requests++
	down := s.down
	s.mu.Unlock()
	if down {
		http.Error(w, "gateway unavailable (simulated)", http.StatusServiceUnavailable)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if s.APIKey != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("apiKey")), []byte(s.APIKey)) != 1 ||
		s.Username != "" && r.PostForm.Get("username") != s.Username {
		http.Error(w, "The supplied authentication is invalid", http.StatusUnauthorized)
		return
	}
	to, msg, from := r.PostForm.Get("to"), r.PostForm.Get("message"), r.PostForm.Get("from")
	if to == "" || msg == "" {
		http.Error(w, "to and message are required", http.StatusBadRequest)
		return
	}
	key := r.Header.Get(IdempotencyHeader)

	s.mu.Lock()
	if key != "" {
		if body, ok := s.byKey[key]; ok {
			err := s.record(Delivery{To: to, From: from, Key: key, At: time.Now(), Repeat: true})
			s.mu.Unlock()
			if err != nil {
				http.Error(w, "could not record the request (simulated gateway)", http.StatusInternalServerError)
				return
			}
			writeReply(w, body)
			return
		}
	}
	var body, messageID string
	if !validNumber(to) {
		var resp Response
		resp.SMSMessageData.Message = "Sent to 0/1 Total Cost: 0"
		resp.SMSMessageData.Recipients = []Recipient{{Number: to, StatusCode: StatusInvalidPhoneNumber, Status: "InvalidPhoneNumber", Cost: "0"}}
		b, _ := json.Marshal(resp)
		body = string(b)
	} else {
		messageID = fmt.Sprintf("%s%06d", simIDPrefix, s.seq+1)
		body = successReply(to, messageID)
	}
	var delivered *Delivery
	if messageID != "" {
		d := Delivery{MessageID: messageID, To: to, From: from, Message: msg, Key: key, At: time.Now()}
		if err := s.record(d); err != nil {
			s.mu.Unlock()
			http.Error(w, "could not record the message (simulated gateway)", http.StatusInternalServerError)
			return
		}
		s.seq++
		s.deliveries = append(s.deliveries, d)
		delivered = &d
		if key != "" {
			if s.byKey == nil {
				s.byKey = map[string]string{}
			}
			s.byKey[key] = body
		}
	}
	lose := delivered != nil && s.loseReplies > 0
	if lose {
		s.loseReplies--
	}
	onDeliver := s.OnDeliver
	s.mu.Unlock()

	if delivered != nil && onDeliver != nil {
		onDeliver(*delivered)
	}
	if delivered != nil && s.ReportURL != "" {
		d, ok := *delivered, s.Unreachable == nil || !s.Unreachable(delivered.To)
		time.AfterFunc(s.ReportDelay, func() {
			s.mu.Lock()
			if s.paused {
				s.held = append(s.held, func() { s.report(d, ok) })
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			s.report(d, ok)
		})
	}
	if lose {
		panic(http.ErrAbortHandler) // the reply is lost on the way back
	}
	writeReply(w, body)
}

// simIDPrefix begins the message ids the simulator gives out.
const simIDPrefix = "ATPid_sim"

// successReply is the simulator's answer for a message to a good number:
// 101 Success, with its message id.
func successReply(to, messageID string) string {
	var resp Response
	resp.SMSMessageData.Message = "Sent to 1/1 Total Cost: KES 0.8000"
	resp.SMSMessageData.Recipients = []Recipient{{StatusCode: StatusSent, Number: to, Status: "Success", Cost: "KES 0.8000", MessageID: messageID}}
	b, _ := json.Marshal(resp)
	return string(b)
}

func writeReply(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write([]byte(body))
}

// validNumber accepts numbers in international form that could be dialled.
func validNumber(s string) bool {
	if !strings.HasPrefix(s, "+") {
		return false
	}
	n, err := phonenumbers.Parse(s, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}
