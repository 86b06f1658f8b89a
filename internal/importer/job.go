package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acme/crm/ent"
	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/assoc"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/clock"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/lists"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/webhooks"
	"github.com/acme/crm/internal/write"
)

// Limits of an import, HubSpot's: files, and bytes a file.
const (
	MaxFiles     = 10
	MaxFileBytes = 512 << 20
)

// ChunkRows is how many rows commit together: their records, their
// associations, their history and errors, and the job's counters.
const ChunkRows = 200

// CopiedChunkRows is how many rows commit together on PostgreSQL when the
// file's rows may go through COPY (records.CopyNewIn): the statements of
// a chunk cost the same for 200 rows as for thousands.
const CopiedChunkRows = 2000

// StaleAfter is how long a running import may go without committing a
// chunk before it counts as stopped (its server went): Recover fails it.
const StaleAfter = 2 * time.Minute

// Engine runs imports.
type Engine struct {
	db      *db.DB
	records *records.Store
	links   *assoc.Store
	lists   *lists.Store
	defs    *definition.Store
	cache   *meta.Cache
	w       *write.Unit
	dir     string
	logger  *slog.Logger
	// Rows, when set, is told the rows each committed chunk created,
	// updated, skipped and failed (the server's metrics).
	Rows func(result string, n int)
}

// New returns an engine that writes through w and keeps uploaded files in
// dir until their import ends.
func New(d *db.DB, w *write.Unit, recs *records.Store, links *assoc.Store, l *lists.Store, dir string, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.Default()
	}
	return &Engine{db: d, records: recs, links: links, lists: l, defs: definition.New(d, w), cache: meta.NewCache(d), w: w, dir: dir, logger: logger}
}

// Upload is a file sent to import.
type Upload struct {
	Name string
	Body io.Reader
}

// FileInput is one file of an import and what to do with it.
type FileInput struct {
	Upload Upload
	// ObjectTypes are the objects of each row, the first the row's
	// record; none means the object the file is named after
	// (contacts.csv: contacts).
	ObjectTypes             []string
	Operation               Operation
	IDProperty              string
	Columns                 []Column
	CreateMissingProperties bool
	AssociationLabel        string
}

// Input is an import to start.
type Input struct {
	Name       string
	Files      []FileInput
	DateFormat DateFormat
	CreateList bool
}

// Start checks an import, keeps its files and makes its job, PENDING, for
// Run. A file that is not CSV, has no header, or names what does not exist
// is refused at once, and nothing is kept.
func (e *Engine) Start(ctx context.Context, m *meta.Model, in Input) (job *ent.ImportJob, err error) {
	if len(in.Files) == 0 || len(in.Files) > MaxFiles {
		return nil, apierr.Invalid("files", "an import takes 1 to %d files, got %d", MaxFiles, len(in.Files))
	}
	spec := Spec{DateFormat: in.DateFormat, CreateList: in.CreateList}
	if spec.DateFormat == "" {
		spec.DateFormat = YearMonthDay
	}
	if !spec.DateFormat.Valid() {
		return nil, apierr.Invalid("dateFormat", "%q is not a date format", in.DateFormat)
	}
	defer func() {
		if err != nil {
			for _, f := range spec.Files {
				_ = os.Remove(f.Path)
			}
		}
	}()
	var names []string
	for _, fi := range in.Files {
		f, err := e.keep(fi)
		if f.Path != "" {
			spec.Files = append(spec.Files, f)
		}
		if err != nil {
			return nil, err
		}
		if m, err = e.check(ctx, m, &spec.Files[len(spec.Files)-1], fi.CreateMissingProperties, spec.DateFormat); err != nil {
			return nil, err
		}
		names = append(names, f.Name)
	}
	if in.Name == "" {
		in.Name = "Import of " + strings.Join(names, ", ")
	}
	doc, err := toMap(spec)
	if err != nil {
		return nil, err
	}
	err = audit.Write(ctx, e.db.Client, m.WorkspaceID, func(tx *ent.Tx) (audit.Change, error) {
		job, err = tx.ImportJob.Create().SetWorkspaceID(m.WorkspaceID).SetName(in.Name).SetSpec(doc).Save(ctx)
		if err != nil {
			return audit.Change{}, err
		}
		return audit.Of(audit.StartImport, gid.Import, job.ID, "started import %d with %d file(s)", job.ID, len(spec.Files)), nil
	})
	return job, err
}

