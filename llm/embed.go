package llm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// ErrNoEmbeddingModel: Embed was called without Options.EmbeddingModel.
var ErrNoEmbeddingModel = errors.New("llm: no embedding model configured")

// Embed returns one vector per text, in order, sending Options.EmbedBatchSize
// texts per request. Contact data is masked first. Every vector has the same
// dimension; a response with missing, extra, empty, non-finite or
// mismatched vectors is an ErrBadResponse.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.opts.EmbeddingModel == "" {
		return nil, ErrNoEmbeddingModel
	}
	out := make([][]float32, 0, len(texts))
	dim := 0
	for start := 0; start < len(texts); start += c.opts.EmbedBatchSize {
		batch := texts[start:min(start+c.opts.EmbedBatchSize, len(texts))]
		vecs, err := c.embedBatch(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embed texts %d..%d of %d: %w", start+1, start+len(batch), len(texts), err)
		}
		for _, v := range vecs {
			if dim == 0 {
				dim = len(v)
			} else if len(v) != dim {
				return nil, fmt.Errorf("embed: %w", badResponse(fmt.Sprintf("vectors of %d and %d dimensions", dim, len(v)), nil))
			}
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (c *Client) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	m := newMasker(c.opts.MaskOrderNumbers)
	input := make([]string, len(batch))
	for i, t := range batch {
		input[i] = m.Mask(oneLine(clip(t, 8000)))
		if input[i] == "" {
			input[i] = " " // some servers reject empty inputs
		}
	}
	var vecs [][]float32
	err := c.call(ctx, opEmbed, func(ctx context.Context) (usage, error) {
		ctx = withLimit(ctx, 16*c.opts.MaxResponseBytes)
		resp, err := c.api.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
			Input: input, Model: openai.EmbeddingModel(c.opts.EmbeddingModel),
		})
		if err != nil {
			return usage{}, err
		}
		got, err := collectVectors(resp.Data, len(input))
		if err != nil {
			return usage{}, err
		}
		vecs = got
		u := usage{prompt: resp.Usage.PromptTokens}
		if u.prompt == 0 {
			u.prompt = resp.Usage.TotalTokens
		}
		return u, nil
	})
	return vecs, err
}

// collectVectors orders a response's embeddings by index and checks there
// is exactly one finite, non-empty vector per input.
func collectVectors(data []openai.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, badResponse(fmt.Sprintf("%d embeddings for %d inputs", len(data), n), nil)
	}
	vecs := make([][]float32, n)
	for _, e := range data {
		if e.Index < 0 || e.Index >= n || vecs[e.Index] != nil {
			return nil, badResponse(fmt.Sprintf("embedding index %d out of place", e.Index), nil)
		}
		if len(e.Embedding) == 0 {
			return nil, badResponse("empty embedding", nil)
		}
		for _, x := range e.Embedding {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, badResponse("non-finite embedding value", nil)
			}
		}
		vecs[e.Index] = e.Embedding
	}
	return vecs, nil
}

// CheckReport is what Check found about the endpoint.
type CheckReport struct {
	BaseURL string
	// Models lists the model ids the endpoint offers; ModelFound and
	// EmbeddingModelFound say whether the configured ones are among them
	// (some servers list none, so false is a warning, not a failure).
	Models                          []string
	ModelFound, EmbeddingModelFound bool
	ModelsLatency                   time.Duration
	// Chat is one short completion.
	Chat Step
	// Embedding is one embedding, when an embedding model is configured.
	Embedding *Step
}

// Step is the result of one call of Check.
type Step struct {
	Latency                        time.Duration
	PromptTokens, CompletionTokens int
	Dimensions                     int    // embeddings only
	Reply                          string // chat only: the model's reply, clipped
}

// Check verifies the endpoint: it lists the models, sends one tiny chat
// completion and, with an embedding model, embeds one text; it reports
// latency and token counts. The first failing call ends the check with its
// error. Check bypasses the masking of customer text (it sends none) but not
// the breaker, budget or metrics.
func (c *Client) Check(ctx context.Context) (CheckReport, error) {
	rep := CheckReport{BaseURL: c.opts.BaseURL}
	start := time.Now()
	err := c.call(ctx, opModels, func(ctx context.Context) (usage, error) {
		list, err := c.api.ListModels(withLimit(ctx, c.opts.MaxResponseBytes))
		if err != nil {
			return usage{}, err
		}
		rep.Models = rep.Models[:0]
		for _, m := range list.Models {
			rep.Models = append(rep.Models, m.ID)
		}
		return usage{}, nil
	})
	rep.ModelsLatency = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("list models at %s: %w", c.opts.BaseURL, err)
	}
	for _, m := range rep.Models {
		rep.ModelFound = rep.ModelFound || m == c.opts.Model
		rep.EmbeddingModelFound = rep.EmbeddingModelFound || (c.opts.EmbeddingModel != "" && m == c.opts.EmbeddingModel)
	}

	start = time.Now()
	err = c.call(ctx, opChat, func(ctx context.Context) (usage, error) {
		text, finish, u, err := c.chatOnce(withLimit(ctx, c.opts.MaxResponseBytes), openai.ChatCompletionRequest{
			Model: c.opts.Model, MaxTokens: 16, Temperature: float32(c.opts.Temperature),
			Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Reply with the single word OK."}},
		})
		if err != nil {
			return usage{}, err
		}
		if text == "" && finish != openai.FinishReasonLength {
			return u, badResponse("empty completion", nil)
		}
		rep.Chat = Step{PromptTokens: u.prompt, CompletionTokens: u.completion, Reply: clip(oneLine(text), 80)}
		return u, nil
	})
	rep.Chat.Latency = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("chat with model %q: %w", c.opts.Model, err)
	}

	if c.opts.EmbeddingModel == "" {
		return rep, nil
	}
	start = time.Now()
	var (
		vecs    [][]float32
		eTokens int
	)
	err = c.call(ctx, opEmbed, func(ctx context.Context) (usage, error) {
		resp, err := c.api.CreateEmbeddings(withLimit(ctx, 16*c.opts.MaxResponseBytes), openai.EmbeddingRequestStrings{
			Input: []string{"Concierge connection check"}, Model: openai.EmbeddingModel(c.opts.EmbeddingModel),
		})
		if err != nil {
			return usage{}, err
		}
		if vecs, err = collectVectors(resp.Data, 1); err != nil {
			return usage{}, err
		}
		eTokens = resp.Usage.PromptTokens
		return usage{prompt: eTokens}, nil
	})
	step := Step{Latency: time.Since(start), PromptTokens: eTokens}
	if err != nil {
		rep.Embedding = &step
		return rep, fmt.Errorf("embed with model %q: %w", c.opts.EmbeddingModel, err)
	}
	step.Dimensions = len(vecs[0])
	rep.Embedding = &step
	return rep, nil
}
