package oaicompat

import "github.com/oaicompat/oaicompat/responses"

// responseUsage converts a chat [Usage] to the Responses naming.
func responseUsage(u Usage) *responses.Usage {
	r := &responses.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	if r.TotalTokens == 0 {
		r.TotalTokens = r.InputTokens + r.OutputTokens
	}
	if d := u.PromptTokensDetails; d != nil {
		r.InputTokensDetails.CachedTokens = d.CachedTokens
	}
	if d := u.CompletionTokensDetails; d != nil {
		r.OutputTokensDetails.ReasoningTokens = d.ReasoningTokens
	}
	return r
}

// chatUsage converts back, for [CallInfo].
func chatUsage(u *responses.Usage) Usage {
	if u == nil {
		return Usage{}
	}
	return Usage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.TotalTokens}
}
