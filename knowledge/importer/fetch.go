package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/concierge-bot/concierge/internal/pause"
)

// UserAgent is how the importer identifies itself to web servers, and the
// agent name robots.txt rules are matched against ("ConciergeBot").
const UserAgent = "ConciergeBot/1.0 (+https://github.com/concierge-bot/concierge; knowledge import)"

// robotsAgent is the product token robots.txt groups are matched with.
const robotsAgent = "ConciergeBot"

// FetchOptions bound what a Fetcher does. Zero values take the defaults.
type FetchOptions struct {
	// UserAgent is sent with every request. Default UserAgent.
	UserAgent string
	// MaxPages is the most pages one import fetches. Default 500.
	MaxPages int
	// MaxBytes is the largest page or file fetched. Default 10 MB.
	MaxBytes int64
	// MaxDepth is how many links deep a crawl follows from its start page
	// (0: the start page alone; a sitemap lists its pages at depth 0).
	// Negative means 0.
	MaxDepth int
	// Delay is the pause between two requests to one host (raised to the
	// site's robots.txt Crawl-delay, up to 30 s). Default 100 ms; negative
	// means none.
	Delay time.Duration
	// Timeout bounds one request. Default 30 s.
	Timeout time.Duration
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.UserAgent == "" {
		o.UserAgent = UserAgent
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 500
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	o.MaxDepth = max(o.MaxDepth, 0)
	switch {
	case o.Delay == 0:
		o.Delay = 100 * time.Millisecond
	case o.Delay < 0:
		o.Delay = 0
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return o
}

// FetchError is a failed fetch of one URL.
type FetchError struct {
	URL    string
	Status int  // the HTTP status, 0 when there was no response
	Gone   bool // 404 or 410: the page no longer exists
	Msg    string
}

func (e *FetchError) Error() string { return e.Msg }

// ErrBlockedAddress is returned (wrapped) for a connection to a private,
// loopback or otherwise internal address that the user did not name.
var ErrBlockedAddress = errors.New("address is private or internal and was not named")

// Fetcher fetches web pages for an import within the hosts the user named:
// it follows redirects only to those hosts, honours robots.txt, waits
// between requests to a host, limits sizes and time, and never connects to
// a private or loopback address unless the user named that address (an IP
// literal, or "localhost") — checked on the address actually dialled, so
// DNS that changes its answer cannot bypass it. It is safe for concurrent
// use.
type Fetcher struct {
	opts    FetchOptions
	client  *http.Client
	hosts   map[string]bool     // lower-case host[:port] named by the user
	allowed map[netip.Addr]bool // non-public addresses named by the user

	mu     sync.Mutex
	robots map[string]*robotstxt.RobotsData // by scheme://host
	last   map[string]time.Time             // last request by host
	delay  map[string]time.Duration         // politeness delay by host
}

// NewFetcher returns a Fetcher for the named URLs (each an http or https
// URL; their hosts are the only hosts it fetches from).
func NewFetcher(named []string, opts FetchOptions) (*Fetcher, error) {
	return newFetcher(named, opts, nil)
}

// newFetcher is NewFetcher with a resolver of names (nil: the system's).
func newFetcher(named []string, opts FetchOptions, resolver *net.Resolver) (*Fetcher, error) {
	f := &Fetcher{opts: opts.withDefaults(), hosts: map[string]bool{}, allowed: map[netip.Addr]bool{},
		robots: map[string]*robotstxt.RobotsData{}, last: map[string]time.Time{}, delay: map[string]time.Duration{}}
	for _, n := range named {
		u, err := parseWebURL(n)
		if err != nil {
			return nil, err
		}
		f.hosts[hostKey(u)] = true
		h := u.Hostname()
		if ip, err := netip.ParseAddr(h); err == nil {
			f.allowed[ip.Unmap()] = true
		} else if strings.EqualFold(h, "localhost") {
			f.allowed[netip.MustParseAddr("127.0.0.1")] = true
			f.allowed[netip.MustParseAddr("::1")] = true
		}
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: f.checkDial, Resolver: resolver}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would hide the address actually reached
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  f.opts.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	f.client = &http.Client{Transport: tr, Timeout: f.opts.Timeout, CheckRedirect: f.checkRedirect}
	return f, nil
}

// parseWebURL parses an http or https URL with a host.
func parseWebURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https URL", s)
	}
	u.Fragment = ""
	return u, nil
}

// hostKey is the lower-case host[:port] of u, without a default port.
func hostKey(u *url.URL) string {
	h := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		return h
	}
	return net.JoinHostPort(h, port)
}

// Allowed reports whether u is on a host the user named.
func (f *Fetcher) Allowed(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && f.hosts[hostKey(u)]
}

