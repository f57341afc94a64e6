package api

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
)

// attachmentRoutes serves the files customers' email brought: to staff only
// (never a kiosk), and only as downloads.
func (s *server) attachmentRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/attachments/{id}", roles: staff, handler: s.getAttachment},
	}
}

func (s *server) getAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "attachment")
	if err != nil {
		return err
	}
	a, err := s.cfg.Attachments.Attachment(r.Context(), id)
	if err != nil {
		return s.storeFailed("Attachment", err)
	}
	ServeAttachment(w, a)
	return nil
}

// ServeAttachment writes file a as a download: Content-Disposition
// attachment with its name, its sniffed type (HTML and its kin as bytes, see
// kindred.DownloadType), nosniff, and a sandbox policy should a browser
// show it anyway. The console serves files through it too.
func ServeAttachment(w http.ResponseWriter, a *kindred.Attachment) {
	h := w.Header()
	h.Set("Content-Type", kindred.DownloadType(a.ContentType))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	w.Write(a.Data)
}
