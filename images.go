package oaicompat

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
)

// imagesResponse is the wire form of ImagesResponse.
type imagesResponse struct {
	Created      int64        `json:"created"`
	Data         []imageDatum `json:"data"`
	Background   string       `json:"background,omitempty"`
	OutputFormat string       `json:"output_format,omitempty"`
	Size         string       `json:"size,omitempty"`
	Quality      string       `json:"quality,omitempty"`
	Usage        *ImageUsage  `json:"usage,omitempty"`
}

type imageDatum struct {
	B64JSON       string `json:"b64_json,omitempty"`
	URL           string `json:"url,omitempty"`
	RevisedPrompt string `json:"revised_prompt,omitempty"`
}

// imagesDialect is POST /v1/images/generations, answered by an
// [ImageGenerator]. Each image is sent as b64_json (from [Image].Data) or url
// (Image.URL), as response_format asks; url is the default, as in the spec.
type imagesDialect struct {
	req ImageRequest
	x   *exchange
	out imagesResponse
}

func (d *imagesDialect) endpoint() string                           { return "images.generations" }
func (d *imagesDialect) target() any                                { return &d.req }
func (d *imagesDialect) writeError(w http.ResponseWriter, e *Error) { WriteError(w, e) }
func (d *imagesDialect) supportedBy(b Backend) bool {
	_, ok := b.(ImageGenerator)
	return ok
}

func (d *imagesDialect) prepare(raw []byte, extra map[string]json.RawMessage, model string) (requestInfo, error) {
	r := &d.req
	r.Raw, r.Extra = raw, extra
	if model != "" {
		r.Model = model
	}
	return requestInfo{model: r.Model}, r.validate()
}

// The dialect is its own answer: one call, one JSON object, never a stream.
func (d *imagesDialect) answer(x *exchange) (answer, error) { d.x = x; return d, nil }
func (d *imagesDialect) fail(*Error) error                  { return nil }

func (d *imagesDialect) run(ctx context.Context) error {
	res, err := d.x.h.backend.(ImageGenerator).GenerateImages(ctx, &d.req)
	if err == nil && res == nil {
		err = errors.New("oaicompat: image generator returned no result")
	}
	if err != nil {
		return err
	}
	d.out = imagesResponse{Created: d.x.h.cfg.now().Unix(), Data: make([]imageDatum, len(res.Images)),
		Background: res.Background, OutputFormat: res.OutputFormat, Size: res.Size, Quality: res.Quality, Usage: res.Usage}
	b64 := d.req.ResponseFormat == "b64_json"
	for i, img := range res.Images {
		datum := imageDatum{RevisedPrompt: img.RevisedPrompt}
		switch {
		case b64 && img.Data != nil:
			datum.B64JSON = base64.StdEncoding.EncodeToString(img.Data)
		case !b64 && img.URL != "":
			datum.URL = img.URL
		default:
			return errors.New("oaicompat: image generator gave no data for the requested response_format")
		}
		d.out.Data[i] = datum
	}
	if u := res.Usage; u != nil {
		d.x.t.report(Usage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens})
	}
	return nil
}

func (d *imagesDialect) end() error { return writeJSON(d.x.w, http.StatusOK, d.out) }
