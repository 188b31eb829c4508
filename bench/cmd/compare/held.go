package main

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// openHeld opens one stream that the server holds open after its first
// event, over a raw connection, and returns once that event arrived.
func openHeld(s *server) (net.Conn, error) {
	u, err := url.Parse(s.url)
	if err != nil {
		return nil, err
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	body := requestBody(true, holdModel)
	req := fmt.Sprintf("POST %s?hold HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s",
		u.Path, u.Host, apiKey, len(body), body)
	if _, err := conn.Write([]byte(req)); err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if i := bytes.Index(buf, []byte("\r\n\r\n")); i >= 0 {
			if !bytes.HasPrefix(buf, []byte("HTTP/1.1 200")) {
				conn.Close()
				return nil, fmt.Errorf("%s: %s", s.kind, buf)
			}
			if bytes.Contains(buf[i+4:], []byte("\n\n")) {
				_ = conn.SetReadDeadline(time.Time{})
				return conn, nil
			}
		}
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s: %v after %q", s.kind, err, buf)
		}
	}
}

// heldStreams opens cfg.held streams to each server and reports the growth
// of its RSS and goroutines per stream.
func heldStreams(cfg config, servers []*server) error {
	fmt.Printf("\n%d held streams (one event sent, then the backend waits for the client):\n", cfg.held)
	fmt.Printf("%-10s %9s %11s %16s %10s %12s %8s\n", "server", "RSS MiB", "KiB/stream", "goroutines/stream", "heap KiB/s", "stack KiB/s", "open s")
	for _, s := range servers {
		before, err := s.stats(true)
		if err != nil {
			return err
		}
		start := time.Now()
		conns := make([]net.Conn, cfg.held)
		errs := make(chan error, 1)
		var wg sync.WaitGroup
		next := make(chan int)
		for range 64 {
			wg.Go(func() {
				for i := range next {
					c, err := openHeld(s)
					if err != nil {
						select {
						case errs <- err:
						default:
						}
						continue
					}
					conns[i] = c
				}
			})
		}
		for i := range conns {
			next <- i
		}
		close(next)
		wg.Wait()
		opened := time.Since(start)
		after, serr := s.stats(true)
		if cfg.profile != "" && serr == nil {
			serr = s.save("heap?gc=1", filepath.Join(cfg.profile, "heap-held-"+s.kind+".pb.gz"))
		}
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		select {
		case err := <-errs:
			return err
		default:
		}
		if serr != nil {
			return serr
		}
		n := float64(cfg.held)
		fmt.Printf("%-10s %9.1f %11.1f %16.2f %10.1f %12.1f %8.1f\n", s.kind, float64(after.RSSKiB-before.RSSKiB)/1024,
			float64(after.RSSKiB-before.RSSKiB)/n, float64(after.Goroutines-before.Goroutines)/n,
			float64(after.HeapKiB-before.HeapKiB)/n, float64(after.StackKiB-before.StackKiB)/n, opened.Seconds())
		// Let the server wind the streams down before the next one.
		for range 200 {
			st, err := s.stats(false)
			if err == nil && st.Goroutines <= before.Goroutines+2 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// abortLatency opens a held stream, closes the connection and reads when
// the server saw the request's context canceled.
func abortLatency(cfg config, servers []*server) error {
	fmt.Printf("\nclient abort → backend context canceled (%d aborts each):\n", cfg.aborts)
	for _, s := range servers {
		var lat []float64
		for range cfg.aborts {
			conn, err := openHeld(s)
			if err != nil {
				return err
			}
			t0 := time.Now().UnixNano()
			conn.Close()
			deadline := time.Now().Add(5 * time.Second)
			for {
				st, err := s.stats(false)
				if err != nil {
					return err
				}
				if st.CancelNano >= t0 {
					lat = append(lat, float64(st.CancelNano-t0)/1e3)
					break
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("%s: no cancel 5 s after the abort", s.kind)
				}
				time.Sleep(time.Millisecond)
			}
		}
		slices.Sort(lat)
		fmt.Printf("%-10s median %.0f µs, max %.0f µs\n", s.kind, median(lat), lat[len(lat)-1])
	}
	return nil
}
