package meta

// What the API reads of definitions besides their fields (gqlgen.yml binds
// the schema's fields to these methods): opaque global ids, stored
// enumerations typed as the ent enums the schema's enums bind to, and
// optional values as nil.

import (
	"github.com/acme/crm/ent/objecttype"
	"github.com/acme/crm/ent/pipelinestage"
	"github.com/acme/crm/internal/gid"
)

// GlobalID is the object type's opaque global id.
func (o *ObjectType) GlobalID() string { return gid.Encode(gid.ObjectType, o.ID) }

// GlobalID is the property's opaque global id.
func (p *Property) GlobalID() string { return gid.Encode(gid.Property, p.ID) }

// GlobalID is the property group's opaque global id.
func (g *PropertyGroup) GlobalID() string { return gid.Encode(gid.PropertyGroup, g.ID) }

// GlobalID is the pipeline's opaque global id.
func (p *Pipeline) GlobalID() string { return gid.Encode(gid.Pipeline, p.ID) }

// GlobalID is the stage's opaque global id.
func (s *Stage) GlobalID() string { return gid.Encode(gid.PipelineStage, s.ID) }

// KindEnum is the object type's kind (standard, engagement, custom).
func (o *ObjectType) KindEnum() objecttype.Kind { return objecttype.Kind(o.Kind) }

// TicketStateEnum is the stage's ticket state; nil when it has none.
func (s *Stage) TicketStateEnum() *pipelinestage.TicketState {
	if s.TicketState == nil {
		return nil
	}
	state := pipelinestage.TicketState(*s.TicketState)
	return &state
}

// GroupName is the name of the property's group; nil when it has none.
func (p *Property) GroupName() *string {
	if p.Group == nil {
		return nil
	}
	return &p.Group.Name
}
