package knowledge

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/intents"
)

// tuningCompanies are the labelled companies the ranking weights are
// learned on: five of those under testdata/companies. The answer
// confidence is learned on them and on confOnlyCompanies. inn, dental,
// garage, homecare, moving, print, music and salon are held out: each was
// written by someone who never ran the bot on it, and nobody has read their
// failures (README, "Answers on companies the bot was not tuned on").
// Learning the ranking on bakery too was tried: faq_dev/zh's held-out P@1
// fell to 0.457, below its floor of plain BM25 minus 0.02.
//
// CONCIERGE_TUNING (names separated by commas) replaces the list, for a
// leave-one-company-out run: learn without one company and score it, e.g.
//
//	CONCIERGE_TUNING=cycles,pets,furniture,gadgets go test ./knowledge -run 'TestLearnWeights$' -update
//	go run ./cmd/concierge answers eval testdata/companies/optics
//
// (then restore weights.go with the plain -update command).
var tuningCompanies = companiesFromEnv("CONCIERGE_TUNING", []string{"cycles", "pets", "optics", "furniture", "gadgets"})

// rankOnlyEN are labelled companies whose English questions the English
// ranking learns from (beside faq_dev's development half) instead of the
// tuning companies', so that the English confidence, learned on the tuning
// companies, learns from rankings of questions the ranking never saw, as a
// new company's are; none by default. The Chinese ranking always learns
// from the tuning companies.
//
// Stop 64 tried the other 23 of the 28 companies whose failures had been
// read (CONCIERGE_RANK_EN=bakery,florist,laundry,school,wine,yoga,
// appliance,vet,pharmacy,salon,moving,print,music,homecare,garage,inn,
// dental,tailor,nursery,cowork,climb,books,rental) and did not keep it. On
// the eight companies no fit has seen (phonefix, plumbing, physio, hotpot,
// tours, farmbox, photo, drive) it answered 5 more answerable questions
// right of 1,263, declined one more unanswerable one and found the right
// internal page for 2 more employees, but handed 2 more ordinary questions
// to a person, and three demo questions failed (TestDemoAnswers: "how do I
// send an item back" fell to confidence 0.25, "my teapot arrived broken"
// ranked the warranty page over the FAQ; TestDemoQuestions: "first time
// ordering from you guys, how much is the longjing?" answered with the
// brewing table). Learning the English ranking on those 23 and the tuning
// companies together answered 8 more right on the eight but declined 16
// fewer unanswerable questions over the 36 companies; learning both
// languages' rankings on all 28 (stop 63's E1, stop 64's E6) put
// faq_dev/zh's held-out P@1 3.4 points under plain BM25 (its floor is 2).
// The limit is not how many companies the ranking sees (README, "Stop 64").
//
// CONCIERGE_RANK_EN (names separated by commas, or "none") replaces the
// list.
var rankOnlyEN = companiesFromEnv("CONCIERGE_RANK_EN", nil)

// confOnlyCompanies are labelled companies whose messages teach the answer
// confidence but not the ranking weights; none by default.
//
// Stop 36 tried the four read companies left out of tuningCompanies. With
// bakery, yoga, florist and laundry the eight held-out companies got 11
// more of 1,266 answerable questions first right and 2 more of 258
// unanswerable ones answered, but the demo got "运废多少钱" and an
// employee's "wifi password" wrong (TestDemoQuestions), as bakery and
// yoga did in stop 29. With florist and laundry alone the demo passed and
// the held-out companies traded 3 answerable and 4 product questions for 5
// unanswerable ones. Learning the ranking on all nine too put faq_dev/zh's
// held-out P@1 at 0.460, under its floor. The held-out figures were read
// for all three: they no longer judge a choice among these settings.
//
// CONCIERGE_CONF_ONLY (names separated by commas, or "none") replaces the
// list, as CONCIERGE_TUNING does for tuningCompanies. CONCIERGE_CONF_SET
// (names separated by commas) goes further: the confidence learns from
// those companies alone, whatever the ranking learns from. With -update the
// learner first fits the confidence once per tuning company left out, to log
// its figures there; CONCIERGE_LOCO=off skips that, which a run over many
// companies needs (28 companies: eight minutes instead of hours).
var confOnlyCompanies = companiesFromEnv("CONCIERGE_CONF_ONLY", nil)

// companiesFromEnv returns the companies the environment variable env
// names (separated by commas; "none" for none), or def when it is unset.
func companiesFromEnv(env string, def []string) []string {
	switch v := os.Getenv(env); v {
	case "":
		return def
	case "none":
		return nil
	default:
		return strings.Split(v, ",")
	}
}

