package relay

import (
	"context"
	"encoding/json"
	"fmt"
)

// forward relays a non-streamed JSON request (embeddings, images) through
// the call machinery: the client's body raw with its model member set to
// each candidate's model name and the members in set replaced (nil
// removes), the 2xx answer read whole and handed to decode. A decode error
// fails the attempt as a malformed answer, which the call may retry
// elsewhere; nothing is committed before decode succeeds.
func (r *Relay) forward(ctx context.Context, model, path string, raw []byte, set map[string][]byte, decode func([]byte) error) error {
	c := r.newCall(ctx, model)
	return c.run(func(a *attempt) error {
		body, err := forwardBody(raw, a.cand.model, set)
		if err != nil {
			return err
		}
		resp, err := a.send(path, body, false)
		if err != nil {
			return err
		}
		b, err := readAll(resp.Body, r.opts.maxEventBytes)
		a.c.upstream += r.now().Sub(a.sent)
		if err != nil {
			return a.transportFailure(classStream, err)
		}
		if err := decode(b); err != nil {
			return &failure{class: classStream, status: resp.StatusCode, cause: fmt.Errorf("%w: %v", errMalformed, err)}
		}
		a.commit()
		return nil
	})
}

// forwardBody returns raw with its model member set to model (left alone
// when model is empty) and the members in set replaced.
func forwardBody(raw []byte, model string, set map[string][]byte) ([]byte, error) {
	all := make(map[string][]byte, len(set)+1)
	names := make([]string, 0, len(set)+1)
	if model != "" {
		all["model"] = appendJSONString(nil, model)
		names = append(names, "model")
	}
	for k, v := range set {
		all[k] = v
		names = append(names, k)
	}
	return setMembers(raw, names, all)
}

// requestBody returns the client's body, or v encoded when there is none
// (a Relay called directly from Go).
func requestBody(raw json.RawMessage, v any) ([]byte, error) {
	if len(raw) > 0 {
		return raw, nil
	}
	return json.Marshal(v)
}
