package main

import "testing"

// TestVercelAIConversationStored runs nodetest/aisdk_store.mjs against the
// demo: a three-turn conversation through the Vercel AI SDK's Responses
// provider with its default store:true, a tool call in the first turn, each
// later turn sending the earlier ones as response.messages, which the SDK
// turns into item_reference items. The references must resolve to what the
// demo answered, as the input items of the last response show.
func TestVercelAIConversationStored(t *testing.T) {
	srv, _ := startDemo(t)
	var r struct {
		Turns []struct {
			Text, Reasoning string
			Steps           int
			References      []string
			Stored          bool
		}
		InputItems []struct {
			ID, Type, Role string
			Content        []struct{ Text string }
			Summary        []struct{ Text string }
		}
	}
	runNode(t, "aisdk_store.mjs", "@ai-sdk/openai", srv.URL, &r)
	if len(r.Turns) != 3 {
		t.Fatalf("turns: %+v", r.Turns)
	}
	weather, think, sum := r.Turns[0], r.Turns[1], r.Turns[2]
	if weather.Steps != 2 || weather.Text != "Here is what I found. get_weather for Paris: city Paris, temperature 22, condition sunny." {
		t.Errorf("turn 1 (the tool call): %+v", weather)
	}
	if think.Text != "6*7 equals 42." || think.Reasoning == "" || len(think.References) != 1 {
		t.Errorf("turn 2: %+v", think)
	}
	if sum.Text != "2+3 equals 5." || len(sum.References) != 3 {
		t.Errorf("turn 3: %+v", sum)
	}
	for i, turn := range r.Turns {
		if !turn.Stored {
			t.Errorf("turn %d asked for store:false", i+1)
		}
	}
	// What each reference of the last turn resolved to: turn 1's answer,
	// turn 2's reasoning and turn 2's answer.
	want := []struct{ typ, text string }{{"message", weather.Text}, {"reasoning", think.Reasoning}, {"message", think.Text}}
	for i, id := range sum.References {
		found := false
		for _, it := range r.InputItems {
			if it.ID != id {
				continue
			}
			found = true
			text := ""
			if it.Type == "reasoning" && len(it.Summary) == 1 {
				text = it.Summary[0].Text
			} else if it.Type == "message" && it.Role == "assistant" && len(it.Content) == 1 {
				text = it.Content[0].Text
			}
			if it.Type != want[i].typ || text != want[i].text {
				t.Errorf("reference %s resolved to %+v, want a %s %q", id, it, want[i].typ, want[i].text)
			}
		}
		if !found {
			t.Errorf("reference %s is not among the last response's input items %+v", id, r.InputItems)
		}
	}
	if len(r.InputItems) != 6 {
		t.Errorf("the last response has %d input items, want 6 (three questions, three references)", len(r.InputItems))
	}
}
