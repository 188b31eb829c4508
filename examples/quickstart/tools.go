package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/oaicompat/oaicompat"
	"github.com/oaicompat/oaicompat/internal/schemagen"
)

// The demo's tool use, without a model: under tool_choice "auto" it calls
// the tool whose name, description and parameter names share words with
// the user's message ("What's the weather in Paris?" calls get_weather),
// with arguments read from the message where the parameters' schema
// allows (city "Paris") and generated elsewhere; once the tool results
// are back, it answers with them.

// stopwords are words that say nothing about which tool to call: function
// words, and the verbs every tool name starts with.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but if of in on at to for from by with about into over
		is are was were be been am do does did has have had will would can could should may might must shall
		i me my you your we our it its this that these those there here what whats which who whom whose
		when where why how please tell show give let lets want need like just also some any all
		get gets set sets fetch fetches retrieve retrieves return returns call calls use uses using find finds
		tool function current given specified provided specific value values data info information result results`) {
		stopwords[w] = true
	}
}

// stem folds a word for matching: lower case, without a plural or
// possessive s.
func stem(w string) string {
	w = strings.ToLower(w)
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		w = w[:len(w)-1]
	}
	return w
}

// contentWords returns the set of stemmed words of text worth matching.
func contentWords(text string) map[string]bool {
	set := map[string]bool{}
	for _, w := range schemagen.Words(text) {
		if w = stem(w); len(w) > 2 && !stopwords[w] {
			set[w] = true
		}
	}
	return set
}

// toolScore is how well fn's purpose matches the message's words: 3 per
// word of its name, 1 per word of its description or parameter names.
func toolScore(fn *oaicompat.FunctionDefinition, message map[string]bool) int {
	score := 0
	for w := range contentWords(fn.Name) {
		if message[w] {
			score += 3
		}
	}
	other := contentWords(fn.Description)
	for _, p := range parameterNames(fn.Parameters) {
		for w := range contentWords(p) {
			other[w] = true
		}
	}
	for w := range other {
		if message[w] {
			score++
		}
	}
	return score
}

// parameterNames returns the names of a parameters schema's properties.
func parameterNames(params json.RawMessage) []string {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(params, &s)
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// minToolScore is the score a tool needs to be called under "auto": one
// word of its name, or two of its description and parameters.
const minToolScore = 2

// chosenTool returns the function to call for req, or nil to answer in
// text: the forced one under tool_choice "required" or {"type":"function"},
// none under "none" or once the last message is a tool result, else the
// best match for the user's message.
func chosenTool(req *oaicompat.ChatRequest) *oaicompat.FunctionDefinition {
	if len(req.Messages) == 0 || req.Messages[len(req.Messages)-1].Role == oaicompat.RoleTool {
		return nil
	}
	tc := req.ToolChoice
	if tc != nil && (tc.Mode == oaicompat.ToolChoiceRequired || tc.Type == "function") {
		for _, t := range req.Tools {
			if t.Function != nil && (tc.Name == "" || t.Function.Name == tc.Name) {
				return t.Function
			}
		}
		return nil
	}
	if tc != nil && tc.Mode == oaicompat.ToolChoiceNone {
		return nil
	}
	message := contentWords(req.LastUserMessage())
	var best *oaicompat.FunctionDefinition
	bestScore := minToolScore - 1
	for _, t := range req.Tools {
		if t.Function == nil {
			continue
		}
		if s := toolScore(t.Function, message); s > bestScore {
			best, bestScore = t.Function, s
		}
	}
	return best
}

// toolArguments returns arguments for fn valid against its parameters,
// with values read from the user's message where they fit.
func toolArguments(fn *oaicompat.FunctionDefinition, message string) string {
	b, _ := json.Marshal(schemagen.GenerateWith(fn.Parameters, messageHints(message)))
	return string(b)
}

var (
	emailPattern  = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)
	urlPattern    = regexp.MustCompile(`https?://[^\s"'<>]+`)
	datePattern   = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
	numberPattern = regexp.MustCompile(`-?\d+(\.\d+)?`)
)

