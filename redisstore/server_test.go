package redisstore_test

import (
	"context"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oaicompat/oaicompat/internal/testenv"
)

// redisServer is a throw-away redis-server (no persistence) on a loopback
// port, which a test may kill, restart (empty, on the same port), freeze
// (SIGSTOP) and resume; it is stopped when the test ends.
type redisServer struct {
	t    testing.TB
	bin  string
	addr string
	dir  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// startRedis starts a redis-server and waits until it answers.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	bin := testenv.LookPath(t, "redis-server", "apt-get install -y redis-server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &redisServer{t: t, bin: bin, addr: addr, dir: t.TempDir()}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// client returns a go-redis client of the server as the package
// documentation asks for one: deadlines honoured, no retries.
func (s *redisServer) client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr, ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, PoolTimeout: time.Second})
	s.t.Cleanup(func() { c.Close() })
	return c
}

func (s *redisServer) start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command(s.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	probe := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer probe.Close()
	for start := time.Now(); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := probe.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		select {
		case <-exited:
			s.t.Fatalf("redis-server on %s exited", s.addr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(start) > 20*time.Second {
			s.t.Fatalf("redis-server on %s does not answer: %v", s.addr, err)
		}
	}
}

// kill kills the server and waits until it is gone.
func (s *redisServer) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// restart starts the server again, empty, on the same port.
func (s *redisServer) restart() { s.start() }

// freeze stops the process: connections stay open, nothing is answered.
func (s *redisServer) freeze() { s.signal(syscall.SIGSTOP) }

// resume continues a frozen server.
func (s *redisServer) resume() { s.signal(syscall.SIGCONT) }

func (s *redisServer) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
}

// stop resumes the process if frozen and kills it.
func (s *redisServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT)
	_ = s.cmd.Process.Kill()
	<-s.exited
}
