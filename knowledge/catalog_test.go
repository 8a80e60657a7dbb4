package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
)

// catalogueFiles is a content directory with products in two languages,
// one internal product and an FAQ that talks about gift wrapping.
var catalogueFiles = map[string]string{
	"products.csv": "sku,name,category,price,currency,description,tags,lang,weight,stock,audience\n" +
		"K-1,Gooseneck Kettle,Kettles,399.00,CNY,Electric gooseneck kettle.,kettle;electric,en,1.1 kg,5,\n" +
		"K-2,Glass Kettle,Kettles,158.00,CNY,Stovetop glass kettle.,kettle;glass,en,0.6 kg,0,\n" +
		"K-9,Staff Sample Kettle,Kettles,1.00,CNY,Sample for staff training.,kettle,en,1 kg,1,internal\n",
	"products_zh.csv": "sku,name,category,price,currency,description,tags,lang,weight,stock\n" +
		"K-1,鹅颈电水壶,水壶,399.00,CNY,鹅颈出水电水壶。,电水壶,zh,1.1公斤,5\n",
	"faq.csv": "id,question,answer\nfaq-wrap,Do you offer gift wrapping?,\"Yes, gift wrapping costs 10 yuan.\"\n",
}

func buildCatalogueIndex(t *testing.T) (string, *Index) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	writeFiles(t, dir, catalogueFiles)
	docs, probs, err := Load(os.DirFS(dir))
	if err != nil || len(probs) > 0 {
		t.Fatalf("Load: %v %v", err, probs)
	}
	path := filepath.Join(t.TempDir(), "kb")
	ix, err := Build(context.Background(), path, docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return path, ix
}

// TestIndexAnswer checks the catalogue through the index: built from the
// stored documents (so a reopened index answers the same), in the reader's
// language, never with a product the reader may not see, and never denying
// what the rest of the content talks about.
func TestIndexAnswer(t *testing.T) {
	path, ix := buildCatalogueIndex(t)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	customer := []bot.Audience{bot.AudiencePublic}
	staff := []bot.Audience{bot.AudiencePublic, bot.AudienceInternal}
	tests := []struct {
		text, lang string
		auds       []bot.Audience
		ok         bool
		first      string
	}{
		{"how much is the gooseneck kettle", "en", customer, true, "K-1"},
		{"鹅颈电水壶多少钱", "zh", customer, true, "K-1-zh"},
		{"is the glass kettle in stock", "en", customer, true, "K-2"},
		{"how much is the staff sample kettle", "en", customer, false, ""},
		{"how much is the staff sample kettle", "en", staff, true, "K-9"},
		{"do you sell gift wrapping", "en", customer, false, ""},
		{"do you sell teapots", "en", customer, true, ""}, // we don't: nothing cited
		{"when will my parcel arrive", "en", customer, false, ""},
	}
	for _, tt := range tests {
		a, err := ix.Answer(context.Background(), bot.Query{Text: tt.text, Language: tt.lang, Audiences: tt.auds})
		if err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		first := ""
		if len(a.Sources) > 0 {
			first = a.Sources[0].ID
		}
		if a.OK != tt.ok || first != tt.first {
			t.Errorf("%q (%v): OK %v, first source %q; want %v, %q\n%s", tt.text, tt.auds, a.OK, first, tt.ok, tt.first, a.Text)
		}
	}
	a, _ := ix.Answer(context.Background(), bot.Query{Text: "鹅颈电水壶多少钱", Language: "zh"})
	if diff := cmp.Diff([]bot.Source{{ID: "K-1-zh", Title: "鹅颈电水壶", URL: "/kb/K-1-zh"}}, a.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestLiveAnswerFollowsContent checks that Live answers from the index
// serving now: a product added to the content is answered after a reload.
func TestLiveAnswerFollowsContent(t *testing.T) {
	content := filepath.Join(t.TempDir(), "content")
	writeFiles(t, content, catalogueFiles)
	l, err := NewLive(context.Background(), LiveOptions{Content: content, Dir: filepath.Join(t.TempDir(), "kb")})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	q := bot.Query{Text: "how much is the cast iron teapot", Language: "en"}
	if a, err := l.Answer(context.Background(), q); err != nil || a.OK {
		t.Fatalf("before the teapot: OK %v, %v", a.OK, err)
	}
	writeFiles(t, content, map[string]string{"products_more.csv": "sku,name,price,currency\nT-1,Cast Iron Teapot,220.00,CNY\n"})
	if r := l.Reload(context.Background()); r.Err != nil {
		t.Fatal(r.Err)
	}
	a, err := l.Answer(context.Background(), q)
	if err != nil || !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != "T-1" {
		t.Fatalf("after the teapot: %+v, %v", a, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Answer(context.Background(), q); err == nil {
		t.Error("Answer after Close: no error")
	}
}
