// Command gin shows an existing gin application gaining the OpenAI API at
// /llm/v1 beside its own routes: gin.WrapH mounts the oaicompat.Handler, which
// routes by the full path, on a catch-all route:
//
//	go run ./examples/routers/gin
//	curl localhost:8080/llm/v1/chat/completions \
//	  -d '{"model":"any","messages":[{"role":"user","content":"hi"}]}'
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/oaicompat/oaicompat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	srv := oaicompat.NewServer(*addr, newApp(reply))
	log.Printf("OpenAI API at http://%s/llm/v1", *addr)
	log.Fatal(srv.ListenAndServe())
}

// existingApp stands for the application as it was before the OpenAI API.
func existingApp() *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "welcome to the shop") })
	r.GET("/products/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	return r
}

// newApp adds the OpenAI API at /llm/v1 on a gin group: one catch-all
// route. The handler finds its prefix in the request path, so the group's
// prefix is not repeated in an option.
func newApp(backend oaicompat.Backend) *gin.Engine {
	r := existingApp()
	llm := r.Group("/llm/v1")
	llm.Any("/*path", gin.WrapH(oaicompat.NewHandler(backend)))
	return r
}

// reply is the example's backend.
var reply = oaicompat.ChatFunc(func(_ context.Context, req *oaicompat.ChatRequest, w *oaicompat.ChatWriter) error {
	return w.WriteText("gin says: " + req.LastUserMessage())
})
