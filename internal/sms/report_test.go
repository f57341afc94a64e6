package sms

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseReportReadsTheVerdict(t *testing.T) {
	tests := []struct {
		name      string
		form      url.Values
		delivered bool
		reason    string
		err       string
	}{
		{"success", url.Values{"id": {"ATPid_1"}, "status": {"Success"}}, true, "", ""},
		{"failed with a reason", url.Values{"id": {"ATPid_1"}, "status": {"Failed"}, "failureReason": {"UserInBlacklist"}}, false, "Failed: UserInBlacklist", ""},
		{"absent subscriber", url.Values{"id": {"ATPid_1"}, "status": {"AbsentSubscriber"}}, false, "AbsentSubscriber", ""},
		{"buffered is on its way", url.Values{"id": {"ATPid_1"}, "status": {"Buffered"}}, false, "", "pending"},
		{"no id", url.Values{"status": {"Success"}}, false, "", "id: the gateway's message id is missing or too long"},
		{"an unknown status", url.Values{"id": {"ATPid_1"}, "status": {"Lost"}}, false, "", `status: "Lost" is not a delivery status`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseReport(tt.form)
			switch {
			case tt.err == "pending":
				if !errors.Is(err, ErrPendingReport) {
					t.Fatalf("err %v, want ErrPendingReport", err)
				}
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err %v, want %s", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case r.Delivered != tt.delivered || r.Reason != tt.reason || r.ProviderID != "ATPid_1":
				t.Fatalf("report %+v", r)
			}
		})
	}
}

func FuzzParseReport(f *testing.F) {
	f.Add("ATPid_1", "Success", "")
	f.Add("ATPid_1", "Failed", "DeliveryFailure")
	f.Add("", "Buffered", "x")
	f.Fuzz(func(t *testing.T, id, status, why string) {
		r, err := ParseReport(url.Values{"id": {id}, "status": {status}, "failureReason": {why}})
		if err != nil {
			return
		}
		if r.ProviderID == "" || len(r.ProviderID) > 100 || len(r.Reason) > 200 {
			t.Fatalf("accepted %+v", r)
		}
		if r.Delivered != (status == "Success") {
			t.Fatalf("status %q read as delivered=%v", status, r.Delivered)
		}
	})
}
