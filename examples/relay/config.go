package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oaicompat/oaicompat/relay"
)

// Config is relay.yaml. Durations are Go durations ("30s", "5m"); a zero
// or absent field takes package relay's default.
type Config struct {
	Upstreams   []UpstreamConfig    `yaml:"upstreams"`
	Aliases     map[string]string   `yaml:"aliases"`
	Fallbacks   map[string][]string `yaml:"fallbacks"`
	Retries     *int                `yaml:"retries"`
	MaxAttempts int                 `yaml:"max_attempts"`
	RetryBudget time.Duration       `yaml:"retry_budget"`
	Backoff     struct {
		Base time.Duration `yaml:"base"`
		Max  time.Duration `yaml:"max"`
	} `yaml:"backoff"`
	Cooldown *cooldownConfig `yaml:"cooldown"`
}

type cooldownConfig struct {
	Window       time.Duration `yaml:"window"`
	MinRequests  int           `yaml:"min_requests"`
	FailureRate  float64       `yaml:"failure_rate"`
	Base         time.Duration `yaml:"base"`
	Max          time.Duration `yaml:"max"`
	ProbeTimeout time.Duration `yaml:"probe_timeout"`
}

// UpstreamConfig is one entry of upstreams: relay.Upstream's fields, with
// keys named by environment variable.
type UpstreamConfig struct {
	Name    string            `yaml:"name"`
	BaseURL string            `yaml:"base_url"`
	KeyEnv  []string          `yaml:"key_env"`
	Headers map[string]string `yaml:"headers"`
	Models  map[string]string `yaml:"models"`
	Azure   *struct {
		APIVersion string `yaml:"api_version"`
	} `yaml:"azure"`
	Weight            int           `yaml:"weight"`
	Priority          int           `yaml:"priority"`
	MaxConcurrent     int           `yaml:"max_concurrent"`
	MaxQueue          int           `yaml:"max_queue"`
	QueueTimeout      time.Duration `yaml:"queue_timeout"`
	ConnectTimeout    time.Duration `yaml:"connect_timeout"`
	FirstTokenTimeout time.Duration `yaml:"first_token_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	RequestTimeout    time.Duration `yaml:"request_timeout"`
	MaxIdleConns      int           `yaml:"max_idle_conns"`
}

// load reads the configuration: the file at path, or one upstream at url
// with its key in the environment variable keyEnv.
func load(path, url, keyEnv string) (*Config, error) {
	switch {
	case path != "" && url != "":
		return nil, errors.New("give -config or -upstream, not both")
	case path != "":
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return parse(b)
	case url != "":
		up := UpstreamConfig{BaseURL: url}
		if keyEnv != "" && os.Getenv(keyEnv) != "" {
			up.KeyEnv = []string{keyEnv}
		}
		return &Config{Upstreams: []UpstreamConfig{up}}, nil
	}
	return nil, errors.New("give -upstream URL or -config relay.yaml (see -h)")
}

// parse decodes relay.yaml; unknown keys are errors (a typo must not
// silently drop a setting).
func parse(b []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("relay.yaml: %w", err)
	}
	if len(c.Upstreams) == 0 {
		return nil, errors.New("relay.yaml: no upstreams")
	}
	return &c, nil
}

// relay returns the upstreams and options for relay.New. A key variable
// that is unset or empty is an error: a relay that silently sent no key
// would only meet 401s.
func (c *Config) relay() ([]relay.Upstream, []relay.Option, error) {
	var ups []relay.Upstream
	for _, u := range c.Upstreams {
		up := relay.Upstream{Name: u.Name, BaseURL: u.BaseURL, Models: u.Models, Weight: u.Weight, Priority: u.Priority,
			MaxConcurrent: u.MaxConcurrent, MaxQueue: u.MaxQueue, QueueTimeout: u.QueueTimeout, ConnectTimeout: u.ConnectTimeout,
			FirstTokenTimeout: u.FirstTokenTimeout, IdleTimeout: u.IdleTimeout, RequestTimeout: u.RequestTimeout, MaxIdleConns: u.MaxIdleConns}
		for _, env := range u.KeyEnv {
			key := os.Getenv(env)
			if key == "" {
				return nil, nil, fmt.Errorf("upstream %q: environment variable %s is not set", u.BaseURL, env)
			}
			up.Keys = append(up.Keys, key)
		}
		if len(u.Headers) > 0 {
			up.Header = http.Header{}
			for k, v := range u.Headers {
				up.Header.Set(k, v)
			}
		}
		if u.Azure != nil {
			up.Azure = &relay.Azure{APIVersion: u.Azure.APIVersion}
		}
		ups = append(ups, up)
	}
	var opts []relay.Option
	if c.Aliases != nil {
		opts = append(opts, relay.WithAliases(c.Aliases))
	}
	if c.Fallbacks != nil {
		opts = append(opts, relay.WithFallbacks(c.Fallbacks))
	}
	if c.Retries != nil {
		opts = append(opts, relay.WithRetries(*c.Retries))
	}
	if c.MaxAttempts > 0 {
		opts = append(opts, relay.WithMaxAttempts(c.MaxAttempts))
	}
	if c.RetryBudget > 0 {
		opts = append(opts, relay.WithRetryBudget(c.RetryBudget))
	}
	if c.Backoff.Base > 0 || c.Backoff.Max > 0 {
		base, max := c.Backoff.Base, c.Backoff.Max
		if base <= 0 {
			base = 250 * time.Millisecond
		}
		if max <= 0 {
			max = 4 * time.Second
		}
		opts = append(opts, relay.WithBackoff(base, max))
	}
	if cc := c.Cooldown; cc != nil {
		opts = append(opts, relay.WithHealth(relay.NewMemoryHealth(relay.CooldownPolicy{Window: cc.Window, MinRequests: cc.MinRequests,
			FailureRate: cc.FailureRate, Base: cc.Base, Max: cc.Max, ProbeTimeout: cc.ProbeTimeout})))
	}
	return ups, opts, nil
}
