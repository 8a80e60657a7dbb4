package knowledge

import (
	"context"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// homophones finds the Chinese bigrams of an index that sound like a
// bigram the index lacks: customers type Chinese with a pinyin input method,
// and a slip picks a character of the same sound ("运废" for "运费", "退还"
// for "退换"). It is built once per Index, on the first query that needs it,
// from the bigrams of the Chinese title and body fields.
type homophones struct {
	once sync.Once
	m    map[string][]string // pinyin of a bigram ("yun fei") → the index's bigrams with it
}

// maxHomophones caps the bigrams one sound may stand for: a sound shared by
// many bigrams says little about which one was meant.
const maxHomophones = 4

// of returns the index's bigrams that sound like bigram, itself excluded.
func (h *homophones) of(ix *Index, bigram string) []string {
	h.once.Do(func() { h.m = ix.buildHomophones() })
	var out []string
	for _, k := range pinyinKeys(bigram) {
		for _, b := range h.m[k] {
			if b != bigram && !containsString(out, b) {
				out = append(out, b)
			}
		}
	}
	if len(out) > maxHomophones {
		return nil
	}
	return out
}

// buildHomophones maps every bigram of the Chinese fields by its pinyin.
func (ix *Index) buildHomophones() map[string][]string {
	m := map[string][]string{}
	for _, field := range []string{fTitleZH, fBodyZH} {
		dict, err := ix.bi.FieldDict(field)
		if err != nil {
			continue
		}
		for e, err := dict.Next(); err == nil && e != nil; e, err = dict.Next() {
			if utf8.RuneCountInString(e.Term) != 2 {
				continue
			}
			for _, k := range pinyinKeys(e.Term) {
				if !containsString(m[k], e.Term) {
					m[k] = append(m[k], e.Term)
				}
			}
		}
		_ = dict.Close()
	}
	return m
}

// pinyinKeys returns the toneless pinyin readings of a two-character
// string, every reading of a character with several ("还": hai, huan); none
// when a character has no reading (not Chinese).
func pinyinKeys(bigram string) []string {
	a := pinyin.NewArgs()
	a.Heteronym = true
	readings := pinyin.Pinyin(bigram, a)
	if len(readings) != 2 || len(readings[0]) == 0 || len(readings[1]) == 0 {
		return nil
	}
	var keys []string
	for _, x := range readings[0] {
		for _, y := range readings[1] {
			if k := x + " " + y; !containsString(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// correctHomophones rewrites the Chinese bigrams of text that the index
// lacks and that sound like exactly one bigram it has, differing in one
// character that no title of the index uses (the slip of an input method):
// "运废多少钱" is searched as "运费多少钱". Anything less certain (several
// candidates, both characters different, a character the content uses, so
// more likely another word than a slip) is left for the ranking to weigh as
// alternatives. It reports whether it changed anything.
func (ix *Index) correctHomophones(ctx context.Context, text string, terms []string) (string, bool) {
	changed := false
	for _, t := range terms {
		if utf8.RuneCountInString(t) != 2 || !hasHan(t) || !strings.Contains(text, t) {
			continue
		}
		if ix.docFreq(ctx, fTitleZH, t) > 0 || ix.docFreq(ctx, fBodyZH, t) > 0 {
			continue
		}
		near := ix.homo.of(ix, t)
		if len(near) != 1 {
			continue
		}
		if slip, ok := slipOf(t, near[0]); ok && ix.docFreq(ctx, fTitleZH1, slip) == 0 {
			text = strings.ReplaceAll(text, t, near[0])
			changed = true
		}
	}
	return text, changed
}

// slipOf returns the character of a two-character string a that differs
// from b's at the same place, when the other is the same: the character an
// input method slipped on.
func slipOf(a, b string) (string, bool) {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != 2 || len(rb) != 2 {
		return "", false
	}
	switch {
	case ra[0] == rb[0] && ra[1] != rb[1]:
		return string(ra[1]), true
	case ra[0] != rb[0] && ra[1] == rb[1]:
		return string(ra[0]), true
	}
	return "", false
}