// messageHints reads property values from a user's message: places
// (capitalised words after "in", "from", "to"...), enum values the
// message names, numbers next to a property's name ("3 days"), emails,
// URLs, dates, the subject of the message for a query, "name: value" or
// "name is value", and else its first proper noun.
func messageHints(message string) schemagen.Hint {
	words := strings.FieldsFunc(message, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.' && r != '\''
	})
	for i, w := range words {
		words[i] = strings.Trim(w, ".'-")
	}
	return func(name string, s map[string]any) (any, bool) {
		parts := schemagen.Words(name)
		has := func(ws ...string) bool {
			for _, p := range parts {
				for _, w := range ws {
					if p == w {
						return true
					}
				}
			}
			return false
		}
		if enum, ok := s["enum"].([]any); ok {
			return enumIn(enum, words)
		}
		typ, _ := s["type"].(string)
		if list, ok := s["type"].([]any); ok && len(list) > 0 {
			typ, _ = list[0].(string)
		}
		switch typ {
		case "integer", "number":
			return numberNear(parts, words)
		case "string":
		default:
			return nil, false
		}
		format, _ := s["format"].(string)
		switch {
		case format == "email" || has("email", "mail"):
			return emailPattern.FindString(message), emailPattern.MatchString(message)
		case format == "uri" || format == "url" || has("url", "link", "website"):
			return urlPattern.FindString(message), urlPattern.MatchString(message)
		case format == "date" || has("date"):
			return datePattern.FindString(message), datePattern.MatchString(message)
		case has("from", "origin", "departure", "source"):
			return placeAfter(words, "from")
		case has("to", "destination", "arrival", "target"):
			return placeAfter(words, "to", "for")
		case has("city", "town", "location", "place", "country", "region", "where", "address"):
			return placeAfter(words, "in", "at", "for", "near", "of", "to", "from")
		case has("query", "q", "search", "question", "prompt", "input", "text", "topic"):
			return subject(message), true
		}
		if v, ok := valueAfterName(parts, words); ok {
			return v, true
		}
		if isProse(parts) || has("name", "person", "author", "user", "customer", "owner", "first", "last", "surname") {
			return nil, false // a sentence, or someone's name: not the message's place
		}
		// Another string a tool needs is likely the message's proper noun:
		// a restaurant "at Chez Marcel", a stock symbol "of ACME".
		return capitalised(words, 1)
	}
}

// proseWords name properties that hold sentences, not a name.
var proseWords = map[string]bool{"summary": true, "description": true, "text": true, "content": true, "body": true,
	"message": true, "comment": true, "note": true, "notes": true, "reason": true, "answer": true, "explanation": true,
	"details": true, "reply": true, "response": true, "title": true}

// isProse reports whether a property name's last word is a prose word.
func isProse(parts []string) bool { return len(parts) > 0 && proseWords[parts[len(parts)-1]] }

// enumIn returns the enum value the message names, if any.
func enumIn(enum []any, words []string) (any, bool) {
	for _, e := range enum {
		s, ok := e.(string)
		if !ok {
			continue
		}
		for _, w := range words {
			if strings.EqualFold(w, s) || (len(s) > 1 && stem(w) == stem(s)) {
				return e, true
			}
		}
	}
	return nil, false
}

// numberNear returns the number next to a word of the property's name
// ("3 days", "days: 3"), or the message's only number.
func numberNear(parts, words []string) (any, bool) {
	var numbers []int
	for i, w := range words {
		if numberPattern.MatchString(w) && numberPattern.FindString(w) == w {
			numbers = append(numbers, i)
		}
	}
	for _, i := range numbers {
		for _, j := range []int{i + 1, i - 1} {
			if j >= 0 && j < len(words) {
				for _, p := range parts {
					if len(p) > 1 && stem(words[j]) == stem(p) {
						return parseNumber(words[i])
					}
				}
			}
		}
	}
	if len(numbers) == 1 {
		return parseNumber(words[numbers[0]])
	}
	return nil, false
}

