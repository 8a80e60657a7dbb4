package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

// errForbiddenOrigin is answered with 403 to a browser request from a site
// that is not allowed to embed the widget.
var errForbiddenOrigin = &bot.Error{Code: bot.EORIGIN,
	Message: "This site is not allowed to use the chat widget. Add its origin to the server's allowed origins."}

// normalizeOrigin checks an allowed-origin entry and returns it in the form
// browsers send: lower-case scheme://host[:port], without a default port.
func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q is not an origin like https://shop.example.com", o)
	}
	host := strings.ToLower(u.Host)
	if u.Port() == "443" && u.Scheme == "https" || u.Port() == "80" && u.Scheme == "http" {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	return u.Scheme + "://" + host, nil
}

// cors admits browser requests to the widget API from the server's own
// origin and the configured origins only, and adds the CORS headers those
// origins need. A request from any other origin is refused with 403 before
// it does anything, so a foreign page cannot even make the server work.
// Requests without an Origin header (not from a browser) pass unchanged.
func (s *Server) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if sameOrigin(r, origin) {
			next(w, r)
			return
		}
		if !s.origins[strings.ToLower(origin)] {
			s.writeError(w, r, 0, errForbiddenOrigin)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "Retry-After")
		next(w, r)
	}
}

// handlePreflight answers a CORS preflight that cors admitted.
func (s *Server) handlePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// sameOrigin reports whether origin is the origin the request was sent to.
// Only the host is compared: behind a TLS-terminating proxy the scheme the
// browser used is not the one the server sees.
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}
