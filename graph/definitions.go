package graph

import (
	"context"
	"strings"

	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/definition"
	"github.com/acme/crm/internal/layout"
	"github.com/acme/crm/internal/meta"
	"github.com/acme/crm/internal/propdef"
)

func propertyType(t model.PropertyType) propdef.Type { return propdef.Type(strings.ToLower(string(t))) }

func fieldType(f model.FieldType) propdef.FieldType {
	return propdef.FieldType(strings.ToLower(string(f)))
}

func options(in []*model.PropertyOptionInput) []propdef.Option {
	if in == nil {
		return nil
	}
	out := make([]propdef.Option, len(in))
	for i, o := range in {
		out[i] = propdef.Option{Label: o.Label, Value: o.Value, Description: deref(o.Description),
			DisplayOrder: deref(o.DisplayOrder), Hidden: deref(o.Hidden)}
		if o.DisplayOrder == nil {
			out[i].DisplayOrder = i
		}
	}
	return out
}

func propertyInput(in *model.PropertyDefinitionInput) definition.PropertyInput {
	return definition.PropertyInput{Name: in.Name, Label: in.Label, Type: propertyType(in.Type), FieldType: fieldType(in.FieldType),
		Description: deref(in.Description), GroupName: deref(in.GroupName), DisplayOrder: deref(in.DisplayOrder),
		Options: options(in.Options), Unique: deref(in.HasUniqueValue), Sortable: deref(in.Sortable), Hidden: deref(in.Hidden)}
}

func stageInput(in *model.PipelineStageInput) definition.StageInput {
	st := definition.StageInput{Key: deref(in.Key), Label: in.Label, DisplayOrder: deref(in.DisplayOrder),
		Probability: in.Probability, Closed: deref(in.Closed)}
	if in.TicketState != nil {
		st.TicketState = string(*in.TicketState)
	}
	return st
}

// The payloads of definition changes read the changed definitions afresh.

func (r *Resolver) propertyByID(ctx context.Context, id int) (*meta.Property, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	if p, ok := m.PropertyByID(id); ok {
		return p, nil
	}
	return nil, apierr.New(apierr.NotFound, "no property %d", id)
}

func (r *Resolver) propertyNamed(ctx context.Context, objectType, name string) (*meta.Property, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	ot, err := m.Lookup(objectType)
	if err != nil {
		return nil, err
	}
	p, ok := ot.Property(name)
	if !ok {
		return nil, apierr.New(apierr.NotFound, "%s has no property %q", objectType, name)
	}
	return p, nil
}

func (r *Resolver) freshObjectType(ctx context.Context, name string) (*meta.ObjectType, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	return m.Lookup(name)
}

func (r *Resolver) groupNamed(ctx context.Context, objectType, name string) (*meta.PropertyGroup, error) {
	ot, err := r.freshObjectType(ctx, objectType)
	if err != nil {
		return nil, err
	}
	for _, g := range ot.Groups {
		if g.Name == name {
			return g, nil
		}
	}
	return nil, apierr.New(apierr.NotFound, "%s has no property group %q", objectType, name)
}

func (r *Resolver) pipelineByID(ctx context.Context, id int) (*meta.Pipeline, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	if _, p, ok := m.PipelineByID(id); ok {
		return p, nil
	}
	return nil, apierr.New(apierr.NotFound, "no pipeline %d", id)
}

func (r *Resolver) stageByID(ctx context.Context, id int) (*meta.Stage, error) {
	m, err := r.reloadModel(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, st, ok := m.StageByID(id); ok {
		return st, nil
	}
	return nil, apierr.New(apierr.NotFound, "no pipeline stage %d", id)
}

func sections(in []*model.LayoutSectionInput) []layout.Section {
	out := make([]layout.Section, len(in))
	for i, s := range in {
		out[i] = layout.Section{Title: s.Title, Properties: s.Properties}
	}
	return out
}

func layoutOf(in model.SetRecordLayoutInput) layout.Layout {
	return layout.Layout{Card: sections(in.Card), Sidebar: sections(in.Sidebar), Preview: sections(in.Preview)}
}
