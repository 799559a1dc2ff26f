package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"runtime/debug"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"golang.org/x/mod/modfile"
)

// The Go SDK's README: the module, how a program gets it (go get, or a replace directive to a
// checkout), which plugin it needs and how to get that.
//
//go:embed go/README.md
var goReadme []byte

// finishGoModule makes the Go SDK a module of its own, as a packable SDK is, with its README.
// go.mod goes in the output's root, module path = the schema's go.modulePath, else importBasePath without its last element
// (the root package's directory). It requires the Go SDK of Pulumi at the release sdk-gen is
// built from, the one the CLI is built from; gen-sdks.sh then completes it with `go mod tidy`.
func finishGoModule(files map[string][]byte, spec schema.PackageSpec) error {
	files["README.md"] = goReadme
	if _, ok := files["go.mod"]; ok {
		return nil
	}
	var info gogen.GoPackageInfo
	if raw, ok := spec.Language["go"]; ok {
		if err := json.Unmarshal(raw, &info); err != nil {
			return fmt.Errorf("language.go: %w", err)
		}
	}
	modulePath := info.ModulePath
	if modulePath == "" && info.ImportBasePath != "" {
		modulePath = path.Dir(info.ImportBasePath)
	}
	if modulePath == "" {
		return errors.New("language.go: set importBasePath or modulePath to name the Go module")
	}
	const sdkPath = "github.com/pulumi/pulumi/sdk/v3"
	sdkVersion := ""
	if build, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range build.Deps {
			if dep.Path == sdkPath {
				sdkVersion = dep.Version
			}
		}
	}
	if sdkVersion == "" {
		return fmt.Errorf("sdk-gen was built without %s", sdkPath)
	}
	var mod modfile.File
	if err := mod.AddModuleStmt(modulePath); err != nil {
		return err
	}
	// The go line of a packable SDK; `go mod tidy` raises it to what the Pulumi SDK needs.
	if err := mod.AddGoStmt("1.25"); err != nil {
		return err
	}
	if err := mod.AddRequire(sdkPath, sdkVersion); err != nil {
		return err
	}
	data, err := mod.Format()
	if err != nil {
		return err
	}
	files["go.mod"] = data
	return nil
}
