package adapteropts

import "testing"

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

func TestIDSet(t *testing.T) {
	set := IDSet([]string{" oc_1 ", "", "  ", "oc_2"})
	if len(set) != 2 || !set["oc_1"] || !set["oc_2"] {
		t.Errorf("IDSet = %v", set)
	}
}
