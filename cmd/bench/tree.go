package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// apiQuery is the measured read. The baseline answers any body with the
// same shape.
const apiQuery = `{
  records(objectType: "companies", first: 20) {
    edges { node {
      recordId displayName properties(names: ["name", "domain"])
      associations(toObjectType: "contacts", first: 10) {
        edges { node {
          recordId displayName properties(names: ["email"])
          associations(toObjectType: "deals", first: 5) {
            edges { node { recordId displayName properties(names: ["amount", "dealstage"]) } }
          }
        } }
      }
    } }
  }
}`

// requestBody is what both servers are sent.
var requestBody = func() []byte {
	b, err := json.Marshal(map[string]string{"query": apiQuery})
	if err != nil {
		panic(err)
	}
	return b
}()

// response is the JSON both servers answer with.
type response struct {
	Data   *responseData    `json:"data"`
	Errors []map[string]any `json:"errors,omitempty"`
}

type responseData struct {
	Records connection `json:"records"`
}

type connection struct {
	Edges []edge `json:"edges"`
}

type edge struct {
	Node *node `json:"node"`
}

type node struct {
	RecordID     string                     `json:"recordId"`
	DisplayName  string                     `json:"displayName"`
	Properties   map[string]json.RawMessage `json:"properties"`
	Associations *connection                `json:"associations,omitempty"`
}

// shape is a response reduced to what is compared: the records of each
// level as parent>child pairs, in response order.
type shape struct {
	levels [levels][]string
	count  [levels]int
}

func parseShape(body []byte) (*shape, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode response: %w", err)
	}
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("response has errors: %v", r.Errors)
	}
	if r.Data == nil {
		return nil, fmt.Errorf("response has no data: %.200s", body)
	}
	s := &shape{}
	var walk func(c *connection, parent string, level int)
	walk = func(c *connection, parent string, level int) {
		if c == nil || level >= levels {
			return
		}
		for _, e := range c.Edges {
			s.levels[level] = append(s.levels[level], parent+">"+e.Node.RecordID)
			s.count[level]++
			walk(e.Node.Associations, e.Node.RecordID, level+1)
		}
	}
	walk(&r.Data.Records, "", 0)
	return s, nil
}

// sameRecords fails when the two responses do not hold the same records
// under the same parents at every level; it tells apart a difference of
// order alone.
func sameRecords(api, baseline *shape) (sameOrder bool, err error) {
	names := [levels]string{"companies", "contacts", "deals"}
	sameOrder = true
	for l := 0; l < levels; l++ {
		a, b := append([]string(nil), api.levels[l]...), append([]string(nil), baseline.levels[l]...)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			sameOrder = false
		}
		sort.Strings(a)
		sort.Strings(b)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			return false, fmt.Errorf("the API and the baseline return different %s (parent>record):\n  api:      %v\n  baseline: %v",
				names[l], diff(a, b), diff(b, a))
		}
	}
	return sameOrder, nil
}

// diff is what a holds that b does not, at most 10.
func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] && len(out) < 10 {
			out = append(out, s)
		}
	}
	return out
}

// sameJSON reports whether two bodies hold equal JSON values.
func sameJSON(a, b []byte) bool {
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}
