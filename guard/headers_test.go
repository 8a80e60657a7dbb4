package guard

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBrowserHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	h := http.Header{}
	BrowserHeaders(h, r, "same-origin")
	want := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "same-origin",
		"Strict-Transport-Security": "",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("plain HTTP: %s = %q, want %q", k, got, v)
		}
	}

	r.TLS = &tls.ConnectionState{}
	h = http.Header{}
	BrowserHeaders(h, r, "strict-origin-when-cross-origin")
	if got := h.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("TLS: Strict-Transport-Security = %q", got)
	}
	if got := h.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" {
		t.Errorf("TLS: Referrer-Policy = %q", got)
	}
}
