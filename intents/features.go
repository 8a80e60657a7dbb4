package intents

import (
	"math"
	"slices"
	"sync"

	"github.com/concierge-bot/concierge/bot"
)

// FeatureOptions selects the features a model is trained on. The zero value
// means the defaults given on each field.
type FeatureOptions struct {
	// WordNgrams is the longest word n-gram (1 = words only). A Chinese,
	// Japanese or Korean character counts as a word. Default 2.
	WordNgrams int
	// CharMin and CharMax bound the character n-grams taken inside each
	// word padded with spaces (Latin script). Default 2 and 5.
	CharMin, CharMax int
	// CJKCharMax is the longest character n-gram taken over runs of Chinese,
	// Japanese or Korean characters. Default 3.
	CJKCharMax int
	// MinDF drops features seen in fewer training examples. Default 1 for
	// word n-grams; character n-grams use max(MinDF, 2) unless MinDF is set.
	MinDF int
	// CharWeight scales the character block against the word block (each
	// block is L2-normalised on its own). Default 1.
	CharWeight float64
	// NoDigitFold keeps digits as written; by default every digit is folded
	// to 0 so that numbers match by shape.
	NoDigitFold bool
}

func (o FeatureOptions) withDefaults() FeatureOptions {
	bot.SetDefault(&o.WordNgrams, 2)
	bot.SetDefault(&o.CharMin, 2)
	bot.SetDefault(&o.CharMax, 5)
	if o.CharMax < o.CharMin {
		o.CharMax = o.CharMin
	}
	bot.SetDefault(&o.CJKCharMax, 3)
	bot.SetDefault(&o.CharWeight, 1)
	return o
}

// Hash seeds of the feature families, so that a word and a character n-gram
// with the same letters are different features.
const (
	seedWord  uint64 = 0xcbf29ce484222325
	seedChar  uint64 = 0x84222325cbf29ce4
	seedCJK   uint64 = 0x9e3779b97f4a7c15
	fnvPrime  uint64 = 0x100000001b3
	mixFactor uint64 = 0xff51afd7ed558ccd
)

func hashRunes(seed uint64, rs []rune) uint64 {
	h := seed
	for _, r := range rs {
		h ^= uint64(r)
		h *= fnvPrime
	}
	return h
}

func combine(a, b uint64) uint64 {
	a ^= b + 0x9e3779b97f4a7c15 + (a << 6) + (a >> 2)
	a ^= a >> 33
	a *= mixFactor
	a ^= a >> 33
	return a
}

// rawFeature is one feature occurrence before vocabulary lookup.
type rawFeature struct {
	hash  uint64
	block uint8 // 0 word, 1 char
}

// extractor turns text into hashed feature occurrences. It holds scratch
// buffers; use one per goroutine (see scratchPool).
type extractor struct {
	opts  FeatureOptions
	runes []rune
	words []uint64 // hashes of the tokens, in order
	buf   []rune
	out   []rawFeature
	slot  []int32   // by feature index: position in the vector being built, or -1
	count []float64 // occurrences, by position
}

// extract appends the hashed features of text to e.out and returns them.
func (e *extractor) extract(text string) []rawFeature {
	o := e.opts
	e.runes = normalize(e.runes[:0], text)
	if !o.NoDigitFold {
		for i, r := range e.runes {
			if '1' <= r && r <= '9' {
				e.runes[i] = '0'
			}
		}
	}
	e.out = e.out[:0]
	e.words = e.words[:0]
	rs := e.runes
	for i := 0; i < len(rs); {
		switch {
		case rs[i] == ' ':
			i++
		case isCJK(rs[i]):
			j := i
			for j < len(rs) && isCJK(rs[j]) {
				j++
			}
			for k := i; k < j; k++ {
				e.words = append(e.words, hashRunes(seedWord, rs[k:k+1]))
			}
			// Character n-grams over the run, with boundary marks.
			e.buf = append(e.buf[:0], ' ')
			e.buf = append(e.buf, rs[i:j]...)
			e.buf = append(e.buf, ' ')
			for n := 1; n <= o.CJKCharMax; n++ {
				if n == 1 {
					continue // single characters are word features
				}
				for k := 0; k+n <= len(e.buf); k++ {
					if n == 2 && (k == 0 || k+n == len(e.buf)) || n > 2 {
						e.out = append(e.out, rawFeature{hashRunes(seedCJK, e.buf[k:k+n]), 1})
					}
				}
			}
			i = j
		default:
			j := i
			for j < len(rs) && rs[j] != ' ' && !isCJK(rs[j]) {
				j++
			}
			e.words = append(e.words, hashRunes(seedWord, rs[i:j]))
			e.buf = append(e.buf[:0], ' ')
			e.buf = append(e.buf, rs[i:j]...)
			e.buf = append(e.buf, ' ')
			for n := o.CharMin; n <= o.CharMax && n <= len(e.buf); n++ {
				for k := 0; k+n <= len(e.buf); k++ {
					e.out = append(e.out, rawFeature{hashRunes(seedChar, e.buf[k:k+n]), 1})
				}
			}
			i = j
		}
	}
	for n := 1; n <= o.WordNgrams; n++ {
		for k := 0; k+n <= len(e.words); k++ {
			h := e.words[k]
			for m := 1; m < n; m++ {
				h = combine(h, e.words[k+m])
			}
			if n > 1 {
				h = combine(h, uint64(n))
			}
			e.out = append(e.out, rawFeature{h, 0})
		}
	}
	return e.out
}

