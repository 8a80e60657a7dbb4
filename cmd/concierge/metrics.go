package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// MetricsConfig says who may read the Prometheus metrics. With Addr they are
// served on their own listener (a private address the scraper reaches) and
// not on the public one. Otherwise /metrics on the public listener answers
// a request bearing Token, or, with no token, only a client on the same
// machine that did not come through a proxy.
type MetricsConfig struct {
	Token string `yaml:"token"`
	Addr  string `yaml:"addr"`
}

// guardMetrics wraps the metrics handler for the public listener: see
// MetricsConfig. Refusals are 404, as if there were no metrics, so that the
// endpoint tells a stranger nothing.
func guardMetrics(h http.Handler, token string, log *slog.Logger) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			sum := sha256.Sum256([]byte(got))
			if ok && subtle.ConstantTimeCompare(sum[:], want[:]) == 1 {
				h.ServeHTTP(w, r)
				return
			}
		} else if fromThisMachine(r) {
			h.ServeHTTP(w, r)
			return
		}
		log.Debug("metrics refused", "remote", r.RemoteAddr)
		http.NotFound(w, r)
	})
}

// fromThisMachine reports whether r comes from a loopback address and not
// through a reverse proxy (which would make every client look local).
func fromThisMachine(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// metricsServer is the server of metrics.addr.
func metricsServer(h http.Handler, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// maxHeaderBytes bounds the request headers every listener of serve reads.
const maxHeaderBytes = 32 << 10
