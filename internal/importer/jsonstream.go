package importer

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The JSON exports are read as a stream of values with encoding/json's
// Decoder, one record at a time, so that a file of a million tickets never
// sits in memory whole. A file holds one or more top-level values (JSON
// Lines is such a sequence), each an array of records, a record, or a
// wrapper object (an API page such as {"tickets": [...], "users": [...]})
// whose arrays hold the records.

// topLevel reads the values of dec in turn. For each array, it calls each
// for every element; for each object it reads the first key and calls obj
// with it, which must read the object's remaining keys (with decodeRest or
// a loop of its own) and its closing brace.
func topLevel(dec *json.Decoder, each func() error, obj func(firstKey string) error) error {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return syntaxError(dec, err)
		}
		switch tok {
		case json.Delim('['):
			if err := eachElement(dec, each); err != nil {
				return err
			}
		case json.Delim('{'):
			if !dec.More() {
				if _, err := dec.Token(); err != nil {
					return syntaxError(dec, err)
				}
				continue
			}
			key, err := nextKey(dec)
			if err != nil {
				return err
			}
			if err := obj(key); err != nil {
				return err
			}
		default:
			return fmt.Errorf("at byte %d: expected an object or an array, found %v", dec.InputOffset(), tok)
		}
	}
}

// eachElement calls each for every element of the array whose '[' was just
// read, and reads its ']'.
func eachElement(dec *json.Decoder, each func() error) error {
	for dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(dec, err)
	}
	return nil
}

// array reads the value at dec as an array, calling each for its elements;
// null is an empty array.
func array(dec *json.Decoder, each func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(dec, err)
	}
	switch tok {
	case nil:
		return nil
	case json.Delim('['):
		return eachElement(dec, each)
	}
	return fmt.Errorf("at byte %d: expected an array, found %v", dec.InputOffset(), tok)
}

// nextKey reads an object's next key.
func nextKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", syntaxError(dec, err)
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("at byte %d: expected a key, found %v", dec.InputOffset(), tok)
	}
	return key, nil
}

// eachKey calls fn for each key of the object whose first key was just
// read, leaving fn to read its value, then reads the closing brace.
func eachKey(dec *json.Decoder, key string, fn func(key string) error) error {
	for {
		if err := fn(key); err != nil {
			return err
		}
		if !dec.More() {
			break
		}
		var err error
		if key, err = nextKey(dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(dec, err)
	}
	return nil
}

// decodeRest decodes the object whose first key was just read into the
// pointers fields names by key, skipping the other keys.
// A value of the wrong type is reported (the first one) once the whole
// object has been read, so that the stream stays in step.
func decodeRest(dec *json.Decoder, key string, fields map[string]any) error {
	var bad error
	err := eachKey(dec, key, func(key string) error {
		p, ok := fields[key]
		if !ok {
			return skip(dec)
		}
		err := decodeValue(dec, p)
		var re *recordError
		if errors.As(err, &re) {
			if re.field == "" {
				re.field = key
			} else {
				re.field = key + "." + re.field
			}
			bad = cmp.Or(bad, err)
			return nil
		}
		return err
	})
	return cmp.Or(err, bad)
}

// decodeValue decodes the next value into p; a value of the wrong type is
// an error of the record, not of the file, and is returned as a
// *recordError after the value has been read past.
func decodeValue(dec *json.Decoder, p any) error {
	err := dec.Decode(p)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// encoding/json reads the whole value before it reports a type
		// error, so the stream is still in step.
		return &recordError{field: te.Field, reason: "must be " + kindOf(te.Type.Kind().String())}
	}
	if err != nil {
		return syntaxError(dec, err)
	}
	return nil
}

func kindOf(k string) string {
	switch k {
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	}
	return "a " + k
}

// skip reads past the next value.
func skip(dec *json.Decoder) error {
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return syntaxError(dec, err)
	}
	return nil
}

// recordError is a record whose value has the wrong type: the record is
// rejected, the reading goes on.
type recordError struct{ field, reason string }

func (e *recordError) Error() string { return e.field + " " + e.reason }

// rejectRecord handles the error a record was read with: a record that
// broke the input is returned as such (nothing after it can be read); one
// that was read but is wrong is emitted as a rejected item at where, and
// done is true; nil leaves the record to be imported.
func rejectRecord(err error, where string, offset int64, emit func(*item) error) (done bool, _ error) {
	var re *recordError
	if err == nil {
		return false, nil
	}
	if !errors.As(err, &re) {
		return true, err
	}
	it := &item{at: where, offset: offset}
	it.rejectField(cmp.Or(re.field, "record"), re.reason)
	return true, emit(it)
}

// syntaxError says where the input stopped being JSON: after it, nothing
// can be read.
func syntaxError(dec *json.Decoder, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("at byte %d: %w", dec.InputOffset(), err)
}