// vectorizer maps texts to sparse, L2-normalised, sublinear TF-IDF vectors
// over a fixed vocabulary.
type vectorizer struct {
	opts    FeatureOptions
	vocab   map[uint64]int32 // feature hash -> index
	idf     []float32        // by index
	block   []uint8          // by index
	nFeat   int
	scratch sync.Pool // *extractor
}

// sparse is one vector: parallel indices and values.
type sparse struct {
	idx []int32
	val []float32
}

func newVectorizer(opts FeatureOptions) *vectorizer {
	v := &vectorizer{opts: opts.withDefaults()}
	v.scratch.New = func() any { return &extractor{opts: v.opts} }
	return v
}

// fit builds the vocabulary and the idf weights from texts.
func (v *vectorizer) fit(texts []string) {
	type stat struct {
		df    int32
		block uint8
	}
	df := map[uint64]stat{}
	ex := v.scratch.Get().(*extractor)
	defer v.scratch.Put(ex)
	seen := map[uint64]bool{}
	for _, t := range texts {
		clear(seen)
		for _, f := range ex.extract(t) {
			if seen[f.hash] {
				continue
			}
			seen[f.hash] = true
			s := df[f.hash]
			s.df++
			s.block = f.block
			df[f.hash] = s
		}
	}
	minWord, minChar := int32(max(v.opts.MinDF, 1)), int32(max(v.opts.MinDF, 2))
	keys := make([]uint64, 0, len(df))
	for h, s := range df {
		if s.block == 0 && s.df >= minWord || s.block == 1 && s.df >= minChar {
			keys = append(keys, h)
		}
	}
	slices.Sort(keys) // deterministic indices
	n := float64(len(texts))
	v.vocab = make(map[uint64]int32, len(keys))
	v.idf = make([]float32, len(keys))
	v.block = make([]uint8, len(keys))
	for i, h := range keys {
		s := df[h]
		v.vocab[h] = int32(i)
		v.idf[i] = float32(math.Log((1+n)/(1+float64(s.df))) + 1)
		v.block[i] = s.block
	}
	v.nFeat = len(keys)
}

// transform appends the vector of text to dst (reset first) and returns it.
// Indices are distinct, in order of first occurrence.
func (v *vectorizer) transform(text string, dst sparse) sparse {
	dst.idx, dst.val = dst.idx[:0], dst.val[:0]
	ex := v.scratch.Get().(*extractor)
	defer v.scratch.Put(ex)
	if len(ex.slot) != v.nFeat {
		ex.slot = make([]int32, v.nFeat)
		for i := range ex.slot {
			ex.slot[i] = -1
		}
	}
	ex.count = ex.count[:0]
	for _, f := range ex.extract(text) {
		i, ok := v.vocab[f.hash]
		if !ok {
			continue
		}
		if p := ex.slot[i]; p >= 0 {
			ex.count[p]++
			continue
		}
		ex.slot[i] = int32(len(dst.idx))
		dst.idx = append(dst.idx, i)
		ex.count = append(ex.count, 1)
	}
	if len(dst.idx) == 0 {
		return dst
	}
	// Sublinear tf times idf; reset the slots for the next text.
	for p, id := range dst.idx {
		ex.slot[id] = -1
		dst.val = append(dst.val, float32(1+math.Log(ex.count[p]))*v.idf[id])
	}
	// L2-normalise each block on its own, then weight the character block.
	var norm [2]float64
	for k, id := range dst.idx {
		x := float64(dst.val[k])
		norm[v.block[id]] += x * x
	}
	scale := [2]float64{1, v.opts.CharWeight}
	for b := range norm {
		if norm[b] > 0 {
			scale[b] /= math.Sqrt(norm[b])
		}
	}
	for k, id := range dst.idx {
		dst.val[k] = float32(float64(dst.val[k]) * scale[v.block[id]])
	}
	return dst
}
