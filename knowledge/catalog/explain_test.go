package catalog

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/texts"
)

var (
	explainQ   = flag.String("explain", "", "company:message to explain (debugging)")
	explainDir = flag.String("explain-dir", "../../testdata/companies", "folder of the evaluation companies, for -explain and -fit")
)

// loadCSVProducts reads products*.csv of a content folder (debugging and
// tests; the knowledge loader is the real one).
func loadCSVProducts(t testing.TB, dir string) []Product {
	var out []Product
	for _, name := range []string{"products.csv", "products_zh.csv"} {
		f, err := os.Open(dir + "/" + name)
		if err != nil {
			continue
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		head := recs[0]
		for _, r := range recs[1:] {
			p := Product{Attrs: map[string]string{}}
			for i, h := range head {
				v := r[i]
				switch h {
				case "sku":
					p.SKU = v
				case "name":
					p.Name = v
				case "category":
					p.Category = v
				case "price":
					p.Price = v
				case "currency":
					p.Currency = v
				case "description":
					p.Description = v
				case "tags":
					p.Tags = texts.SplitList(v)
				case "lang":
					p.Lang = v
				default:
					if v != "" {
						p.Attrs[h] = v
					}
				}
			}
			p.ID = p.SKU
			if p.Lang == "zh" {
				p.ID += "-zh"
			}
			p.URL = "/kb/" + p.ID
			out = append(out, p)
		}
	}
	return out
}

func TestExplain(t *testing.T) {
	if *explainQ == "" {
		t.Skip("no -explain")
	}
	company, msg, _ := strings.Cut(*explainQ, ":")
	ix, err := New(loadCSVProducts(t, *explainDir+"/"+company+"/content"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sh := ix.public
	q := Parse(msg)
	cols := sh.askedColumns(&q)
	fmt.Printf("subject %q cols %v attrs %v\n", q.Subject(), cols, q.Attrs)
	pr := sh.probes(&q)
	for _, p := range pr {
		fmt.Printf("probe [%d,%d) %v uni=%v role=%d\n", p.from, p.to, p.alts, p.uni, p.role)
	}
	hits := sh.match(&q, pr)
	for i, h := range hits {
		if i >= 8 {
			break
		}
		e := sh.ents[h.ent]
		fmt.Printf("%-8s %.2f strong=%v fit=%v share=%.2f cov=%v best=%v %s\n", e.sku, h.score, h.strong, h.qtyFit, h.nameShare(sh), h.covered, h.best, e.rows[0].Name)
	}
	// The plan of a fresh parse, as Answer makes it: the calls above leave
	// their marks on q, and a plan of that q can differ from Answer's.
	fresh := Parse(msg)
	p := sh.plan(context.Background(), &fresh, ix.opts)
	fmt.Printf("plan kind=%d cov=%.2f items=%d kindOf=%d\n", p.kind, p.cov, len(p.items), p.kindOf)
	a, _ := ix.Answer(context.Background(), queryOf(msg))
	fmt.Printf("%+v\n", a)
}

func queryOf(s string) bot.Query { return bot.Query{Text: s} }
