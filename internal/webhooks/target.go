package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/acme/crm/internal/apierr"
)

// maxURL bounds a webhook's URL.
const maxURL = 2048

// blocked are the ranges no webhook may reach unless the server allows
// private targets, besides what netip classifies as loopback, private,
// link-local, unspecified or multicast: "this network", the carrier-grade
// NAT's shared space, benchmarking and reserved ranges.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// errPrivate is why an address is refused.
var errPrivate = errors.New("a loopback, private, link-local, unspecified or multicast address")

// publicAddr says whether a may be reached by a webhook.
func publicAddr(a netip.Addr) error {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return errPrivate
	}
	for _, p := range blocked {
		if p.Contains(a) {
			return errPrivate
		}
	}
	return nil
}

// checkURL refuses, with BAD_USER_INPUT naming input's field url, what is
// not an absolute http(s) URL with a host, or (unless allowPrivate) one
// whose host is or resolves to an address publicAddr refuses. The check
// is done again at every connection (guard): a name may resolve to
// another address by then.
func checkURL(ctx context.Context, raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := func(format string, args ...any) (string, error) {
		return "", apierr.Invalid("url", "url %q: %s", raw, fmt.Sprintf(format, args...))
	}
	if len(raw) > maxURL {
		return bad("longer than %d characters", maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad("only http and https URLs are allowed")
	}
	if u.Hostname() == "" {
		return bad("no host")
	}
	if u.User != nil {
		return bad("credentials in the URL are not allowed")
	}
	if u.Fragment != "" {
		return bad("a fragment is not sent: leave it out")
	}
	if allowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	addrs := []netip.Addr{}
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = append(addrs, a)
	} else if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil {
		return bad("host %q does not resolve", host)
	}
	for _, a := range addrs {
		if err := publicAddr(a); err != nil {
			return bad("%s resolves to %s, %v: refused", host, a, err)
		}
	}
	return u.String(), nil
}

// guard is the dialer's Control hook: it refuses to connect to an address
// publicAddr refuses, whatever the name resolved to (DNS rebinding).
func guard(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook target %s: %w", address, err)
	}
	if err := publicAddr(ap.Addr()); err != nil {
		return fmt.Errorf("webhook target %s is %w: refused", address, err)
	}
	return nil
}
