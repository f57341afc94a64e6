package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
)

// Saved replies: the replies an office gives often, written once by a
// lead, each shown with the coach's reading so that the words everyone
// starts from are kind ones. An agent picks one on the conversation page;
// it arrives in the reply box with the customer's name filled in, to be
// read and made personal before it goes.

func (c *Console) savedReplyRoutes() []route {
	return []route{
		{"GET /saved-replies", staff, c.savedReplies},
		{"POST /saved-replies", leads, c.createSavedReply},
		{"POST /saved-replies/{id}/remove", leads, c.removeSavedReply},
	}
}

// sampleCustomer is who a saved reply is read as written to on its list.
var sampleCustomer = &kindred.Customer{Name: "Mama Grace"}

// savedRepliesPage lists the saved replies with the coach's reading of each.
type savedRepliesPage struct {
	*view
	Replies  []savedReplyView
	Problems []string
	Form     map[string]string
	Added    string // the title just added
}

type savedReplyView struct {
	kindred.SavedReply
	Sample string    // the body as Mama Grace would read it
	Coach  coachView // the coach's reading of Sample
}

func (c *Console) loadSavedReplies(ctx context.Context, v *view) (*savedRepliesPage, error) {
	rs, err := c.cfg.SavedReplies.SavedReplies(ctx)
	if err != nil {
		return nil, err
	}
	p := &savedRepliesPage{view: v, Form: map[string]string{}}
	for _, r := range rs {
		sample := r.For(sampleCustomer, v.Agent.Name)
		p.Replies = append(p.Replies, savedReplyView{SavedReply: r, Sample: sample, Coach: coachFor(v, sample, nil, sampleCustomer, "")})
	}
	v.Nav = "saved-replies"
	return p, nil
}

func (c *Console) savedReplies(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadSavedReplies(r.Context(), c.view(r, q, "Saved replies"))
	if err != nil {
		return err
	}
	p.Added = r.URL.Query().Get("added")
	c.pages.render(w, r, c.log, http.StatusOK, "saved_replies", p)
	return nil
}

func (c *Console) createSavedReply(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	sr := &kindred.SavedReply{Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body")}
	err := c.cfg.SavedReplies.CreateSavedReply(r.Context(), sr)
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadSavedReplies(r.Context(), c.view(r, q, "Saved replies"))
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		p.Form["title"], p.Form["body"] = r.PostForm.Get("title"), r.PostForm.Get("body")
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "saved_replies", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/saved-replies?added="+strconv.FormatInt(sr.ID, 10)+"#saved-reply-"+strconv.FormatInt(sr.ID, 10), http.StatusSeeOther)
	return nil
}

func (c *Console) removeSavedReply(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := c.cfg.SavedReplies.RemoveSavedReply(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/saved-replies", http.StatusSeeOther)
	return nil
}

// useSavedReply puts saved reply id, written to the page's customer, in
// the reply box, with the coach's reading.
func (c *Console) useSavedReply(ctx context.Context, p *conversationPage, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fieldError("saved", "choose a saved reply from the list")
	}
	sr, err := c.cfg.SavedReplies.SavedReply(ctx, n)
	if err != nil {
		return err
	}
	p.Draft = sr.For(p.Customer, p.Agent.Name)
	p.Coach = coachFor(p.view, p.Draft, lastInbound(p.Conv), p.Customer, p.Route.Channel)
	p.Coach.SMS = smsLengthOf(p.Route, p.Draft)
	return nil
}
