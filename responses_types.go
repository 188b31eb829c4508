package oaicompat

import "github.com/oaicompat/oaicompat/responses"

func responsesMaxOutput(r *responses.Request) int {
	if r.MaxOutputTokens == nil {
		return 0
	}
	return *r.MaxOutputTokens
}
