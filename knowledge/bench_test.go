package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
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
	r       *rand.Rand
	vocab   []string
	zipf    *rand.Zipf
	vocabZH []string
	zipfZH  *rand.Zipf
}

func newSynth(seed uint64) *synth {
	r := rand.New(rand.NewPCG(seed, 7))
	vocab := synthVocab(rand.New(rand.NewPCG(99, 7)), 5000) // same vocabulary for every seed
	zh := synthVocabZH(rand.New(rand.NewPCG(98, 7)), 3000)
	return &synth{r: r, vocab: vocab, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1)),
		vocabZH: zh, zipfZH: rand.NewZipf(r, 1.1, 2, uint64(len(zh)-1))}
}

// synthVocabZH makes n two-character Chinese words from common characters.
func synthVocabZH(r *rand.Rand, n int) []string {
	chars := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研质")
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		w := string(chars[r.IntN(len(chars))]) + string(chars[r.IntN(len(chars))])
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func (s *synth) wordZH() string {
	if s.r.IntN(4) == 0 {
		return s.pick(synthZH)
	}
	return s.vocabZH[s.zipfZH.Uint64()]
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
			name := s.wordZH() + s.wordZH() + s.pick(synthZH)
			var b strings.Builder
			for range 30 {
				b.WriteString(s.wordZH())
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
			qs = append(qs, s.wordZH()+s.wordZH()+"怎么"+s.pick(synthZH))
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
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		ix, err := Build(context.Background(), filepath.Join(b.TempDir(), fmt.Sprint("kb", i)), docs, BuildOptions{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu_s/op")
}

// cpuTime is the CPU time (user + system) the process has used: on a shared
// machine it tells the cost of the work apart from time spent waiting for a
// CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	cpu0 := cpuTime()
	for b.Loop() {
		start := time.Now()
		if _, err := ix.Retrieve(ctx, bot.Query{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu_us/op")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50_us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99_us")
}

// BenchmarkRetrieveFAQDev runs the English faq_dev queries, cold caches
// first, as the eval command does.
func BenchmarkRetrieveFAQDev(b *testing.B) {
	docs, qs := loadFAQDev(b, "en")
	ix, err := Build(context.Background(), filepath.Join(b.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	i := 0
	for b.Loop() {
		if _, err := ix.Retrieve(context.Background(), bot.Query{Text: qs[i%len(qs)].Query, Limit: 10}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
