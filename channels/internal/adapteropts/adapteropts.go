// Package adapteropts checks and normalises the options every chat
// adapter's New takes alike: its base URLs (APIURL, where outgoing calls
// go; PublicURL, this server's address for links to /kb pages), its lists
// of customer chats, and the defaults of its logger, clock, HTTP client
// and worker pool, and the defaults DingTalk and Feishu share besides.
package adapteropts

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Common points at the fields of an adapter's Options that every adapter
// documents with the same defaults. Every field is required.
type Common struct {
	Logger       **slog.Logger     // default: discard
	Now          *func() time.Time // default: time.Now
	HTTPClient   **http.Client     // default: a client with a 15s timeout
	Workers      *int              // default 4
	QueueSize    *int              // default 256
	JobTimeout   *time.Duration    // default 30s
	DrainTimeout *time.Duration    // default 8s
}

// Defaults sets each field c points at that is unset (nil, or not
// positive) to its default.
func Defaults(c Common) {
	if *c.Logger == nil {
		*c.Logger = slog.New(slog.DiscardHandler)
	}
	if *c.Now == nil {
		*c.Now = time.Now
	}
	if *c.HTTPClient == nil {
		*c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	bot.SetDefault(c.Workers, 4)
	bot.SetDefault(c.QueueSize, 256)
	bot.SetDefault(c.JobTimeout, 30*time.Second)
	bot.SetDefault(c.DrainTimeout, 8*time.Second)
}

// Connected points at the fields of the options that DingTalk and Feishu
// document with the same defaults: adapters that keep a connection of
// their own to the platform (DingTalk's Stream, Feishu's long connection),
// call its API with retries (jsonapi.Retrier) and remember message ids for
// a day against the platform's retries. Every field is required.
type Connected struct {
	MaxBodyBytes *int64         // default 256 KiB
	DedupTTL     *time.Duration // default 24h
	DedupSize    *int           // default 100,000
	Retries      *int           // default 3
	MaxBackoff   *time.Duration // default 30s
	ReconnectMin *time.Duration // default 1s
	ReconnectMax *time.Duration // default 2m
}

// ConnectedDefaults sets each field c points at that is unset (not
// positive) to its default.
func ConnectedDefaults(c Connected) {
	bot.SetDefault(c.MaxBodyBytes, 256<<10)
	bot.SetDefault(c.DedupTTL, 24*time.Hour)
	bot.SetDefault(c.DedupSize, 100_000)
	bot.SetDefault(c.Retries, 3)
	bot.SetDefault(c.MaxBackoff, 30*time.Second)
	bot.SetDefault(c.ReconnectMin, time.Second)
	bot.SetDefault(c.ReconnectMax, 2*time.Minute)
}

// BaseURL checks that raw, the option named field, is empty or an absolute
// http(s) URL. It returns raw without trailing slashes, to append paths
// to, and its host (both empty for an empty raw); the error names field
// and raw.
func BaseURL(field, raw string) (base, host string, err error) {
	if raw == "" {
		return "", "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("%s %q must be an absolute http(s) URL", field, raw)
	}
	return strings.TrimRight(raw, "/"), u.Host, nil
}

// URLs are an adapter's base URLs, checked by CheckURLs, ready to append
// paths to.
type URLs struct {
	API     string // where outgoing calls go: APIURL, else the adapter's default
	APIHost string // APIURL's host; empty when APIURL is unset
	Public  string // PublicURL; empty when unset
}

// CheckURLs checks an adapter's APIURL and PublicURL options with BaseURL,
// in that order, and returns the first error. def is the API's base URL
// when APIURL is unset.
func CheckURLs(apiURL, def, publicURL string) (URLs, error) {
	api, host, err := BaseURL("APIURL", apiURL)
	if err != nil {
		return URLs{}, err
	}
	if api == "" {
		api = def
	}
	public, _, err := BaseURL("PublicURL", publicURL)
	if err != nil {
		return URLs{}, err
	}
	return URLs{API: api, APIHost: host, Public: public}, nil
}

// IDSet returns the set of ids, trimmed of spaces; blank ones are left out.
func IDSet(ids []string) map[string]bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			set[id] = true
		}
	}
	return set
}
