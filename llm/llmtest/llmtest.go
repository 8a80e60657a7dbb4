// Package llmtest is a fake OpenAI-compatible server for tests: it serves
// /v1/models, /v1/chat/completions (plain and streaming) and /v1/embeddings
// from functions a test supplies, and records every request it was sent so
// a test can check what would have left the process.
//
// The default chat function, Grounded, behaves like a well-mannered model
// with the prompt format of package llm: it answers from the first passage in
// the question's language and cites it as [1], replies llm's refusal marker
// when there are no passages, and writes a three-line summary when asked for
// one. It needs no network and is deterministic.
package llmtest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// ChatRequest is a chat completion request as the server received it.
type ChatRequest struct {
	Model string
	// System and User are the contents of the first system message and the
	// last user message.
	System, User string
	Messages     []Message
	Stream       bool
	MaxTokens    int
}

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Reply is what the server answers to one chat request. The zero Reply is
// an empty completion with finish reason "stop".
type Reply struct {
	Text string
	// FinishReason defaults to "stop"; "length" means truncated. "-" sends
	// none (a stream then ends without one).
	FinishReason string
	// Status, when not 0 or 200, is sent with Body instead of a completion.
	Status int
	// Body, when set, is sent verbatim (with ContentType, default
	// text/html) instead of a JSON completion, with Status or 200.
	Body, ContentType string
	// Delay is waited before answering (cut short if the client goes away).
	Delay time.Duration
	// Hang, for streams: send the text, then keep the stream open until the
	// client goes away or the server closes.
	Hang bool
	// PromptTokens and CompletionTokens are reported as usage; zero means a
	// count of about one token per four bytes.
	PromptTokens, CompletionTokens int
}

// ChatFunc answers one chat request.
type ChatFunc func(ChatRequest) Reply

// EmbedFunc returns the vector of one input.
type EmbedFunc func(input string) []float32

// Options configures a Server. Every field has a default.
type Options struct {
	// Models listed by /v1/models. Default: "fake-chat", "fake-embed".
	Models []string
	// Chat answers chat completions. Default: Grounded.
	Chat ChatFunc
	// Embed answers embeddings. Default: HashEmbed with 64 dimensions.
	Embed EmbedFunc
	// EmbedStatus, when not 0, is the status every embeddings request gets
	// (with an OpenAI-style error body).
	EmbedStatus int
}

// Request is one recorded request.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	// Chat is the decoded request for /v1/chat/completions.
	Chat *ChatRequest
	// Inputs are the texts of an embeddings request.
	Inputs []string
	Time   time.Time
}

// Server is a running fake. Close it when done (t.Cleanup(s.Close)).
type Server struct {
	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	opts     Options
	requests []Request
}

// NewServer starts a Server.
func NewServer(opts Options) *Server {
	if opts.Models == nil {
		opts.Models = []string{"fake-chat", "fake-embed"}
	}
	if opts.Chat == nil {
		opts.Chat = Grounded
	}
	if opts.Embed == nil {
		opts.Embed = func(s string) []float32 { return HashEmbed(s, 64) }
	}
	s := &Server{opts: opts, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	s.srv = httptest.NewServer(mux)
	return s
}

// BaseURL is the API root to configure a client with (it ends in /v1).
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// Close stops the server, ending any hanging response first.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetChat replaces the chat function; safe while requests are served.
func (s *Server) SetChat(f ChatFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Chat = f
}

// SetEmbed replaces the embedding function.
func (s *Server) SetEmbed(f EmbedFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Embed = f
}

// SetEmbedStatus makes every embeddings request fail with status (0 to
// stop failing).
func (s *Server) SetEmbedStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.EmbedStatus = status
}

// Requests returns the recorded requests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many requests were made to path (e.g.
// "/v1/embeddings"); "" counts all.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if path == "" || r.Path == path {
			n++
		}
	}
	return n
}

// Reset forgets the recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) record(r *http.Request) (Request, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return Request{}, err
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Time: time.Now()}
	return rec, nil
}

