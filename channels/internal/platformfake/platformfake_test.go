package platformfake

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLimiter(t *testing.T) {
	var l Limiter
	h := l.Limit(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}),
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) })
	status := func(path string) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, nil))
		return w.Code
	}
	l.RateLimit("/a/", 2)
	got := []int{status("/a/1"), status("/b"), status("/a/2"), status("/a/3")}
	if want := []int{429, 200, 429, 200}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if l.Requests("/a/1") != 1 || l.Requests("/b") != 1 || l.Requests("/c") != 0 {
		t.Errorf("Requests miscounted")
	}
}

func TestTokensAndLog(t *testing.T) {
	var tk Tokens
	a, b := tk.Issue("t-"), tk.Issue("t-")
	if a != "t-1" || b != "t-2" || !tk.Valid(a) || tk.Valid("t-3") || tk.TokenCalls() != 2 {
		t.Fatalf("Issue = %q, %q", a, b)
	}
	tk.RevokeTokens()
	if tk.Valid(a) || tk.Valid(b) {
		t.Error("revoked tokens still valid")
	}

	var l Log[string]
	go l.Add("x")
	if got := l.Wait(t, 1, "test", "items"); len(got) != 1 || got[0] != "x" {
		t.Errorf("Wait = %v", got)
	}
}
