// Package reqbody reads the body of a request a chat platform sends to an
// adapter (an event, a callback, a slash command), bounded in size.
package reqbody

import (
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
