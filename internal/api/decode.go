package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
)

// decode reads the request body, which must be exactly one JSON object of
// the shape of dst, in UTF-8, under the size limit.
func decode(r *http.Request, dst any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(body, dst)
}

// decodeOptional is decode for endpoints whose body may be left out
// entirely; dst is then left as it is.
func decodeOptional(r *http.Request, dst any) error {
	if r.Header.Get("Content-Type") == "" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyReadError(err)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		return &requestError{status: http.StatusUnsupportedMediaType, msg: "Content-Type must be application/json"}
	}
	return decode(r, dst)
}

func readBody(r *http.Request) ([]byte, error) {
	if err := checkContentType(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyReadError(err)
	}
	return body, nil
}

func bodyReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("request body is larger than the limit of %d bytes", tooBig.Limit)}
	}
	return badRequest("could not read the request body")
}

// checkContentType accepts JSON in UTF-8; PATCH also takes JSON merge patches.
func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	ok := err == nil && (mt == "application/json" || (r.Method == http.MethodPatch && mt == "application/merge-patch+json"))
	if !ok {
		want := "application/json"
		if r.Method == http.MethodPatch {
			want += " or application/merge-patch+json"
		}
		return &requestError{status: http.StatusUnsupportedMediaType,
			msg: fmt.Sprintf("Content-Type must be %s, not %q", want, ct)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &requestError{status: http.StatusUnsupportedMediaType, msg: "JSON must be sent in UTF-8 (charset=utf-8)"}
	}
	return nil
}

// decodeJSON decodes body into dst, refusing what encoding/json would let
// through quietly: bad UTF-8 (it substitutes U+FFFD), unknown fields, and
// data after the value.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return badRequest(fmt.Sprintf("request body is not valid UTF-8 (%s)", position(body, int64(firstInvalidUTF8(body)))))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(body, dst, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := body[end:]
		off := end + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		return badRequest(fmt.Sprintf("unexpected data after the JSON object (%s); send exactly one object", position(body, off)))
	}
	return nil
}

// jsonError explains a decoding error: where the JSON broke, or which field
// had the wrong type or was not expected.
func jsonError(body []byte, dst any, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		msg := strings.TrimPrefix(syntax.Error(), "json: ")
		return badRequest(fmt.Sprintf("malformed JSON (%s): %s", position(body, syntax.Offset), msg))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends in the middle of the value")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = fieldOfTypeError(body, dst)
		}
		if field == "" {
			return badRequest(fmt.Sprintf("the body must be a JSON %s, not %s", jsonTypeName(typ.Type), typ.Value))
		}
		return badRequest("some fields have the wrong type",
			kindred.FieldError{Field: field, Reason: fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no error type for this one.
		name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if uerr != nil {
			name = strings.TrimPrefix(err.Error(), "json: unknown field ")
		}
		return badRequest("the body has a field this endpoint does not take",
			kindred.FieldError{Field: name, Reason: "unknown field"})
	}
	return badRequest("malformed JSON: " + strings.TrimPrefix(err.Error(), "json: "))
}

// fieldOfTypeError finds the top-level field of body whose value does not
// decode into its field of dst. Since Go 1.27, encoding/json leaves the
// field out of an UnmarshalTypeError raised inside an UnmarshalJSON method
// (as optional's is), so the caller's error would name no field.
func fieldOfTypeError(body []byte, dst any) string {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		raw, ok := fields[name]
		if !ok {
			continue
		}
		if json.Unmarshal(raw, reflect.New(f.Type).Interface()) != nil {
			return name
		}
	}
	return ""
}

// jsonTypeName names the JSON type that decodes into t.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		if t.String() == "time.Time" {
			return "an RFC 3339 time string"
		}
		return "an object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "a " + t.String()
}

// position says where byte offset off of body is, as a line and column
// people can find in an editor.
func position(body []byte, off int64) string {
	if off < 0 {
		off = 0
	}
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	before := body[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return fmt.Sprintf("line %d, column %d, byte offset %d", line, col, off)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// optional is a field of a partial update: absent, null, or a value.
type optional[T any] struct {
	Set   bool // the field was in the body
	Null  bool // as null
	Value T
}

// UnmarshalJSON is called for present fields only, including for null.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
