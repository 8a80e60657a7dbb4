package reqbody

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		body   string
		status int
	}{{"12345", http.StatusOK}, {"123456", http.StatusRequestEntityTooLarge}} {
		w := httptest.NewRecorder()
		body, err := Read(w, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body)), 5)
		if w.Code != tc.status || (err == nil) != (tc.status == http.StatusOK) || (err == nil && string(body) != tc.body) {
			t.Errorf("Read(%q) = %q, %v; status %d", tc.body, body, err, w.Code)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, http.ErrBodyReadAfterClose }

func TestReadError(t *testing.T) {
	w := httptest.NewRecorder()
	if _, err := Read(w, httptest.NewRequest(http.MethodPost, "/", failingReader{}), 5); err == nil || w.Code != http.StatusBadRequest {
		t.Errorf("Read of a failing body: %v, status %d", err, w.Code)
	}
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, map[string]string{"challenge": "c-1"})
	if w.Code != http.StatusOK || w.Body.String() != `{"challenge":"c-1"}` || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("WriteJSON: %d %q %q", w.Code, w.Body.String(), w.Header().Get("Content-Type"))
	}
	w = httptest.NewRecorder()
	WriteJSON(w, func() {})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("WriteJSON of a func: %d, want 500", w.Code)
	}
}
