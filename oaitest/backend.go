package oaitest

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/oaicompat/oaicompat"
)

// backend is the Mock as an oaicompat Backend: each method records the
// decoded request in the journal, runs the strict checks and the quota,
// picks a rule and writes its reply.
type backend struct{ m *Mock }

var (
	_ oaicompat.Backend        = backend{}
	_ oaicompat.MultiChoice    = backend{}
	_ oaicompat.Embedder       = backend{}
	_ oaicompat.ImageGenerator = backend{}
	_ oaicompat.ModelLister    = backend{}
	_ oaicompat.TokenCounter   = backend{}
)

// noMatch is answered to a request no rule matches: 501 with
// x-should-retry: false, so that SDKs fail at once instead of retrying.
func noMatch(msg string) *oaicompat.Error {
	e := &oaicompat.Error{Status: http.StatusNotImplemented, Type: oaicompat.TypeInvalidRequest, Code: "oaitest_no_match", Message: msg}
	e.Header = http.Header{"X-Should-Retry": {"false"}}
	return e
}

// begin records the request, checks it, and returns the reply to write,
// with its headers and wire faults set up on the response.
// A nil reply with a nil error means no rule matched a request that needs
// none (a model listing).
func (m *Mock) begin(ctx context.Context, endpoint string, record func(*Request)) (*Reply, error) {
	c := callFrom(ctx)
	if c == nil { // called outside ServeHTTP (a wrapped handler): journal it anyway
		c = &call{req: &Request{Endpoint: endpoint}, fw: newFaultWriter(nil, wireFaults{})}
	}
	api := endpoint
	if ci := oaicompat.CallInfoFromContext(ctx); ci != nil && ci.Endpoint != "" {
		api = ci.Endpoint
	}
	m.mu.Lock()
	c.handled = true
	c.req.Endpoint, c.req.API = endpoint, api
	record(c.req)
	m.mu.Unlock()

	if err := m.checkStrict(c.req); err != nil {
		return nil, err
	}
	if err := m.takeQuota(c); err != nil {
		return nil, err
	}
	m.mu.Lock()
	for _, r := range m.rules {
		if diffs, _ := r.match.explain(c.req); len(diffs) == 0 && r.blocked() == "" {
			rep := r.take()
			c.req.Rule = r.label()
			m.mu.Unlock()
			c.fw.configure(rep, m.cfg.wire)
			return rep, nil
		}
	}
	miss := nearMiss(m.rules, c.req)
	if fb := m.cfg.fallback; fb != nil {
		c.req.Rule = "fallback"
		m.mu.Unlock()
		c.fw.configure(fb, m.cfg.wire)
		return fb, nil
	}
	m.mu.Unlock()
	if endpoint == EndpointModels {
		return nil, nil
	}
	m.fail("oaitest: request #%d %s %s matched no rule; %s", c.req.Seq, c.req.Method, c.req.Path, miss)
	return nil, noMatch("oaitest: no rule matched this request; " + miss)
}

// start begins a reply that is not a chat stream: the rule's reply, after
// its prelude and its time to first token. A nil reply with a nil error is
// a model listing no rule answers.
func (m *Mock) start(ctx context.Context, endpoint string, record func(*Request)) (*Reply, error) {
	rep, err := m.begin(ctx, endpoint, record)
	if err != nil || rep == nil {
		return nil, err
	}
	if err := m.prelude(ctx, rep); err != nil {
		return nil, err
	}
	if err := newPacer(m.pacing(rep), m.cfg.clock).next(ctx); err != nil {
		return nil, err
	}
	return rep, nil
}

// prelude plays the parts of a reply that come before any content: a
// hang, an HTTP error, the time to first token.
func (m *Mock) prelude(ctx context.Context, rep *Reply) error {
	switch {
	case rep.hang || rep.stall && rep.stallAt == 0:
		return m.wait(ctx)
	case rep.err != nil:
		return rep.err
	case rep.errEvent != nil && rep.errAt == 0:
		return rep.errEvent
	}
	return nil
}

// wait blocks until the client goes away or the mock is closed.
func (m *Mock) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-m.done:
		return context.Canceled
	}
}

func (m *Mock) pacing(rep *Reply) *Pacing {
	if rep.pacing != nil {
		return rep.pacing
	}
	return m.cfg.pacing
}

// Chat implements oaicompat.Backend (n == 1).
func (b backend) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return b.m.chat(ctx, req, w)
}

// ChatChoices implements oaicompat.MultiChoice (n > 1): one rule match for
// all the choices of a request.
func (b backend) ChatChoices(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return b.m.chat(ctx, req, w)
}