// decode records r and reads its JSON body into in. A body it cannot read
// or that is not JSON is answered with 400 and ok false; a request that is
// not JSON is stored, one whose body could not be read is not.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, in any) (rec Request, ok bool) {
	rec, err := s.record(r)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return rec, false
	}
	if err := json.Unmarshal(rec.Body, in); err != nil {
		s.store(rec)
		writeError(w, http.StatusBadRequest, "invalid JSON body")
		return rec, false
	}
	return rec, true
}

func (s *Server) store(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	rec, _ := s.record(r)
	s.store(rec)
	s.mu.Lock()
	models := slices.Clone(s.opts.Models)
	s.mu.Unlock()
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, m := range models {
		list.Data = append(list.Data, model{ID: m, Object: "model", OwnedBy: "llmtest"})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Model     string    `json:"model"`
		Messages  []Message `json:"messages"`
		Stream    bool      `json:"stream"`
		MaxTokens int       `json:"max_tokens"`
	}
	rec, ok := s.decode(w, r, &in)
	if !ok {
		return
	}
	req := &ChatRequest{Model: in.Model, Messages: in.Messages, Stream: in.Stream, MaxTokens: in.MaxTokens}
	for _, m := range in.Messages {
		if m.Role == "system" && req.System == "" {
			req.System = m.Content
		}
		if m.Role == "user" {
			req.User = m.Content
		}
	}
	rec.Chat = req
	s.store(rec)
	s.mu.Lock()
	f := s.opts.Chat
	s.mu.Unlock()
	rep := f(*req)
	if !s.wait(r, rep.Delay) {
		return
	}
	if rep.Body != "" || (rep.Status != 0 && rep.Status != http.StatusOK) {
		status := rep.Status
		if status == 0 {
			status = http.StatusOK
		}
		if rep.Body == "" {
			writeError(w, status, http.StatusText(status))
			return
		}
		ct := rep.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		io.WriteString(w, rep.Body)
		return
	}
	finish := rep.FinishReason
	if finish == "" {
		finish = "stop"
	}
	pt, ct := rep.PromptTokens, rep.CompletionTokens
	if pt == 0 && ct == 0 {
		for _, m := range in.Messages {
			pt += len(m.Content) / 4
		}
		ct = len(rep.Text)/4 + 1
	}
	usage := map[string]int{"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}
	if in.Stream {
		s.stream(w, r, in.Model, rep, finish, usage)
		return
	}
	var fr any = finish
	if finish == "-" {
		fr = nil
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": "chatcmpl-llmtest", "object": "chat.completion", "created": time.Now().Unix(), "model": in.Model,
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": rep.Text},
			"finish_reason": fr}},
		"usage": usage,
	})
}

// stream sends the reply as server-sent events in a few chunks.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, model string, rep Reply, finish string, usage map[string]int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	chunk := func(content string, fin any) map[string]any {
		return map[string]any{"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": time.Now().Unix(),
			"model": model, "choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": fin}}}
	}
	runes := []rune(rep.Text)
	step := max(len(runes)/3, 1)
	for i := 0; i < len(runes); i += step {
		send(chunk(string(runes[i:min(i+step, len(runes))]), nil))
	}
	if rep.Hang {
		s.wait(r, time.Hour)
		return
	}
	if finish != "-" {
		send(chunk("", finish))
	}
	send(map[string]any{"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "model": model, "choices": []any{}, "usage": usage})
	io.WriteString(w, "data: [DONE]\n\n")
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	rec, ok := s.decode(w, r, &in)
	if !ok {
		return
	}
	var inputs []string
	if err := json.Unmarshal(in.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(in.Input, &one); err != nil {
			s.store(rec)
			writeError(w, http.StatusBadRequest, "input must be a string or a list of strings")
			return
		}
		inputs = []string{one}
	}
	rec.Inputs = inputs
	s.store(rec)
	s.mu.Lock()
	f, status := s.opts.Embed, s.opts.EmbedStatus
	s.mu.Unlock()
	if status != 0 {
		writeError(w, status, http.StatusText(status))
		return
	}
	data := make([]any, len(inputs))
	tokens := 0
	for i, t := range inputs {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": f(t)}
		tokens += len(t)/4 + 1
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "model": in.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens}})
}

// wait sleeps for d unless the client goes away or the server closes; it
// reports whether the full time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "llmtest_error", "code": status}})
}

