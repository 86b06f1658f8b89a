package graph

import (
	"github.com/acme/crm/graph/model"
	"github.com/acme/crm/internal/records"
	"github.com/acme/crm/internal/timeline"
)

// timelineEvent is e as the GraphQL type of its kind.
func timelineEvent(e *records.TimelineEvent) model.TimelineEvent {
	ev := model.Event{TimelineEvent: e}
	switch e.Type {
	case timeline.Created:
		return model.RecordCreatedEvent{Event: ev}
	case timeline.PropertyChanged:
		return model.PropertyChangedEvent{Event: ev}
	case timeline.AssociationAdded, timeline.AssociationRemoved:
		return model.AssociationEvent{Event: ev}
	case timeline.Merged:
		return model.MergeEvent{Event: ev}
	case timeline.Archived, timeline.Restored:
		return model.ArchiveEvent{Event: ev}
	case timeline.ListAdded, timeline.ListRemoved:
		return model.ListMembershipEvent{Event: ev}
	}
	return model.ActivityEvent{Event: ev}
}
