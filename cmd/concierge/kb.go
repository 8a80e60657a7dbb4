package main

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/helpcenter"
	"github.com/concierge-bot/concierge/knowledge"
	"github.com/concierge-bot/concierge/knowledge/importer"
)

// kbContent gives the help center the documents of the knowledge base
// serving now: the live index's (a content directory) or the fixed set
// loaded at start (the embedded demo). Entries are converted once per
// content version.
type kbContent struct {
	live *knowledge.Live
	docs []knowledge.Document // when not live
	hash string

	mu      sync.Mutex
	version string
	entries []helpcenter.Entry
}

func newKBContent(a *app) *kbContent {
	c := &kbContent{live: a.live, docs: a.docs}
	if a.live == nil {
		c.hash, _ = knowledge.ContentHash(a.docs, nil)
	}
	return c
}

// Entries implements helpcenter.Content.
func (c *kbContent) Entries() (string, []helpcenter.Entry) {
	docs, hash := c.docs, c.hash
	if c.live != nil {
		snap := c.live.Documents()
		docs, hash = snap.Docs, snap.Hash
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.version != hash {
		c.entries = kbEntries(docs)
		c.version = hash
	}
	return c.version, c.entries
}

// kbEntries converts knowledge documents for the help center.
func kbEntries(docs []knowledge.Document) []helpcenter.Entry {
	out := make([]helpcenter.Entry, 0, len(docs))
	for _, d := range docs {
		body := d.Body
		if d.Kind == bot.KindFAQ {
			body = d.Answer
		}
		if d.Kind == bot.KindProduct {
			body = d.Description
		}
		out = append(out, helpcenter.Entry{
			ID: d.ID, Title: d.Title, Kind: d.Kind, Audience: d.Audience, Lang: d.Lang, Tags: d.Tags,
			Body: body, Section: d.Section, SKU: d.SKU, Category: d.Category, Price: d.Price,
			Currency: d.Currency, Attrs: d.Attrs, SourceURL: d.SourceURL,
		})
	}
	return out
}

// helpCenterMounts returns the routes of the help center: the public one
// at /kb (with the chat widget) and the employees' one, public and internal
// pages, at /console/kb behind the console's sign-in.
func helpCenterMounts(a *app, siteName string, requireLogin func(http.Handler) http.Handler) (map[string]http.Handler, error) {
	content := newKBContent(a)
	pub, err := helpcenter.New(helpcenter.Options{Content: content, Retriever: a.retriever, Base: "/kb",
		SiteName: siteName, Widget: true, Logger: a.log})
	if err != nil {
		return nil, err
	}
	staff, err := helpcenter.New(helpcenter.Options{Content: content, Retriever: a.retriever, Base: "/console/kb",
		Audiences: bot.RoleEmployee.Audiences(), SiteName: siteName, Logger: a.log})
	if err != nil {
		return nil, err
	}
	internal := requireLogin(staff)
	return map[string]http.Handler{"/kb": pub, "/kb/": pub, "/console/kb": internal, "/console/kb/": internal}, nil
}

// startSync runs the scheduled imports of sources: into the content
// directory, with their state in the data directory; the live index picks
// the changes up.
func (a *app) startSync(ctx context.Context) error {
	var srcs []importer.Source
	for _, s := range a.cfg.Sources {
		every := s.Every
		if every == 0 {
			every = 24 * time.Hour
		}
		delay := s.Delay
		srcs = append(srcs, importer.Source{Location: s.location(), Every: every, Audience: s.Audience, Lang: s.Lang,
			Grace: s.Grace, Fetch: importer.FetchOptions{MaxDepth: s.Depth, MaxPages: s.MaxPages, Delay: delay}})
	}
	syncer, err := importer.NewSyncer(importer.SyncOptions{Into: a.cfg.Content,
		State: filepath.Join(a.cfg.DataDir, "imports.json"), Sources: srcs, Logger: a.log})
	if err != nil {
		return err
	}
	a.goWork(ctx, "", syncer.Run) // returns when ctx ends; each run's outcome is logged
	return nil
}
