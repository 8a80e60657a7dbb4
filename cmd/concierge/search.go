package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/intents"
	"github.com/concierge-bot/concierge/knowledge"
)

type searchHit struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Score    float64 `json:"score"`
	Audience string  `json:"audience"`
	Snippet  string  `json:"snippet"`
}

func newSearchCmd(e *env) *cobra.Command {
	var (
		audience string
		intent   string
		n        int
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search the knowledge base and print ranked hits",
		Long: `Search the knowledge base and print ranked hits. Beside a running concierge
serve, search reads the same index without writing to the data directory (or
a private copy built from the content, if that index is not current).

Hits come in the order the bot weighs them: by SCORE (the ranking), except
that one of the top three that is clearly more likely to answer (CONF, the
calibrated chance that it answers the query) goes first. As for the bot, the
ranking favours documents of the intent the classifier reads in QUERY
(named under the hits); --intent NAME ranks for another, --intent none
for none.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("search needs a QUERY; see `concierge search --help`")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var auds []bot.Audience
			switch audience {
			case "public":
				auds = bot.RoleCustomer.Audiences()
			case "internal":
				auds = bot.RoleEmployee.Audiences()
			default:
				return usagef("--audience must be public or internal, not %q", audience)
			}
			if n < 1 || n > 100 {
				return usagef("-n must be between 1 and 100")
			}
			query := strings.Join(args, " ")
			if err := bot.ValidateText(query); err != nil {
				return usagef("%s", bot.ErrorMessage(err))
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			log := e.logger(cfg, slog.LevelWarn)
			ix, c, done, err := searchableIndex(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer done()
			q := bot.Query{Text: query, Audiences: auds, Limit: n}
			switch intent {
			case "":
				// As the bot asks: with what its classifier reads.
				cls, err := c.Classify(cmd.Context(), bot.ClassifierText(query))
				if err != nil {
					return fmt.Errorf("search: %w", err)
				}
				q.Intent, q.OutOfScope, q.Language = cls.Intent, cls.OutOfScope, cls.Language
			case "none":
			default:
				if known := c.Intents(); !slices.Contains(known, intent) {
					return usageError{didYouMean(fmt.Sprintf("--intent %q is not an intent of this company's model (%s; or none)",
						intent, strings.Join(known, ", ")), intent, known)}
				}
				q.Intent = intent
			}
			hits, err := ix.Retrieve(cmd.Context(), q)
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			out := struct {
				Intent string      `json:"intent,omitempty"`
				Hits   []searchHit `json:"hits"`
			}{Intent: q.Intent, Hits: []searchHit{}}
			for _, h := range hits {
				out.Hits = append(out.Hits, searchHit{ID: h.ID, Title: h.Title, Score: h.Score, Audience: string(h.Audience), Snippet: h.Snippet})
			}
			if asJSON {
				return encodeJSON(e.stdout, out)
			}
			if len(hits) == 0 {
				fmt.Fprintln(e.stdout, "No hits.")
				return nil
			}
			tw := newTable(e.stdout, "#", "SCORE", "CONF", "AUDIENCE", "ID", "TITLE")
			for i, h := range hits {
				fmt.Fprintf(tw, "%d\t%.3f\t%.2f\t%s\t%s\t%s\n", i+1, h.Score, h.Confidence, h.Audience, h.ID, h.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if hits[0].Snippet != "" {
				fmt.Fprintf(e.stdout, "\n%s\n", hits[0].Snippet)
			}
			if q.Intent != "" {
				fmt.Fprintf(e.stdout, "\n(ranked for the intent %s)\n", q.Intent)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&audience, "audience", "public", "`public` (what customers see) or internal (employees)")
	cmd.Flags().IntVarP(&n, "n", "n", 5, "number of hits")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"intent","hits":[{"id","title","score","audience","snippet"}]}`)
	cmd.Flags().StringVar(&intent, "intent", "", "rank for intent `NAME` (none: for no intent) instead of the one the classifier reads in QUERY")
	return cmd
}

// searchableIndex opens the knowledge index for search. Beside a running
// serve (or an index an older process holds locked) it reads without
// writing to the data directory: the index serve reads, shared and
// read-only, or a private one built from the content (openIndexBeside).
// Otherwise it opens or rebuilds the data directory's index as always.
// c is the classifier the index was tagged with; done releases what was
// opened.
func searchableIndex(ctx context.Context, cfg Config, log *slog.Logger) (ix *knowledge.Index, c *intents.Classifier, done func(), err error) {
	docs, opts, c, err := indexSources(ctx, cfg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	if h, _ := dataDirHolder(cfg.DataDir); h != nil {
		log.Debug("the data directory is held; searching without writing to it", "holder", h.String())
		ix, done, err = openIndexBeside(ctx, cfg, docs, opts, log)
		return ix, c, done, err
	}
	ix, err = openIndexWith(ctx, cfg, docs, opts)
	if errors.Is(err, knowledge.ErrLocked) {
		ix, done, err = openIndexBeside(ctx, cfg, docs, opts, log)
		return ix, c, done, err
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return ix, c, func() { _ = ix.Close() }, nil
}
