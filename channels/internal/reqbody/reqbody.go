// Package reqbody reads the body of a request a chat platform sends to an
// adapter (an event, a callback, a slash command), bounded in size, and
// writes the JSON body of the adapter's answer to it.
package reqbody

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// Read reads r's body, at most limit bytes. On failure it has answered
// 413 for a body over limit, else 400, and returns the error for the
// caller to log.
func Read(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read request body", http.StatusBadRequest)
		}
		return nil, err
	}
	return body, nil
}

// WriteJSON answers v as JSON (UTF-8), with status 200 unless the caller
// wrote another; a v that cannot be encoded is answered 500.
func WriteJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}
