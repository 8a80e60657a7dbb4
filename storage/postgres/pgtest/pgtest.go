// Package pgtest gives tests a throw-away PostgreSQL database or schema on
// the server named by CONCIERGE_TEST_POSTGRES (a postgres:// URL of a user
// that may create databases, as .ci/run sets up). Without it the tests that
// need PostgreSQL skip with a message — except when CI is set, where they
// fail, so CI never passes having checked nothing.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the environment variable naming the test server.
const Env = "CONCIERGE_TEST_POSTGRES"

// URL returns the test server's URL, or skips t (fails it under CI) when
// there is none.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server)", Env)
		}
		t.Skipf("%s is not set: skipping the PostgreSQL tests (see .ci/run for a throw-away server)", Env)
	}
	return u
}

func name(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// Schema creates an empty schema on the test server and returns a URL whose
// connections use it (search_path); it is dropped when t ends. Schemas are
// cheaper than databases: use them for many small stores.
func Schema(t testing.TB) string {
	t.Helper()
	base := URL(t)
	s := name("t_")
	exec(t, base, `CREATE SCHEMA `+s)
	t.Cleanup(func() { exec(t, base, `DROP SCHEMA `+s+` CASCADE`) })
	return withParam(t, base, "search_path", s)
}

// Database creates an empty database on the test server and returns its
// URL; it is dropped when t ends (after the test's own cleanups, so close
// what uses it in a cleanup registered later).
func Database(t testing.TB) string {
	t.Helper()
	base := URL(t)
	db := name("concierge_test_")
	exec(t, base, `CREATE DATABASE `+db)
	t.Cleanup(func() { exec(t, base, `DROP DATABASE IF EXISTS `+db+` WITH (FORCE)`) })
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		t.Fatalf("pgtest: %s must be a postgres:// URL", Env)
	}
	u.Path = "/" + db
	return u.String()
}

func withParam(t testing.TB, base, key, value string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		t.Fatalf("pgtest: %s must be a postgres:// URL", Env)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
