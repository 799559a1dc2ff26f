// Command package-gen answers a language host's GeneratePackage: it writes the SDK of a
// package schema in Python, TypeScript or Go, as `pulumi package add` and
// `pulumi package gen-sdk` ask a language host to.
//
// The official pulumi-language-python, -nodejs and -go hosts call these code generators
// (pkg/v3/codegen/{python,nodejs,go}) from their GeneratePackage RPC; the Go module proxy
// does not serve those hosts, so the project's hosts (tools/language_host*) run this command,
// built from the pkg/v3 release the CLI is built from. It binds the schema as the hosts do
// (dangling references allowed, other packages loaded through the engine's loader), and
// writes the files into OUT_DIR.
//
// Usage: package-gen [--local] [--loader ADDR] [--local-dependency NAME=PATH]... \
//
//	python|nodejs|go SCHEMA.json OUT_DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool named in the generated files' headers, as each official host names itself.
var tools = map[string]string{
	"python": "pulumi-language-python",
	"nodejs": "pulumi-language-nodejs",
	"go":     "pulumi-language-go",
}

type dependencies map[string]string

func (d dependencies) String() string { return fmt.Sprint(map[string]string(d)) }

func (d dependencies) Set(value string) error {
	name, path, ok := strings.Cut(value, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("--local-dependency must be NAME=PATH, got %q", value)
	}
	d[name] = path
	return nil
}

func generate(language string, pkg *schema.Package, local bool, deps dependencies,
	refs schema.ReferenceLoader,
) (map[string][]byte, error) {
	tool := tools[language]
	switch language {
	case "python":
		return pythongen.GeneratePackage(tool, pkg, nil, refs)
	case "nodejs":
		return nodejsgen.GeneratePackage(tool, pkg, nil, deps, local, refs)
	case "go":
		return gogen.GeneratePackage(tool, pkg, deps)
	}
	return nil, fmt.Errorf("language must be python, nodejs or go, got %q", language)
}

func run(language, schemaPath, out, loaderTarget string, local bool, deps dependencies) error {
	if _, ok := tools[language]; !ok {
		return fmt.Errorf("language must be python, nodejs or go, got %q", language)
	}
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	var refs schema.ReferenceLoader = noLoader{}
	if loaderTarget != "" {
		client, err := schema.NewLoaderClient(loaderTarget)
		if err != nil {
			return fmt.Errorf("connecting to the engine's schema loader at %s: %w", loaderTarget, err)
		}
		defer client.Close()
		refs = client
	}
	pkg, diags, err := schema.BindSpec(spec, refs, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := generate(language, pkg, local, deps, refs)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(files))
	for path := range files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		target := filepath.Join(out, path)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[path], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "package-gen: wrote %d files to %s\n", len(paths), out)
	return nil
}

func main() {
	local := flag.Bool("local", false, "generate a local SDK (package add), not a publishable one")
	loaderTarget := flag.String("loader", "", "the engine's schema loader (host:port)")
	deps := dependencies{}
	flag.Var(deps, "local-dependency", "NAME=PATH of a local dependency (repeatable)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: package-gen [--local] [--loader ADDR] "+
			"[--local-dependency NAME=PATH]... python|nodejs|go SCHEMA.json OUT_DIR")
	}
	flag.Parse()
	if flag.NArg() != 3 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), flag.Arg(2), *loaderTarget, *local, deps); err != nil {
		fmt.Fprintf(os.Stderr, "package-gen: %v\n", err)
		os.Exit(1)
	}
}
