// Package adapteropts checks and normalises the options every chat
// adapter's New takes alike: its base URLs (APIURL, where outgoing calls
// go; PublicURL, this server's address for links to /kb pages) and its
// lists of customer chats.
package adapteropts

import (
	"fmt"
	"net/url"
	"strings"
)

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