// companyQuery is one labelled message of a company, ready to search.
type companyQuery struct {
	text     string
	kind     string // answerable, product, unanswerable, …; "employee" for employees' questions
	lang     string
	expected []string
	intent   string
	oos      bool
	// line is the message's line in its CSV; passages, when labelled, the
	// page passages that answer it (sections.csv): a passage of a page is
	// then right only when it is one of them.
	line     int
	passages []string
	labelled bool
}

// learnLabels says which labels the models are learned from
// (CONCIERGE_LEARN_LABELS): "page" (the default: any passage of an accepted
// page is right, as weights.go was made), "passage" (a company's
// sections.csv decides which passages of a page are right, for the ranking
// and the confidence alike) or "passage-rank" (for the ranking only).
// Stop 55 tried both passage settings and kept neither (README, "Stop
// 55"): the ranking put the right passage first more often, but the bot
// answered no more questions right and three demo questions failed.
var learnLabels = cmp.Or(os.Getenv("CONCIERGE_LEARN_LABELS"), "page")

// rankGood reports whether d is a right answer to q for learning the
// ranking, by learnLabels.
func (q companyQuery) rankGood(d *storedDoc) bool {
	return q.good(d, learnLabels == "passage" || learnLabels == "passage-rank")
}

// confGood reports whether d is a right answer to q for learning the
// confidence, by learnLabels.
func (q companyQuery) confGood(d *storedDoc) bool { return q.good(d, learnLabels == "passage") }

// good reports whether d answers q: its id, or its id cut at '#', is
// expected, and, when byPassage and q's passages are labelled and d is a
// page passage, d is one of them.
func (q companyQuery) good(d *storedDoc, byPassage bool) bool {
	if !acceptable(q.expected, d) {
		return false
	}
	return !byPassage || !q.labelled || d.Kind != bot.KindPage || slices.Contains(q.passages, d.ID)
}

// company is a tuning company's index and labelled messages.
type company struct {
	name    string
	ix      *Index
	queries []companyQuery
}

// companiesDir is where the labelled companies live, from this package.
const companiesDir = "../testdata/companies"

// readCompanyCSV reads a labelled CSV (text,kind,expected,lang, or
// text,expected,lang for employees).
func readCompanyCSV(t *testing.T, path, kind string) []companyQuery {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	head, err := rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var out []companyQuery
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		q := companyQuery{text: rec[col["text"]], lang: rec[col["lang"]], kind: kind, line: line}
		if i, ok := col["kind"]; ok {
			q.kind = rec[i]
		}
		for _, id := range strings.Split(rec[col["expected"]], ";") {
			if id = strings.TrimSpace(id); id != "" {
				q.expected = append(q.expected, id)
			}
		}
		out = append(out, q)
	}
	return out
}

// readPassageLabels reads a company's sections.csv (line,text,sections),
// when it has one, into the passage labels of its messages qs (read from
// messages.csv); answers eval reads the same file the same way.
func readPassageLabels(t *testing.T, path string, qs []companyQuery) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 || !slices.Equal(rows[0], []string{"line", "text", "sections"}) {
		t.Fatalf("%s: %v (want the header line,text,sections)", path, err)
	}
	byLine := map[int]int{}
	for i, q := range qs {
		byLine[q.line] = i
	}
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[0])
		i, ok := byLine[n]
		if err != nil || !ok || qs[i].text != r[1] {
			t.Fatalf("%s: line %q, %q is no message of messages.csv", path, r[0], r[1])
		}
		qs[i].labelled, qs[i].passages = true, nil
		for _, id := range strings.Split(r[2], ";") {
			if id != "" {
				qs[i].passages = append(qs[i].passages, id)
			}
		}
	}
}

