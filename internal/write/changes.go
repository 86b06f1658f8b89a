package write

// Changes are what a write changed that state derived from records
// follows: the records whose values or life changed, the associations
// made or removed, the records merged. Every path that writes records or
// associations notes what it wrote here; a hook (Unit.BeforeCommit) reads
// it before the commit. Noting more than changed costs the hooks work,
// never correctness; noting less leaves derived state stale.
type Changes struct {
	// Records are the records changed, by id.
	Records map[int]*RecordChange
	// Links are the associations made or removed, one per pair and
	// direction noted.
	Links []Link
	// Merges are the records merged in this write: secondary to primary.
	Merges map[int]int
}

// RecordChange is what changed of one record.
type RecordChange struct {
	ObjectTypeID int
	// All says anything about the record may have changed: it is new,
	// archived, restored or merged.
	All bool
	// Properties are the names of the values that changed, the values
	// every record has (lastmodifieddate) included.
	Properties map[string]bool
}

// Link is one association made or removed, between records of two object
// types.
type Link struct {
	From, To         int
	FromType, ToType int
}

// Empty reports whether nothing was noted.
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

// Changed notes that the values names of a record changed.
func (t *Tx) Changed(objectTypeID, id int, names ...string) {
	r := t.changes.record(objectTypeID, id)
	for _, n := range names {
		r.Properties[n] = true
	}
}

// ChangedAll notes that anything about a record may have changed: it was
// created, archived, restored or merged.
func (t *Tx) ChangedAll(objectTypeID, id int) { t.changes.record(objectTypeID, id).All = true }

// Linked notes associations made or removed.
func (t *Tx) Linked(links ...Link) { t.changes.Links = append(t.changes.Links, links...) }

// Merged notes that secondary was merged into primary.
func (t *Tx) Merged(primary, secondary int) {
	if t.changes.Merges == nil {
		t.changes.Merges = map[int]int{}
	}
	t.changes.Merges[secondary] = primary
}
