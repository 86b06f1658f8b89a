package webhooks

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

// TestPublicAddr: what a webhook may reach, and what it may not.
func TestPublicAddr(t *testing.T) {
	for addr, public := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "0.0.0.0": false, "::": false, "224.0.0.1": false, "ff02::1": false,
		"fc00::1": false, "100.64.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "0.1.2.3": false, "255.255.255.255": false,
	} {
		err := publicAddr(netip.MustParseAddr(addr))
		if (err == nil) != public {
			t.Errorf("%s: public %v, got %v", addr, public, err)
		}
	}
}

// TestGuard: the dialer's check refuses a private address whatever name
// led to it.
func TestGuard(t *testing.T) {
	if err := guard("tcp", "127.0.0.1:443", nil); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("guard(127.0.0.1) = %v, want refused", err)
	}
	if err := guard("tcp", "[::1]:80", nil); err == nil {
		t.Error("guard([::1]) passed")
	}
	if err := guard("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("guard(public) = %v", err)
	}
}

// TestCheckURL: the URL's form is checked before any address; allowed
// private targets skip only the address check.
func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, raw := range []string{"ftp://93.184.215.14/", "//93.184.215.14/", "http://", "https://u:p@93.184.215.14/", "http://93.184.215.14/#x", "http://10.0.0.1/"} {
		if _, err := checkURL(ctx, raw, false); err == nil {
			t.Errorf("%q passed", raw)
		}
	}
	if _, err := checkURL(ctx, "ftp://127.0.0.1/", true); err == nil {
		t.Error("ftp passed with private targets allowed")
	}
	if u, err := checkURL(ctx, " http://127.0.0.1:9/hook?x=1 ", true); err != nil || u != "http://127.0.0.1:9/hook?x=1" {
		t.Errorf("allowed private target: %q, %v", u, err)
	}
}
