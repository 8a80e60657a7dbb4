package guard

import "net/http"

// hsts is the Strict-Transport-Security of a response served over TLS: a
// browser keeps to HTTPS for this host for a year.
const hsts = "max-age=31536000"

// BrowserHeaders sets on h the headers with which every HTML page and API
// response of the server defends itself in a browser: the type it says is
// not to be sniffed (X-Content-Type-Options: nosniff), it is never framed
// (X-Frame-Options: DENY), its Referer goes out as referrerPolicy says
// (Referrer-Policy), and, when r came over TLS, the browser keeps to HTTPS
// (Strict-Transport-Security, a year). The caller adds its own
// Content-Security-Policy, caching and the like.
func BrowserHeaders(h http.Header, r *http.Request, referrerPolicy string) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", referrerPolicy)
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", hsts)
	}
}