func toMap(spec Spec) (map[string]any, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	return doc, json.Unmarshal(raw, &doc)
}

// keep copies an upload into the engine's folder, refusing one over
// MaxFileBytes.
func (e *Engine) keep(fi FileInput) (File, error) {
	f := File{Name: filepath.Base(fi.Upload.Name), ObjectTypes: fi.ObjectTypes, Operation: fi.Operation, IDProperty: fi.IDProperty,
		Columns: fi.Columns, AssociationLabel: fi.AssociationLabel}
	if f.Operation == "" {
		f.Operation = Upsert
	}
	if f.Operation != Create && f.Operation != Update && f.Operation != Upsert {
		return f, apierr.Invalid("operation", "%q is not an operation: CREATE, UPDATE or UPSERT", f.Operation)
	}
	if len(f.ObjectTypes) == 0 {
		f.ObjectTypes = []string{strings.ToLower(strings.TrimSuffix(f.Name, filepath.Ext(f.Name)))}
	}
	if err := os.MkdirAll(e.dir, 0o700); err != nil {
		return f, fmt.Errorf("import folder: %w", err)
	}
	var token [12]byte
	if _, err := rand.Read(token[:]); err != nil {
		return f, err
	}
	f.Path = filepath.Join(e.dir, hex.EncodeToString(token[:])+".csv")
	out, err := os.OpenFile(f.Path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("keep %s: %w", f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(fi.Upload.Body, MaxFileBytes+1))
	err = errors.Join(err, out.Close())
	if err != nil {
		return f, fmt.Errorf("keep %s: %w", f.Name, err)
	}
	if n > MaxFileBytes {
		return f, apierr.New(apierr.LimitExceeded, "%s is over the limit of %d MiB a file", f.Name, MaxFileBytes>>20)
	}
	return f, nil
}

// check reads f's header and maps its columns, creating string properties
// for those mapped to nothing when asked; it answers the definitions as
// they then are.
func (e *Engine) check(ctx context.Context, m *meta.Model, f *File, createMissing bool, format DateFormat) (*meta.Model, error) {
	for _, name := range f.ObjectTypes {
		if _, err := m.Lookup(name); err != nil {
			return nil, apierr.Invalid("objectType", "%s: %v (name its object in objectType)", f.Name, err)
		}
	}
	header, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	p, err := planFile(m, f, header)
	if err != nil {
		return nil, err
	}
	if createMissing && len(p.unmapped) > 0 {
		for _, col := range p.unmapped {
			in := definition.PropertyInput{Name: propertyName(col), Label: col, Type: propdef.String, FieldType: propdef.Text}
			if _, err := e.defs.CreateProperty(ctx, m, f.ObjectTypes[0], in); err != nil {
				return nil, err
			}
			if m, err = e.cache.Get(ctx, m.WorkspaceID); err != nil {
				return nil, err
			}
		}
		if p, err = planFile(m, f, header); err != nil {
			return nil, err
		}
	}
	f.Unmapped = p.unmapped
	return m, nil
}

// propertyName is the name of a property made for a column: its words in
// lower snake case.
func propertyName(column string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(column), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words = append(words, w)
	}
	name := strings.Join(words, "_")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "column_" + name
	}
	return name
}

