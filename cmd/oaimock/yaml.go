package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// toJSON returns a scenario or tape document as JSON: JSON as it is, YAML
// converted value by value (YAML is oaimock's convenience; the oaitest
// package reads only JSON, so that its users do not pay for a YAML
// decoder). Anchors, aliases and merge keys are resolved; mapping keys
// must be strings; an error names the YAML line.
func toJSON(data []byte) ([]byte, error) {
	if json.Valid(data) {
		return data, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 { // empty, or only comments
		return []byte("{}"), nil
	}
	e := &encoder{}
	if err := e.encode(doc.Content[0], 0); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// Limits on a converted document: aliases are expanded, so a small
// "billion laughs" document would otherwise grow without end.
const (
	maxYAMLDepth = 64
	maxAliases   = 10000 // alias expansions, nested ones included
	maxJSONSize  = 16 << 20
)

type encoder struct {
	buf     bytes.Buffer
	aliases int
}

func (e *encoder) encode(n *yaml.Node, depth int) error {
	buf := &e.buf
	if depth > maxYAMLDepth {
		return fmt.Errorf("line %d: nested more than %d levels deep", n.Line, maxYAMLDepth)
	}
	if buf.Len() > maxJSONSize {
		return fmt.Errorf("line %d: the document expands to more than %d MiB", n.Line, maxJSONSize>>20)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if e.aliases++; e.aliases > maxAliases {
			return fmt.Errorf("line %d: more than %d aliases to expand", n.Line, maxAliases)
		}
		return e.encode(n.Alias, depth+1)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.encode(item, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.MappingNode:
		pairs, err := mappingPairs(n, depth)
		if err != nil {
			return err
		}
		buf.WriteByte('{')
		for i, p := range pairs {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(p[0].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := e.encode(p[1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.ScalarNode:
		b, err := scalarJSON(n)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.Write(b)
		return nil
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// mappingPairs returns a mapping's key/value pairs in order, with merge
// keys (<<: *anchor) expanded; a key set explicitly wins over a merged
// one, and a key set twice is an error.
func mappingPairs(n *yaml.Node, depth int) ([][2]*yaml.Node, error) {
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, src := range srcs {
				for src.Kind == yaml.AliasNode {
					src = src.Alias
				}
				if src.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("line %d: a merge key takes a mapping", k.Line)
				}
				if depth > maxYAMLDepth {
					return nil, fmt.Errorf("line %d: nested more than %d levels deep", k.Line, maxYAMLDepth)
				}
				pairs, err := mappingPairs(src, depth+1)
				if err != nil {
					return nil, err
				}
				merged = append(merged, pairs...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!int" && k.Tag != "!!bool" && k.Tag != "!!float") {
			return nil, fmt.Errorf("line %d: a mapping key must be a plain string", k.Line)
		}
		if seen[k.Value] {
			return nil, fmt.Errorf("line %d: key %q is set twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		own = append(own, [2]*yaml.Node{k, v})
	}
	for _, p := range merged {
		if !seen[p[0].Value] {
			seen[p[0].Value] = true
			own = append(own, p)
		}
	}
	return own, nil
}

// scalarJSON encodes a scalar by its resolved YAML tag: null, booleans and
// numbers as such, everything else (timestamps too) as a string.
func scalarJSON(n *yaml.Node) ([]byte, error) {
	switch n.Tag {
	case "!!null":
		return []byte("null"), nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return strconv.AppendBool(nil, b), nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			var u uint64
			if n.Decode(&u) != nil {
				return nil, err
			}
			return strconv.AppendUint(nil, u, 10), nil
		}
		return strconv.AppendInt(nil, i, 10), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, errors.New(n.Value + " has no JSON form")
		}
		return json.Marshal(f)
	}
	return json.Marshal(n.Value)
}
