package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// startLog holds back the log records of a start-up until it is known how
// the start-up ends. Released, the records are written in order and later
// ones go straight through; dropped, they are discarded with every later
// one. A start that fails thus prints the one sentence of its error, not the
// log lines that led to it; --verbose bypasses the holding altogether.
type startLog struct {
	mu    sync.Mutex
	state atomic.Int32 // holding, released or dropped
	held  []heldRecord
}

const (
	logHolding int32 = iota
	logReleased
	logDropped
)

type heldRecord struct {
	h slog.Handler
	r slog.Record
}

// release writes the held records and lets later ones through. It does
// nothing after drop.
func (s *startLog) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.Load() != logHolding {
		return
	}
	for _, hr := range s.held {
		_ = hr.h.Handle(context.Background(), hr.r)
	}
	s.held = nil
	s.state.Store(logReleased)
}

// drop discards the held records and every later one. It does nothing
// after release, so `defer s.drop()` is safe on every path.
func (s *startLog) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.Load() != logHolding {
		return
	}
	s.held = nil
	s.state.Store(logDropped)
}

// heldHandler is the slog.Handler in front of the real one.
type heldHandler struct {
	s *startLog
	h slog.Handler
}

func (h heldHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h heldHandler) Handle(ctx context.Context, r slog.Record) error {
	switch h.s.state.Load() {
	case logReleased:
		return h.h.Handle(ctx, r)
	case logDropped:
		return nil
	}
	h.s.mu.Lock()
	switch h.s.state.Load() {
	case logHolding:
		h.s.held = append(h.s.held, heldRecord{h.h, r.Clone()})
		h.s.mu.Unlock()
		return nil
	case logDropped:
		h.s.mu.Unlock()
		return nil
	}
	h.s.mu.Unlock()
	return h.h.Handle(ctx, r)
}

func (h heldHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return heldHandler{h.s, h.h.WithAttrs(attrs)}
}

func (h heldHandler) WithGroup(name string) slog.Handler {
	return heldHandler{h.s, h.h.WithGroup(name)}
}

// startupLogger is logger for a command that opens the app: its records are
// held until the caller releases them once the start-up succeeded (or drops
// them when it failed). With --verbose nothing is held.
func (e *env) startupLogger(cfg Config, min slog.Level) (*slog.Logger, *startLog) {
	log := e.logger(cfg, min)
	s := &startLog{}
	if e.verbose {
		s.state.Store(logReleased)
		return log, s
	}
	return slog.New(heldHandler{s, log.Handler()}), s
}