// Passage is one numbered passage of an llm answer prompt.
type Passage struct {
	N           int
	Title, Text string
}

var passageHead = regexp.MustCompile(`^\[(\d+)\] (.*)$`)

// Passages parses the <passages> block of an llm answer prompt.
func Passages(user string) []Passage {
	block := between(user, "<passages>", "</passages>")
	var out []Passage
	for _, line := range strings.Split(block, "\n") {
		if m := passageHead.FindStringSubmatch(line); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			out = append(out, Passage{N: n, Title: m[2]})
			continue
		}
		if len(out) > 0 && strings.TrimSpace(line) != "" {
			p := &out[len(out)-1]
			p.Text = strings.TrimSpace(p.Text + "\n" + line)
		}
	}
	return out
}

// CustomerMessage returns the text between the <customer_message>
// delimiters of an llm answer prompt.
func CustomerMessage(user string) string {
	return strings.TrimSpace(between(user, "<customer_message>", "</customer_message>"))
}

func between(s, open, close string) string {
	i := strings.Index(s, open)
	if i < 0 {
		return ""
	}
	s = s[i+len(open):]
	if j := strings.LastIndex(s, close); j >= 0 {
		s = s[:j]
	}
	return s
}

// HasHan reports whether s holds a Chinese character.
func HasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Grounded is the default chat function: a model that follows package
// llm's prompts. For an answer prompt it replies with the first sentence of
// passage 1 cited as [1], prefixed in the question's language, or with the
// refusal marker NO_ANSWER when there is no passage; for a summary prompt it
// writes the three labelled lines; anything else gets "OK".
func Grounded(r ChatRequest) Reply {
	switch {
	case strings.Contains(r.User, "<passages>"):
		ps := Passages(r.User)
		if len(ps) == 0 || strings.TrimSpace(ps[0].Text) == "" {
			return Reply{Text: "NO_ANSWER"}
		}
		first := firstSentence(ps[0].Text)
		if HasHan(CustomerMessage(r.User)) {
			return Reply{Text: "根据我们的资料：" + first + " [1]"}
		}
		return Reply{Text: "Here is what I found: " + first + " [1]"}
	case strings.Contains(r.User, "<conversation>"):
		conv := between(r.User, "<conversation>", "</conversation>")
		var first string
		for _, line := range strings.Split(conv, "\n") {
			if t, ok := strings.CutPrefix(line, "Customer: "); ok {
				first = t
				break
			}
		}
		if strings.Contains(r.System, "问题：") {
			return Reply{Text: "问题：" + first + "\n诉求：希望尽快得到处理\n情绪：中性"}
		}
		return Reply{Text: "Issue: " + first + "\nWants: a quick resolution\nSentiment: neutral"}
	}
	return Reply{Text: "OK"}
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for i, r := range s {
		if r == '。' || r == '！' || r == '？' {
			return s[:i+len(string(r))]
		}
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(s) || s[i+1] == ' ') && i > 20 {
			return s[:i+1]
		}
	}
	return s
}

// HashEmbed is a deterministic embedding for tests: word and character
// trigram features hashed into dim buckets, L2-normalised. Texts sharing
// words or characters get similar vectors, so ranking by it behaves like a
// crude lexical model. It is not a semantic model.
func HashEmbed(text string, dim int) []float32 {
	v := make([]float32, dim)
	add := func(f string, w float32) {
		h := fnv.New32a()
		h.Write([]byte(f))
		x := h.Sum32()
		sign := float32(1)
		if x&1 == 1 {
			sign = -1
		}
		v[int(x>>1)%dim] += sign * w
	}
	low := strings.ToLower(text)
	for _, w := range strings.FieldsFunc(low, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		add("w:"+w, 1)
		rs := []rune(w)
		for i := 0; i+2 <= len(rs); i++ {
			add("b:"+string(rs[i:i+2]), 0.5)
			if i+3 <= len(rs) {
				add("c:"+string(rs[i:i+3]), 0.5)
			}
		}
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n > 0 {
		inv := float32(1 / math.Sqrt(n))
		for i := range v {
			v[i] *= inv
		}
	}
	return v
}
