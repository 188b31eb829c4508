// Package oaicompat lets any Go program speak the OpenAI HTTP API.
//
// Implement a [Backend] (one method, Chat) and [NewHandler] turns it into an
// http.Handler that the official OpenAI SDKs, and every tool built on them,
// talk to by changing one base URL:
//
//	type echo struct{}
//
//	func (echo) Chat(ctx context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
//		return w.WriteText("You said: " + req.LastUserMessage())
//	}
//
//	http.Handle("/v1/", oaicompat.NewHandler(echo{}))
//
// The library owns everything protocol-shaped: decoding (unions typed,
// unknown fields kept in Extra), one shared validator whose errors carry the
// OpenAI error object and param path, response encoding, the SSE stream
// (chunk framing, role on the first delta, tool-call fragments with index,
// finish chunks, the optional usage chunk, data: [DONE], keep-alives,
// flushing, client disconnects), model listing and errors.
//
// # The spine: backends write deltas, sinks decide the wire shape
//
// A [Backend] never builds JSON. It writes deltas (text, refusal, tool-call
// fragments, finish reason, usage, logprobs) to a [ChatWriter]. Behind the
// writer a sink decides the wire shape: one chat.completion for stream:false,
// chat.completion.chunk events for stream:true. The same Chat method serves
// both, and n>1 by calling it once per choice (or once in all, for a
// [MultiChoice] backend).
//
// # Optional capabilities
//
// Embeddings, images and model listing are optional interfaces ([Embedder],
// [ImageGenerator], [ModelLister]) discovered by type assertion, as net/http
// discovers http.Flusher. An endpoint whose capability the backend lacks
// answers 404 in the OpenAI envelope (not 501: the SDKs retry every 5xx).
//
// # Other dialects from the same Backend
//
// The chat Backend also answers POST /v1/responses (the Responses API,
// translated onto Chat; stored for previous_response_id, item_reference and
// GET/DELETE /v1/responses/{id} by a responses.Store, in memory by default,
// each response private to its owner: see [WithResponseStore] and
// [WithOwner]),
// the legacy POST /v1/completions (each prompt a user message), and, with
// [WithAzure], Azure OpenAI's URL shapes; and the Anthropic Messages API
// (POST /v1/messages, wire types in package anthropic), whose answers,
// streams and errors (in Anthropic's envelope, [WriteErrorFor] for
// middleware) are the API's own, and whose count_tokens a [TokenCounter]
// answers. Each dialect is a request translator plus a sink of its own; a
// Backend that speaks the Responses API or Messages natively implements
// [Responder] or [MessageCreator], writes the dialect's events to an
// [EventWriter], and skips the translation.
//
// # Errors
//
// A Backend returns an *[Error] ([InvalidRequest], [ModelNotFound], [RateLimited],
// [ContextLengthExceeded], [ServerError], or an Error literal) to answer with that error;
// context.DeadlineExceeded becomes a 504 timeout, any other error a generic
// 500 server_error that reveals nothing (the cause is logged and kept in
// the [CallInfo]),
// and context.Canceled (the client left) writes nothing. Before the first
// stream event an error is an ordinary JSON response with its status; after
// it, an in-band data: {"error":...} event followed by data: [DONE].
// [WriteError] answers in the same envelope from middleware.
//
// # Typed tools and guaranteed structured outputs
//
// [FunctionTool], [ResponseFormatFor] and [TextFormatFor] turn Go structs into
// tools and response formats whose JSON Schemas follow OpenAI's strict mode
// ([SchemaFor]), and [Decode] turns arguments or replies back into the structs.
// Every request's schemas are checked (valid JSON Schema; OpenAI's
// strict-mode rules when strict is true) with OpenAI's 400 errors. Every
// answer is checked too, by a sink decorator: content must be the JSON a
// json_object or json_schema format asks for (validated when strict), a
// strict tool's arguments must match its parameters, calls must name an
// offered tool and respect tool_choice and parallel_tool_calls. A violation
// is answered as OpenAI answers invalid model output, a 500 model_error,
// never sent as a success; streams hold back what is still to be judged
// ([WithStreamCheckAtEnd] streams it at once and reports in-band).
// [WithOutputRepair] gives the backend a last chance; [WithoutOutputChecks]
// turns the checks off for backends that enforce their own grammar.
//
// # Deliberate choices
//
//   - Unknown request fields are accepted and kept (vendor extensions such as
//     top_k reach the backend); OpenAI itself rejects them.
//   - Field names match exactly; a key that differs from a known field only
//     in case is rejected as unrecognized, and a body that is not valid
//     UTF-8 is rejected, so that every JSON decoder agrees on the result.
//   - stream_options without stream:true is a 400, as at OpenAI.
//   - Image streaming (stream:true on images) is answered with a 400.
//
// See the examples directory for the quickstart server and mounting under
// other routers.
package oaicompat
