// Command validate checks a labelled company folder without running the bot
// (go run ./testdata/companies/validate testdata/companies/NAME): the content
// loads with no problems, and every id in messages.csv and employees.csv (cut
// at '#') names a document; employees' ids are internal, customers' public.
// It prints counts per kind and language. Writers of a held-out company run
// only this, never the bot, so that its first scored run measures something
// nobody tuned on.
package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge"
)

func main() {
	dir := os.Args[1]
	docs, probs, err := knowledge.Load(os.DirFS(filepath.Join(dir, "content")))
	if err != nil {
		fmt.Println("load:", err)
		os.Exit(1)
	}
	for _, p := range probs {
		fmt.Println("problem:", p)
	}
	aud := map[string]string{}
	product := map[string]bool{}
	for _, d := range docs {
		id, _, _ := strings.Cut(d.ID, "#")
		aud[id] = string(d.Audience)
		if d.Kind == bot.KindProduct {
			product[id] = true
		}
	}
	fmt.Printf("%d documents (%d distinct page/entry ids)\n", len(docs), len(aud))
	bad := len(probs)
	for _, f := range []string{"messages.csv", "employees.csv"} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		rs, err := csv.NewReader(fh).ReadAll()
		if err != nil {
			fmt.Println(f, err)
			os.Exit(1)
		}
		counts := map[string]int{}
		for i, r := range rs[1:] {
			var kind, exp, lang string
			if f == "messages.csv" {
				kind, exp, lang = r[1], r[2], r[3]
			} else {
				kind, exp, lang = "employee", r[1], r[2]
			}
			counts[kind+"/"+lang]++
			for _, id := range strings.Split(exp, ";") {
				id = strings.TrimSpace(id)
				if id == "" {
					continue
				}
				a, ok := aud[id]
				switch {
				case !ok:
					fmt.Printf("%s:%d: unknown id %q\n", f, i+2, id)
					bad++
				case kind == "employee" && a != "internal":
					fmt.Printf("%s:%d: %q is not internal\n", f, i+2, id)
					bad++
				case kind != "employee" && a != "public":
					fmt.Printf("%s:%d: %q is not public\n", f, i+2, id)
					bad++
				}
			}
			// A product's Chinese row is the same product under the id
			// SKU-zh: a message that accepts one accepts both, or the
			// reply citing the row in the customer's language is scored
			// wrong.
			listed := map[string]bool{}
			for _, id := range strings.Split(exp, ";") {
				listed[strings.TrimSpace(id)] = true
			}
			for id := range listed {
				if twin := id + "-zh"; product[id] && product[twin] && !listed[twin] {
					fmt.Printf("%s:%d: product %q is listed without its Chinese row %q\n", f, i+2, id, twin)
					bad++
				}
			}
			if (kind == "answerable" || kind == "product" || kind == "employee") && strings.TrimSpace(exp) == "" {
				fmt.Printf("%s:%d: %s with no expected id\n", f, i+2, kind)
				bad++
			}
		}
		fmt.Println(f, counts)
	}
	if bad > 0 {
		fmt.Println(bad, "problems")
		os.Exit(1)
	}
	fmt.Println("ok")
}
