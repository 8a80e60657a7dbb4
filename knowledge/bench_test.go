package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Words of the synthetic catalogue.
var (
	synthAdj   = strings.Fields("green black white oolong smoked organic aged roasted floral jasmine spring winter mountain imperial classic rare golden silver ceramic glass iron bamboo travel gift")
	synthNoun  = strings.Fields("tea teapot kettle cup mug tin caddy strainer tray set sampler bowl whisk infuser pitcher jar scoop")
	synthPlace = strings.Fields("Hangzhou Fujian Yunnan Anhui Taiwan Darjeeling Assam Kyoto Uji Wuyi Anxi Pu'er Jiangsu Zhejiang")
	synthDesc  = strings.Fields("sweet mellow bright smooth rich nutty fruity honey chestnut orchid brisk malty earthy fresh delicate lasting brew steep minutes water degrees leaves aroma liquor handmade durable dishwasher safe keeps warm")
	synthZH    = []string{"绿茶", "红茶", "乌龙", "普洱", "白茶", "茶壶", "茶杯", "茶具", "礼盒", "有机", "明前", "手工", "香气", "回甘", "冲泡", "包邮", "快递", "退货", "发票", "保修"}
)

// synthVocab makes a vocabulary of n pronounceable pseudo-words, so that the
// synthetic catalogue has a realistic, Zipf-distributed vocabulary rather
// than a few words every document repeats.
func synthVocab(r *rand.Rand, n int) []string {
	cons, vow := "bcdfghjklmnprstvwz", "aeiou"
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for range 2 + r.IntN(2) {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vow[r.IntN(len(vow))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// synth draws words for the synthetic catalogue and its queries.
type synth struct {
	r     *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

func newSynth(seed uint64) *synth {
	r := rand.New(rand.NewPCG(seed, 7))
	vocab := synthVocab(rand.New(rand.NewPCG(99, 7)), 5000) // same vocabulary for every seed
	return &synth{r: r, vocab: vocab, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1))}
}

func (s *synth) pick(ws []string) string { return ws[s.r.IntN(len(ws))] }
func (s *synth) word() string            { return s.vocab[s.zipf.Uint64()] }
func (s *synth) words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		if s.r.IntN(3) == 0 {
			ws[i] = s.pick(synthDesc)
		} else {
			ws[i] = s.word()
		}
	}
	return strings.Join(ws, " ")
}

// synthCatalogue returns n documents from a fixed seed: products with names
// and descriptions (every fifth in Chinese) and FAQ entries, a tenth of them
// internal.
func synthCatalogue(n int) []Document {
	s := newSynth(1)
	docs := make([]Document, 0, n)
	for i := range n {
		var d Document
		switch {
		case i%5 == 4:
			name := s.pick(synthZH) + s.pick(synthZH) + s.pick(synthZH)
			var b strings.Builder
			for range 20 {
				b.WriteString(s.pick(synthZH))
			}
			d = Document{ID: fmt.Sprintf("SKU-%05d-zh", i), SKU: fmt.Sprintf("SKU-%05d", i), Title: name, Body: b.String(),
				Kind: bot.KindProduct, Lang: "zh", Answer: name}
		case i%7 == 3:
			q := fmt.Sprintf("how do I %s my %s %s", s.word(), s.pick(synthAdj), s.pick(synthNoun))
			a := s.words(40)
			d = Document{ID: fmt.Sprintf("faq-%05d", i), Title: q, Question: q, Answer: a, Body: a, Kind: bot.KindFAQ, Lang: "en"}
		default:
			name := fmt.Sprintf("%s %s %s %s from %s", s.pick(synthAdj), s.word(), s.pick(synthNoun), s.word(), s.pick(synthPlace))
			d = Document{ID: fmt.Sprintf("SKU-%05d", i), SKU: fmt.Sprintf("SKU-%05d", i), Title: name, Body: s.words(30),
				Kind: bot.KindProduct, Lang: "en", Answer: name}
		}
		d.Audience = bot.AudiencePublic
		if i%10 == 9 {
			d.Audience = bot.AudienceInternal
		}
		d.URL = "/kb/" + d.ID
		docs = append(docs, d)
	}
	return docs
}

// synthQueries returns customer-like queries for the synthetic catalogue.
func synthQueries(n int) []string {
	s := newSynth(2)
	qs := make([]string, 0, n)
	for i := range n {
		switch i % 4 {
		case 0:
			qs = append(qs, fmt.Sprintf("do you have a %s %s %s from %s", s.pick(synthAdj), s.word(), s.pick(synthNoun), s.pick(synthPlace)))
		case 1:
			qs = append(qs, fmt.Sprintf("how do I %s my %s %s, it is not %s", s.word(), s.pick(synthAdj), s.pick(synthNoun), s.pick(synthDesc)))
		case 2:
			qs = append(qs, s.pick(synthZH)+s.pick(synthZH)+"怎么"+s.pick(synthZH))
		default:
			qs = append(qs, fmt.Sprintf("SKU-%05d price", s.r.IntN(10000)))
		}
	}
	return qs
}

// BenchmarkBuild10k indexes a 10,000-document synthetic catalogue. Goal:
// at most 10 s per build on 2 cores.
func BenchmarkBuild10k(b *testing.B) {
	docs := synthCatalogue(10000)
	for i := 0; b.Loop(); i++ {
		ix, err := Build(context.Background(), filepath.Join(b.TempDir(), fmt.Sprint("kb", i)), docs, BuildOptions{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkRetrieve10k measures query latency on the 10,000-document
// catalogue and reports p50 and p99. Goal: p99 at most 5 ms.
func BenchmarkRetrieve10k(b *testing.B) {
	ix, err := Build(context.Background(), filepath.Join(b.TempDir(), "kb"), synthCatalogue(10000), BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	qs := synthQueries(1000)
	ctx := context.Background()
	for _, q := range qs { // warm the caches, as a running server has
		if _, err := ix.Retrieve(ctx, bot.Query{Text: q}); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := ix.Retrieve(ctx, bot.Query{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50_us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99_us")
}
