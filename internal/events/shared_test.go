package events_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/acme/crm/internal/events"
)

// TestSharedReadsOnce: many subscribers of one event read each record once
// between them; a failed read is not kept, and a nil Shared reads always.
func TestSharedReadsOnce(t *testing.T) {
	var s events.Shared
	var mu sync.Mutex
	reads := map[int]int{}
	read := func(id int) func() (any, error) {
		return func() (any, error) {
			mu.Lock()
			defer mu.Unlock()
			reads[id]++
			return id * 10, nil
		}
	}
	if _, err := s.Once(1, func() (any, error) { return nil, errors.New("the subscriber went away") }); err == nil {
		t.Fatal("the failed read answered no error")
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			for _, id := range []int{1, 2} {
				if v, err := s.Once(id, read(id)); err != nil || v != id*10 {
					t.Errorf("Once(%d) = %v, %v", id, v, err)
				}
			}
		})
	}
	wg.Wait()
	if reads[1] != 1 || reads[2] != 1 {
		t.Fatalf("reads %v; want each record read once", reads)
	}
	var none *events.Shared
	for range 2 {
		if _, err := none.Once(3, read(3)); err != nil {
			t.Fatal(err)
		}
	}
	if reads[3] != 2 {
		t.Fatalf("a nil Shared read %d times; want 2", reads[3])
	}
}
