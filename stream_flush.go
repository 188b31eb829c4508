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

// flushWorkerIdle is how long a flush worker waits for work before it ends.
const flushWorkerIdle = time.Second

// flushWorker runs first flushes, j's then others', until it has been idle
// for flushWorkerIdle. Workers are shared by every stream of the process
// and live on, so their stacks grow once: a goroutine per flush would start
// small, grow to 8 KiB and end, and the freed stacks, scattered among the
// held streams', would stay with the process.
func flushWorker(j flushJob) {
	idle := time.NewTimer(flushWorkerIdle)
	defer idle.Stop()
	for {
		j.result <- j.s.flushRecovering()
		idle.Reset(flushWorkerIdle)
		select {
		case j = <-flushJobs:
		case <-idle.C:
			return
		}
	}
}

func (s *eventStream) flushRecovering() (r flushResult) {
	defer func() {
		if p := recover(); p != nil {
			r = flushResult{panicked: true, panic: p}
		}
	}()
	return flushResult{err: s.flushLocked()}
}
