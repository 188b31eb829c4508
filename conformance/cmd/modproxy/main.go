// Command modproxy writes a file-based Go module proxy serving the
// repository's modules at one version (see package modproxy):
//
//	go run ./conformance/cmd/modproxy -root . -version v0.1.0 -out /tmp/proxy
//	GOPROXY=file:///tmp/proxy,$(go env GOPROXY) GONOSUMDB=github.com/oaicompat go mod tidy
package main

import (
	"flag"
	"log"

	"github.com/oaicompat/oaicompat/conformance/modproxy"
)

func main() {
	root := flag.String("root", ".", "the repository's top directory")
	version := flag.String("version", "v0.1.0", "the version every module is served at")
	out := flag.String("out", "", "the proxy directory to write (required)")
	flag.Parse()
	if *out == "" {
		log.Fatal("modproxy: -out is required")
	}
	mods, err := modproxy.Modules(*root)
	if err != nil {
		log.Fatal(err)
	}
	if err := modproxy.Write(*out, *version, mods); err != nil {
		log.Fatal(err)
	}
}
