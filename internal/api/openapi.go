package api

import (
	_ "embed"
	"net/http"
)

// openAPISpec describes the API for clients: every route, its parameters,
// bodies and responses. A test holds it to the route table.
//
//go:embed openapi.json
var openAPISpec []byte

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPISpec)
	return err
}
