package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/web"
)

type healthAnswer struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Failed []string          `json:"failed"`
}

func getHealth(t *testing.T, url string) (int, healthAnswer) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h healthAnswer
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatalf("%s: not JSON: %v", url, err)
	}
	return resp.StatusCode, h
}

// TestHealthNamesWhatFailed: /healthz answers 503 with a body naming the
// check that failed or hung (within its bound), 200 with every check ok;
// /readyz is 503 while the server starts or drains.
func TestHealthNamesWhatFailed(t *testing.T) {
	storeErr := errors.New("database is locked")
	var failStore, hangIndex atomic.Bool
	srv, err := web.New(web.Options{Engine: nopHandler{}, Checks: []web.HealthCheck{
		{Name: "store", Check: func(ctx context.Context) error {
			if failStore.Load() {
				return storeErr
			}
			return nil
		}},
		{Name: "index", Check: func(ctx context.Context) error {
			if hangIndex.Load() {
				time.Sleep(5 * time.Second) // ignores ctx, as a stuck dependency does
			}
			return nil
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	if code, h := getHealth(t, ts.URL+"/healthz"); code != 200 || h.Status != "ok" || h.Checks["store"] != "ok" || h.Checks["index"] != "ok" {
		t.Errorf("healthy: %d %+v", code, h)
	}
	if code, h := getHealth(t, ts.URL+"/readyz"); code != 200 || h.Status != "ready" {
		t.Errorf("readyz healthy: %d %+v", code, h)
	}
	failStore.Store(true)
	if code, h := getHealth(t, ts.URL+"/healthz"); code != 503 || h.Status != "unavailable" || h.Checks["store"] != "failed" ||
		len(h.Failed) != 1 || h.Failed[0] != "store" {
		t.Errorf("store failing: %d %+v, want 503 naming the store", code, h)
	}
	if code, _ := getHealth(t, ts.URL+"/readyz"); code != 503 {
		t.Errorf("readyz with the store failing: %d, want 503", code)
	}
	failStore.Store(false)
	hangIndex.Store(true)
	start := time.Now()
	code, h := getHealth(t, ts.URL+"/healthz")
	if code != 503 || h.Checks["index"] != "timed out" || h.Checks["store"] != "ok" {
		t.Errorf("index hanging: %d %+v, want 503 naming the index as timed out", code, h)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("/healthz took %v with a hanging check", took)
	}
	hangIndex.Store(false)
	srv.SetState(web.StateStarting)
	if code, h := getHealth(t, ts.URL+"/readyz"); code != 503 || h.Status != "starting" {
		t.Errorf("readyz starting: %d %+v", code, h)
	}
	if code, _ := getHealth(t, ts.URL+"/healthz"); code != 200 {
		t.Errorf("healthz while starting: %d, want 200 (it is alive)", code)
	}
	srv.SetState(web.StateDraining)
	if code, h := getHealth(t, ts.URL+"/readyz"); code != 503 || h.Status != "draining" {
		t.Errorf("readyz draining: %d %+v", code, h)
	}
}
