package gid_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/gid"
)

func raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestRoundTrip(t *testing.T) {
	kinds := []string{gid.Record, gid.ObjectType, gid.Property, gid.PropertyGroup,
		gid.Pipeline, gid.PipelineStage, gid.AssociationType}
	for _, kind := range kinds {
		for _, id := range []int{1, 42, 1 << 40} {
			s := gid.Encode(kind, id)
			t.Run(s, func(t *testing.T) {
				// Ids travel in URLs and JSON: URL-safe, no padding.
				if strings.ContainsAny(s, "+/=") {
					t.Errorf("id %q is not unpadded base64url", s)
				}
				k, n, err := gid.Decode(s)
				if err != nil || k != kind || n != id {
					t.Errorf("Decode(%q) = %q, %d, %v; want %q, %d", s, k, n, err, kind, id)
				}
				n, err = gid.DecodeKind(s, kind)
				if err != nil || n != id {
					t.Errorf("DecodeKind(%q, %q) = %d, %v; want %d", s, kind, n, err, id)
				}
			})
		}
	}
	t.Run("kinds differ for the same number", func(t *testing.T) {
		// A record 1 and an object type 1 are different nodes.
		if gid.Encode(gid.Record, 1) == gid.Encode(gid.ObjectType, 1) {
			t.Error("two kinds share an id")
		}
	})
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct{ name, id string }{
		{"empty", ""},
		{"not base64", "!!!"},
		{"standard base64 padding", base64.StdEncoding.EncodeToString([]byte("Record:1"))},
		{"plain text id", "Record:1"},
		{"no colon", raw("Record1")},
		{"no kind", raw(":1")},
		{"no number", raw("Record:")},
		{"non-numeric", raw("Record:abc")},
		{"decimal", raw("Record:1.5")},
		{"zero", raw("Record:0")},
		{"negative", raw("Record:-3")},
		{"overflowing", raw("Record:99999999999999999999999")},
		{"trailing garbage", raw("Record:1 ")},
		{"plus sign", raw("Record:+5")},
		{"leading zero", raw("Record:05")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, n, err := gid.Decode(tt.id)
			if err == nil {
				t.Fatalf("Decode(%q) = %q, %d; want BAD_USER_INPUT", tt.id, k, n)
			}
			if code := apierr.CodeOf(err); code != apierr.BadUserInput {
				t.Errorf("code = %s, want BAD_USER_INPUT", code)
			}
			// DecodeKind reports a malformed id the same way, not as a
			// missing node.
			if _, err := gid.DecodeKind(tt.id, gid.Record); apierr.CodeOf(err) != apierr.BadUserInput {
				t.Errorf("DecodeKind code = %s, want BAD_USER_INPUT", apierr.CodeOf(err))
			}
		})
	}
}

func TestDecodeKindOfAnotherKind(t *testing.T) {
	// A well-formed id of another kind names no node of the kind asked
	// for: NOT_FOUND, as for a record that does not exist.
	tests := []struct{ name, id, kind string }{
		{"object type id where a record is expected", gid.Encode(gid.ObjectType, 5), gid.Record},
		{"record id where a pipeline is expected", gid.Encode(gid.Record, 5), gid.Pipeline},
		{"kind is case sensitive", raw("record:5"), gid.Record},
		{"unknown kind", raw("Invoice:5"), gid.Record},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := gid.DecodeKind(tt.id, tt.kind)
			if err == nil {
				t.Fatalf("DecodeKind(%q, %q) = %d; want NOT_FOUND", tt.id, tt.kind, n)
			}
			if code := apierr.CodeOf(err); code != apierr.NotFound {
				t.Errorf("code = %s, want NOT_FOUND (%v)", code, err)
			}
		})
	}
}
