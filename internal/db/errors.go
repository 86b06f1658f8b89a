package db

import (
	"errors"
	"strings"

	"github.com/lib/pq"
)

func (postgres) IsUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}

func (sqlite) IsUniqueViolation(err error) bool {
	// modernc.org/sqlite reports SQLITE_CONSTRAINT_UNIQUE (2067) in the text.
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
