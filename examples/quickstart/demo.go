package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/schemagen"
)

// demo is the quickstart's built-in backend: deterministic, no model.
//
//   - chat: a tiny rules engine. "What is 2+2?" answers "2+2 equals 4." (+ - * /
//     on integers); anything else is echoed back. Replies stream word by word.
//     "Think step by step: ..." also sends its reasoning (see thinking). Under
//     tool_choice "auto" a message about a tool's purpose calls it, with
//     arguments read from the message (tools.go); tool results are
//     answered with. A json_object request gets {"answer": ...}; a
//     json_schema request, and a forced tool call, a value valid against
//     the schema that looks like data, filled from the message and the
//     tool results where they fit.
//   - embeddings: hashed word and character-trigram features, so that
//     texts sharing words or spellings are close (embed.go).
//   - images: a PNG drawn from the prompt's hash at the requested size.
//
// The reply stops before the first stop sequence it contains (Anthropic
// clients see stop_reason "stop_sequence"). Tokens are counted as
// whitespace-separated words: prompt tokens are the words of every
// message's text (also what count_tokens answers), completion tokens the
// words of the reply.
type demo struct {
	baseURL   string        // where /images/ is served, for url responses
	wordDelay time.Duration // pause between streamed words

	mu     sync.Mutex
	images map[string][]byte
	order  []string
}

const (
	chatModel  = "demo-chat"
	embedModel = "demo-embed"
	imageModel = "demo-image"
	maxImages  = 64
)

func newDemo(baseURL string, wordDelay time.Duration) *demo {
	return &demo{baseURL: strings.TrimSuffix(baseURL, "/"), wordDelay: wordDelay, images: map[string][]byte{}}
}

var arithmetic = regexp.MustCompile(`(-?\d+)\s*([-+*/])\s*(-?\d+)`)

// answer is the rules engine: arithmetic, else an echo.
func answer(prompt string) string {
	if m := arithmetic.FindStringSubmatch(prompt); m != nil {
		a, errA := strconv.ParseInt(m[1], 10, 64)
		b, errB := strconv.ParseInt(m[3], 10, 64)
		if errA == nil && errB == nil {
			expr := m[1] + m[2] + m[3]
			switch m[2] {
			case "+":
				return fmt.Sprintf("%s equals %d.", expr, a+b)
			case "-":
				return fmt.Sprintf("%s equals %d.", expr, a-b)
			case "*":
				return fmt.Sprintf("%s equals %d.", expr, a*b)
			case "/":
				if b == 0 {
					return fmt.Sprintf("%s is undefined: division by zero.", expr)
				}
				return fmt.Sprintf("%s equals %s.", expr, strconv.FormatFloat(float64(a)/float64(b), 'f', -1, 64))
			}
		}
	}
	if strings.TrimSpace(prompt) == "" {
		return "Hello! Ask me some arithmetic, like: What is 2+2?"
	}
	return fmt.Sprintf("You said: %s", prompt)
}

func countWords(s string) int { return len(strings.Fields(s)) }

// promptWords counts the prompt tokens of req.
func promptWords(req *oaicompat.ChatRequest) int {
	n := 0
	for _, m := range req.Messages {
		n += countWords(m.Content.Text())
	}
	return n
}

// CountTokens implements oaicompat.TokenCounter (Anthropic's
// count_tokens): the words of the prompt.
func (d *demo) CountTokens(_ context.Context, req *oaicompat.ChatRequest) (int, error) {
	return promptWords(req), nil
}

// Chat implements oaicompat.Backend.
func (d *demo) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	prompt := promptWords(req)
	question := req.LastUserMessage()
	if steps, q, ok := thinking(question); ok {
		if err := w.WriteReasoning(steps); err != nil {
			return err
		}
		question = q
	}
	if fn := chosenTool(req); fn != nil {
		w.SetUsage(oaicompat.Usage{PromptTokens: prompt, CompletionTokens: 1})
		return w.WriteToolCall("", fn.Name, toolArguments(fn, question))
	}
	reply := answer(question)
	if fromTools := toolAnswer(req); fromTools != "" {
		reply = fromTools
	}
	if structured, ok := structuredReply(req, reply, question); ok {
		reply = structured // JSON goes out as one piece
	}
	stop := ""
	for _, s := range req.Stop {
		if i := strings.Index(reply, s); s != "" && i >= 0 {
			reply, stop = reply[:i], s
		}
	}
	words := strings.SplitAfter(reply, " ")
	limit, limited := req.TokenLimit()
	for i, word := range words {
		if limited && i >= limit {
			w.SetUsage(oaicompat.Usage{PromptTokens: prompt, CompletionTokens: i})
			return w.Finish(oaicompat.FinishLength)
		}
		if i > 0 && req.Stream && d.wordDelay > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d.wordDelay):
			}
		}
		if err := w.WriteText(word); err != nil {
			return err
		}
	}
	w.SetUsage(oaicompat.Usage{PromptTokens: prompt, CompletionTokens: countWords(reply)})
	if stop != "" {
		return w.WriteDelta(oaicompat.Delta{FinishReason: oaicompat.FinishStop, StopSequence: stop})
	}
	return nil
}

