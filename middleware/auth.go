package middleware

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/oaicompat/oaicompat"
)

// KeyLookup resolves an API key to the id of its owner, the identity that
// RateLimit limits, AccessLog logs and backends read with KeyIDFromContext.
// ok is false for an unknown key. A non-nil error is answered as
// oaicompat.WriteError answers it (a *oaicompat.Error as is, anything else
// as a 500), so a lookup whose database is down can return a 503. A lookup
// against a database should compare in constant time too, or look keys up
// by a hash of the key.
type KeyLookup func(ctx context.Context, key string) (id string, ok bool, err error)

// StaticKeys returns a KeyLookup over a fixed set of keys, mapping each key
// to its id (for example "sk-live-1234..." to "alice"). Every lookup
// compares the key with all of them in constant time, so neither a key's
// content nor its position leaks through timing.
func StaticKeys(keys map[string]string) KeyLookup {
	type entry struct {
		hash [sha256.Size]byte
		id   string
	}
	entries := make([]entry, 0, len(keys))
	for k, id := range keys {
		entries = append(entries, entry{sha256.Sum256([]byte(k)), id})
	}
	return func(_ context.Context, key string) (string, bool, error) {
		var buf [128]byte // keys up to this size are hashed without an allocation
		h := sha256.Sum256(append(buf[:0], key...))
		id, found := "", 0
		for i := range entries {
			if subtle.ConstantTimeCompare(h[:], entries[i].hash[:]) == 1 {
				id, found = entries[i].id, 1
			}
		}
		return id, found == 1, nil
	}
}

// An AuthOption configures Auth.
type AuthOption func(*authConfig)

type authConfig struct {
	headers []string
}

// Key headers Auth reads by default, in this order.
const (
	HeaderAuthorization = "Authorization" // "Bearer <key>", as the OpenAI SDKs send it
	HeaderAzureAPIKey   = "Api-Key"       // "<key>", as Azure OpenAI clients send it
	HeaderXAPIKey       = "X-Api-Key"     // "<key>", as llama.cpp-style and Anthropic-style clients send it
)

// WithKeyHeaders sets the headers Auth reads the key from, in order of
// preference; the first one present wins. HeaderAuthorization is read as
// "Bearer <key>", any other header as the bare key. Default:
// HeaderAuthorization, HeaderAzureAPIKey, HeaderXAPIKey.
func WithKeyHeaders(names ...string) AuthOption {
	return func(c *authConfig) { c.headers = names }
}

// Auth admits only requests carrying a key that keys accepts, and answers
// the others 401 exactly as OpenAI does, so that the SDKs raise their
// authentication error:
//
//	{"error":{"message":"Incorrect API key provided: sk-8uCeC***...oK2e.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
//
// A wrong key is echoed masked (its first and last few characters only); a
// missing key gets OpenAI's "You didn't provide an API key." with code
// null. The key's id is put in the request context (KeyIDFromContext); the
// key itself is never stored, logged or passed on.
func Auth(keys KeyLookup, opts ...AuthOption) func(http.Handler) http.Handler {
	cfg := authConfig{headers: []string{HeaderAuthorization, HeaderAzureAPIKey, HeaderXAPIKey}}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := cfg.key(r)
			if key == "" {
				oaicompat.WriteErrorFor(w, r, errMissingKey)
				return
			}
			id, ok, err := keys(r.Context(), key)
			if err != nil {
				oaicompat.WriteErrorFor(w, r, err)
				return
			}
			if !ok {
				oaicompat.WriteErrorFor(w, r, incorrectKey(key))
				return
			}
			if ctx := ContextWithKeyID(r.Context(), id); ctx != r.Context() {
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// key returns the API key of r from the first configured header present.
func (c *authConfig) key(r *http.Request) string {
	for _, name := range c.headers {
		v := strings.TrimSpace(r.Header.Get(name))
		if v == "" {
			continue
		}
		if http.CanonicalHeaderKey(name) != HeaderAuthorization {
			return v
		}
		if scheme, token, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
			if token = strings.TrimSpace(token); token != "" {
				return token
			}
		}
	}
	return ""
}

var errMissingKey = &oaicompat.Error{Status: http.StatusUnauthorized, Type: oaicompat.TypeInvalidRequest, Message: "You didn't provide an API key. You need to provide your API key in an Authorization header " +
	"using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."}

// incorrectKey is OpenAI's 401 for a key that is not accepted.
func incorrectKey(key string) *oaicompat.Error {
	return &oaicompat.Error{Status: http.StatusUnauthorized, Type: oaicompat.TypeInvalidRequest, Code: "invalid_api_key", Message: "Incorrect API key provided: " + maskKey(key) + "."}

}

// maskKey hides all of key but its first 8 and last 4 characters (fewer for
// short keys), as OpenAI does: "sk-8uCeC***************************************oK2e".
// The stars keep the key's length up to a cap; characters that are not
// printable ASCII are never shown.
func maskKey(key string) string {
	const maxStars = 40
	head, tail := min(8, len(key)/4), min(4, len(key)/4)
	stars := min(len(key)-head-tail, maxStars)
	b := make([]byte, 0, head+stars+tail)
	b = appendVisible(b, key[:head])
	for range stars {
		b = append(b, '*')
	}
	return string(appendVisible(b, key[len(key)-tail:]))
}

func appendVisible(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c > ' ' && c < 0x7f {
			b = append(b, c)
		} else {
			b = append(b, '*')
		}
	}
	return b
}
