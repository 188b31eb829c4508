package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/oaicompat/oaicompat"
)

// modelCache holds the merged model list for WithModelsTTL.
type modelCache struct {
	mu     sync.Mutex
	at     time.Time
	models []oaicompat.Model
}

// ListModels implements [oaicompat.ModelLister]: the models of every
// upstream, merged and deduplicated by id (the first upstream by Priority
// wins), as clients name them:
//
//   - an upstream without Models lists what its GET /models lists;
//   - an upstream with Models lists the exact names of its map, and those
//     of its models matching a pattern that keeps the name ("qwen-*": "");
//   - an Azure upstream lists the exact names of its Models (Azure lists
//     base models, not deployments);
//   - exact aliases (WithAliases) are listed too.
//
// Upstreams are asked concurrently, each within 30s (or its shorter RequestTimeout); one
// that fails is left out and logged; when all fail the error is a 502. The
// list is cached for WithModelsTTL.
func (r *Relay) ListModels(ctx context.Context) ([]oaicompat.Model, error) {
	r.models.mu.Lock()
	defer r.models.mu.Unlock() // one refresh at a time; others wait for it
	if r.models.models != nil && r.now().Sub(r.models.at) < r.opts.modelsTTL {
		return append([]oaicompat.Model(nil), r.models.models...), nil
	}
	lists := make([][]oaicompat.Model, len(r.ups))
	errs := make([]error, len(r.ups))
	var wg sync.WaitGroup
	for i, u := range r.ups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lists[i], errs[i] = r.upstreamModels(ctx, u)
		}()
	}
	wg.Wait()
	var out []oaicompat.Model
	seen := map[string]bool{}
	add := func(m oaicompat.Model) {
		if !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	failed := 0
	for i, l := range lists {
		if errs[i] != nil {
			failed++
			r.opts.logger.LogAttrs(ctx, slog.LevelWarn, "relay models", slog.String("upstream", r.ups[i].name), slog.String("error", errs[i].Error()))
			continue
		}
		for _, m := range l {
			add(m)
		}
	}
	if failed == len(r.ups) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &oaicompat.Error{Status: http.StatusBadGateway, Type: oaicompat.TypeServerError, Code: "upstream_unavailable",
			Message: "No upstream server answered the model list."}
	}
	for _, k := range r.aliases.keys() {
		add(oaicompat.Model{ID: k, Object: "model", OwnedBy: "relay"})
	}
	if out == nil {
		out = []oaicompat.Model{}
	}
	r.models.models, r.models.at = out, r.now()
	return append([]oaicompat.Model(nil), out...), nil
}

// modelsTimeout bounds one upstream's model list.
const modelsTimeout = 30 * time.Second

// upstreamModels lists the models one upstream serves, as clients name them.
func (r *Relay) upstreamModels(ctx context.Context, u *upstream) ([]oaicompat.Model, error) {
	var out []oaicompat.Model
	for _, k := range u.models.keys() {
		out = append(out, oaicompat.Model{ID: k, Object: "model", OwnedBy: u.name})
	}
	if u.cfg.Azure != nil || (len(u.models.patterns) == 0 && !u.models.empty()) {
		return out, nil
	}
	listed, err := r.fetchModels(ctx, u)
	if err != nil {
		return nil, err
	}
	for _, m := range listed {
		if name, ok := u.serves(m.ID); u.models.empty() || ok && name == m.ID {
			out = append(out, m)
		}
	}
	return out, nil
}

// fetchModels asks an upstream for GET /models, once, with a random key.
func (r *Relay) fetchModels(ctx context.Context, u *upstream) ([]oaicompat.Model, error) {
	ctx, cancel := context.WithTimeout(ctx, min(u.cfg.RequestTimeout, modelsTimeout))
	defer cancel()
	var key *upKey
	if len(u.keys) > 0 {
		key = &u.keys[r.opts.intn(len(u.keys))]
	}
	req, err := u.newRequest(ctx, http.MethodGet, "/models", "", nil, key, false)
	if err != nil {
		return nil, err
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := readAll(resp.Body, r.opts.maxEventBytes)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /models answered %d", resp.StatusCode)
	}
	var list struct {
		Data []oaicompat.Model `json:"data"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("GET /models: %w", err)
	}
	return list.Data, nil
}
