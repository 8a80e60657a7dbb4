package web

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// HealthCheck is one dependency that /healthz and /readyz check.
type HealthCheck struct {
	// Name names the dependency in the answer ("store", "index").
	Name string
	// Check returns nil when the dependency works. It should return soon
	// after ctx ends; an answer later than healthTimeout counts as a
	// failure ("timed out").
	Check func(ctx context.Context) error
}

// healthTimeout bounds each check of /healthz and /readyz.
const healthTimeout = 2 * time.Second

// State is the server's readiness for traffic, as /readyz reports it.
type State int32

// The states of a server. New servers are StateReady; a process that starts
// serving before it is ready, or drains before it stops, says so with
// SetState.
const (
	StateReady State = iota
	StateStarting
	StateDraining
)

func (st State) String() string {
	switch st {
	case StateStarting:
		return "starting"
	case StateDraining:
		return "draining"
	}
	return "ready"
}

// SetState sets what /readyz answers: 200 only when ready (and every check
// passes), 503 while starting or draining, so that a load balancer sends
// traffic elsewhere.
func (s *Server) SetState(st State) { s.state.Store(int32(st)) }

// healthBody is the answer of /healthz and /readyz.
type healthBody struct {
	Status string `json:"status"` // ok, unavailable, starting, draining
	// Checks maps each dependency to "ok" or what failed: "timed out"
	// or "failed" (the error itself is logged, not shown: it may name
	// files).
	Checks map[string]string `json:"checks"`
	// Failed names the dependencies that failed, sorted as configured.
	Failed   []string       `json:"failed,omitempty"`
	Database map[string]any `json:"database,omitempty"`
}

// runChecks runs the health checks at once, each bounded by healthTimeout,
// and returns the answer's checks and the names of those that failed.
func (s *Server) runChecks(ctx context.Context) (map[string]string, []string) {
	checks := s.opts.Checks
	if s.opts.Ready != nil {
		checks = append([]HealthCheck{{Name: "ready", Check: s.opts.Ready}}, checks...)
	}
	results := make([]string, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, healthTimeout)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- c.Check(cctx) }()
			var err error
			select {
			case err = <-done:
			case <-cctx.Done():
				err = cctx.Err()
			}
			switch {
			case err == nil:
				results[i] = "ok"
			case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
				results[i] = "timed out"
			default:
				results[i] = "failed"
			}
			if err != nil && ctx.Err() == nil {
				s.log.Warn("health check failed", "check", c.Name, "err", err)
			}
		}()
	}
	wg.Wait()
	out := make(map[string]string, len(checks))
	var failed []string
	for i, c := range checks {
		out[c.Name] = results[i]
		if results[i] != "ok" {
			failed = append(failed, c.Name)
		}
	}
	return out, failed
}

// handleHealth answers /healthz: 200 when every check passes, else 503
// with a JSON body naming what failed.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	checks, failed := s.runChecks(r.Context())
	body := healthBody{Status: "ok", Checks: checks, Failed: failed}
	status := http.StatusOK
	if len(failed) > 0 {
		body.Status, status = "unavailable", http.StatusServiceUnavailable
	}
	if s.opts.Health != nil {
		body.Database = s.opts.Health(r.Context())
	}
	writeJSON(w, status, body)
}

// handleReady answers /readyz, for load balancers: 200 when the server is
// ready and every check passes; 503 while it starts, drains or a check
// fails.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if st := State(s.state.Load()); st != StateReady {
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: st.String(), Checks: map[string]string{}})
		return
	}
	checks, failed := s.runChecks(r.Context())
	if len(failed) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Checks: checks, Failed: failed})
		return
	}
	writeJSON(w, http.StatusOK, healthBody{Status: "ready", Checks: checks})
}
