package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// A one-time code that died has expired: the API refuses to send it again,
// as the console does, and the code stays on the dead-letter list.
func TestRetryRefusesAOneTimeCode(t *testing.T) {
	d := newDesk(t)
	code := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: "+254711000999", Body: "Your code is 481 516", Purpose: "code"}
	if err := d.db.Enqueue(system, code); err != nil {
		t.Fatal(err)
	}
	if err := d.db.MarkFailed(system, code.ID, "gateway says no", time.Now(), true); err != nil {
		t.Fatal(err)
	}

	p := problemOf(t, d.as(kindred.RoleAdmin, "POST", "/api/v1/outbox/"+itoa(code.ID)+"/retry", nil))
	if p.Status != http.StatusConflict || p.Type != problemType(kindred.Conflict) ||
		!strings.Contains(p.Detail, "is a one-time code, which expires: send a new code instead") {
		t.Errorf("retry of a dead code: %+v", p)
	}
	m, err := d.db.OutboundMessage(system, code.ID)
	if err != nil || m.Status != kindred.OutboxDead {
		t.Fatalf("after the refused retry: %+v %v", m, err)
	}
}
