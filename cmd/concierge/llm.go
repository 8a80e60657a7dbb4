package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/llm"
)

// llmCheckJSON is the output of `concierge llm check --json`.
type llmCheckJSON struct {
	BaseURL             string   `json:"base_url"`
	Model               string   `json:"model"`
	EmbeddingModel      string   `json:"embedding_model,omitempty"`
	Models              []string `json:"models"`
	ModelFound          bool     `json:"model_found"`
	EmbeddingModelFound bool     `json:"embedding_model_found"`
	ModelsMS            float64  `json:"models_ms"`
	ChatMS              float64  `json:"chat_ms"`
	PromptTokens        int      `json:"prompt_tokens"`
	CompletionTokens    int      `json:"completion_tokens"`
	EmbeddingMS         float64  `json:"embedding_ms,omitempty"`
	EmbeddingDims       int      `json:"embedding_dimensions,omitempty"`
	Error               string   `json:"error,omitempty"`
}

func newLLMCheckCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the configured OpenAI-compatible endpoint: models, one chat and one embedding call",
		Long: `Check lists the endpoint's models, sends one tiny chat completion and, when
llm.embedding_model is set, embeds one text, and prints latency and token counts.
It sends no customer data. Configure the endpoint under llm: in the config file
(base_url, api_key, model, embedding_model, timeout).`,
		Args: noArgs,
		RunE: e.withConfig(func(cmd *cobra.Command, args []string, cfg Config) error {
			lc := cfg.LLM
			if lc.BaseURL == "" || lc.Model == "" {
				return errors.New("no language model configured: set llm.base_url and llm.model in the config file (see --config)")
			}
			if lc.Enabled != nil && !*lc.Enabled {
				fmt.Fprintln(e.stderr, "note: llm.enabled is false; checking the endpoint anyway")
			}
			client, err := llm.New(llm.Options{
				BaseURL: lc.BaseURL, APIKey: lc.APIKey, Model: lc.Model, EmbeddingModel: lc.EmbeddingModel,
				Timeout: lc.Timeout, MaxTokens: lc.MaxTokens, Temperature: lc.Temperature, MaxRetries: -1,
				Logger: e.logger(cfg, slog.LevelWarn),
			})
			if err != nil {
				return fmt.Errorf("llm check: %w", err)
			}
			rep, checkErr := client.Check(cmd.Context())
			if asJSON {
				out := llmCheckJSON{BaseURL: rep.BaseURL, Model: lc.Model, EmbeddingModel: lc.EmbeddingModel, Models: rep.Models,
					ModelFound: rep.ModelFound, EmbeddingModelFound: rep.EmbeddingModelFound, ModelsMS: llmMillis(rep.ModelsLatency),
					ChatMS: llmMillis(rep.Chat.Latency), PromptTokens: rep.Chat.PromptTokens, CompletionTokens: rep.Chat.CompletionTokens}
				if out.Models == nil {
					out.Models = []string{}
				}
				if rep.Embedding != nil {
					out.EmbeddingMS, out.EmbeddingDims = llmMillis(rep.Embedding.Latency), rep.Embedding.Dimensions
				}
				if checkErr != nil {
					out.Error = checkErr.Error()
				}
				if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
					return err
				}
				return checkErr
			}
			w := e.stdout
			fmt.Fprintf(w, "endpoint   %s\n", rep.BaseURL)
			found := "listed"
			if !rep.ModelFound {
				found = "NOT listed (some servers list none; the chat call decides)"
			}
			fmt.Fprintf(w, "models     %d listed in %v; %q %s\n", len(rep.Models), rep.ModelsLatency.Round(time.Millisecond), lc.Model, found)
			if checkErr != nil && rep.Chat.Latency == 0 {
				return checkErr
			}
			if rep.Chat.Latency > 0 && (checkErr == nil || rep.Embedding != nil) {
				fmt.Fprintf(w, "chat       %v, %d prompt + %d completion tokens, reply %q\n",
					rep.Chat.Latency.Round(time.Millisecond), rep.Chat.PromptTokens, rep.Chat.CompletionTokens, rep.Chat.Reply)
			}
			if rep.Embedding != nil && checkErr == nil {
				fmt.Fprintf(w, "embedding  %v, %d dimensions (%s)\n", rep.Embedding.Latency.Round(time.Millisecond), rep.Embedding.Dimensions, lc.EmbeddingModel)
			} else if lc.EmbeddingModel == "" {
				fmt.Fprintln(w, "embedding  skipped (no llm.embedding_model)")
			}
			if checkErr != nil {
				return checkErr
			}
			fmt.Fprintln(w, "ok")
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func llmMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