// structuredReply answers a json_object request with {"answer": reply}, and
// a json_schema request with a value valid against the schema, its fields
// taken from the tool results and the question where they fit, and its
// prose fields ("summary", "answer"...) from reply.
func structuredReply(req *oaicompat.ChatRequest, reply, question string) (string, bool) {
	rf := req.ResponseFormat
	if rf == nil {
		return "", false
	}
	var v any
	switch {
	case rf.Type == "json_object":
		v = map[string]string{"answer": reply}
	case rf.Type == "json_schema" && rf.JSONSchema != nil:
		results, fromMessage := resultHints(req), messageHints(question)
		v = schemagen.GenerateWith(rf.JSONSchema.Schema, func(name string, s map[string]any) (any, bool) {
			if r, ok := results[name]; ok {
				return r, true
			}
			if isProse(schemagen.Words(name)) {
				return reply, true
			}
			return fromMessage(name, s)
		})
	default:
		return "", false
	}
	b, err := json.Marshal(v)
	return string(b), err == nil
}

// Embed implements oaicompat.Embedder.
func (d *demo) Embed(_ context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
	dims := 256
	if req.Dimensions != nil {
		dims = *req.Dimensions
	}
	texts := req.Input.Strings
	if req.Input.IsTokens() {
		texts = make([]string, len(req.Input.Tokens))
		for i, toks := range req.Input.Tokens {
			parts := make([]string, len(toks))
			for j, t := range toks {
				parts[j] = strconv.Itoa(t)
			}
			texts[i] = strings.Join(parts, " ")
		}
	}
	res := &oaicompat.EmbeddingResult{Vectors: make([][]float32, len(texts))}
	for i, t := range texts {
		res.Vectors[i] = embed(t, dims)
		res.Usage.PromptTokens += countWords(t)
	}
	return res, nil
}

// GenerateImages implements oaicompat.ImageGenerator.
func (d *demo) GenerateImages(_ context.Context, req *oaicompat.ImageRequest) (*oaicompat.ImageResult, error) {
	w, h, ok := imageSize(req.Size)
	if !ok {
		w, h = 256, 256
	}
	res := &oaicompat.ImageResult{Size: fmt.Sprintf("%dx%d", w, h), OutputFormat: "png"}
	for i := 0; i < req.Count(); i++ {
		data := drawPNG(fmt.Sprintf("%s#%d", req.Prompt, i), w, h)
		img := oaicompat.Image{Data: data}
		if req.ResponseFormat != "b64_json" {
			img.URL = d.store(data)
		}
		res.Images = append(res.Images, img)
	}
	return res, nil
}

// store keeps the last maxImages images for /images/{id}.png and returns the URL.
func (d *demo) store(data []byte) string {
	h := fnv.New64a()
	h.Write(data)
	id := strconv.FormatUint(h.Sum64(), 16)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.images[id]; !ok {
		d.images[id] = data
		d.order = append(d.order, id)
		if len(d.order) > maxImages {
			delete(d.images, d.order[0])
			d.order = d.order[1:]
		}
	}
	return d.baseURL + "/images/" + id + ".png"
}

func (d *demo) image(id string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.images[id]
	return b, ok
}

// drawPNG draws diagonal bands in two colours picked from the seed's hash.
func drawPNG(seed string, w, h int) []byte {
	hs := fnv.New64a()
	hs.Write([]byte(seed))
	x := hs.Sum64()
	c1 := color.NRGBA{uint8(x), uint8(x >> 8), uint8(x >> 16), 255}
	c2 := color.NRGBA{uint8(x >> 24), uint8(x >> 32), uint8(x >> 40), 255}
	band := int(x>>48)%32 + 8
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for py := 0; py < h; py++ {
		for px := 0; px < w; px++ {
			c := c1
			if ((px+py)/band)%2 == 1 {
				c = c2
			}
			img.SetNRGBA(px, py, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// ListModels implements oaicompat.ModelLister.
func (d *demo) ListModels(context.Context) ([]oaicompat.Model, error) {
	return []oaicompat.Model{
		{ID: chatModel, Created: 1735689600, OwnedBy: "oaicompat"},
		{ID: embedModel, Created: 1735689600, OwnedBy: "oaicompat"},
		{ID: imageModel, Created: 1735689600, OwnedBy: "oaicompat"},
	}, nil
}

// imageSize parses a "WxH" size; ok is false for "auto" or a malformed size.
func imageSize(size string) (w, h int, ok bool) {
	ws, hs, found := strings.Cut(size, "x")
	if !found {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	return w, h, err1 == nil && err2 == nil && w > 0 && h > 0
}
