package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// companyIndex builds the index of a labelled company's content.
func companyIndex(t *testing.T, name string) *Index {
	t.Helper()
	fsys := os.DirFS(filepath.Join(companiesDir, name, "content"))
	docs, _, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	syn, err := LoadSynonyms(fsys)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{Synonyms: syn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestSureClauseAnswers checks that a question asked inside a story or
// beside another ("蛋糕吃不完 明天还能吃吗") is answered
// by the passage its own clause is sure of when the whole message finds
// nothing answerable, and that a message the ranking answers keeps its hit.
func TestSureClauseAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two companies' indexes")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		company, text string
		want          []string
	}{
		{"bakery", "蛋糕吃不完 明天还能吃吗", []string{"faq-storage-01", "faq-storage-01-zh", "storage-and-freshness", "storage-and-freshness-zh"}},
		{"florist", "明天的花不想要了 能退不", []string{"faq-refund-01", "faq-refund-01-zh", "cancellation-and-refunds", "cancellation-and-refunds-zh"}},
		{"yoga", "I travel a lot for work, do you stream classes at all?", []string{"faq-online-01", "faq-online-01-zh", "online-classes-zh", "memberships-and-class-packs"}},
		{"yoga", "月卡能停卡吗 要回老家十天", []string{"faq-freeze-01", "faq-freeze-01-zh", "freeze-refund-and-transfer", "freeze-refund-and-transfer-zh"}},
	} {
		ix := companyIndex(t, tc.company)
		q := bot.Query{Text: tc.text, Audiences: bot.RoleCustomer.Audiences(), Language: detectLang(tc.text)}
		hits, err := ix.Retrieve(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || !slices.Contains(tc.want, pageOf(hits[0].ID)) && !slices.Contains(tc.want, hits[0].ID) ||
			hits[0].Confidence < bot.DefaultMinAnswerConfidence {
			t.Errorf("%s %q: first hit %v, want one of %v, answerable", tc.company, tc.text, hits, tc.want)
		}
		q.Text = ix.searchText(ctx, tc.text)
		plain, err := ix.search(ctx, q, AllSignals)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 0 && plain[0].Confidence >= bot.DefaultMinAnswerConfidence {
			t.Errorf("%s %q: the whole message already finds %s at %.2f; the test no longer tests the clause rule",
				tc.company, tc.text, plain[0].ID, plain[0].Confidence)
		}
	}
}
