// Package importer writes CSV files into records: rows of one object each,
// or of several associated in one row, or files joined by a column that
// holds another file's unique values. An import is a job (ImportJob)
// that runs in the background of the server or in the foreground of the
// CLI; its rows go through the same write path and validation as the API's
// batch mutations, in chunks of rows that each commit with the job's
// counters and row errors, every row whole (its records, its associations
// and its history together) or not at all.
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/acme/crm/internal/apierr"
)

// bom is the UTF-8 byte order mark some spreadsheets write first.
var bom = []byte{0xEF, 0xBB, 0xBF}

// reader reads a CSV file's rows after its header.
type reader struct {
	csv    *csv.Reader
	header []string
	// line is the file's row number of the row read last, the header
	// being row 1.
	line int
}

// dataLike is a header cell that is a value, not a column name: an email
// address or a number.
var dataLike = regexp.MustCompile(`^(\S+@\S+\.\S+|[-+]?[0-9][0-9.,]*)$`)

// newReader reads the header of a CSV file: UTF-8 with or without a BOM,
// RFC 4180 quoting. A file that is not CSV text or has no header is
// refused with BAD_USER_INPUT naming file.
func newReader(file string, r io.Reader) (*reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if head, err := br.Peek(3); err == nil && bytes.Equal(head, bom) {
		if _, err := br.Discard(3); err != nil {
			return nil, err
		}
	}
	c := csv.NewReader(br)
	c.FieldsPerRecord = -1
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, apierr.Invalid("files", "%s is empty: a CSV file starts with a header row", file)
	}
	if err != nil {
		return nil, notCSV(file, err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		switch {
		case !utf8.ValidString(h) || strings.ContainsRune(h, 0):
			return nil, apierr.Invalid("files", "%s is not UTF-8 CSV text", file)
		case h == "":
			return nil, apierr.Invalid("files", "%s: column %d of the header row has no name", file, i+1)
		case dataLike.MatchString(h):
			return nil, apierr.Invalid("files", "%s has no header row: its first row holds %q, a value", file, h)
		case seen[normal(h)]:
			return nil, apierr.Invalid("files", "%s: the header names column %q twice", file, h)
		}
		seen[normal(h)] = true
	}
	return &reader{csv: c, header: header, line: 1}, nil
}

func notCSV(file string, err error) error {
	return apierr.Wrap(err, apierr.BadUserInput, "%s is not a CSV file: %v", file, err)
}

// next reads the next row; io.EOF after the last. A row whose cells are not
// UTF-8 text, or do not parse as CSV, is an error of that row only
// (rowError): reading goes on after it.
func (r *reader) next() ([]string, error) {
	cells, err := r.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.line = pe.StartLine
			return nil, &rowError{code: string(apierr.BadUserInput), message: fmt.Sprintf("not CSV: %v", pe.Err)}
		}
		return nil, err
	}
	r.line, _ = r.csv.FieldPos(0)
	for _, c := range cells {
		if !utf8.ValidString(c) || strings.ContainsRune(c, 0) {
			return nil, &rowError{code: string(apierr.BadUserInput), message: "the row is not UTF-8 text"}
		}
	}
	if len(cells) != len(r.header) {
		return nil, &rowError{code: string(apierr.BadUserInput), message: fmt.Sprintf("the row has %d cells, the header %d", len(cells), len(r.header))}
	}
	return cells, nil
}

// normal is a column or property name as mapping compares them: lower
// case, letters and digits only ("First Name" and "firstname" are one).
func normal(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
