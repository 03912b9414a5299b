package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// accessLogFlushEvery is how long serve's access-log lines may wait in memory before they are
// written out.
const accessLogFlushEvery = 100 * time.Millisecond

// logBuffer holds serve's access-log lines and writes them out every accessLogFlushEvery, or when
// 64 KiB are waiting: one write system call for many requests instead of one for each (measured:
// docs/performance.md, 2026-11-30). Every other line is written at once (see flushOthers). Close
// writes what is left; a crash loses at most the access lines of the last interval.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogBuffer(w io.Writer, every time.Duration) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.Flush()
			}
		}
	}()
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out every line held.
func (b *logBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// Close stops the timer and writes out what is left.
func (b *logBuffer) Close() {
	close(b.stop)
	<-b.done
	b.Flush()
}

// flushOthers writes every line but the access log's ("request") out at once: a startup line, a
// warning or an error is never held back.
type flushOthers struct {
	slog.Handler
	buf *logBuffer
}

func (h flushOthers) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Message != "request" {
		h.buf.Flush()
	}
	return err
}

func (h flushOthers) WithAttrs(as []slog.Attr) slog.Handler {
	return flushOthers{h.Handler.WithAttrs(as), h.buf}
}

func (h flushOthers) WithGroup(name string) slog.Handler {
	return flushOthers{h.Handler.WithGroup(name), h.buf}
}
