package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time by the container build
// (-ldflags "-X main.version=..."), where the build context has no .git for
// Go to stamp a VCS revision from. Empty: the module version from the build
// info, "(devel)" for a checkout.
var version string

// buildInfo is what `version` prints, read from the binary itself so that
// it cannot drift from what was actually built.
type buildInfo struct {
	Version   string
	Revision  string // VCS commit, "" when built without VCS info
	Time      string // commit time (RFC 3339)
	Modified  bool   // uncommitted changes at build time
	GoVersion string
	Platform  string
}

func readBuildInfo() buildInfo {
	bi := buildInfo{Version: version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if bi.Version == "" {
			bi.Version = "unknown"
		}
		return bi
	}
	if bi.Version == "" {
		bi.Version = info.Main.Version
	}
	if info.GoVersion != "" {
		bi.GoVersion = info.GoVersion
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			bi.Revision = s.Value
		case "vcs.time":
			bi.Time = s.Value
		case "vcs.modified":
			bi.Modified = s.Value == "true"
		}
	}
	if bi.Version == "" {
		bi.Version = "(devel)"
	}
	return bi
}

func (b buildInfo) String() string {
	s := "aircall-helpscout " + b.Version + "\n"
	if b.Revision != "" {
		rev := b.Revision
		if b.Modified {
			rev += " (modified)"
		}
		s += "  commit:   " + rev + "\n"
	}
	if b.Time != "" {
		s += "  date:     " + b.Time + "\n"
	}
	s += "  go:       " + b.GoVersion + "\n"
	s += "  platform: " + b.Platform + "\n"
	return s
}

// cmdVersion prints the version and build information. It needs no
// configuration, so it answers even when the environment is wrong.
func cmdVersion(_ context.Context, e *env) error {
	_, err := fmt.Fprint(e.Stdout, readBuildInfo().String())
	return err
}
