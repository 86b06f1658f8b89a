package events

import "sync"

// Shared is what the subscriptions an event reaches read once between
// them: the records it names. The first to read a record keeps it for the
// others, which wait for it rather than read the same row again (a
// thousand subscribers of one object type cost one read an event, not a
// thousand). A read that fails is not kept: the error of one subscriber's
// request (it went away) is not another's, which reads again.
type Shared struct {
	mu   sync.Mutex
	read map[int]any
}

// Once answers what the first successful read of the record id answered,
// reading with read when none has succeeded yet. A nil Shared reads every
// time.
func (s *Shared) Once(id int, read func() (any, error)) (any, error) {
	if s == nil {
		return read()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.read[id]; ok {
		return v, nil
	}
	v, err := read()
	if err != nil {
		return nil, err
	}
	if s.read == nil {
		s.read = map[int]any{}
	}
	s.read[id] = v
	return v, nil
}
