// Package modproxy writes a file-based Go module proxy
// (GOPROXY=file://DIR) serving the repository's modules at one version,
// zipped from the working tree as `go` would download them once published
// (golang.org/x/mod/zip). scripts/tidy.sh tidies the nested modules
// against it before their version of the root exists, and the publish
// test fetches the root and an adapter from it as a user would.
package modproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// A Module is one module of the repository.
type Module struct {
	Path string // module path, from its go.mod
	Dir  string // its directory
}

// Modules returns the modules under root, the repository's top directory:
// every directory holding a go.mod, except under testdata, node_modules and
// directories Go ignores (names starting with "." or "_").
func Modules(root string) ([]Module, error) {
	var mods []Module
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "go.mod" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		p := modfile.ModulePath(data)
		if p == "" {
			return fmt.Errorf("modproxy: %s names no module", path)
		}
		mods = append(mods, Module{Path: p, Dir: filepath.Dir(path)})
		return nil
	})
	slices.SortFunc(mods, func(a, b Module) int { return strings.Compare(a.Path, b.Path) })
	return mods, err
}

func skipDir(name string) bool {
	return name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// Write writes the proxy files of mods at version into dir: for each
// module, @v/list, and the version's .info, .mod and .zip.
func Write(dir, version string, mods []Module) error {
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	for _, m := range mods {
		escaped, err := module.EscapePath(m.Path)
		if err != nil {
			return err
		}
		v := filepath.Join(dir, filepath.FromSlash(escaped), "@v")
		if err := os.MkdirAll(v, 0o755); err != nil {
			return err
		}
		gomod, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
		if err != nil {
			return err
		}
		files, err := moduleFiles(m.Dir)
		if err != nil {
			return err
		}
		var z bytes.Buffer
		if err := zip.Create(&z, module.Version{Path: m.Path, Version: version}, files); err != nil {
			return fmt.Errorf("modproxy: %s: %w", m.Path, err)
		}
		for name, data := range map[string][]byte{
			"list": []byte(version + "\n"), version + ".info": info, version + ".mod": gomod, version + ".zip": z.Bytes(),
		} {
			if err := os.WriteFile(filepath.Join(v, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// moduleFiles lists the regular files of the module in dir as `go` would
// zip them: nested modules, node_modules and ignored directories left out.
func moduleFiles(dir string) ([]zip.File, error) {
	var files []zip.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == dir {
				return nil
			}
			if name := d.Name(); name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks are not zipped
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files = append(files, file{rel: filepath.ToSlash(rel), path: path})
		return nil
	})
	return files, err
}

// file is a zip.File on disk.
type file struct{ rel, path string }

func (f file) Path() string                 { return f.rel }
func (f file) Lstat() (os.FileInfo, error)  { return os.Lstat(f.path) }
func (f file) Open() (io.ReadCloser, error) { return os.Open(f.path) }
