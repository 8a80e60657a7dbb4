package catalog

import (
	"math"
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

// Product is one row of a company's product files: one product in one
// language. Rows of the same product in English and Chinese share the SKU.
type Product struct {
	ID          string // document id, cited in Sources: the SKU, or SKU + "-zh"
	SKU         string
	Lang        string // "en", "zh" or "" (unknown)
	Name        string
	Category    string
	Description string
	Tags        []string
	// Price is the price as a plain number ("268.00"), or "" when the row
	// has none; Currency is its code or symbol ("CNY", "USD", "¥").
	Price, Currency string
	// Attrs are the other columns the file declares, keyed by lower-case
	// column name (size, weight, stock, brand, …).
	Attrs    map[string]string
	Audience bot.Audience
	URL      string // citation link
}

// quantity is a measured amount or range: "2 kg", "13–30 kg", "up to 50 L".
type quantity struct {
	dim    string  // see measure.dim
	lo, hi float64 // in the dimension's base unit; lo == hi for one value
}

// fits reports whether v (base unit) lies in q, allowing 5% either side
// ("the 11kg bag" is the 11.4 kg one). An upper bound ("up to 50 km")
// fits only values of the same order (at least a tenth of it): a 40 cm
// wheel does not fit "a range up to 50 km".
func (q quantity) fits(v float64) bool {
	if q.lo == 0 && v < q.hi/10 {
		return false
	}
	return v >= q.lo*0.95 && v <= q.hi*1.05
}

// quantities reads every quantity with a unit in text: single values
// ("14.5 kg"), ranges ("155-180 cm", "7–16 kg", "1 to 2 people"), upper
// bounds ("up to 50 L", "50 L 以内") and lists sharing a unit ("47 / 50 /
// 53 cm").
func quantities(text string) []quantity {
	ps := segment(text)
	var out []quantity
	var pending []float64 // numbers waiting for their unit
	rangeStart := -1.0
	upTo := false
	ageCtx := false // after "ages": numbers are ages, with or without a unit
	flushAges := func() {
		if !ageCtx {
			return
		}
		switch {
		case rangeStart >= 0 && len(pending) > 0:
			out = append(out, quantity{dim: "age", lo: rangeStart, hi: pending[len(pending)-1]})
		case len(pending) > 0:
			for _, v := range pending {
				out = append(out, quantity{dim: "age", lo: v, hi: v})
			}
		}
	}
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		if p.kind == pWord && ageWords[p.text] {
			flushAges()
			pending, rangeStart, upTo, ageCtx = nil, -1, false, true
			continue
		}
		if p.kind == pWord && p.text == "old" && len(out) > 0 {
			out[len(out)-1] = asAge(out[len(out)-1])
			continue
		}
		if p.kind != pNum {
			if p.kind == pWord && ageCtx && (p.text == "to" || p.text == "or" || p.text == "and") && len(pending) == 0 {
				continue // "Ages 18 months to 4 years"
			}
			if p.kind == pWord && (p.text == "to" || p.text == "or") && len(pending) > 0 {
				rangeStart = pending[len(pending)-1]
				continue
			}
			if p.kind == pWord && p.text == "up" && i+1 < len(ps) && ps[i+1].text == "to" {
				upTo = true
				i++
				continue
			}
			if p.kind == pHan && (p.text == "至" || p.text == "到") && len(pending) > 0 {
				rangeStart = pending[len(pending)-1]
				continue
			}
			if p.kind == pSym && p.text == "x" {
				continue
			}
			if p.kind == pWord && p.text == "x" && len(pending) > 0 {
				continue // 40 x 26 cm
			}
			if p.kind == pSym || (p.kind == pWord && p.text == "and") {
				continue
			}
			if !keepPending(p) {
				flushAges()
				pending, rangeStart, upTo, ageCtx = nil, -1, false, false
			}
			continue
		}
		if p.hyphen && len(pending) > 0 {
			rangeStart = pending[len(pending)-1]
		}
		u, n, ok := unitAt(ps, i+1)
		if !ok {
			pending = append(pending, p.num)
			continue
		}
		v := p.num * u.factor
		first := len(out)
		switch {
		case rangeStart >= 0:
			out = append(out, quantity{dim: u.dim, lo: rangeStart * u.factor, hi: v})
		case upTo:
			out = append(out, quantity{dim: u.dim, lo: 0, hi: v})
		default:
			for _, pv := range pending {
				out = append(out, quantity{dim: u.dim, lo: pv * u.factor, hi: pv * u.factor})
			}
			out = append(out, quantity{dim: u.dim, lo: v, hi: v})
		}
		if ageCtx {
			for k := first; k < len(out); k++ {
				out[k] = asAge(out[k])
			}
		}
		if after := i + 1 + n; after+1 < len(ps) && ps[after].kind == pHan && ps[after].text == "以" &&
			(ps[after+1].text == "内" || ps[after+1].text == "下") {
			out[len(out)-1].lo = 0
		}
		pending, rangeStart, upTo = nil, -1, false
		i += n
	}
	flushAges()
	return out
}

// keepPending reports whether a piece between numbers keeps them waiting
// for a shared unit ("47 / 50 / 53 cm", "S (51-55 cm)").
func keepPending(p piece) bool {
	return p.kind == pSym
}

// unitAt reads a unit starting at piece i: a word ("kg", "cm"), a symbol
// (" for inches) or one to two Han characters ("公斤", "寸"). It returns the
// unit and the pieces it spans.
func unitAt(ps []piece, i int) (measure, int, bool) {
	if i >= len(ps) {
		return measure{}, 0, false
	}
	p := ps[i]
	switch p.kind {
	case pWord:
		if u, ok := units[p.text]; ok {
			return u, 1, true
		}
		// "years old", "yrs old"
	case pSym:
		if u, ok := units[p.text]; ok {
			return u, 1, true
		}
	case pHan:
		if i+1 < len(ps) && ps[i+1].kind == pHan {
			if u, ok := units[p.text+ps[i+1].text]; ok {
				return u, 2, true
			}
		}
		if u, ok := units[p.text]; ok {
			return u, 1, true
		}
	}
	return measure{}, 0, false
}

// money formats an amount in a currency for a reply: "¥1,599.00",
// "$12.50", "1,280.00 SEK".
func money(price, currency string) string {
	v, err := strconv.ParseFloat(strings.TrimSpace(price), 64)
	if err != nil {
		return strings.TrimSpace(price + " " + currency)
	}
	decimals := 2
	if !strings.Contains(price, ".") && v == math.Trunc(v) {
		decimals = 0
	}
	amount := groupThousands(strconv.FormatFloat(v, 'f', decimals, 64))
	switch strings.ToUpper(strings.TrimSpace(currency)) {
	case "CNY", "RMB", "¥", "￥", "元", "JPY":
		return "¥" + amount
	case "USD", "$":
		return "$" + amount
	case "EUR", "€":
		return "€" + amount
	case "GBP", "£":
		return "£" + amount
	case "HKD":
		return "HK$" + amount
	case "":
		return amount
	}
	return amount + " " + strings.TrimSpace(currency)
}

// groupThousands inserts commas into the integer part of a decimal number.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
