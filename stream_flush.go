package oaicompat

import (
	"sync"
	"time"
)

// The first flush of a stream writes the response's headers, and net/http
// does that in a 2.8 KiB frame (chunkWriter.writeHeader). Under the frames
// of a backend's write it would push the request goroutine past its 8 KiB
// stack; this file runs that one flush on a shared worker instead.

// flushFirst flushes the first event, and with it the headers, on a flush
// worker while the caller waits: the caller gets the flush's error, and a
// panic in it (echo's Flush panics on a failed write) is raised again on
// the caller's goroutine. Without it a held stream would keep 16 KiB of
// stack until a GC shrank it, and the process would keep the memory.
func (s *eventStream) flushFirst() error {
	s.flushed = true
	streams.opened()
	j := flushJob{s, flushResults.Get().(chan flushResult)}
	select {
	case flushJobs <- j:
	default:
		go flushWorker(j)
	}
	r := <-j.result
	flushResults.Put(j.result)
	if r.panicked {
		panic(r.panic)
	}
	return r.err
}

type flushResult struct {
	err      error
	panicked bool
	panic    any
}

// flushJob is a stream to flush and where its result goes.
type flushJob struct {
	s      *eventStream
	result chan flushResult
}

// flushJobs hands jobs to idle flush workers; flushResults holds the
// result channels, empty, between jobs (a held stream keeps none).
var (
	flushJobs    = make(chan flushJob)
	flushResults = sync.Pool{New: func() any { return make(chan flushResult, 1) }}
)

// flushWorkerIdle is how long a flush worker waits for work, while streams
// are open, before it ends.
const flushWorkerIdle = time.Second

// flushWorker runs first flushes, j's then others', until it has been idle
// for flushWorkerIdle or no stream that flushed is open. Workers are shared
// by every stream of the process and live on, so their stacks grow once: a
// goroutine per flush would start small, grow to 8 KiB and end, and the
// freed stacks, scattered among the held streams', would stay with the
// process. A program, or a test looking for leaked goroutines, that has
// closed its streams is left with no worker.
func flushWorker(j flushJob) {
	idle := time.NewTimer(flushWorkerIdle)
	defer idle.Stop()
	for {
		j.result <- j.s.flushRecovering()
		none := streams.none()
		if none == nil {
			return
		}
		idle.Reset(flushWorkerIdle)
		select {
		case j = <-flushJobs:
		case <-idle.C:
			return
		case <-none:
			return
		}
	}
}

// streams counts the open streams that flushed, for the flush workers.
var streams openStreams

type openStreams struct {
	mu     sync.Mutex
	n      int
	closed chan struct{} // closed when n drops to 0
}

func (o *openStreams) opened() {
	o.mu.Lock()
	if o.n == 0 {
		o.closed = make(chan struct{})
	}
	o.n++
	o.mu.Unlock()
}

func (o *openStreams) ended() {
	o.mu.Lock()
	if o.n--; o.n == 0 {
		close(o.closed)
	}
	o.mu.Unlock()
}

// none returns a channel closed once no stream is open, or nil when none
// is open now.
func (o *openStreams) none() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == 0 {
		return nil
	}
	return o.closed
}

func (s *eventStream) flushRecovering() (r flushResult) {
	defer func() {
		if p := recover(); p != nil {
			r = flushResult{panicked: true, panic: p}
		}
	}()
	return flushResult{err: s.flushLocked()}
}
