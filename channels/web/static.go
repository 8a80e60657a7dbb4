package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

//go:embed static/widget.js static/widget.css static/demo.css static/demo.js static/demo.html static/openapi.json
var static embed.FS

// asset is an embedded file served with a strong ETag.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// loadAssets reads the embedded files served by path.
func loadAssets() (map[string]asset, error) {
	files := []struct{ path, name, ctype string }{
		{"/widget.js", "widget.js", "text/javascript; charset=utf-8"},
		{"/widget.css", "widget.css", "text/css; charset=utf-8"},
		{"/demo.css", "demo.css", "text/css; charset=utf-8"},
		{"/demo.js", "demo.js", "text/javascript; charset=utf-8"},
		{"/api/v1/openapi.json", "openapi.json", "application/json; charset=utf-8"},
	}
	m := map[string]asset{}
	for _, f := range files {
		b, err := static.ReadFile("static/" + f.name)
		if err != nil {
			return nil, fmt.Errorf("embedded asset: %w", err)
		}
		sum := sha256.Sum256(b)
		m[f.path] = asset{body: b, ctype: f.ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return m, nil
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "public, max-age=300")
	// Any site may load the widget's script and style sheet.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	a := s.assets["/api/v1/openapi.json"]
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Access-Control-Allow-Origin", "*") // public documentation
	_, _ = w.Write(a.body)
}
