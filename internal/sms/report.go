package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// ReportHeader carries the desk's gateway key on the delivery reports the
// simulator posts, as a real gateway's callback URL carries it in ?key=.
const ReportHeader = "X-Gateway-Key"

// Report statuses in Africa's Talking's delivery reports. Sent, Submitted and
// Buffered are on the way; Success reached the phone; the rest are final
// failures.
var (
	reportPending = []string{"Sent", "Submitted", "Buffered"}
	reportFailed  = []string{"Rejected", "Failed", "AbsentSubscriber", "Expired"}
)

// ErrPendingReport is returned by ParseReport for a report that tells of a
// message still on its way: nothing to record yet.
var ErrPendingReport = errors.New("sms: the message is still on its way")

// ParseReport reads a delivery report as the gateway posts it (form fields
// id, status, phoneNumber, failureReason, retryCount). It returns
// ErrPendingReport for a status that is not final, and an error naming the
// field for a report it cannot read.
func ParseReport(form url.Values) (kindred.DeliveryReport, error) {
	r := kindred.DeliveryReport{Channel: kindred.ChannelSMS, ProviderID: strings.TrimSpace(form.Get("id"))}
	if r.ProviderID == "" || len(r.ProviderID) > 100 {
		return r, fmt.Errorf("id: the gateway's message id is missing or too long")
	}
	status := strings.TrimSpace(form.Get("status"))
	switch {
	case status == "Success":
		r.Delivered = true
	case contains(reportPending, status):
		return r, ErrPendingReport
	case contains(reportFailed, status):
		r.Reason = status
		if why := strings.TrimSpace(form.Get("failureReason")); why != "" && len(why) <= 100 {
			r.Reason = status + ": " + why
		}
	default:
		return r, fmt.Errorf("status: %q is not a delivery status", clip(status))
	}
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// report posts the delivery report for d to s.ReportURL, as the gateway
// does once the network has told it what became of a message.
func (s *Simulator) report(d Delivery, delivered bool) {
	form := url.Values{"id": {d.MessageID}, "phoneNumber": {d.To}, "networkCode": {"63902"}, "retryCount": {"0"}}
	if delivered {
		form.Set("status", "Success")
	} else {
		form.Set("status", "Failed")
		form.Set("failureReason", "DeliveryFailure")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.ReportURL, strings.NewReader(form.Encode()))
	if err != nil {
		s.reportFailed(err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if s.ReportKey != "" {
		req.Header.Set(ReportHeader, s.ReportKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.reportFailed(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		s.reportFailed(fmt.Errorf("the desk answered %s", resp.Status))
	}
}

func (s *Simulator) reportFailed(err error) {
	if s.OnReportError != nil {
		s.OnReportError(err)
	}
}
