package slack

import (
	"net/http/httptest"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
)

type httptestServerT = httptest.Server

// newTestEngine is a real bot.Engine over bottest fakes with one internal
// and one public document about discounts.
func newTestEngine(t *testing.T) *bot.Engine {
	t.Helper()
	e, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Default: bot.Classification{Intent: "discounts", Confidence: 0.9, Language: "en"}},
		Retriever: &bottest.Retriever{Docs: []bottest.Doc{
			{Hit: bot.Hit{ID: "staff-discount", Title: "Staff discount", URL: "/kb/staff-discount", Audience: bot.AudienceInternal,
				Answer: "Staff discount is 30% on all items.", Confidence: 0.9}, Keywords: []string{"discount"}},
			{Hit: bot.Hit{ID: "discounts", Title: "Public discounts", URL: "/kb/discounts", Audience: bot.AudiencePublic,
				Answer: "We offer 10% off your first order.", Confidence: 0.8}, Keywords: []string{"discount"}},
		}},
		Store: &bottest.Store{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}
