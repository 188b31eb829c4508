package oaicompat_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/middleware"
	oairesponses "github.com/oaicompat/oaicompat/responses"
)

// These tests drive the stored-response features (owners, item_reference)
// with the official openai-go client, behind middleware.Auth with two keys.

var twoKeys = middleware.StaticKeys(map[string]string{"key-a": "alice", "key-b": "bob"})

// twoKeyServer serves backend behind Auth with twoKeys and returns a client
// per key.
func twoKeyServer(t *testing.T, backend oaicompat.Backend, opts ...oaicompat.Option) (alice, bob *openai.Client) {
	t.Helper()
	srv := serve(t, middleware.Auth(twoKeys)(oaicompat.NewHandler(backend, opts...)))
	return goClient(srv.URL, option.WithAPIKey("key-a")), goClient(srv.URL, option.WithAPIKey("key-b"))
}

// apiError is what a client sees of a failed call, with the id it named
// replaced by ID, so that answers about two ids compare.
type apiError struct {
	Status                     int
	Type, Code, Param, Message string
}

func asAPIError(t *testing.T, err error, id string) apiError {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an API error, got %v", err)
	}
	return apiError{Status: e.StatusCode, Type: e.Type, Code: e.Code, Param: e.Param,
		Message: strings.ReplaceAll(e.Message, id, "ID")}
}

// TestStoredResponsesPrivateToOwner: with Auth holding key-a (alice) and
// key-b (bob), everything bob tries on alice's stored response answers
// exactly what an unknown id answers, and reaches no backend; alice's
// response stays whole.
func TestStoredResponsesPrivateToOwner(t *testing.T) {
	be := &dialectBackend{}
	alice, bob := twoKeyServer(t, be)
	ctx := context.Background()
	secret, err := alice.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("SECRET")}})
	if err != nil {
		t.Fatal(err)
	}
	outputID := secret.Output[0].ID
	calls := be.Count()

	unknownResp, unknownItem := "resp_"+strings.Repeat("x", len(secret.ID)-5), "msg_"+strings.Repeat("x", len(outputID)-4)
	for _, op := range []struct {
		name string
		call func(id string) error
		ids  [2]string // alice's id, an unknown id of the same shape
	}{
		{"GET", func(id string) error {
			_, err := bob.Responses.Get(ctx, id, responses.ResponseGetParams{})
			return err
		}, [2]string{secret.ID, unknownResp}},
		{"input_items", func(id string) error {
			_, err := bob.Responses.InputItems.List(ctx, id, responses.InputItemListParams{})
			return err
		}, [2]string{secret.ID, unknownResp}},
		{"DELETE", func(id string) error { return bob.Responses.Delete(ctx, id) }, [2]string{secret.ID, unknownResp}},
		{"previous_response_id", func(id string) error {
			_, err := bob.Responses.New(ctx, responses.ResponseNewParams{Model: "m", PreviousResponseID: openai.String(id),
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("what did I say?")}})
			return err
		}, [2]string{secret.ID, unknownResp}},
		{"item_reference", func(id string) error {
			_, err := bob.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
				Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
					responses.ResponseInputItemParamOfItemReference(id),
					responses.ResponseInputItemParamOfMessage("repeat that", responses.EasyInputMessageRoleUser)}}})
			return err
		}, [2]string{outputID, unknownItem}},
	} {
		t.Run(op.name, func(t *testing.T) {
			foreign := asAPIError(t, op.call(op.ids[0]), op.ids[0])
			unknown := asAPIError(t, op.call(op.ids[1]), op.ids[1])
			if foreign != unknown {
				t.Errorf("another owner's id answers %+v, an unknown id %+v", foreign, unknown)
			}
			if foreign.Status != 404 && op.name != "previous_response_id" || foreign.Type != "invalid_request_error" {
				t.Errorf("answer %+v", foreign)
			}
		})
	}
	if n := be.Count(); n != calls {
		t.Errorf("bob's attempts reached the backend %d times", n-calls)
	}

	// Alice's response is intact, and hers to chain on.
	got, err := alice.Responses.Get(ctx, secret.ID, responses.ResponseGetParams{})
	if err != nil || got.OutputText() != "You said: SECRET" {
		t.Fatalf("alice's GET after bob's DELETE: %v %q", err, got.OutputText())
	}
	items, err := alice.Responses.InputItems.List(ctx, secret.ID, responses.InputItemListParams{})
	if err != nil || len(items.Data) != 1 || !strings.Contains(items.Data[0].RawJSON(), `"text":"SECRET"`) {
		t.Fatalf("alice's input_items: %v %+v", err, items)
	}
	next, err := alice.Responses.New(ctx, responses.ResponseNewParams{Model: "m", PreviousResponseID: openai.String(secret.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("again")}})
	if err != nil || next.OutputText() != "You said: again" {
		t.Fatalf("alice chains: %v", err)
	}
	if m := be.LastRequest().Messages; len(m) != 3 || m[0].Content.Text() != "SECRET" || m[1].Content.Text() != "You said: SECRET" {
		t.Errorf("alice's chained conversation: %+v", m)
	}
	if err := alice.Responses.Delete(ctx, secret.ID); err != nil {
		t.Errorf("alice deletes her response: %v", err)
	}
}