func parseNumber(s string) (any, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// placeAfter returns the capitalised words after one of the prepositions
// ("in New York" gives "New York"), else the first capitalised words that
// do not start the message.
func placeAfter(words []string, preps ...string) (any, bool) {
	for i, w := range words {
		for _, p := range preps {
			if strings.EqualFold(w, p) && i+1 < len(words) {
				if v := capitalisedRun(words, i+1); v != "" {
					return v, true
				}
			}
		}
	}
	return capitalised(words, 1)
}

// capitalised returns the first run of capitalised words at or after from.
func capitalised(words []string, from int) (any, bool) {
	for i := from; i < len(words); i++ {
		if v := capitalisedRun(words, i); v != "" {
			return v, true
		}
	}
	return nil, false
}

// capitalisedRun returns the capitalised words starting at i, joined.
func capitalisedRun(words []string, i int) string {
	var run []string
	for ; i < len(words); i++ {
		r := []rune(words[i])
		if len(r) == 0 || !unicode.IsUpper(r[0]) || stopwords[strings.ToLower(words[i])] {
			break
		}
		run = append(run, words[i])
	}
	return strings.Join(run, " ")
}

// subject is what a message asks about: the text after its last "for" or
// "about" ("Search the web for Go generics" gives "Go generics"), else
// the whole message.
func subject(message string) string {
	s := strings.TrimSpace(message)
	lower := strings.ToLower(s)
	for _, marker := range []string{" about ", " for "} {
		if i := strings.LastIndex(lower, marker); i >= 0 && i+len(marker) < len(s) {
			s = s[i+len(marker):]
			break
		}
	}
	return strings.TrimRight(s, "?.! ")
}

// valueAfterName returns the word after the property's name in the
// message: "color: red", "color is red", "color red".
func valueAfterName(parts, words []string) (any, bool) {
	if len(parts) == 0 {
		return nil, false
	}
	last := parts[len(parts)-1]
	for i, w := range words {
		if stem(w) != stem(last) || len(last) < 3 {
			continue
		}
		j := i + 1
		if j < len(words) && (strings.EqualFold(words[j], "is") || words[j] == "=") {
			j++
		}
		if j < len(words) && !stopwords[strings.ToLower(words[j])] {
			return words[j], true
		}
	}
	return nil, false
}

// toolAnswer answers with the results of the tool calls since the last
// user message: "get_weather for Paris: temperature 22, condition sunny."
func toolAnswer(req *oaicompat.ChatRequest) string {
	calls := map[string]oaicompat.ToolCall{}
	var parts []string
	for i := len(req.Messages) - 1; i >= 0 && req.Messages[i].Role != oaicompat.RoleUser; i-- {
		for _, c := range req.Messages[i].ToolCalls {
			calls[c.ID] = c
		}
	}
	for _, m := range req.Messages {
		if m.Role != oaicompat.RoleTool {
			continue
		}
		call, known := calls[m.ToolCallID]
		if !known {
			continue
		}
		what := call.Function.Name
		if about := firstStringArgument(call.Function.Arguments); about != "" {
			what += " for " + about
		}
		parts = append(parts, what+": "+describeResult(m.Content.Text()))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Here is what I found. " + strings.Join(parts, " ")
}

// firstStringArgument returns the first string argument, by name.
func firstStringArgument(args string) string {
	var m map[string]any
	_ = json.Unmarshal([]byte(args), &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// describeResult renders a tool result as prose: a JSON object's fields
// as "key value" pairs in order, anything else as it is.
func describeResult(result string) string {
	result = strings.TrimSpace(result)
	dec := json.NewDecoder(strings.NewReader(result))
	dec.UseNumber()
	if tok, err := dec.Token(); err == nil && tok == json.Delim('{') {
		var pairs []string
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				break
			}
			var v any
			if dec.Decode(&v) != nil {
				break
			}
			text := fmt.Sprint(v)
			if b, err := json.Marshal(v); err == nil && (strings.HasPrefix(string(b), "{") || strings.HasPrefix(string(b), "[")) {
				text = string(b)
			}
			pairs = append(pairs, fmt.Sprintf("%s %s", strings.Join(schemagen.Words(key.(string)), " "), text))
		}
		if len(pairs) > 0 {
			return strings.Join(pairs, ", ") + "."
		}
	}
	if !strings.HasSuffix(result, ".") {
		result += "."
	}
	return result
}

// resultHints proposes the fields of the JSON tool results since the last
// user message, by name, for a structured answer built from them.
func resultHints(req *oaicompat.ChatRequest) map[string]any {
	fields := map[string]any{}
	for i := len(req.Messages) - 1; i >= 0 && req.Messages[i].Role != oaicompat.RoleUser; i-- {
		if req.Messages[i].Role != oaicompat.RoleTool {
			continue
		}
		var obj map[string]any
		if json.Unmarshal([]byte(req.Messages[i].Content.Text()), &obj) == nil {
			for k, v := range obj {
				if _, set := fields[k]; !set {
					fields[k] = v
				}
			}
		}
	}
	return fields
}