// demoClassifier is the classifier the product uses for a company that
// brings no intents of its own: the embedded demo's intents.
func demoClassifier(t *testing.T) bot.Classifier {
	t.Helper()
	file, err := intents.ParseFile(bytes.NewReader(demo.Intents()), "demo/intents.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := intents.LoadOrTrain(context.Background(), t.TempDir(), file.Examples(), intents.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := intents.NewClassifier(intents.ClassifierOptions{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// loadCompanies builds the tuning companies' indexes as the product does
// (built-in synonyms, documents tagged with the demo classifier's intents)
// and classifies their messages.
func loadCompanies(t *testing.T) []company {
	t.Helper()
	return loadCompaniesNamed(t, tuningCompanies)
}

// loadCompaniesNamed is loadCompanies for the companies names lists.
func loadCompaniesNamed(t *testing.T, names []string) []company {
	t.Helper()
	if _, err := os.Stat(companiesDir); err != nil {
		t.Skipf("labelled companies not found at %s", companiesDir)
	}
	if !slices.Contains([]string{"page", "passage", "passage-rank"}, learnLabels) {
		t.Fatalf("CONCIERGE_LEARN_LABELS=%q: want page, passage or passage-rank", learnLabels)
	}
	c := demoClassifier(t)
	var out []company
	for _, name := range names {
		dir := filepath.Join(companiesDir, name)
		docs, probs, err := Load(os.DirFS(filepath.Join(dir, "content")))
		if err != nil || len(probs) > 0 {
			t.Fatalf("%s content: %v %v", name, err, probs)
		}
		ix, err := Build(context.Background(), filepath.Join(t.TempDir(), name), docs, BuildOptions{Tag: IntentTagger(c)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		qs := readCompanyCSV(t, filepath.Join(dir, "messages.csv"), "")
		readPassageLabels(t, filepath.Join(dir, "sections.csv"), qs)
		qs = append(qs, readCompanyCSV(t, filepath.Join(dir, "employees.csv"), "employee")...)
		for i := range qs {
			cls, err := c.Classify(context.Background(), qs[i].text)
			if err != nil {
				t.Fatal(err)
			}
			qs[i].intent, qs[i].oos = cls.Intent, cls.OutOfScope
		}
		out = append(out, company{name: name, ix: ix, queries: qs})
	}
	return out
}

// zhQuery reports whether a query is searched as Chinese.
func zhQuery(text string) bool { return hasHan(cleanQuery(text)) }

// query is the bot.Query of a labelled message, as the Engine makes it.
func (q companyQuery) query() bot.Query {
	role := bot.RoleCustomer
	if q.kind == "employee" {
		role = bot.RoleEmployee
	}
	return bot.Query{Text: q.text, Audiences: role.Audiences(), Language: q.lang, Intent: q.intent,
		OutOfScope: q.oos, Limit: poolSize}
}

// rankable reports whether a labelled message teaches ranking: a question
// the FAQ, pages or wiki answer (product questions are the catalogue's).
func (q companyQuery) rankable() bool { return q.kind == "answerable" || q.kind == "employee" }

// confident reports whether the confidence model learns from, and is
// measured on, a labelled message: a question with a right answer in the
// content (answerable, product, employees') or none (unanswerable), not a
// complaint or a request for a person.
func (q companyQuery) confident() bool {
	switch q.kind {
	case "answerable", "product", "unanswerable", "employee":
		return true
	}
	return false
}

// companyPools pools the rankable messages of one query language.
func companyPools(t *testing.T, cs []company, zh bool) (ps []pooled, folds []int) {
	t.Helper()
	for _, c := range cs {
		for _, q := range c.queries {
			if !q.rankable() || zhQuery(q.text) != zh {
				continue
			}
			_, cands, err := c.ix.pool(context.Background(), q.query(), AllSignals, poolSize, defaultLimit)
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, pooledBy(cands, q.rankGood))
			h := fnv.New32a()
			_, _ = h.Write([]byte("fold\x00" + c.name + "\x00" + q.text))
			folds = append(folds, int(h.Sum32()%cvFolds))
		}
	}
	return ps, folds
}

// confExample is one candidate's confidence features and whether it is a
// right answer.
type confExample struct {
	g    [nConf]float64
	good bool
	top  bool
	kind string
	co   string
	q    int // the query's number, shared by its candidates
}

// confExamples ranks every labelled message of one query language with w
// and keeps the features of its best candidates; an unanswerable message
// has no right candidate.
func confExamples(t *testing.T, cs []company, zh bool, w weights) []confExample {
	t.Helper()
	var out []confExample
	nq := 0
	for _, c := range cs {
		for _, q := range c.queries {
			if !q.confident() || zhQuery(q.text) != zh {
				continue
			}
			p, cands, rs := rankedPool(t, c, q, zh, w)
			if len(cands) == 0 {
				continue
			}
			nq++
			for i := 0; i < len(cands) && i < 3; i++ {
				out = append(out, confExample{g: confFeatures(&p, cands, i, rs[i]),
					good: q.confGood(cands[i].doc), top: i == 0, kind: q.kind, co: c.name, q: nq})
			}
		}
	}
	return out
}

// rankedPool pools a labelled message's candidates in c's index, orders
// them by the weights w (equal scores by document id) and returns them with
// their rivals: what the confidence model is learned and measured on.
func rankedPool(t *testing.T, c company, q companyQuery, zh bool, w weights) (prepared, []candidate, []rival) {
	t.Helper()
	p, cands, err := c.ix.pool(context.Background(), q.query(), AllSignals, poolSize, defaultLimit)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cands {
		cands[i].z = w.dot(cands[i].f)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].z != cands[j].z {
			return cands[i].z > cands[j].z
		}
		return cands[i].doc.ID < cands[j].doc.ID
	})
	return p, cands, rivals(zh, cands)
}

// Fitting the confidence networks: full-batch Adam on the log loss with L2
// on the weights (not the biases), from a seeded random start.
const (
	confEpochs = 1500
	confRate   = 0.01
	confL2     = 0.001
)

// fitConf fits the confidence model: confNets networks from the seeds
// first..first+confNets-1, each on all of xs, where first is 1 or what
// CONCIERGE_CONF_SEED says. Another first seed measures the noise floor of
// a refit, what a change that needs the weights regenerated must beat:
//
//	CONCIERGE_CONF_SEED=21 go test ./knowledge -run 'TestLearnWeights$' -update
//	go run ./cmd/concierge answers eval testdata/companies/bakery
//
// (then restore weights.go with the plain -update command). Twenty
// networks from 1 and from 21 answered the read companies' 1,589
// answerable questions within 2 of each other.
func fitConf(xs []confExample) *confModel {
	first := confFirstSeed()
	var m confModel
	for i := range m {
		m[i] = fitConfNet(xs, first+int64(i))
	}
	return &m
}

// dropForNoise leaves out one in fifty of the ranking's training queries,
// drawn with the seed CONCIERGE_RANK_DROP names, or none when it is unset.
// The ranking is fitted from zero weights with no random step, so a refit
// on the same data is the same; this measures what a refit on slightly
// other data moves by itself (the ranking's noise floor, beside the
// confidence networks' that CONCIERGE_CONF_SEED measures):
//
//	CONCIERGE_RANK_DROP=1 go test ./knowledge -run 'TestLearnWeights$' -update
//
// (then restore weights.go with the plain -update command).
func dropForNoise(t *testing.T, ps []pooled, folds []int) ([]pooled, []int) {
	v := os.Getenv("CONCIERGE_RANK_DROP")
	if v == "" {
		return ps, folds
	}
	seed, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("CONCIERGE_RANK_DROP: %v", err)
	}
	r := rand.New(rand.NewSource(seed))
	var keptP []pooled
	var keptF []int
	for i := range ps {
		if r.Intn(50) != 0 {
			keptP, keptF = append(keptP, ps[i]), append(keptF, folds[i])
		}
	}
	t.Logf("CONCIERGE_RANK_DROP=%d: the ranking learns from %d of %d queries", seed, len(keptP), len(ps))
	return keptP, keptF
}

