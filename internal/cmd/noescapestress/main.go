// Command noescapestress stresses goccy/go-json's NoEscape variants the way
// the handler would use them: concurrent decodes of a 1 KB chat request
// into a stack value and encodes of it back, with stack growth between
// calls and frequent GCs. The handler uses the safe variants; this is the
// evidence for keeping or leaving them:
//
//	go run ./internal/cmd/noescapestress 40s
//
// With goccy/go-json v0.10.5 it crashed within 20 s ("unexpected fault
// address"); with v0.12.0 it ran 3 × 40 s (4.5 million operations) clean.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/oaicompat/oaicompat"
)

var body = []byte(`{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant that answers questions about the weather and travel."},{"role":"user","content":"What is the weather like in Paris in spring?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_abc123","content":"{\"avg_high_c\":16}"},{"role":"user","content":[{"type":"text","text":"Also, is it crowded?"}]}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],"tool_choice":"auto","temperature":0.7,"max_completion_tokens":512,"stream":true,"stream_options":{"include_usage":true},"user":"u"}`)

func grow(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return grow(n-1) + int(pad[n%256])
}

func main() {
	d := 10 * time.Second
	if len(os.Args) > 1 {
		var err error
		if d, err = time.ParseDuration(os.Args[1]); err != nil {
			panic(err)
		}
	}
	var ops atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for g := 0; g < 4*runtime.GOMAXPROCS(0); g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				var req oaicompat.ChatRequest
				if err := gojson.UnmarshalNoEscape(body, &req); err != nil {
					panic(err)
				}
				_ = grow(i % 200) // move the stack
				out, err := gojson.MarshalNoEscape(req)
				if err != nil || len(out) < 100 {
					panic(fmt.Sprint(err, len(out)))
				}
				if req.Model != "gpt-4o-mini" || len(req.Messages) != 5 {
					panic("corrupt decode")
				}
				ops.Add(1)
				if i%1000 == 0 {
					runtime.GC()
				}
			}
		}(g)
	}
	wg.Wait()
	fmt.Println("ok", ops.Load())
}
