package graph

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/acme/crm/internal/apierr"
)

// The CORS policy: which web pages of other origins may call the API from
// a browser. None may unless listed (--cors-origins); "*" lets any. An
// allowed origin may send GET and POST with any request header (the
// origin is what is trusted; no header grants more), and reads answers.
// Credentials (cookies) are never allowed: the API does not use them.
//
// Ours rather than github.com/rs/cors: the policy is an exact list and a
// wildcard, some sixty lines, and rs/cors reads an empty list as "every
// origin", the opposite of the default wanted here.

// corsMaxAge is how long a browser may keep a preflight's answer (s).
const corsMaxAge = "600"

// ParseCORSOrigins reads a comma-separated list of origins
// (scheme://host[:port], as a browser sends them in Origin) or "*". An
// empty list allows no origin.
func ParseCORSOrigins(list string) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		o, err := normalizeOrigin(item)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// normalizeOrigin returns origin as browsers serialize it: lower case,
// no default port, no trailing slash.
func normalizeOrigin(origin string) (string, error) {
	if origin == "*" {
		return origin, nil
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("CORS origin %q is not * nor an origin such as https://app.example.com or http://localhost:3000", origin)
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host, nil
}

type cors struct {
	any     bool
	origins map[string]bool
}

func newCORS(origins []string) cors {
	c := cors{origins: map[string]bool{}}
	for _, o := range origins {
		if n, err := normalizeOrigin(strings.TrimSpace(o)); err == nil {
			c.any = c.any || n == "*"
			c.origins[n] = true
		}
	}
	return c
}

func (c cors) allows(origin string) bool {
	return c.any || c.origins[strings.ToLower(origin)]
}

// wrap answers preflights and marks the answers an allowed origin may
// read. A request without Origin is not a browser's cross-origin call:
// it passes untouched.
func (c cors) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := c.allows(origin)
		allowOrigin := origin
		if c.any {
			allowOrigin = "*"
		}
		method := r.Header.Get("Access-Control-Request-Method")
		if r.Method != http.MethodOptions || method == "" {
			if allowed {
				h.Set("Access-Control-Allow-Origin", allowOrigin)
			}
			next.ServeHTTP(w, r)
			return
		}
		// A preflight.
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		if !allowed {
			refuse(w, r, http.StatusForbidden, apierr.Forbidden, "this origin may not call the API from a browser: it is not in the server's CORS origins (--cors-origins)")
			return
		}
		if method != http.MethodGet && method != http.MethodPost {
			h.Set("Allow", allowedMethods)
			refuse(w, r, http.StatusMethodNotAllowed, apierr.BadUserInput, "the GraphQL endpoint answers GET and POST (and OPTIONS)")
			return
		}
		h.Set("Access-Control-Allow-Origin", allowOrigin)
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", corsMaxAge)
		w.WriteHeader(http.StatusNoContent)
	})
}
