package oaicompat

import (
	"runtime"
	"sync"
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
	flushedStreams.opened()
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

// flushWorker runs first flushes, j's then others', while a stream that
// flushed is open. Workers are shared by every stream of the process and
// live on, so their stacks grow once: a goroutine per flush would start
// small, grow to 8 KiB and end, and the freed stacks, scattered among the
// held streams', would stay with the process. At most GOMAXPROCS of them
// wait for work; a program, or a test looking for leaked goroutines, that
// has closed its streams is left with none.
func flushWorker(j flushJob) {
	for {
		j.result <- j.s.flushRecovering()
		none := flushedStreams.idle()
		if none == nil {
			return
		}
		more := true
		select {
		case j = <-flushJobs:
		case <-none:
			more = false
		}
		flushedStreams.busy()
		if !more {
			return
		}
	}
}

// flushedStreams counts the open streams that flushed and the idle flush
// workers.
var flushedStreams openStreams

type openStreams struct {
	mu     sync.Mutex
	n      int           // open streams that flushed
	idlers int           // flush workers waiting for work
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

// idle counts a worker as waiting and returns the channel closed once no
// stream is open; nil tells the worker to end instead: no stream is open,
// or enough workers wait already.
func (o *openStreams) idle() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == 0 || o.idlers >= runtime.GOMAXPROCS(0) {
		return nil
	}
	o.idlers++
	return o.closed
}

// busy counts a worker as no longer waiting.
func (o *openStreams) busy() {
	o.mu.Lock()
	o.idlers--
	o.mu.Unlock()
}

func (s *eventStream) flushRecovering() (r flushResult) {
	defer func() {
		if p := recover(); p != nil {
			r = flushResult{panicked: true, panic: p}
		}
	}()
	return flushResult{err: s.flushLocked()}
}
