package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetricsGuard: /metrics on the public listener answers the token's
// bearer, or with no token a client on this machine not behind a proxy;
// everyone else gets 404.
func TestMetricsGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "metrics") })
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name, token, remote string
		hdr                 map[string]string
		want                int
	}{
		{"loopback, no token", "", "127.0.0.1:5000", nil, 200},
		{"loopback v6, no token", "", "[::1]:5000", nil, 200},
		{"stranger, no token", "", "203.0.113.9:5000", nil, 404},
		{"through a local proxy, no token", "", "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, 404},
		{"Forwarded header, no token", "", "127.0.0.1:5000", map[string]string{"Forwarded": "for=203.0.113.9"}, 404},
		{"token", "0123456789abcdef0123", "203.0.113.9:5000", map[string]string{"Authorization": "Bearer 0123456789abcdef0123"}, 200},
		{"wrong token", "0123456789abcdef0123", "203.0.113.9:5000", map[string]string{"Authorization": "Bearer 0123456789abcdef0124"}, 404},
		{"token set, loopback without it", "0123456789abcdef0123", "127.0.0.1:5000", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/metrics", nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			guardMetrics(ok, tt.token, log).ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}

// TestConfigTooLarge: a config file over 1 MiB is refused, not cut (a cut
// file used to start a server with half its configuration).
func TestConfigTooLarge(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("api:\n  keys: [\"a-long-enough-api-key-0001\"]\n")
	for b.Len() <= maxConfigBytes {
		b.WriteString("# padding padding padding padding padding padding padding padding\n")
	}
	big := bytes.Clone(b.Bytes())
	if _, err := ParseConfig(&b, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Errorf("ParseConfig of %d bytes: %v, want a refusal", b.Len(), err)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "search", "--config", path, "--data", t.TempDir(), "shipping")
	if code == 0 || !strings.Contains(errOut, "larger than") {
		t.Errorf("search with a 1 MiB+ config: exit %d, %q", code, errOut)
	}
}