func (m *Mock) chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	rep, err := m.begin(ctx, EndpointChat, func(r *Request) { r.Chat = req })
	if err != nil {
		return err
	}
	if err := m.prelude(ctx, rep); err != nil {
		return err
	}
	n := req.Choices()
	if rep.backend != nil {
		if mc, ok := rep.backend.(oaicompat.MultiChoice); ok && n > 1 {
			return mc.ChatChoices(ctx, req, w)
		}
		for i := 0; i < n; i++ {
			if err := rep.backend.Chat(ctx, req, w.Choice(i)); err != nil {
				return err
			}
		}
		return nil
	}
	content := resolve(req, rep)
	pc := newPacer(m.pacing(rep), m.cfg.clock)
	written := 0
	for i := 0; i < n; i++ {
		cw := w.Choice(i)
		for _, op := range content.ops() {
			if err := m.interrupt(ctx, rep, written); err != nil {
				return err
			}
			if err := pc.next(ctx); err != nil {
				return err
			}
			if err := op(cw); err != nil {
				return err
			}
			written++
		}
		if err := m.interrupt(ctx, rep, written); err != nil {
			return err
		}
		if rep.finish != "" || rep.stopSeq != "" {
			if err := cw.WriteDelta(oaicompat.Delta{FinishReason: rep.finish, StopSequence: rep.stopSeq}); err != nil {
				return err
			}
		}
	}
	u := rep.usage
	if u == nil {
		u = &oaicompat.Usage{PromptTokens: PromptTokens(req), CompletionTokens: written}
	}
	w.SetUsage(*u)
	m.chargeQuota(u.PromptTokens + u.CompletionTokens)
	return nil
}

// interrupt plays a stall or an in-band error due after written tokens.
func (m *Mock) interrupt(ctx context.Context, rep *Reply, written int) error {
	if rep.stall && written == rep.stallAt {
		return m.wait(ctx)
	}
	if rep.errEvent != nil && written == rep.errAt {
		return rep.errEvent
	}
	return nil
}

// CountTokens implements oaicompat.TokenCounter, behind the Anthropic
// Messages API's count_tokens: the mock's own count of the request's
// prompt (PromptTokens), journaled, without a rule.
func (b backend) CountTokens(ctx context.Context, req *oaicompat.ChatRequest) (int, error) {
	if c := callFrom(ctx); c != nil {
		b.m.mu.Lock()
		c.handled = true
		c.req.Chat, c.req.API = req, "messages.count_tokens"
		b.m.mu.Unlock()
	}
	return PromptTokens(req), nil
}

// Embed implements oaicompat.Embedder.
func (b backend) Embed(ctx context.Context, req *oaicompat.EmbeddingRequest) (*oaicompat.EmbeddingResult, error) {
	m := b.m
	rep, err := m.start(ctx, EndpointEmbeddings, func(r *Request) { r.Embedding = req })
	if err != nil {
		return nil, err
	}
	if e, ok := rep.backend.(oaicompat.Embedder); ok {
		return e.Embed(ctx, req)
	}
	res := &oaicompat.EmbeddingResult{Vectors: rep.vectors}
	if res.Vectors == nil {
		res.Vectors = embedAll(req)
	}
	res.Usage.PromptTokens = embeddingTokens(req)
	if rep.usage != nil {
		res.Usage = *rep.usage
	}
	m.chargeQuota(res.Usage.PromptTokens)
	return res, nil
}

// GenerateImages implements oaicompat.ImageGenerator.
func (b backend) GenerateImages(ctx context.Context, req *oaicompat.ImageRequest) (*oaicompat.ImageResult, error) {
	m := b.m
	rep, err := m.start(ctx, EndpointImages, func(r *Request) { r.Image = req })
	if err != nil {
		return nil, err
	}
	if g, ok := rep.backend.(oaicompat.ImageGenerator); ok {
		return g.GenerateImages(ctx, req)
	}
	res := &oaicompat.ImageResult{Images: rep.images}
	if res.Images == nil {
		for i := 0; i < req.Count(); i++ {
			res.Images = append(res.Images, oaicompat.Image{Data: onePixelPNG,
				URL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(onePixelPNG)})
		}
	}
	return res, nil
}

// ListModels implements oaicompat.ModelLister. It is also called by the
// handler to check models under StrictModels; then it lists the configured
// models without matching rules.
func (b backend) ListModels(ctx context.Context) ([]oaicompat.Model, error) {
	m := b.m
	if c := callFrom(ctx); c == nil || endpointOf(c.req.Path) != EndpointModels {
		return m.modelList(m.cfg.models), nil
	}
	rep, err := m.start(ctx, EndpointModels, func(*Request) {})
	if err != nil {
		return nil, err
	}
	if rep == nil {
		return m.modelList(m.cfg.models), nil
	}
	if l, ok := rep.backend.(oaicompat.ModelLister); ok {
		return l.ListModels(ctx)
	}
	if rep.models == nil {
		return m.modelList(m.cfg.models), nil
	}
	return m.modelList(rep.models), nil
}

func (m *Mock) modelList(ids []string) []oaicompat.Model {
	out := make([]oaicompat.Model, len(ids))
	for i, id := range ids {
		out[i] = oaicompat.Model{ID: id, Object: "model", Created: 1700000000, OwnedBy: "oaitest"}
	}
	return out
}
