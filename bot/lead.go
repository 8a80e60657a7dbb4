package bot

import (
	"regexp"
	"strconv"
	"strings"
)

// Patterns of the order-value estimate. Amounts are read with their
// currency marker before or after the number; quantities with a unit.
var (
	moneyBefore = regexp.MustCompile(`(?i)(?:¥|￥|\$|rmb|cny|usd|budget(?: of| is)?|预算(?:是|为|大概|约)?)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|k\b)?`)
	moneyAfter  = regexp.MustCompile(`(?i)([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|k\b)?\s*(?:元|块|rmb|cny|yuan|usd|dollars)`)
	quantity    = regexp.MustCompile(`(?i)([0-9][0-9,]*)\s*(?:x\s*)?(boxes|box|tins|tin|packs|pack|packets|bags|bag|sets|set|pieces|pcs|units|cases|case|kg|kilos|盒|罐|斤|公斤|包|件|套|份|箱|袋)`)
	// listedPrice is how a product hit's answer gives the price:
	// "<name> — 268.00 CNY. <description>".
	listedPrice = regexp.MustCompile(`— ([0-9]+(?:\.[0-9]+)?)\b`)
)

// maxOrderValue caps an estimate, so an absurd number in a message cannot
// overflow anything downstream.
const maxOrderValue = 1e12

// EstimateOrderValue estimates the value, in the shop's currency, of the
// purchase a customer describes: the largest amount of money the text names
// ("a budget of 5000", "¥3,000", "2万元"), or the largest quantity it names
// ("100 tins", "50盒") times the listed price of the best product hit, when
// the hits hold one. It returns 0 when the text names neither. It never
// panics.
func EstimateOrderValue(text string, hits []Hit) float64 {
	var best float64
	for _, re := range []*regexp.Regexp{moneyBefore, moneyAfter} {
		for _, m := range re.FindAllStringSubmatch(text, 8) {
			v := parseAmount(m[1], m[2])
			best = max(best, v)
		}
	}
	if price := unitPrice(hits); price > 0 {
		for _, m := range quantity.FindAllStringSubmatch(text, 8) {
			best = max(best, parseAmount(m[1], "")*price)
		}
	}
	return min(best, maxOrderValue)
}

// parseAmount reads "5,000" with an optional multiplier ("万", "k").
func parseAmount(num, mult string) float64 {
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil || v < 0 {
		return 0
	}
	switch strings.ToLower(mult) {
	case "万":
		v *= 10000
	case "k":
		v *= 1000
	}
	return min(v, maxOrderValue)
}

// unitPrice returns the listed price of the first product among hits, or 0.
func unitPrice(hits []Hit) float64 {
	for _, h := range hits {
		if h.Kind != KindProduct {
			continue
		}
		if m := listedPrice.FindStringSubmatch(h.Answer); m != nil {
			if v, err := strconv.ParseFloat(m[1], 64); err == nil {
				return v
			}
		}
	}
	return 0
}
