package relay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// upstream is an Upstream ready to serve: defaults filled in, its model
// mapping compiled, its transport and concurrency limiter built.
type upstream struct {
	cfg    Upstream
	name   string
	base   string
	models mapping
	client *http.Client
	tr     *http.Transport // nil when the user gave a Transport
	lim    *limiter
	keys   []upKey
}

// upKey is one API key and its health target ("name#" + a hash of the key,
// so that a shared store never holds the key).
type upKey struct {
	secret string
	target string
	header []string // the auth header's value, built once
}

func newUpstream(u Upstream) (*upstream, error) {
	if u.BaseURL == "" {
		return nil, fmt.Errorf("relay: upstream %q has no BaseURL", u.Name)
	}
	pu, err := url.Parse(u.BaseURL)
	if err != nil || pu.Scheme == "" || pu.Host == "" {
		return nil, fmt.Errorf("relay: upstream %q: BaseURL %q is not an absolute URL", u.Name, u.BaseURL)
	}
	if u.Name == "" {
		u.Name = pu.Host
	}
	if u.Weight <= 0 {
		u.Weight = 1
	}
	if u.MaxConcurrent == 0 {
		u.MaxConcurrent = 128
	}
	if u.MaxQueue <= 0 {
		u.MaxQueue = 4 * max(u.MaxConcurrent, 1)
	}
	setDefault(&u.QueueTimeout, 10*time.Second)
	setDefault(&u.ConnectTimeout, 5*time.Second)
	setDefault(&u.FirstTokenTimeout, 60*time.Second)
	setDefault(&u.IdleTimeout, 60*time.Second)
	setDefault(&u.RequestTimeout, 10*time.Minute)
	if u.MaxIdleConns <= 0 {
		u.MaxIdleConns = u.MaxConcurrent
		if u.MaxIdleConns < 0 {
			u.MaxIdleConns = 64
		}
	}
	if u.Azure != nil && u.Azure.APIVersion == "" {
		az := *u.Azure
		az.APIVersion = "2024-10-21"
		u.Azure = &az
	}
	up := &upstream{cfg: u, name: u.Name, base: strings.TrimSuffix(u.BaseURL, "/"), models: newMapping(u.Models)}
	if u.Transport != nil {
		up.client = &http.Client{Transport: u.Transport}
	} else {
		up.tr = newTransport(&u)
		up.client = &http.Client{Transport: up.tr}
	}
	up.lim = newLimiter(u.MaxConcurrent, u.MaxQueue, u.QueueTimeout)
	for _, k := range u.Keys {
		sum := sha256.Sum256([]byte(k))
		auth := "Bearer " + k
		if u.Azure != nil {
			auth = k
		}
		up.keys = append(up.keys, upKey{secret: k, target: u.Name + "#" + hex.EncodeToString(sum[:6]), header: []string{auth}})
	}
	return up, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// newTransport builds the upstream's own tuned transport: idle connections
// for its concurrency (Go's default keeps 2 per host), dial and TLS
// timeouts, and a response-header timeout as a backstop for the relay's
// own per-request timers (FirstTokenTimeout for streams, RequestTimeout for
// the rest). It sets no whole-request timeout: streams run as long as the
// upstream keeps sending (IdleTimeout bounds its silences).
func newTransport(u *Upstream) *http.Transport {
	d := &net.Dialer{Timeout: u.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          u.MaxIdleConns,
		MaxIdleConnsPerHost:   u.MaxIdleConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   u.ConnectTimeout,
		ResponseHeaderTimeout: max(u.FirstTokenTimeout, u.RequestTimeout),
		ExpectContinueTimeout: time.Second,
	}
}

// serves returns the upstream's name for the model, and whether it serves it.
func (u *upstream) serves(model string) (string, bool) {
	if u.models.empty() {
		return model, true
	}
	return u.models.lookup(model)
}

// endpoint returns the URL of path ("/chat/completions", ...) for model.
func (u *upstream) endpoint(path, model string) string {
	if az := u.cfg.Azure; az != nil {
		v := "?api-version=" + url.QueryEscape(az.APIVersion)
		if model == "" { // the models list is not under a deployment
			return u.base + "/openai" + path + v
		}
		return u.base + "/openai/deployments/" + url.PathEscape(model) + path + v
	}
	return u.base + path
}

// newRequest builds a request to the upstream with key (nil: none).
func (u *upstream) newRequest(ctx context.Context, method, path, model string, body []byte, key *upKey, stream bool) (*http.Request, error) {
	var r *http.Request
	var err error
	if body != nil {
		r, err = http.NewRequestWithContext(ctx, method, u.endpoint(path, model), bytes.NewReader(body))
	} else {
		r, err = http.NewRequestWithContext(ctx, method, u.endpoint(path, model), nil)
	}
	if err != nil {
		return nil, err
	}
	// The header values are shared, read-only slices: neither net/http
	// nor Header.Set and Add write into a value slice.
	h := r.Header
	if body != nil {
		h["Content-Type"] = jsonType
	}
	if stream {
		h["Accept"] = eventStreamType
	} else {
		h["Accept"] = jsonType
	}
	if key != nil {
		if u.cfg.Azure != nil {
			h["Api-Key"] = key.header
		} else {
			h["Authorization"] = key.header
		}
	}
	for k, vs := range u.cfg.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	return r, nil
}

var (
	jsonType        = []string{"application/json"}
	eventStreamType = []string{"text/event-stream"}
)

// close closes the idle connections of the upstream's transport.
func (u *upstream) close() {
	if u.tr != nil {
		u.tr.CloseIdleConnections()
	}
}
