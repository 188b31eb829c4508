// Package anthropic holds the wire types of the Anthropic Messages API
// (POST /v1/messages and POST /v1/messages/count_tokens): the request and
// its content blocks, tools, tool_choice, thinking configuration and
// metadata; the Message a request is answered with and its usage; the
// events of a stream; and the error envelope.
//
// It is a leaf: it imports only the standard library and goccy/go-json.
// The handler that serves these types from an oaicompat Backend lives in
// package oaicompat (see [github.com/oaicompat/oaicompat.MessageCreator] for backends that speak
// Messages themselves).
//
// The types keep what they do not model: a request's unknown top-level
// fields land in [Request.Extra], and every content block and tool keeps
// the bytes it was decoded from ([ContentBlock.Raw], [Tool.Raw]), so that
// block types this package does not know (server tool results, blocks
// added after this package was written) and members it does not model
// (cache_control on an image, citations on a document) reach a backend and
// are written back byte for byte.
package anthropic