func readHeader(f *File) ([]string, error) {
	in, err := os.Open(f.Path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	r, err := newReader(f.Name, in)
	if err != nil {
		return nil, err
	}
	return r.header, nil
}

// Get returns an import of the workspace.
func (e *Engine) Get(ctx context.Context, m *meta.Model, id int) (*ent.ImportJob, error) {
	job, err := e.db.Client.ImportJob.Query().Where(importjob.ID(id), importjob.WorkspaceID(m.WorkspaceID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no import %d", id)
	}
	return job, err
}

// Cancel stops a PENDING or PROCESSING import after the chunk it is
// writing: the rows written stay.
func (e *Engine) Cancel(ctx context.Context, m *meta.Model, id int) (*ent.ImportJob, error) {
	job, err := e.Get(ctx, m, id)
	if err != nil {
		return nil, err
	}
	var spec Spec
	if err := decodeSpec(job.Spec, &spec); err != nil {
		return nil, err
	}
	err = audit.Write(ctx, e.db.Client, m.WorkspaceID, func(tx *ent.Tx) (audit.Change, error) {
		canceled, err := tx.ImportJob.UpdateOneID(id).Where(importjob.StateIn(importjob.StatePENDING, importjob.StatePROCESSING)).
			SetState(importjob.StateCANCELED).SetFinishedAt(clock.Now()).Save(ctx)
		if ent.IsNotFound(err) {
			return audit.Change{}, apierr.New(apierr.Conflict, "import %d is %s: only a pending or running import can be canceled", id, job.State)
		}
		if err != nil {
			return audit.Change{}, err
		}
		// Its rows written so far stay: the webhooks hear how far it went.
		if err := webhooks.ImportEnded(ctx, tx, e.db.Dialect, m, spec.objectTypes(), canceled); err != nil {
			return audit.Change{}, err
		}
		return audit.Of(audit.CancelImport, gid.Import, id, "canceled import %d", id), nil
	})
	if err != nil {
		return nil, err
	}
	return e.Get(ctx, m, id)
}

// Revert archives the records an import created that are still live, and
// answers how many. An import still running is refused.
func (e *Engine) Revert(ctx context.Context, m *meta.Model, id int) (*ent.ImportJob, int, error) {
	job, err := e.Get(ctx, m, id)
	if err != nil {
		return nil, 0, err
	}
	if job.State == importjob.StatePENDING || job.State == importjob.StatePROCESSING {
		return nil, 0, apierr.New(apierr.Conflict, "import %d is %s: cancel it first", id, job.State)
	}
	ids, err := e.createdBy(ctx, m.WorkspaceID, id)
	if err != nil {
		return nil, 0, err
	}
	// The entry goes with the first chunk archived: a revert that finds
	// nothing left to archive changes nothing, and leaves none.
	opts := records.Options{Audit: func() audit.Change {
		return audit.Of(audit.RevertImport, gid.Import, id, "reverted import %d: archiving the %d records it created", id, len(ids))
	}}
	for start := 0; start < len(ids); start += records.MaxBatch {
		results, err := e.records.ArchiveMany(ctx, m, ids[start:min(start+records.MaxBatch, len(ids))], opts)
		opts.Audit = nil
		if err != nil {
			return nil, 0, err
		}
		for _, r := range results {
			if r.Err != nil {
				return nil, 0, r.Err
			}
		}
	}
	return job, len(ids), nil
}

// createdBy are the live records import id created: those whose first
// values it wrote.
func (e *Engine) createdBy(ctx context.Context, workspaceID, id int) ([]int, error) {
	ids, err := db.Build(e.db.Dialect, "SELECT DISTINCT h.record_id FROM property_histories h JOIN records r ON r.id = h.record_id WHERE h.workspace_id = ").
		Arg(workspaceID).T(" AND h.source_type = 'IMPORT' AND h.source_id = ").Arg(fmt.Sprint(id)).
		T(" AND h.changed_at = r.created_at AND r.archived_at IS NULL ORDER BY h.record_id").IDs(ctx, e.db.Client)
	if err != nil {
		return nil, fmt.Errorf("records of import %d: %w", id, err)
	}
	return ids, nil
}

// FailStopped fails the imports whose server stopped while they ran:
// those PENDING or PROCESSING that committed nothing for StaleAfter.
// Their rows written stay, whole; the rest is to import again.
func FailStopped(ctx context.Context, d *db.DB) (int, error) {
	return d.Client.ImportJob.Update().
		Where(importjob.StateIn(importjob.StatePENDING, importjob.StatePROCESSING), importjob.UpdatedAtLT(clock.Now().Add(-StaleAfter))).
		SetState(importjob.StateFAILED).SetFinishedAt(clock.Now()).
		SetMessage("the server stopped during the import: the rows it counted were written whole; import the others again").Save(ctx)
}

// WatchStopped runs FailStopped now and every minute until ctx ends.
func WatchStopped(ctx context.Context, d *db.DB, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if n, err := FailStopped(ctx, d); err != nil && ctx.Err() == nil {
			logger.Error("fail stopped imports", "error", err)
		} else if n > 0 {
			logger.Warn("imports whose server stopped are FAILED", "imports", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func pageForward() error {
	return apierr.New(apierr.BadUserInput, "imports and their errors page forward only: use first and after")
}