// TestStoreFloodLeavesOtherOwners: bob stores many times what the store
// holds; alice's responses, within her share, stay.
func TestStoreFloodLeavesOtherOwners(t *testing.T) {
	store := oairesponses.NewMemoryStore(oairesponses.Limits{MaxBytes: 64 << 10, OwnerBytes: 16 << 10})
	alice, bob := twoKeyServer(t, &dialectBackend{}, oaicompat.WithResponseStore(store))
	ctx := context.Background()
	create := func(c *openai.Client, text string) string {
		t.Helper()
		r, err := c.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(text)}})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	var kept []string
	for i := range 3 {
		kept = append(kept, create(alice, fmt.Sprintf("alice's question %d", i)))
	}
	var flood []string
	for i := range 500 {
		flood = append(flood, create(bob, fmt.Sprintf("bob's flood %d %s", i, strings.Repeat("z", 200))))
	}
	for _, id := range kept {
		if _, err := alice.Responses.Get(ctx, id, responses.ResponseGetParams{}); err != nil {
			t.Errorf("alice's %s after the flood: %v", id, err)
		}
	}
	if _, err := bob.Responses.Get(ctx, flood[0], responses.ResponseGetParams{}); asAPIError(t, err, flood[0]).Status != 404 {
		t.Errorf("bob's oldest survived the flood")
	}
	if _, err := bob.Responses.Get(ctx, flood[len(flood)-1], responses.ResponseGetParams{}); err != nil {
		t.Errorf("bob's newest: %v", err)
	}
	if store.Bytes() > 64<<10 {
		t.Errorf("store holds %d bytes, bound %d", store.Bytes(), 64<<10)
	}
}

