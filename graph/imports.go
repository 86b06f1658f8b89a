package graph

import (
	"context"
	"io"

	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/internal/gid"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/meta"
)

// importInput is startImport's input for the importer.
func importInput(in model.StartImportInput) importer.Input {
	out := importer.Input{CreateList: deref(in.CreateList), Name: deref(in.Name)}
	if in.DateFormat != nil {
		out.DateFormat = importer.DateFormat(*in.DateFormat)
	}
	for _, f := range in.Files {
		fi := importer.FileInput{Upload: importer.Upload{Name: f.File.Filename, Body: io.Reader(f.File.File)}, ObjectTypes: f.ObjectTypes,
			CreateMissingProperties: deref(f.CreateMissingProperties), IDProperty: deref(f.IDProperty), AssociationLabel: deref(f.AssociationLabel)}
		if len(fi.ObjectTypes) == 0 && f.ObjectType != nil {
			fi.ObjectTypes = []string{*f.ObjectType}
		}
		if f.Operation != nil {
			fi.Operation = importer.Operation(*f.Operation)
		}
		for _, c := range f.Columns {
			fi.Columns = append(fi.Columns, importer.Column{Column: c.Column, ObjectType: deref(c.ObjectType), Property: deref(c.Property),
				Associate: deref(c.Associate), Ignore: deref(c.Ignore)})
		}
		out.Files = append(out.Files, fi)
	}
	return out
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// importID reads an import's id.
func (r *Resolver) importID(ctx context.Context, id string) (*meta.Model, int, error) {
	m, err := r.model(ctx)
	if err != nil {
		return nil, 0, err
	}
	n, err := gid.DecodeKind(id, gid.Import)
	return m, n, err
}

// runImport runs an import in the background of the server, past the
// request that started it.
func (r *Resolver) runImport(workspaceID, id int) {
	go func() {
		if err := r.imports.Run(context.Background(), workspaceID, id, nil); err != nil {
			r.logger.Error("import", "import", id, "error", err)
		}
	}()
}
