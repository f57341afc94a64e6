package learn

import (
	"errors"
	"fmt"
)

// A model file is a 4-byte magic naming the model, a version byte, a flags
// byte for the model's own options, then an encoded Table.

// ModelFile frames an encoded table as a model file.
func ModelFile(magic string, version, flags byte, table []byte) []byte {
	b := make([]byte, 0, 6+len(table))
	b = append(b, magic...)
	return append(append(b, version, flags), table...)
}

// ReadModelFile checks a model file's magic, version and table width, and
// returns its flags and table.
func ReadModelFile(b []byte, magic string, version byte, width int) (flags byte, t *Table, err error) {
	flags, tb, err := ModelTable(b, magic, version)
	if err != nil {
		return 0, nil, err
	}
	if t, err = DecodeTable(tb); err != nil {
		return 0, nil, err
	}
	if t.Width != width {
		return 0, nil, fmt.Errorf("model has %d outputs, want %d", t.Width, width)
	}
	return flags, t, nil
}

// ModelTable checks a model file's magic and version, and returns its flags
// and its table file, undecoded (see DecodeJoined).
func ModelTable(b []byte, magic string, version byte) (flags byte, table []byte, err error) {
	if len(magic) != 4 {
		return 0, nil, fmt.Errorf("model magic %q is not 4 bytes", magic)
	}
	if len(b) < 6 || string(b[:4]) != magic || b[4] != version {
		return 0, nil, errors.New("not a " + magic + " model file")
	}
	return b[5], b[6:], nil
}
