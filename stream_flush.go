package oaicompat

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The first flush of a stream writes the response's headers, and net/http
// does that in a 2.8 KiB frame (chunkWriter.writeHeader). Under the frames
// of a backend's write it would push the request goroutine past its 8 KiB
// stack; once many streams are open, this file runs that one flush on a
// shared worker instead.

// directFlushStreams is how many streams may be open before their first
// flushes move to the flush workers. Up to it, a first flush runs on the
// writer's goroutine, whose stack may then grow to 16 KiB until a GC
// shrinks it: 64 × 8 KiB, half a megabyte, at most. Handing a flush over
// wakes an idle thread when the machine has one, which cost 8 µs of CPU
// per stream on two cores (BenchmarkProductionChain/handler/stream, -cpu
// 2: 31 against 22.5 µs); with many streams open it is their stacks that
// cost (10,000 held streams: 80 MB more). Tests set it to 0 to hand every
// first flush over.
var directFlushStreams atomic.Int64

func init() { directFlushStreams.Store(64) }

// flushFirst flushes the first event, and with it the headers; when more
// than directFlushStreams streams are open, on a flush worker while the
// caller waits: the caller gets the flush's error, and a
// panic in it (echo's Flush panics on a failed write) is raised again on
// the caller's goroutine. Without it a held stream would keep 16 KiB of
// stack until a GC shrank it, and the process would keep the memory.
func (s *eventStream) flushFirst() error {
	s.flushed = true
	if int64(flushedStreams.opened()) <= directFlushStreams.Load() {
		return s.flushLocked()
	}
	j := flushJob{s, flushResults.Get().(chan flushResult)}
	select {
	case flushJobs <- j:
	default:
		flushWorkersStarted.Add(1)
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
	// flushWorkersStarted counts the workers ever started, for tests.
	flushWorkersStarted atomic.Int64
)

// flushWorker runs first flushes, j's then others', while a stream that
// flushed is open and for flushWorkerLinger after the last one closed.
// Workers are shared by every stream of the process and live on, so their
// stacks grow once: a goroutine per flush would start small, grow to 8 KiB
// and end, and the freed stacks, scattered among the held streams', would
// stay with the process. At most GOMAXPROCS of them wait for work; a
// program, or a test looking for leaked goroutines, that has closed its
// streams is left with none once the linger has passed.
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

// flushWorkerLinger is how long the flush workers outlive the last open
// stream. Streams that do not overlap (one core serving one stream after
// another, a client's turns in sequence) then share a worker instead of
// each starting one and growing its stack, which cost about 4 µs per
// stream; goleak, which looks for leaked goroutines for about 400 ms,
// still finds none.
const flushWorkerLinger = 50 * time.Millisecond

// flushedStreams counts the open streams that flushed and the idle flush
// workers.
var flushedStreams openStreams

type openStreams struct {
	mu        sync.Mutex
	n         int           // open streams that flushed
	idlers    int           // flush workers waiting for work
	closed    chan struct{} // closed when n has been 0 for flushWorkerLinger
	lingering bool          // n is 0 and linger will close closed
	linger    *time.Timer   // one for the process, reset each time n drops to 0
}

// opened counts a stream that flushed and returns how many are open.
func (o *openStreams) opened() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == 0 {
		if o.lingering {
			o.lingering = false // the workers stay; linger finds nothing to do
			o.linger.Stop()
		} else {
			o.closed = make(chan struct{})
		}
	}
	o.n++
	return o.n
}

func (o *openStreams) ended() {
	o.mu.Lock()
	if o.n--; o.n == 0 {
		o.lingering = true
		if o.linger == nil {
			o.linger = time.AfterFunc(flushWorkerLinger, o.expire)
		} else {
			o.linger.Reset(flushWorkerLinger)
		}
	}
	o.mu.Unlock()
}

// expire ends the idle workers when no stream opened during the linger.
func (o *openStreams) expire() {
	o.mu.Lock()
	if o.lingering {
		o.lingering = false
		close(o.closed)
	}
	o.mu.Unlock()
}

// idle counts a worker as waiting and returns the channel closed once no
// stream has been open for the linger; nil tells the worker to end
// instead: the linger has passed, or enough workers wait already.
func (o *openStreams) idle() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == 0 && !o.lingering || o.idlers >= runtime.GOMAXPROCS(0) {
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

// flushRecovering flushes s, returning a panic of the flush as its result.
func (s *eventStream) flushRecovering() (r flushResult) {
	defer func() {
		if p := recover(); p != nil {
			r = flushResult{panicked: true, panic: p}
		}
	}()
	return flushResult{err: s.flushLocked()}
}
