package adapteropts

import (
	"log/slog"
	"net/http"
	"testing"
	"time"
)

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct{ raw, base, host string }{
		{"", "", ""},
		{"https://api.example.com/", "https://api.example.com", "api.example.com"},
		{"http://127.0.0.1:9//", "http://127.0.0.1:9", "127.0.0.1:9"},
	} {
		base, host, err := BaseURL("APIURL", tc.raw)
		if err != nil || base != tc.base || host != tc.host {
			t.Errorf("BaseURL(%q) = %q, %q, %v; want %q, %q", tc.raw, base, host, err, tc.base, tc.host)
		}
	}
	for _, raw := range []string{"api.example.com", "ftp://x", "https://", ":"} {
		if _, _, err := BaseURL("APIURL", raw); err == nil || err.Error() != `APIURL "`+raw+`" must be an absolute http(s) URL` {
			t.Errorf("BaseURL(%q) error = %v", raw, err)
		}
	}
}

func TestCheckURLs(t *testing.T) {
	u, err := CheckURLs("", "https://api.example.com", "")
	if err != nil || u != (URLs{API: "https://api.example.com"}) {
		t.Errorf("CheckURLs(unset) = %+v, %v", u, err)
	}
	u, err = CheckURLs("http://127.0.0.1:9/", "https://api.example.com", "https://help.example.com/")
	if err != nil || u != (URLs{API: "http://127.0.0.1:9", APIHost: "127.0.0.1:9", Public: "https://help.example.com"}) {
		t.Errorf("CheckURLs(set) = %+v, %v", u, err)
	}
	if _, err := CheckURLs("ftp://x", "", "y"); err == nil || err.Error() != `APIURL "ftp://x" must be an absolute http(s) URL` {
		t.Errorf("CheckURLs(both bad) error = %v, want APIURL's", err)
	}
	if _, err := CheckURLs("", "", "y"); err == nil || err.Error() != `PublicURL "y" must be an absolute http(s) URL` {
		t.Errorf("CheckURLs(bad PublicURL) error = %v", err)
	}
}

func TestIDSet(t *testing.T) {
	set := IDSet([]string{" oc_1 ", "", "  ", "oc_2"})
	if len(set) != 2 || !set["oc_1"] || !set["oc_2"] {
		t.Errorf("IDSet = %v", set)
	}
}

func TestDefaults(t *testing.T) {
	var o struct {
		Logger                   *slog.Logger
		Now                      func() time.Time
		HTTPClient               *http.Client
		Workers, QueueSize       int
		JobTimeout, DrainTimeout time.Duration
	}
	c := Common{Logger: &o.Logger, Now: &o.Now, HTTPClient: &o.HTTPClient,
		Workers: &o.Workers, QueueSize: &o.QueueSize, JobTimeout: &o.JobTimeout, DrainTimeout: &o.DrainTimeout}
	Defaults(c)
	if o.Logger == nil || o.Now == nil || o.HTTPClient == nil || o.HTTPClient.Timeout != 15*time.Second ||
		o.Workers != 4 || o.QueueSize != 256 || o.JobTimeout != 30*time.Second || o.DrainTimeout != 8*time.Second {
		t.Fatalf("defaults: %+v", o)
	}
	log, client := slog.New(slog.DiscardHandler), &http.Client{}
	o.Logger, o.HTTPClient, o.Workers, o.JobTimeout = log, client, 1, time.Second
	Defaults(c)
	if o.Logger != log || o.HTTPClient != client || o.Workers != 1 || o.JobTimeout != time.Second {
		t.Fatalf("set options were replaced: %+v", o)
	}
}

func TestConnectedDefaults(t *testing.T) {
	var o struct {
		MaxBodyBytes                             int64
		DedupTTL, MaxBackoff, ReconMin, ReconMax time.Duration
		DedupSize, Retries                       int
	}
	c := Connected{MaxBodyBytes: &o.MaxBodyBytes, DedupTTL: &o.DedupTTL, DedupSize: &o.DedupSize,
		Retries: &o.Retries, MaxBackoff: &o.MaxBackoff, ReconnectMin: &o.ReconMin, ReconnectMax: &o.ReconMax}
	ConnectedDefaults(c)
	if o.MaxBodyBytes != 256<<10 || o.DedupTTL != 24*time.Hour || o.DedupSize != 100_000 || o.Retries != 3 ||
		o.MaxBackoff != 30*time.Second || o.ReconMin != time.Second || o.ReconMax != 2*time.Minute {
		t.Fatalf("defaults: %+v", o)
	}
	o.Retries, o.ReconMax = 1, time.Minute
	ConnectedDefaults(c)
	if o.Retries != 1 || o.ReconMax != time.Minute {
		t.Fatalf("set options were replaced: %+v", o)
	}
}
