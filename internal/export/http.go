package export

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/acme/crm/internal/apierr"
)

// Route is the pattern of the downloads, for a ServeMux; the handler reads
// the {file} it names.
const Route = "GET /exports/{file}"

// writeGrace is how long a download may wait on a slow client for each
// write: the server's write timeout is for answers, not for files of any
// size.
const writeGrace = time.Minute

// NewHandler serves the downloads of exports at Route: the CSV of the
// export whose token is the file's name, written as its query reads it
// now. A token that names no export, or one expired, is 404.
func (s *Store) NewHandler(logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
		if !ok || token == "" {
			http.Error(w, "no such export", http.StatusNotFound)
			return
		}
		ctx := r.Context()
		e, m, err := s.byToken(ctx, token)
		if errors.Is(err, errNoExport) {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		if err != nil {
			logger.ErrorContext(ctx, "export download failed", "error", err)
			http.Error(w, "the export could not be read", http.StatusInternalServerError)
			return
		}
		p, err := s.prepare(ctx, m, e.spec)
		if err != nil {
			// The definitions changed since: a property or view it names
			// was archived. The client's export, not the server, is at fault.
			if code := apierr.CodeOf(err); code == apierr.BadUserInput || code == apierr.NotFound {
				http.Error(w, "the export no longer applies: "+err.Error(), http.StatusConflict)
				return
			}
			logger.ErrorContext(ctx, "export download failed", "error", err)
			http.Error(w, "the export could not be written", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.FileName()}))
		h.Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			return
		}
		if err := s.write(ctx, m, p, &deadlineWriter{w: w, rc: http.NewResponseController(w)}); err != nil {
			// The status is sent: cutting the connection short is how the
			// client learns that the file is incomplete.
			logger.ErrorContext(ctx, "export download cut short", "export", e.ID, "error", err)
			panic(http.ErrAbortHandler)
		}
	})
}

// deadlineWriter moves the connection's write deadline forward before
// each write, so that a download lasts as long as its client keeps
// reading.
type deadlineWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (d *deadlineWriter) Write(b []byte) (int, error) {
	// A writer without deadlines (a test's recorder) has none to move.
	_ = d.rc.SetWriteDeadline(time.Now().Add(writeGrace))
	return d.w.Write(b)
}
