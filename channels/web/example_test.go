package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// Example wires a Server the way `concierge serve` does: the Engine, the
// store as the widget's history, a stable session secret, the sites allowed
// to embed the widget, and an http.Server with the timeouts it needs.
func Example() {
	dir, _ := os.MkdirTemp("", "concierge-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "concierge.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	eng, _ := bot.NewEngine(bot.EngineOptions{Classifier: demoClassifier(), Retriever: demoRetriever(), Store: db})

	srv, err := web.New(web.Options{
		Engine:         eng,
		History:        db,
		APIKeys:        []string{"a-long-random-api-key"},
		SessionSecret:  []byte(strings.Repeat("s", 32)), // in real life: 32 random bytes kept in the data dir
		AllowedOrigins: []string{"https://shop.example.com"},
		Logger:         slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	hs := web.HTTPServer(srv, nil)
	hs.RegisterOnShutdown(srv.Close) // end waiting long-polls at shutdown

	ts := httptest.NewServer(hs.Handler)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/widget.js")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output: 200 text/javascript; charset=utf-8
}