// confFirstSeed returns the first seed of the confidence networks: 1, or
// what CONCIERGE_CONF_SEED says (see fitConf).
func confFirstSeed() int64 {
	v := os.Getenv("CONCIERGE_CONF_SEED")
	if v == "" {
		return 1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		panic("CONCIERGE_CONF_SEED: " + err.Error())
	}
	return n
}

// fitConfNet fits one network from a start drawn with seed (He
// initialisation), rounding its weights to four decimals as weights.go
// writes them.
//
// An input that is 0 in every example (the English-only word-vector
// features, for Chinese) starts at 0 and draws nothing: it could learn
// nothing anyway, and so adding such an input changes neither the draws nor
// He's scale, which counts the inputs that carry something, and the other
// language's networks stay as they were.
func fitConfNet(xs []confExample, seed int64) confNet {
	var n confNet
	var active [nConf]bool
	nActive := 0
	for k := range active {
		for i := range xs {
			if xs[i].g[k] != 0 {
				active[k] = true
				nActive++
				break
			}
		}
	}
	r := rand.New(rand.NewSource(seed))
	for j := range n.W1 {
		for k := range n.W1[j] {
			if active[k] {
				n.W1[j][k] = r.NormFloat64() * math.Sqrt(2/float64(nActive))
			}
		}
		n.W2[j] = r.NormFloat64() * math.Sqrt(1.0/confHidden)
	}
	var m, v, g confNet // Adam's moments and the gradient, shaped as the network
	var hid [confHidden]float64
	const b1, b2 = 0.9, 0.999
	for ep := 1; ep <= confEpochs; ep++ {
		g = confNet{}
		for i := range xs {
			x := &xs[i].g
			z := n.B2
			for j := range n.W1 {
				a := n.B1[j]
				for k, xv := range x {
					a += n.W1[j][k] * xv
				}
				hid[j] = max(a, 0)
				z += n.W2[j] * hid[j]
			}
			d := sigmoid(z)
			if xs[i].good {
				d--
			}
			g.B2 += d
			for j := range n.W1 {
				g.W2[j] += d * hid[j]
				if hid[j] > 0 {
					dj := d * n.W2[j]
					g.B1[j] += dj
					for k, xv := range x {
						g.W1[j][k] += dj * xv
					}
				}
			}
		}
		c1, c2 := 1-math.Pow(b1, float64(ep)), 1-math.Pow(b2, float64(ep))
		step := func(w, m, v *float64, g float64, l2 float64) {
			g = g/float64(len(xs)) + l2**w
			*m = b1**m + (1-b1)*g
			*v = b2**v + (1-b2)*g*g
			*w -= confRate * (*m / c1) / (math.Sqrt(*v/c2) + 1e-8)
		}
		for j := range n.W1 {
			for k := range n.W1[j] {
				step(&n.W1[j][k], &m.W1[j][k], &v.W1[j][k], g.W1[j][k], confL2)
			}
			step(&n.B1[j], &m.B1[j], &v.B1[j], g.B1[j], 0)
			step(&n.W2[j], &m.W2[j], &v.W2[j], g.W2[j], confL2)
		}
		step(&n.B2, &m.B2, &v.B2, g.B2, 0)
	}
	round := func(x *float64) {
		*x = math.Round(*x*1e4) / 1e4
		if *x == 0 {
			*x = 0 // no "-0"
		}
	}
	for j := range n.W1 {
		for k := range n.W1[j] {
			round(&n.W1[j][k])
		}
		round(&n.B1[j])
		round(&n.W2[j])
	}
	round(&n.B2)
	return n
}

