package write

import "maps"

// Changes are what a write changed that state derived from records
// follows: the records whose values or life changed, the associations
// made or removed, the records merged. Every path that writes records or
// associations notes what it wrote here; a hook (Unit.BeforeCommit) reads
// it before the commit. Noting more than changed costs the hooks work
// and sends subscribers an event of nothing; noting less leaves derived
// state stale and subscribers unaware. What a savepoint rolled back is
// forgotten with it (Tx.Savepoint).
type Changes struct {
	// Records are the records changed, by id.
	Records map[int]*RecordChange
	// Links are the associations made or removed, one per association
	// row (a pair, a direction and a label) noted.
	Links []Link
	// Merges are the records merged in this write: secondary to primary.
	Merges map[int]int
	// Memberships are the records that joined or left lists, in the
	// order noted (Tx.Joined).
	Memberships []Membership
	// Erased are the values of the records deleted permanently in this
	// write, as they were before (Tx.Erased): what derives from a record
	// and outlives it (a webhook's event) reads them here. Only those of
	// records Deleted in Records count: a savepoint that rolled a deletion
	// back forgot the record, not this.
	Erased map[int]map[string]any
}

// Kind is what happened to a record in a write.
type Kind string

// The kinds of change, as the API's ChangeKind names them. A record
// created, archived, restored, merged or deleted in a write is that,
// whatever else the write changed of it; one only written to is Updated.
const (
	Created  Kind = "CREATED"
	Updated  Kind = "UPDATED"
	Archived Kind = "ARCHIVED"
	Restored Kind = "RESTORED"
	Merged   Kind = "MERGED"
	Deleted  Kind = "DELETED"
)

// The kinds of change of an association, as the API's
// AssociationChangeKind names them.
const (
	Associated    Kind = "ASSOCIATED"
	Disassociated Kind = "DISASSOCIATED"
)

// RecordChange is what changed of one record.
type RecordChange struct {
	ObjectTypeID int
	// Kind is what happened to the record.
	Kind Kind
	// All says anything about the record may have changed: it is new,
	// archived, restored, merged or deleted.
	All bool
	// Properties are the names of the values that changed, the values
	// every record has (lastmodifieddate) included.
	Properties map[string]bool
}

// Link is one association row made or removed, between records of two
// object types.
type Link struct {
	From, To         int
	FromType, ToType int
	// Kind says whether the row was made (Associated) or removed
	// (Disassociated).
	Kind Kind
	// Label is the row's label, seen from From: "" for the unlabeled
	// association.
	Label string
}

// Membership is one record joining or leaving one list.
type Membership struct {
	ListID, RecordID int
	// Added says it joined; false, it left.
	Added bool
}

// Empty reports whether no record, association or merge was noted (what
// derives from records follows these; memberships derive from them).
func (c *Changes) Empty() bool {
	return len(c.Records) == 0 && len(c.Links) == 0 && len(c.Merges) == 0
}

func (c *Changes) record(objectTypeID, id int) *RecordChange {
	if c.Records == nil {
		c.Records = map[int]*RecordChange{}
	}
	r := c.Records[id]
	if r == nil {
		r = &RecordChange{ObjectTypeID: objectTypeID, Properties: map[string]bool{}}
		c.Records[id] = r
	}
	return r
}

// changesMark is what a savepoint needs to forget the changes noted
// within it: the records as they were before their first note there, the
// number of links, the merges.
type changesMark struct {
	before      map[int]*RecordChange // nil: the record was not noted before
	links       int
	memberships int
	merges      map[int]int
}

// markChanges starts keeping what the notes from now on change, for a
// savepoint; it returns the mark of the savepoint around it, if any, for
// endMark.
func (t *Tx) markChanges() (outer *changesMark) {
	outer = t.mark
	t.mark = &changesMark{before: map[int]*RecordChange{}, links: len(t.changes.Links), memberships: len(t.changes.Memberships),
		merges: maps.Clone(t.changes.Merges)}
	return outer
}

// endMark ends the savepoint's mark: the savepoint around it, if any,
// keeps what it had not kept of the records noted within.
func (t *Tx) endMark(outer *changesMark) {
	if outer != nil && t.mark != nil {
		for id, r := range t.mark.before {
			if _, ok := outer.before[id]; !ok {
				outer.before[id] = r
			}
		}
	}
	t.mark = outer
}

// saved keeps record id as it was before the savepoint's first note of it.
func (t *Tx) saved(id int) {
	if t.mark == nil {
		return
	}
	if _, ok := t.mark.before[id]; ok {
		return
	}
	r, ok := t.changes.Records[id]
	if !ok {
		t.mark.before[id] = nil
		return
	}
	cp := *r
	cp.Properties = maps.Clone(r.Properties)
	t.mark.before[id] = &cp
}

// forgetChanges drops what was noted since markChanges.
func (t *Tx) forgetChanges() {
	for id, r := range t.mark.before {
		if r == nil {
			delete(t.changes.Records, id)
		} else {
			t.changes.Records[id] = r
		}
	}
	t.changes.Links = t.changes.Links[:t.mark.links]
	t.changes.Memberships = t.changes.Memberships[:t.mark.memberships]
	t.changes.Merges = t.mark.merges
}

// Changed notes that the values names of a record changed.
func (t *Tx) Changed(objectTypeID, id int, names ...string) {
	t.saved(id)
	r := t.changes.record(objectTypeID, id)
	if r.Kind == "" {
		r.Kind = Updated
	}
	for _, n := range names {
		r.Properties[n] = true
	}
}

// ChangedAll notes that anything about a record may have changed: it was
// created, archived, restored, merged or deleted, as kind says. A record
// created in the write stays Created whatever else it goes through there
// but a deletion.
func (t *Tx) ChangedAll(kind Kind, objectTypeID, id int) {
	t.saved(id)
	r := t.changes.record(objectTypeID, id)
	r.All = true
	if r.Kind != Created || kind == Deleted {
		r.Kind = kind
	}
}

// Erased notes the values of record id as they were before it was
// deleted permanently (Changes.Erased).
func (t *Tx) Erased(id int, values map[string]any) {
	if t.changes.Erased == nil {
		t.changes.Erased = map[int]map[string]any{}
	}
	t.changes.Erased[id] = values
}

// Joined notes that records ids joined list listID (added) or left it.
func (t *Tx) Joined(listID int, added bool, ids ...int) {
	for _, id := range ids {
		t.changes.Memberships = append(t.changes.Memberships, Membership{ListID: listID, RecordID: id, Added: added})
	}
}

// Linked notes associations made or removed.
func (t *Tx) Linked(links ...Link) { t.changes.Links = append(t.changes.Links, links...) }

// Merged notes that secondary was merged into primary.
func (t *Tx) Merged(primary, secondary int) {
	if t.changes.Merges == nil {
		t.changes.Merges = map[int]int{}
	}
	t.changes.Merges[secondary] = primary
}