// checkDial refuses connections to internal addresses not named.
func (f *Fetcher) checkDial(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	ip = ip.Unmap()
	if f.allowed[ip] || publicAddr(ip) {
		return nil
	}
	return fmt.Errorf("dial %s: %w", ip, ErrBlockedAddress)
}

// publicAddr reports whether ip is a global unicast address outside the
// private, shared, loopback, link-local and documentation ranges.
func publicAddr(ip netip.Addr) bool {
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range internalPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var internalPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 internals
	netip.MustParsePrefix("2001:db8::/32"),
}

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("more than 5 redirects")
	}
	if !f.Allowed(req.URL) {
		return fmt.Errorf("redirect to %s refused: only the hosts you named are fetched", req.URL.Redacted())
	}
	return nil
}

// Fetched is one fetched document.
type Fetched struct {
	URL         *url.URL // after redirects
	ContentType string
	Body        []byte
}

// Get fetches u if robots.txt allows it, after the politeness delay. Its
// errors are *FetchError with a reason a person can act on.
func (f *Fetcher) Get(ctx context.Context, u *url.URL) (*Fetched, error) {
	fail := func(status int, format string, args ...any) error {
		return &FetchError{URL: u.String(), Status: status, Gone: status == 404 || status == 410,
			Msg: fmt.Sprintf(format, args...)}
	}
	if !f.Allowed(u) {
		return nil, fail(0, "not on a host you named (%s)", u.Host)
	}
	ok, err := f.robotsAllow(ctx, u)
	if err != nil {
		return nil, fail(0, "robots.txt could not be read: %s", reason(err))
	}
	if !ok {
		return nil, fail(0, "robots.txt does not allow %s to fetch this page", robotsAgent)
	}
	res, err := f.do(ctx, u)
	if err != nil {
		return nil, fail(0, "%s", reason(err))
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, fail(res.StatusCode, "the server answered %s", res.Status)
	}
	if res.ContentLength > f.opts.MaxBytes {
		return nil, fail(0, "page is larger than the limit of %d MB", f.opts.MaxBytes>>20)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, f.opts.MaxBytes+1))
	if err != nil {
		return nil, fail(0, "reading the page: %s", reason(err))
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return nil, fail(0, "page is larger than the limit of %d MB", f.opts.MaxBytes>>20)
	}
	return &Fetched{URL: res.Request.URL, ContentType: res.Header.Get("Content-Type"), Body: body}, nil
}

// do sends one GET after the host's politeness delay.
func (f *Fetcher) do(ctx context.Context, u *url.URL) (*http.Response, error) {
	if err := f.wait(ctx, hostKey(u)); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf,*/*;q=0.5")
	return f.client.Do(req)
}

// wait sleeps until the host's delay since the last request has passed.
func (f *Fetcher) wait(ctx context.Context, host string) error {
	f.mu.Lock()
	d := max(f.opts.Delay, f.delay[host])
	next := f.last[host].Add(d)
	now := time.Now()
	if next.Before(now) {
		next = now
	}
	f.last[host] = next
	f.mu.Unlock()
	if w := time.Until(next); w > 0 {
		return pause.For(ctx, w)
	}
	return nil
}

// robotsAllow reads (once per site) and applies robots.txt.
func (f *Fetcher) robotsAllow(ctx context.Context, u *url.URL) (bool, error) {
	site := u.Scheme + "://" + u.Host
	f.mu.Lock()
	data, ok := f.robots[site]
	f.mu.Unlock()
	if !ok {
		ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
		res, err := f.do(ctx, ru)
		if err != nil {
			var ue *url.Error
			if ctx.Err() != nil || errors.Is(err, ErrBlockedAddress) || !errors.As(err, &ue) || !strings.Contains(err.Error(), "redirect") {
				return false, err
			}
			data, _ = robotstxt.FromStatusAndBytes(404, nil) // robots.txt redirects elsewhere: none here
		} else {
			body, _ := io.ReadAll(io.LimitReader(res.Body, 512<<10))
			res.Body.Close()
			data, err = robotstxt.FromStatusAndBytes(res.StatusCode, body)
			if err != nil {
				data, _ = robotstxt.FromStatusAndBytes(404, nil)
			}
		}
		g := data.FindGroup(robotsAgent)
		f.mu.Lock()
		f.robots[site] = data
		if g.CrawlDelay > 0 {
			f.delay[hostKey(u)] = min(g.CrawlDelay, 30*time.Second)
		}
		f.mu.Unlock()
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return data.TestAgent(p, robotsAgent), nil
}

// reason is an error's message without Go's request decoration.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return "refused to connect: the address is private, loopback or internal, and only an address you name yourself is fetched from"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return err.Error()
}
