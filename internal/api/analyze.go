package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion"
)

// analyzeRequest is the JSON that kindred analyze reads, so that a script can
// move between the command and the API without changing its input.
type analyzeRequest struct {
	ID              json.RawMessage `json:"id"`
	CustomerMessage string          `json:"customer_message"`
	Reply           string          `json:"reply"`
	CustomerName    string          `json:"customer_name"`
	Accommodations  []string        `json:"accommodations"`
}

// analyze runs the compassion engine on the texts as given: they are not
// trimmed or normalised, so that every evidence offset in the report points
// into the caller's own strings.
func (s *server) analyze(w http.ResponseWriter, r *http.Request) error {
	var in analyzeRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	if strings.TrimSpace(in.CustomerMessage) == "" && strings.TrimSpace(in.Reply) == "" {
		c.Add("reply", "send a reply, a customer_message, or both")
	}
	for field, text := range map[string]string{"customer_message": in.CustomerMessage, "reply": in.Reply} {
		if n := utf8.RuneCountInString(text); n > maxMessageLen {
			c.Add(field, fmt.Sprintf("must be at most %d characters", maxMessageLen))
		}
	}
	name := c.line("customer_name", in.CustomerName, false, maxNameLen)
	var accommodations []string
	for _, a := range c.accommodations("accommodations", in.Accommodations) {
		accommodations = append(accommodations, string(a))
	}
	if err := c.Err(); err != nil {
		return err
	}
	report := compassion.Analyze(compassion.Input{
		CustomerMessage: in.CustomerMessage,
		Reply:           in.Reply,
		CustomerName:    name,
		Accommodations:  accommodations,
	})
	report.ID = in.ID
	return writeJSON(w, http.StatusOK, report)
}
