//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// tryLock always succeeds where flock is not available: a running serve is
// then not detected, and commands beside it rely on the bounded waits of the
// index and the store alone.
func tryLock(f *os.File, exclusive bool) (bool, error) { return true, nil }

// unlock releases a lock taken with tryLock.
func unlock(f *os.File) {}
