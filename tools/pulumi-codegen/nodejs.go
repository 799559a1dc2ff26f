package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// The npm package's README: what the package is, which plugin it needs and how to get it,
// and how to build, pack and use it. It replaces the schema's one-line description.
//
//go:embed nodejs/README.md
var nodeReadme []byte

// prepareScript compiles the sources into bin/ and copies package.json there, where the
// generated utilities.ts reads the package's version (as the generator's own postinstall
// script for local SDKs does).
const prepareScript = "tsc && node -e \"require('fs').copyFileSync('package.json', 'bin/package.json')\""

// npmManifest is package.json as the Node.js generator writes it (same fields, same order),
// plus what a compiled, packable package needs: main, types and files.
type npmManifest struct {
	Name             string            `json:"name"`
	Version          string            `json:"version"`
	Type             string            `json:"type,omitempty"`
	Description      string            `json:"description,omitempty"`
	Keywords         []string          `json:"keywords,omitempty"`
	Homepage         string            `json:"homepage,omitempty"`
	Repository       string            `json:"repository,omitempty"`
	License          string            `json:"license,omitempty"`
	Main             string            `json:"main,omitempty"`
	Types            string            `json:"types,omitempty"`
	Files            []string          `json:"files,omitempty"`
	Scripts          map[string]string `json:"scripts,omitempty"`
	Dependencies     map[string]string `json:"dependencies,omitempty"`
	DevDependencies  map[string]string `json:"devDependencies,omitempty"`
	PeerDependencies map[string]string `json:"peerDependencies,omitempty"`
	Resolutions      map[string]string `json:"resolutions,omitempty"`
	Pulumi           json.RawMessage   `json:"pulumi,omitempty"`
}

// finishNodePackage makes the generated TypeScript sources a package that npm can build and
// pack: `main` and `types` point at the compiled bin/index.js and bin/index.d.ts, `files`
// ships bin/ (npm adds package.json and README.md), and the `prepare` script (prepareScript)
// compiles on `npm install` in the package's directory and on `npm pack`. The generator leaves
// these out unless it writes a local SDK, whose postinstall script compiles on the user's
// machine instead. .gitignore also ignores a node_modules link and packed tarballs.
func finishNodePackage(files map[string][]byte) error {
	var manifest npmManifest
	decoder := json.NewDecoder(bytes.NewReader(files["package.json"]))
	decoder.DisallowUnknownFields() // a field this command does not know would be lost
	if err := decoder.Decode(&manifest); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	if manifest.Version == "${VERSION}" {
		return fmt.Errorf("package.json: version is %q; set respectSchemaVersion in the "+
			"schema's language.nodejs so the package has the plugin's version", manifest.Version)
	}
	manifest.Main = "bin/index.js"
	manifest.Types = "bin/index.d.ts"
	manifest.Files = []string{"bin/"}
	if manifest.Scripts == nil {
		manifest.Scripts = map[string]string{}
	}
	manifest.Scripts["build"] = prepareScript
	manifest.Scripts["prepare"] = prepareScript
	var data bytes.Buffer
	encoder := json.NewEncoder(&data)
	encoder.SetEscapeHTML(false) // "&&" as written, not "\u0026\u0026"
	encoder.SetIndent("", "    ")
	if err := encoder.Encode(manifest); err != nil {
		return err
	}
	files["package.json"] = data.Bytes()
	files["README.md"] = nodeReadme
	files[".gitignore"] = append(files[".gitignore"], []byte("node_modules\n*.tgz\n")...)
	return nil
}
