package guard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecover(t *testing.T) {
	var got any
	failed := func(w http.ResponseWriter, r *http.Request, v any) {
		got = v
		http.Error(w, "failed", http.StatusInternalServerError)
	}
	h := Recover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/boom":
			panic("boom")
		case "/abort":
			panic(http.ErrAbortHandler)
		}
		w.Write([]byte("ok"))
	}), failed)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusOK || got != nil {
		t.Errorf("no panic: status %d, failed with %v", w.Code, got)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))
	if w.Code != http.StatusInternalServerError || got != "boom" {
		t.Errorf("panic: status %d, failed with %v; want 500 and boom", w.Code, got)
	}

	got = nil
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("ErrAbortHandler: recovered %v, want it passed on", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/abort", nil))
	}()
	if got != nil {
		t.Errorf("ErrAbortHandler reached failed with %v", got)
	}
}
