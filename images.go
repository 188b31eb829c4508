package oaicompat

import (
	"encoding/base64"
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

// serveImages is POST /v1/images/generations. Each image is sent as b64_json
// (from Image.Data) or url (Image.URL), as response_format asks; url is the
// default, as in the spec.
func (h *Handler) serveImages(w http.ResponseWriter, r *http.Request) {
	gen, ok := h.backend.(ImageGenerator)
	if !ok {
		h.fail(w, r, Unsupported(r.Method, r.URL.Path))
		return
	}
	var req ImageRequest
	if err := h.decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if ci := CallInfoFromContext(r.Context()); ci != nil {
		ci.Endpoint, ci.Model = "images.generations", req.Model
	}
	var res *ImageResult
	err := call(func() (err error) { res, err = gen.GenerateImages(r.Context(), &req); return err })
	if err == nil && res == nil {
		err = errors.New("oaicompat: image generator returned no result")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := imagesResponse{Created: h.cfg.now().Unix(), Data: make([]imageDatum, len(res.Images)),
		Background: res.Background, OutputFormat: res.OutputFormat, Size: res.Size, Quality: res.Quality, Usage: res.Usage}
	b64 := req.ResponseFormat == "b64_json"
	for i, img := range res.Images {
		d := imageDatum{RevisedPrompt: img.RevisedPrompt}
		switch {
		case b64 && img.Data != nil:
			d.B64JSON = base64.StdEncoding.EncodeToString(img.Data)
		case !b64 && img.URL != "":
			d.URL = img.URL
		default:
			h.fail(w, r, errors.New("oaicompat: image generator gave no data for the requested response_format"))
			return
		}
		out.Data[i] = d
	}
	writeJSON(w, http.StatusOK, out)
}
