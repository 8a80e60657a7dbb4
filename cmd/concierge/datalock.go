package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// serveLockName is the file in the data directory that a running `concierge
// serve` keeps locked (flock) for as long as it runs. It records the
// holder's pid and address. The lock, not the file, is what counts: a file
// left by a process that was killed is not locked by anyone and blocks
// nothing; the next serve takes it over.
const serveLockName = "serve.lock"

// holder describes the serve process that holds a data directory.
type holder struct {
	PID     int       `json:"pid"`
	Addr    string    `json:"addr,omitempty"` // http://host:port once it listens
	Started time.Time `json:"started"`
}

// String reads "concierge serve (pid 123, http://127.0.0.1:8080)".
func (h holder) String() string {
	pid := "pid unknown"
	if h.PID > 0 {
		pid = fmt.Sprintf("pid %d", h.PID)
	}
	if h.Addr != "" {
		return fmt.Sprintf("concierge serve (%s, %s)", pid, h.Addr)
	}
	return fmt.Sprintf("concierge serve (%s)", pid)
}

// dataLock is a data directory held by this process's serve.
type dataLock struct {
	f    *os.File
	path string
	h    holder
}

// heldError is returned by lockDataDir when another serve holds the data
// directory.
type heldError struct {
	dir string
	h   holder
}

func (e *heldError) Error() string {
	return fmt.Sprintf("%s already holds the data directory %s; stop it first, or give this one another --data", e.h, e.dir)
}

// lockDataDir takes the data directory dir (which must exist) for this
// serve, or fails at once with a *heldError when another serve holds it.
// Release gives it back.
func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, serveLockName)
	// A command checking the lock holds it shared for a moment: retry
	// briefly before deciding that a serve holds it.
	deadline := time.Now().Add(300 * time.Millisecond)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, explain(err, "cannot create %s: %s", path, reason(err))
		}
		ok, err := tryLock(f, true)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !ok {
			f.Close()
			if time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			h, _ := readHolder(path)
			return nil, &heldError{dir: absPath(dir), h: h}
		}
		// The file may have been removed by a serve that stopped between
		// our open and our lock: then we locked a file nobody else sees.
		if same, err := samePath(f, path); err != nil || !same {
			f.Close()
			continue
		}
		l := &dataLock{f: f, path: path, h: holder{PID: os.Getpid(), Started: time.Now().UTC()}}
		if err := l.write(); err != nil {
			l.Release()
			return nil, err
		}
		return l, nil
	}
}

// samePath reports whether f is still the file at path.
func samePath(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

// setAddr records the address the holder listens on.
func (l *dataLock) setAddr(addr string) error {
	l.h.Addr = addr
	return l.write()
}

// write replaces the content of the lock file with the holder.
func (l *dataLock) write() error {
	raw, err := json.Marshal(l.h)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if _, err := l.f.WriteAt(append(raw, '\n'), 0); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	return nil
}

// Release removes the lock file and lets the data directory go.
func (l *dataLock) Release() error {
	errRm := os.Remove(l.path)
	if errors.Is(errRm, fs.ErrNotExist) {
		errRm = nil
	}
	return errors.Join(errRm, l.f.Close())
}

// dataDirHolder returns the serve that holds dir now, or nil when none does:
// no lock file, or one left by a process that is gone. It never waits.
func dataDirHolder(dir string) (*holder, error) {
	path := filepath.Join(dir, serveLockName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	defer f.Close()
	free, err := tryLock(f, false)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	if free {
		unlock(f)
		return nil, nil // stale: its serve is gone
	}
	h, _ := readHolder(path)
	return &h, nil
}

// readHolder reads the holder recorded in a lock file, retrying a moment
// when it catches the file between truncation and write.
func readHolder(path string) (holder, error) {
	var h holder
	var err error
	for range 5 {
		var raw []byte
		if raw, err = os.ReadFile(path); err == nil {
			if err = json.Unmarshal(raw, &h); err == nil {
				return h, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return h, err
}
