package oaicompat

import (
	"net/http"
	"time"
)

// NewServer returns an [http.Server] for h at addr with timeouts that suit
// an API whose answers may stream for minutes: headers must arrive within
// 10 seconds (ReadHeaderTimeout), an idle keep-alive connection is closed
// after 2 minutes (IdleTimeout), and headers are bounded to 1 MiB. It sets
// no ReadTimeout or WriteTimeout, which would cut long streams: a
// [Handler] bounds reading each body ([WithReadTimeout]) and each write of
// a stream ([WithWriteTimeout]) itself. Change the fields before serving
// to tune them:
//
//	srv := oaicompat.NewServer("127.0.0.1:8080", oaicompat.NewHandler(backend))
//	log.Fatal(srv.ListenAndServe())
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
	}
}
