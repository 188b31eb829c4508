package oaicompat_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/oaicompat/oaicompat"
)

// The Anthropic Go SDK lists models page by page, gets one, and reads an
// unknown one as its typed 404, from the handler's GET /v1/models.
func TestMessagesSDKModels(t *testing.T) {
	t.Parallel()
	var models []oaicompat.Model
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
		models = append(models, oaicompat.Model{ID: id, Created: 1700000000})
	}
	srv := serveDialects(t, &messagesBackend{}, oaicompat.WithModels(models...))
	c := anthropicClient(srv.URL)
	ctx := context.Background()

	var ids []string
	pages := c.Models.ListAutoPaging(ctx, anthropic.ModelListParams{Limit: anthropic.Int(2)})
	for pages.Next() {
		m := pages.Current()
		ids = append(ids, m.ID)
		if m.DisplayName != m.ID || !m.CreatedAt.Equal(time.Unix(1700000000, 0)) || m.Lifecycle != "active" {
			t.Errorf("model %s", m.RawJSON())
		}
	}
	if err := pages.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"m1", "m2", "m3", "m4", "m5"}; !slices.Equal(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}

	page, err := c.Models.List(ctx, anthropic.ModelListParams{BeforeID: anthropic.String("m4"), Limit: anthropic.Int(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || page.Data[0].ID != "m2" || page.FirstID != "m2" || page.LastID != "m3" || !page.HasMore {
		t.Errorf("page before m4: %s", page.RawJSON())
	}

	m, err := c.Models.Get(ctx, "m3", anthropic.ModelGetParams{})
	if err != nil || m.ID != "m3" || m.Type != "model" {
		t.Fatalf("get m3: %v %+v", err, m)
	}

	_, err = c.Models.Get(ctx, "nope", anthropic.ModelGetParams{})
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Type() != "not_found_error" {
		t.Fatalf("unknown model: %v", err)
	}
	_, err = c.Models.List(ctx, anthropic.ModelListParams{Limit: anthropic.Int(0)})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Fatalf("limit 0: %v", err)
	}
}