// logConfTable logs, for thresholds on the confidence of the top hit, how
// many answerable questions would be answered right, answered wrong, and
// how many unanswerable ones would get an answer.
func logConfTable(t *testing.T, label string, xs []confExample, w *confModel) {
	t.Helper()
	ps := make([]float64, len(xs))
	for i := range xs {
		ps[i] = w.prob(&xs[i].g)
	}
	for _, th := range []float64{0.3, 0.4, 0.5, 0.6, 0.7} {
		var right, wrong, ans, unans, unansAnswered int
		offered := map[float64]int{}
		for i, x := range xs {
			if !x.top {
				continue
			}
			p := ps[i]
			switch x.kind {
			case "unanswerable":
				unans++
				if p >= th {
					unansAnswered++
				}
			case "answerable", "employee":
				ans++
				switch {
				case p >= th && x.good:
					right++
				case p >= th:
					wrong++
				default:
					// Declined: is a right candidate among the choices?
					for _, ch := range []float64{0.1, 0.15, 0.2} {
						for j := i; j < len(xs) && xs[j].q == x.q; j++ {
							if xs[j].good && ps[j] >= ch {
								offered[ch]++
								break
							}
						}
					}
				}
			}
		}
		t.Logf("%s: threshold %.1f: answerable+employees answered right %d, wrong %d, of %d; unanswerable answered %d of %d; right offered when declined, at 0.1/0.15/0.2: %d/%d/%d",
			label, th, right, wrong, ans, unansAnswered, unans, offered[0.1], offered[0.15], offered[0.2])
	}
}

// learnConf learns the confidence model of one query language on the
// tuning companies, ranked by w. When it writes weights.go (-update) it
// first logs the leave-one-company-out figures (fit without one company,
// read it); then it fits on all of them.
func learnConf(t *testing.T, cs []company, zh bool, w weights) *confModel {
	t.Helper()
	lang := map[bool]string{false: "en", true: "zh"}[zh]
	xs := confExamples(t, cs, zh, w)
	for _, held := range tuningCompanies { // leave-one-out over the ranking's companies only: each fit takes a minute
		if !*update || os.Getenv("CONCIERGE_LOCO") == "off" {
			break
		}
		var train, test []confExample
		for _, x := range xs {
			if x.co == held {
				test = append(test, x)
			} else {
				train = append(train, x)
			}
		}
		if len(test) == 0 {
			continue // not among the confidence's companies (CONCIERGE_CONF_SET)
		}
		logConfTable(t, fmt.Sprintf("%s confidence fitted without %s, read on %s", lang, held, held), test, fitConf(train))
	}
	cw := fitConf(xs)
	logConfTable(t, lang+" confidence fitted on all tuning companies (their own figures)", xs, cw)
	return cw
}
