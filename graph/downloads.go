package graph

import (
	"net/http"

	"github.com/acme/crm/internal/auth"
	"github.com/acme/crm/internal/gid"
)

// ImportErrors serves GET /imports/{id}/errors.csv: an import's row errors
// as CSV, streamed, to a request whose key has the scope IMPORT_EXPORT (in
// its workspace: an import of another is not found).
func (h *Handler) ImportErrors() http.Handler {
	return h.gate.authenticate(func(w http.ResponseWriter, r *http.Request, v *auth.Viewer) {
		if !v.Allows(auth.ImportExport) {
			http.Error(w, "this download needs the scope IMPORT_EXPORT, which this API key does not have", http.StatusForbidden)
			return
		}
		id, err := gid.DecodeKind(r.PathValue("id"), gid.Import)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		m, err := h.res.defs.Get(r.Context(), v.WorkspaceID)
		if err != nil {
			http.Error(w, "the definitions could not be read", http.StatusServiceUnavailable)
			return
		}
		job, err := h.res.imports.Get(r.Context(), m, id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="import-errors.csv"`)
		if err := h.res.imports.WriteErrors(r.Context(), w, job); err != nil {
			h.res.logger.Error("import errors csv", "import", id, "error", err)
		}
	})
}
