package relay

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/oaicompat/oaicompat"
)

// GenerateImages implements [oaicompat.ImageGenerator]: the client's body
// goes upstream with the model rewritten and stream removed (the handler
// answers images as one JSON object); images come back as bytes (b64_json)
// or URLs. An image the upstream sent only as base64 to a client that
// asked for a URL is given as a data: URL.
func (r *Relay) GenerateImages(ctx context.Context, req *oaicompat.ImageRequest) (*oaicompat.ImageResult, error) {
	raw, err := requestBody(req.Raw, req)
	if err != nil {
		return nil, err
	}
	var res *oaicompat.ImageResult
	err = r.forward(ctx, req.Model, "/images/generations", raw, map[string][]byte{"stream": nil}, func(b []byte) error {
		v, err := decodeImages(b)
		res = v
		return err
	})
	return res, err
}

func decodeImages(b []byte) (*oaicompat.ImageResult, error) {
	var body struct {
		Data []struct {
			B64JSON       string `json:"b64_json"`
			URL           string `json:"url"`
			RevisedPrompt string `json:"revised_prompt"`
		} `json:"data"`
		Usage        *oaicompat.ImageUsage `json:"usage"`
		Background   string                `json:"background"`
		OutputFormat string                `json:"output_format"`
		Size         string                `json:"size"`
		Quality      string                `json:"quality"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, err
	}
	res := &oaicompat.ImageResult{Usage: body.Usage, Background: body.Background, OutputFormat: body.OutputFormat,
		Size: body.Size, Quality: body.Quality, Images: make([]oaicompat.Image, len(body.Data))}
	for i, d := range body.Data {
		img := oaicompat.Image{URL: d.URL, RevisedPrompt: d.RevisedPrompt}
		if d.B64JSON != "" {
			data, err := base64.StdEncoding.DecodeString(d.B64JSON)
			if err != nil {
				return nil, err
			}
			img.Data = data
			if img.URL == "" {
				format := body.OutputFormat
				if format == "" {
					format = "png"
				}
				img.URL = "data:image/" + format + ";base64," + d.B64JSON
			}
		}
		if img.Data == nil && img.URL == "" {
			return nil, errors.New("image without b64_json or url")
		}
		res.Images[i] = img
	}
	return res, nil
}
