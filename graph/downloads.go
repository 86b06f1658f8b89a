package graph

import (
	"net/http"

	"github.com/acme/crm/internal/gid"
)

// ImportErrors serves GET /imports/{id}/errors.csv: an import's row errors
// as CSV, streamed.
func (h *Handler) ImportErrors() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := gid.DecodeKind(r.PathValue("id"), gid.Import)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		m, err := h.res.defs.Get(r.Context(), h.workspaceID)
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
