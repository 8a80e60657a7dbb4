package wecom

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// WeChat customer service lets a company write to a customer only within
// KFWindow of the customer's latest message, and at most KFWindowMessages
// times before the customer writes again.
const (
	KFWindow         = 48 * time.Hour
	KFWindowMessages = 5
)

// maxHeld bounds the agent replies held for one customer whose window is
// closed.
const maxHeld = 10

// errWindowClosed: the customer's window is closed; nothing may be sent
// until they write again.
var errWindowClosed = errors.New("WeChat customer-service window is closed (48 hours or 5 messages since the customer last wrote)")

// kfWindow is where one customer's window stands.
type kfWindow struct {
	Opened time.Time `json:"opened"`          // the customer's latest message
	MsgID  string    `json:"msgid,omitempty"` // its id, so a message pulled twice opens it once
	Sent   int       `json:"sent"`            // messages sent to them since
}

// kfState is what the adapter keeps of WeChat customer service across
// restarts, in one small JSON file (Options.StateFile) written atomically:
// the sync_msg cursor of each account, each customer's window, and agent
// replies held until the customer writes again. Keys of customers are
// "<open_kfid>:<external_userid>", the ExternalUserID of their messages.
type kfState struct {
	path string
	now  func() time.Time

	saveMu sync.Mutex // one save at a time, so an older snapshot never replaces a newer one

	mu      sync.Mutex
	Cursors map[string]string    `json:"cursors"`
	Windows map[string]*kfWindow `json:"windows"`
	Held    map[string][]string  `json:"held,omitempty"`
	// Done are the msgids of each account answered since its cursor was
	// last moved: a page pulled again after a crash is not answered twice.
	Done map[string][]string `json:"done,omitempty"`
}

func loadKFState(path string, now func() time.Time) (*kfState, error) {
	s := &kfState{path: path, now: now, Cursors: map[string]string{}, Windows: map[string]*kfWindow{},
		Held: map[string][]string{}, Done: map[string][]string{}}
	if path == "" {
		return s, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	} else if err != nil {
		return nil, fmt.Errorf("read kf state: %w", err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("kf state %s is damaged (%v); move it away to start the cursors afresh", path, err)
	}
	if s.Cursors == nil {
		s.Cursors = map[string]string{}
	}
	if s.Windows == nil {
		s.Windows = map[string]*kfWindow{}
	}
	if s.Held == nil {
		s.Held = map[string][]string{}
	}
	if s.Done == nil {
		s.Done = map[string][]string{}
	}
	return s, nil
}

// save writes the state to its file (temporary file, fsync, rename), after
// dropping windows that closed and hold nothing.
func (s *kfState) save() error {
	if s.path == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	now := s.now()
	for k, w := range s.Windows {
		if now.Sub(w.Opened) > KFWindow && len(s.Held[k]) == 0 {
			delete(s.Windows, k)
		}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".wecom-kf-*.tmp")
	if err != nil {
		return fmt.Errorf("save kf state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save kf state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("save kf state: %w", err)
	}
	return nil
}

func (s *kfState) cursor(openKfID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Cursors[openKfID]
}

// setCursor moves an account's cursor on, forgetting the messages
// answered before it.
func (s *kfState) setCursor(openKfID, cursor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Cursors[openKfID] = cursor
	delete(s.Done, openKfID)
}

// markDone records that a message of an account's current page was
// answered; done reports whether it was.
func (s *kfState) markDone(openKfID, msgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Done[openKfID] = append(s.Done[openKfID], msgID)
}

func (s *kfState) done(openKfID, msgID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.Done[openKfID], msgID)
}

// accounts returns the kf accounts pulled before, sorted.
func (s *kfState) accounts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.Cursors {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// open records a customer's message msgID at t: their window opens afresh,
// unless a later message opened it already or this one did before (send
// times are whole seconds, so a message in the same second opens it too).
func (s *kfState) open(key, msgID string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.Windows[key]; w == nil || (!t.Before(w.Opened) && (msgID == "" || msgID != w.MsgID)) {
		s.Windows[key] = &kfWindow{Opened: t, MsgID: msgID}
	}
}

// reserve takes one message of a customer's window. ok is false when the
// window is closed; last is true when this is its last message.
func (s *kfState) reserve(key string) (last, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.Windows[key]
	if w == nil || s.now().Sub(w.Opened) >= KFWindow || w.Sent >= KFWindowMessages {
		return false, false
	}
	w.Sent++
	return w.Sent == KFWindowMessages, true
}

// unreserve gives back a message reserve took that could not be sent.
func (s *kfState) unreserve(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.Windows[key]; w != nil && w.Sent > 0 {
		w.Sent--
	}
}

// opened returns when a customer's window last opened (zero if unknown).
func (s *kfState) opened(key string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.Windows[key]; w != nil {
		return w.Opened
	}
	return time.Time{}
}

// hold keeps text to send when the customer writes again; false when
// maxHeld are held already.
func (s *kfState) hold(key, text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.Held[key]) >= maxHeld {
		return false
	}
	s.Held[key] = append(s.Held[key], text)
	return true
}

// takeHeld returns and forgets what is held for a customer.
func (s *kfState) takeHeld(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.Held[key]
	delete(s.Held, key)
	return h
}

// restoreHeld puts back texts takeHeld returned that could not be sent, in
// front of anything held since.
func (s *kfState) restoreHeld(key string, texts []string) {
	if len(texts) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := append(slices.Clone(texts), s.Held[key]...)
	if len(all) > maxHeld {
		all = all[:maxHeld]
	}
	s.Held[key] = all
}
