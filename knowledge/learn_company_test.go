package knowledge

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/intents"
)

// tuningCompanies are the labelled companies the weights are learned on:
// five of the six under testdata/companies. bakery is left out: its first
// run was the held-out figure (README, "Answers on companies the bot was not
// tuned on"), and its failures have been read since, but the weights are
// still not fitted on it. Learning on all six was tried: faq_dev/zh's
// held-out P@1 fell to 0.457, below its floor of plain BM25 minus 0.02. The
// next claim about a company the bot has never seen needs a seventh, written
// by someone who does not run the bot on it.
//
// CONCIERGE_TUNING (names separated by commas) replaces the list, for a
// leave-one-company-out run: learn without one company and score it, e.g.
//
//	CONCIERGE_TUNING=cycles,pets,furniture,gadgets go test ./knowledge -run 'TestLearnWeights$' -update
//	go run ./cmd/concierge answers eval testdata/companies/optics
//
// (then restore weights.go with the plain -update command).
var tuningCompanies = tuningFromEnv([]string{"cycles", "pets", "optics", "furniture", "gadgets"})

// tuningFromEnv returns the companies CONCIERGE_TUNING names, or def.
func tuningFromEnv(def []string) []string {
	if v := os.Getenv("CONCIERGE_TUNING"); v != "" {
		return strings.Split(v, ",")
	}
	return def
}

// companyQuery is one labelled message of a company, ready to search.
type companyQuery struct {
	text     string
	kind     string // answerable, product, unanswerable, …; "employee" for employees' questions
	lang     string
	expected []string
	intent   string
	oos      bool
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
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		q := companyQuery{text: rec[col["text"]], lang: rec[col["lang"]], kind: kind}
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
	if _, err := os.Stat(companiesDir); err != nil {
		t.Skipf("labelled companies not found at %s", companiesDir)
	}
	c := demoClassifier(t)
	var out []company
	for _, name := range tuningCompanies {
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
			ps = append(ps, pooledOf(cands, q.expected))
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
}

// confExamples ranks every labelled message of one query language with w
// and keeps the features of its best candidates; an unanswerable message
// has no right candidate.
func confExamples(t *testing.T, cs []company, zh bool, w weights) []confExample {
	t.Helper()
	var out []confExample
	for _, c := range cs {
		for _, q := range c.queries {
			switch q.kind {
			case "answerable", "product", "unanswerable", "employee":
			default:
				continue
			}
			if zhQuery(q.text) != zh {
				continue
			}
			p, cands, err := c.ix.pool(context.Background(), q.query(), AllSignals, poolSize, defaultLimit)
			if err != nil {
				t.Fatal(err)
			}
			if len(cands) == 0 {
				continue
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
			rs := rivals(zh, cands)
			for i := 0; i < len(cands) && i < 3; i++ {
				id, _, _ := strings.Cut(cands[i].doc.ID, "#")
				out = append(out, confExample{g: confFeatures(&p, cands, i, rs[i]),
					good: slices.Contains(q.expected, id), top: i == 0, kind: q.kind, co: c.name})
			}
		}
	}
	return out
}

// fitConf fits the logistic confidence model with L2 by full-batch Adam
// from zero weights.
func fitConf(xs []confExample, l2 float64) confWeights {
	var w, m, v confWeights
	const lr, b1, b2, epochs = 0.05, 0.9, 0.999, 600
	for ep := 1; ep <= epochs; ep++ {
		var g confWeights
		for _, x := range xs {
			var z float64
			for k := range x.g {
				z += w[k] * x.g[k]
			}
			y := 0.0
			if x.good {
				y = 1
			}
			d := sigmoid(z) - y
			for k := range x.g {
				g[k] += d * x.g[k]
			}
		}
		for k := range g {
			g[k] = g[k] / float64(len(xs))
			if k != cfBias {
				g[k] += l2 * w[k]
			}
			m[k] = b1*m[k] + (1-b1)*g[k]
			v[k] = b2*v[k] + (1-b2)*g[k]*g[k]
			mh := m[k] / (1 - math.Pow(b1, float64(ep)))
			vh := v[k] / (1 - math.Pow(b2, float64(ep)))
			w[k] -= lr * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	for k, x := range w {
		w[k] = math.Round(x*1000) / 1000
		if w[k] == 0 {
			w[k] = 0
		}
	}
	return w
}

func (w confWeights) prob(g [nConf]float64) float64 {
	var z float64
	for k := range g {
		z += w[k] * g[k]
	}
	return sigmoid(z)
}

// logConfTable logs, for thresholds on the confidence of the top hit, how
// many answerable questions would be answered right, answered wrong, and
// how many unanswerable ones would get an answer.
func logConfTable(t *testing.T, label string, xs []confExample, w confWeights) {
	t.Helper()
	for _, th := range []float64{0.3, 0.4, 0.5, 0.6, 0.7} {
		var right, wrong, ans, unans, unansAnswered int
		for _, x := range xs {
			if !x.top {
				continue
			}
			p := w.prob(x.g)
			switch x.kind {
			case "unanswerable":
				unans++
				if p >= th {
					unansAnswered++
				}
			case "answerable", "employee":
				ans++
				if p >= th && x.good {
					right++
				} else if p >= th {
					wrong++
				}
			}
		}
		t.Logf("%s: threshold %.1f: answerable+employees answered right %d, wrong %d, of %d; unanswerable answered %d of %d",
			label, th, right, wrong, ans, unansAnswered, unans)
	}
}

// learnConf learns the confidence model of one query language on the
// tuning companies, ranked by w. It logs the leave-one-company-out
// figures first (fit without one company, read it), then fits on all of them.
func learnConf(t *testing.T, cs []company, zh bool, w weights) confWeights {
	t.Helper()
	const l2 = 0.01
	lang := map[bool]string{false: "en", true: "zh"}[zh]
	xs := confExamples(t, cs, zh, w)
	for _, held := range tuningCompanies {
		var train, test []confExample
		for _, x := range xs {
			if x.co == held {
				test = append(test, x)
			} else {
				train = append(train, x)
			}
		}
		logConfTable(t, fmt.Sprintf("%s confidence fitted without %s, read on %s", lang, held, held), test, fitConf(train, l2))
	}
	cw := fitConf(xs, l2)
	logConfTable(t, lang+" confidence fitted on all tuning companies (their own figures)", xs, cw)
	return cw
}
