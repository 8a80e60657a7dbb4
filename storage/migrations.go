package storage

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one forward-only schema step of an engine; version n is in
// the file 000n_name.sql.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// Schema is where an engine keeps its migrations: the directory Dir of FS
// (usually an embedded file system), one file 000n_name.sql per version.
type Schema struct {
	FS  fs.FS
	Dir string
}

// Version is the schema version the migrations bring a database to, or 0
// when they cannot be read.
func (s Schema) Version() int {
	ms, err := s.Migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// Migrations returns the migrations in version order. Every file name must
// start with its version number and an underscore, and the versions must be
// 1, 2, 3, … without gaps.
func (s Schema) Migrations() ([]Migration, error) {
	fsys, dir := s.FS, s.Dir
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must start with a version number", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return ms, nil
}
