package oaicompat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
)

func TestResponderBypassesTranslation(t *testing.T) {
	be := &native{}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	ctx := context.Background()
	params := responses.ResponseNewParams{Model: "m1", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
		Tools: []responses.ToolUnionParam{{OfWebSearch: &responses.WebSearchToolParam{Type: responses.WebSearchToolTypeWebSearch}}}}
	resp, err := client.Responses.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != "resp_native" || resp.OutputText() != "native answer" || resp.Output[0].Type != "reasoning" {
		t.Errorf("response = %s", resp.RawJSON())
	}
	stream := client.Responses.NewStreaming(ctx, params)
	var seqs []int64
	var types []string
	for stream.Next() {
		seqs = append(seqs, stream.Current().SequenceNumber)
		types = append(types, stream.Current().Type)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 4 || seqs[0] != 0 || seqs[3] != 3 || types[3] != "response.completed" {
		t.Errorf("events %v %v", types, seqs)
	}
	if be.LastRequest() != nil {
		t.Error("the chat path ran")
	}
	if !strings.Contains(resp.RawJSON(), `"summary_text"`) {
		t.Errorf("reasoning item lost: %s", resp.RawJSON())
	}
}
