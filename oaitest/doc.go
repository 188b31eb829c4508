// Package oaitest is a mock of the OpenAI HTTP API for integration tests of
// code that calls an LLM through an OpenAI SDK (openai-go, go-openai, the
// Python or Node SDKs, anything that takes a base URL).
//
// The mock is an oaicompat Backend behind oaicompat.NewHandler, so what it
// sends is byte for byte what the production handler sends: the same
// chat.completion objects, the same SSE chunks (role chunk, content and
// tool-call deltas, finish chunk, usage chunk, [DONE]), the same error
// envelope. Rules choose a reply; the reply is written through the same
// *oaicompat.ChatWriter a real backend uses.
//
//	func TestSummarize(t *testing.T) {
//		t.Parallel()
//		mock := oaitest.NewServer(t) // loopback server, closed by t.Cleanup
//		mock.On(oaitest.Chat().LastUser(oaitest.Contains("summarize"))).
//			Reply(oaitest.Text("A short summary."))
//		client := openai.NewClient(option.WithBaseURL(mock.URL()), option.WithAPIKey("test"))
//		// ... run the code under test with client ...
//	}
//
// What the package offers, file by file:
//
//   - mock.go: NewServer (a test server per test) and New (the engine alone,
//     an http.Handler, used by cmd/oaimock); the Options are in option.go.
//   - match.go, rule.go: Match conditions (model, endpoint, last user
//     message, any message, tools, tool results, turn index, headers,
//     predicates) and Rules with cardinality (Once, Times, AnyTimes) and
//     ordered Scripts. Chat rules also answer the Responses API, legacy
//     completions and the Anthropic Messages API (its clients take RootURL
//     as their base URL), which the handler translates into chat requests;
//     Match.API tells them apart. Unmatched requests and unmet rules fail the test with
//     a near-miss message naming the closest rule and what differed.
//   - reply.go: Replies: text, refusal, reasoning, stop sequences, parallel tool calls, structured
//     JSON, generated values for json_schema and forced tool calls
//     (schema.go), HTTP errors with the headers the SDKs read, embeddings,
//     images, model lists, any Backend; finish reason and usage.
//   - pacing.go, clock.go: time to first token, per-token delay or tokens
//     per second with seeded jitter, on an injectable Clock (FakeClock makes
//     paced tests take no real time).
//   - wire.go: faults below the handler: SSE events split across writes at
//     random byte boundaries, disconnects after N events, a malformed chunk,
//     a missing [DONE].
//   - strict.go: the checks the spec cannot express (tool results answer
//     earlier tool calls, strict schemas, unknown fields); a violation is
//     answered with a 400 in OpenAI's shape and fails the test.
//   - journal.go, assert.go: every request with its decoded form, attempt
//     number, time and answering rule, and assertions on client behaviour
//     (retries, back-off, roles, tool results, parameters).
//   - quota.go: request and token quotas answering 429 with x-ratelimit-*.
//   - tape.go, recorder.go: record traffic from a real upstream into a
//     readable tape (SSE frames with their timing, secrets scrubbed) and
//     replay it at recorded, scaled or zero speed.
//   - scenario.go: the YAML scenario format of cmd/oaimock, usable from Go.
//
// A Mock has no global state; every NewServer is independent and safe under
// t.Parallel and -race.
package oaitest
