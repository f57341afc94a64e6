package api

import (
	"net/http"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestAnalyzeScoresAWarmReplyAboveAColdOne(t *testing.T) {
	d := newDesk(t)
	msg := "My card has not come and I am 82. My hands go numb in the cold so I cannot fill the form again."
	cold := d.must(kindred.RoleAgent, http.StatusOK, "POST", "/api/v1/analyze", map[string]any{
		"id": 7, "customer_message": msg, "customer_name": "Baba Otieno",
		"reply": "As I already said, you should have filled the form correctly. Nothing I can do.",
	})
	warm := d.must(kindred.RoleAgent, http.StatusOK, "POST", "/api/v1/analyze", map[string]any{
		"id": "warm", "customer_message": msg, "customer_name": "Baba Otieno", "accommodations": []string{"plain language"},
		"reply": "Baba Otieno, I'm so sorry your card hasn't come, and that the cold makes writing hard. " +
			"You don't need to fill the form again: I've posted a new card today. It will reach you by Friday.",
	})
	if cold["id"] != 7.0 || warm["id"] != "warm" {
		t.Errorf("ids not echoed: %v, %v", cold["id"], warm["id"])
	}
	cs, ws := cold["compassion"].(float64), warm["compassion"].(float64)
	if ws <= cs+20 {
		t.Errorf("warm reply scored %.1f, cold %.1f: want the warm one clearly higher", ws, cs)
	}
	reply := cold["reply"].(map[string]any)
	if len(reply["suggestions"].([]any)) == 0 {
		t.Error("cold reply got no suggestions")
	}
	// Evidence points into the text as sent.
	body := "As I already said, you should have filled the form correctly. Nothing I can do."
	for _, s := range reply["signals"].([]any) {
		for _, e := range s.(map[string]any)["evidence"].([]any) {
			ev := e.(map[string]any)
			start, end := int(ev["start"].(float64)), int(ev["end"].(float64))
			if body[start:end] != ev["text"] {
				t.Errorf("evidence %v does not point into the reply", ev)
			}
		}
	}
	if cust := cold["customer"].(map[string]any); len(cust["cues"].([]any)) == 0 {
		t.Error("no vulnerability cue found in a message from an 82-year-old with numb hands")
	}
}

func TestAnalyzeRefusesEmptyAndUnknownInput(t *testing.T) {
	d := newDesk(t)
	for name, body := range map[string]any{
		"nothing to read":       map[string]any{"reply": "  "},
		"unknown accommodation": map[string]any{"reply": "Thank you.", "accommodations": []string{"vip"}},
	} {
		t.Run(name, func(t *testing.T) {
			rec := d.as(kindred.RoleAgent, "POST", "/api/v1/analyze", body)
			if rec.Code != http.StatusUnprocessableEntity || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("status %d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
		})
	}
	if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/analyze", `{"reply": "hi", "tone": "warm"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown field: status %d", rec.Code)
	}
}
