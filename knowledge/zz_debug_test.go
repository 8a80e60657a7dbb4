package knowledge

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestZZDebugMisses(t *testing.T) {
	if !*learn {
		t.Skip()
	}
	docs, qs := loadFAQDev(t, "zh")
	byID := map[string]string{}
	for _, d := range docs {
		byID[d.ID] = d.Title
	}
	ix, err := Build(context.Background(), filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dev, _ := Split(qs)
	n := 0
	for _, q := range dev {
		hits, _ := ix.Retrieve(context.Background(), bot.Query{Text: q.Query, Limit: 3})
		if len(hits) > 0 && hits[0].ID != q.ExpectedID && n < 25 {
			n++
			t.Logf("Q %s\n   want %s\n   got  %s (%.2f)", q.Query, byID[q.ExpectedID], hits[0].Title, hits[0].Confidence)
		}
	}
}