// TestItemReferenceWithOpenAIGo: input items of an earlier response (its
// input message, its output message, its function call, and the function
// call output of the turn after) are referenced by id, as the Vercel AI SDK
// does with store:true, and reach the backend as the items themselves.
func TestItemReferenceWithOpenAIGo(t *testing.T) {
	be := &dialectBackend{}
	srv := serveDialects(t, be)
	client := goClient(srv.URL)
	ctx := context.Background()
	ref := responses.ResponseInputItemParamOfItemReference
	user := func(s string) responses.ResponseInputItemUnionParam {
		return responses.ResponseInputItemParamOfMessage(s, responses.EasyInputMessageRoleUser)
	}
	result := func(callID, output string) responses.ResponseInputItemUnionParam {
		item := responses.ResponseInputItemParamOfFunctionCallOutput(output)
		item.OfFunctionCallOutput.CallID = openai.String(callID)
		return item
	}
	create := func(items ...responses.ResponseInputItemUnionParam) *responses.Response {
		t.Helper()
		r, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: items},
			Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "get_weather",
				Parameters: map[string]any{"type": "object"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Turn 1 calls the tool.
	first := create(user("weather in Paris?"))
	call := first.Output[0].AsFunctionCall()
	inputs, err := client.Responses.InputItems.List(ctx, first.ID, responses.InputItemListParams{})
	if err != nil {
		t.Fatal(err)
	}
	question := inputs.Data[0].ID

	// Turn 2 references the question and the call, and gives the result.
	second := create(ref(question), ref(call.ID), result(call.CallID, "22C"))
	if got := second.OutputText(); got != "The weather: 22C" {
		t.Fatalf("turn 2 answered %q", got)
	}
	m := be.LastRequest().Messages
	if len(m) != 3 || m[0].Content.Text() != "weather in Paris?" || len(m[1].ToolCalls) != 1 ||
		m[1].ToolCalls[0].ID != call.CallID || m[1].ToolCalls[0].Function.Name != "get_weather" || m[2].ToolCallID != call.CallID {
		t.Fatalf("turn 2 reached the backend as %+v", m)
	}
	inputs, err = client.Responses.InputItems.List(ctx, second.ID, responses.InputItemListParams{Order: responses.InputItemListParamsOrderAsc})
	if err != nil || len(inputs.Data) != 3 {
		t.Fatalf("turn 2 input items: %v %+v", err, inputs)
	}
	if inputs.Data[0].ID != question || inputs.Data[0].Type != "message" || inputs.Data[1].ID != call.ID ||
		inputs.Data[1].Type != "function_call" || inputs.Data[2].Type != "function_call_output" {
		t.Errorf("turn 2 input items list the referenced items themselves: %+v", inputs.Data)
	}
	resultID := inputs.Data[2].ID

	// Turn 3 references all of it, the answer of turn 2 included.
	create(ref(question), ref(call.ID), ref(resultID), ref(second.Output[0].ID), user("thanks"))
	m = be.LastRequest().Messages
	if len(m) != 5 || m[2].Content.Text() != "22C" || m[3].Role != "assistant" || m[3].Content.Text() != "The weather: 22C" ||
		m[4].Content.Text() != "thanks" {
		t.Fatalf("turn 3 reached the backend as %+v", m)
	}

	// An unknown id is OpenAI's 404, naming the input.
	_, err = client.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{ref("msg_nope"), user("x")}}})
	want := apiError{Status: 404, Type: "invalid_request_error", Param: "input",
		Message: "Item with id 'ID' not found. Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input."}
	if got := asAPIError(t, err, "msg_nope"); got != want {
		t.Errorf("unknown reference: %+v", got)
	}
}

// TestItemReferenceToReasoning: a reasoning output item referenced by id
// reaches a chat backend as the reasoning of the next assistant message.
func TestItemReferenceToReasoning(t *testing.T) {
	seen := make(chan *oaicompat.ChatRequest, 2)
	srv := serveDialects(t, oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
		seen <- req
		if err := w.WriteReasoning("thinking it over"); err != nil {
			return err
		}
		return w.WriteText("answer " + req.LastUserMessage())
	}))
	client := goClient(srv.URL)
	ctx := context.Background()
	first, err := client.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("one")}})
	if err != nil || len(first.Output) != 2 || first.Output[0].Type != "reasoning" {
		t.Fatalf("first: %v %+v", err, first)
	}
	<-seen
	_, err = client.Responses.New(ctx, responses.ResponseNewParams{Model: "m",
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfItemReference(first.Output[0].ID),
			responses.ResponseInputItemParamOfItemReference(first.Output[1].ID),
			responses.ResponseInputItemParamOfMessage("two", responses.EasyInputMessageRoleUser)}}})
	if err != nil {
		t.Fatal(err)
	}
	m := (<-seen).Messages
	if len(m) != 2 || m[0].Role != "assistant" || m[0].Reasoning == nil || *m[0].Reasoning != "thinking it over" ||
		m[0].Content.Text() != "answer one" {
		t.Errorf("backend saw %+v", m)
	}
}
