package llm

import (
	"fmt"
	"regexp"
	"strings"
)

// Contact-data patterns. They are deliberately generous: sending a masked
// number that was not a phone number costs a little context, sending a real
// one breaks a promise to the customer.
var (
	emailRE = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}`)
	// phoneRE matches Chinese mobile numbers (optionally +86/0086, grouped
	// 3-4-4 with spaces or dashes) and international or local numbers of 7
	// to 15 digits written with the usual separators.
	phoneRE = regexp.MustCompile(
		`(?:(?:\+|00)86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}` +
			`|(?:\+|00)\d{1,3}[\s\-.]?(?:\(\d{1,4}\)[\s\-.]?)?\d{1,4}(?:[\s\-.]?\d{2,4}){1,4}` +
			`|\(\d{2,4}\)[\s\-.]?\d{3,4}[\s\-.]?\d{3,4}` +
			`|\b0\d{2,3}[\s\-]\d{7,8}\b` +
			`|\b\d{3}[\s\-.]\d{3,4}[\s\-.]\d{4}\b` +
			`|\b\d{7,15}\b`)
	placeholderRE = regexp.MustCompile(`\[(EMAIL|PHONE|ORDER)_(\d+)\]`)
)

// masker replaces contact data with numbered placeholders such as
// [EMAIL_1] and remembers the originals so that a reply can be restored.
// A masker is used for one request and is not safe for concurrent use.
type masker struct {
	order    *regexp.Regexp // optional order-number pattern
	byValue  map[string]string
	byHolder map[string]string
	counts   map[string]int
}

func newMasker(order *regexp.Regexp) *masker {
	return &masker{order: order, byValue: map[string]string{}, byHolder: map[string]string{}, counts: map[string]int{}}
}

// Mask returns s with every email address, phone number and (when
// configured) order number replaced by a placeholder. The same value gets
// the same placeholder throughout the request. Text that already looks like
// a placeholder is left alone.
func (m *masker) Mask(s string) string {
	if m.order != nil {
		s = m.replace(s, m.order, "ORDER")
	}
	s = m.replace(s, emailRE, "EMAIL")
	s = m.replace(s, phoneRE, "PHONE")
	return s
}

func (m *masker) replace(s string, re *regexp.Regexp, kind string) string {
	return re.ReplaceAllStringFunc(s, func(v string) string {
		if kind == "PHONE" && countDigits(v) < 7 {
			return v
		}
		if placeholderRE.MatchString(v) {
			return v
		}
		if h, ok := m.byValue[v]; ok {
			return h
		}
		m.counts[kind]++
		h := fmt.Sprintf("[%s_%d]", kind, m.counts[kind])
		m.byValue[v] = h
		m.byHolder[h] = v
		return h
	})
}

// Restore puts the original values back in place of the placeholders this
// masker handed out; unknown placeholders are left as they are.
func (m *masker) Restore(s string) string {
	if len(m.byHolder) == 0 || !strings.Contains(s, "_") {
		return s
	}
	return placeholderRE.ReplaceAllStringFunc(s, func(h string) string {
		if v, ok := m.byHolder[h]; ok {
			return v
		}
		return h
	})
}

// Masked reports how many values were masked.
func (m *masker) Masked() int { return len(m.byValue) }

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
