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
