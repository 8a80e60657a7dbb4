package web

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// APIKey is one key of the server-to-server API.
type APIKey struct {
	// Name identifies the key where the secret must not appear: the audit
	// trail records what the key changes as "api:<Name>", and the logs and
	// the per-key limits use it. 1-64 letters, digits, '.', '_' or '-',
	// unique among the keys.
	Name string
	// Key is the secret, sent as "Authorization: Bearer <Key>".
	Key string
	// Scopes are what the key may do: ScopeMessages, ScopeCustomersRead,
	// ScopeCustomersWrite. At least one.
	Scopes []string
}

// The scopes of an API key.
const (
	// ScopeMessages allows POST /api/v1/messages.
	ScopeMessages = "messages"
	// ScopeCustomersRead allows reading the customer records: list, show
	// and export.
	ScopeCustomersRead = "customers:read"
	// ScopeCustomersWrite allows changing them: erase, merge and any other
	// write of the customers API.
	ScopeCustomersWrite = "customers:write"
)

// Scopes returns every scope, in the order documented.
func Scopes() []string { return []string{ScopeMessages, ScopeCustomersRead, ScopeCustomersWrite} }

// keyName is what an API key's name may be: it goes into the audit trail,
// the logs and limit keys.
var keyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// apiKey is a configured key as the server keeps it: the SHA-256 of the
// secret, compared in constant time, never the secret itself.
type apiKey struct {
	sum    [32]byte
	name   string
	scopes []string
}

func (k apiKey) has(scope string) bool { return slices.Contains(k.scopes, scope) }

// newKeys checks the keys of Options (Keys, then the bare APIKeys named
// key-1, key-2, ... with every scope) and returns them as the server keeps
// them, or an error naming the option at fault.
func newKeys(named []APIKey, bare []string) ([]apiKey, error) {
	all := slices.Clone(named)
	for i, k := range bare {
		all = append(all, APIKey{Name: "key-" + strconv.Itoa(i+1), Key: k, Scopes: Scopes()})
	}
	var out []apiKey
	names := map[string]string{}
	sums := map[[32]byte]string{}
	for i, k := range all {
		field := fmt.Sprintf("Keys[%d]", i)
		if i >= len(named) {
			field = fmt.Sprintf("APIKeys[%d]", i-len(named))
		}
		sum := sha256.Sum256([]byte(k.Key))
		switch {
		case !keyName.MatchString(k.Name):
			return nil, fmt.Errorf("%s.Name %q must be 1-64 letters, digits, '.', '_' or '-'", field, k.Name)
		case names[k.Name] != "":
			return nil, fmt.Errorf("%s.Name %q is already the name of %s", field, k.Name, names[k.Name])
		case k.Key == "":
			return nil, fmt.Errorf("%s.Key is empty", field)
		case sums[sum] != "":
			return nil, fmt.Errorf("%s.Key is the same secret as %s's: give each key its own", field, sums[sum])
		case len(k.Scopes) == 0:
			return nil, fmt.Errorf("%s.Scopes is empty: give it one or more of %s", field, strings.Join(Scopes(), ", "))
		}
		for _, s := range k.Scopes {
			if !slices.Contains(Scopes(), s) {
				return nil, fmt.Errorf("%s.Scopes: %q is not a scope; use %s", field, s, strings.Join(Scopes(), ", "))
			}
		}
		names[k.Name], sums[sum] = field, field
		out = append(out, apiKey{sum: sum, name: k.Name, scopes: slices.Clone(k.Scopes)})
	}
	return out, nil
}
