package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// queryTimeout bounds each script the front runs with the project's interpreter, as the
// Python host's _QUERY_TIMEOUT does.
const queryTimeout = 120 * time.Second

// packagesWithoutPlugins never have a resource plugin (PACKAGES_WITHOUT_PLUGINS).
var packagesWithoutPlugins = map[string]bool{"pulumi-policy": true, "pulumi-esc-sdk": true}

var (
	separators = regexp.MustCompile(`[-_.]+`)
	pep440     = regexp.MustCompile(`^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d*))?(?:\.post(\d*))?(?:\.dev(\d*))?$`)
	sdkInfoDir = regexp.MustCompile(`^pulumi-\d[^-]*\.dist-info$`)
)

// installedPackage is one distribution the project's interpreter sees.
type installedPackage struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	ModuleDir string `json:"module_dir"`
}

// requirement is a resource plugin a program needs (PluginRequirement in packages.py).
type requirement struct {
	name, version, server string
	parameterization      *pulumirpc.PackageParameterization
}

// runScript runs one of the Python host's scripts (tools/language_host/NAME) with the
// project's interpreter, in the program's directory, and returns what it printed.
func runScript(
	ctx context.Context, python string, env []string, programDir, tools, name string,
) ([]byte, error) {
	script, err := os.ReadFile(filepath.Join(tools, "language_host", name))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	command := exec.CommandContext(ctx, python, "-c", string(script))
	command.Env = env
	command.Dir = programDir
	return command.Output()
}

// describeInterpreter is the interpreter's path and version, as it prints them.
func describeInterpreter(
	ctx context.Context, python string, env []string, programDir, tools string,
) (executable, version string, err error) {
	out, err := runScript(ctx, python, env, programDir, tools, "describe_interpreter.py")
	if err != nil {
		return "", "", err
	}
	executable, version, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	return executable, version, nil
}

// listInstalled runs the Python host's own listing script with the project's interpreter.
func listInstalled(
	ctx context.Context, python string, env []string, programDir, tools string,
) ([]installedPackage, error) {
	out, err := runScript(ctx, python, env, programDir, tools, "list_distributions.py")
	if err != nil {
		return nil, err
	}
	var installed []installedPackage
	if err := json.Unmarshal(out, &installed); err != nil {
		return nil, err
	}
	return installed, nil
}

// requiredFrom applies the official host's rules (required_plugins in packages.py); a
// package whose pulumi-plugin.json cannot be read or used is the Python host's to report.
func requiredFrom(installed []installedPackage) ([]requirement, error) {
	var required []requirement
	for _, pkg := range installed {
		plugin, err := pluginJSON(pkg.ModuleDir)
		if err != nil {
			return nil, errPassOn
		}
		name := separators.ReplaceAllString(strings.ToLower(pkg.Name), "-")
		if (plugin == nil && !strings.HasPrefix(name, "pulumi-")) || packagesWithoutPlugins[name] {
			continue
		}
		if plugin != nil && !truthy(plugin["resource"]) {
			continue // the package says it has no plugin
		}
		version, ok := stringField(plugin, "version")
		if !ok {
			return nil, errPassOn
		}
		if version == "" {
			version = pluginVersion(pkg.Version)
		}
		if version == "" {
			continue
		}
		if !strings.HasPrefix(version, "v") {
			version = "v" + version
		}
		pluginName, okName := stringField(plugin, "name")
		server, okServer := stringField(plugin, "server")
		parameterization, okParam := parameterizationOf(plugin["parameterization"])
		if !okName || !okServer || !okParam {
			return nil, errPassOn
		}
		if pluginName == "" {
			pluginName = strings.TrimPrefix(name, "pulumi-")
		}
		required = append(required, requirement{
			name: pluginName, version: version, server: server, parameterization: parameterization,
		})
	}
	return required, nil
}

// pluginJSON is the package's pulumi-plugin.json, or nil when it ships none.
func pluginJSON(moduleDir string) (map[string]any, error) {
	data, err := os.ReadFile(filepath.Join(moduleDir, "pulumi-plugin.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var plugin map[string]any
	if err := json.Unmarshal(data, &plugin); err != nil {
		return nil, err
	}
	if plugin == nil {
		return nil, errors.New("pulumi-plugin.json is not an object")
	}
	return plugin, nil
}

// stringField is a falsy-or-string field of pulumi-plugin.json ("" when falsy); ok is false
// for a value Python would not take as text.
func stringField(plugin map[string]any, key string) (string, bool) {
	value := plugin[key]
	if !truthy(value) {
		return "", true
	}
	text, ok := value.(string)
	return text, ok
}

// truthy is Python's truth of a decoded JSON value.
func truthy(value any) bool {
	switch v := value.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

func parameterizationOf(value any) (*pulumirpc.PackageParameterization, bool) {
	if !truthy(value) {
		return nil, true
	}
	fields, ok := value.(map[string]any)
	if !ok {
		return nil, false
	}
	text := func(key string) (string, bool) {
		v, present := fields[key]
		if !present {
			return "", true
		}
		s, isString := v.(string)
		return s, isString
	}
	name, okName := text("name")
	version, okVersion := text("version")
	encoded, okValue := text("value")
	if !okName || !okVersion || !okValue {
		return nil, false
	}
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, false
	}
	return &pulumirpc.PackageParameterization{Name: name, Version: version, Value: decoded}, true
}

// pluginVersion translates a PEP 440 version to a plugin's semver, or "" (plugin_version).
func pluginVersion(packageVersion string) string {
	m := pep440.FindStringSubmatchIndex(packageVersion)
	if m == nil {
		return ""
	}
	group := func(i int) (string, bool) {
		if m[2*i] < 0 {
			return "", false
		}
		return packageVersion[m[2*i]:m[2*i+1]], true
	}
	release, _ := group(1)
	segments := strings.Split(release, ".")
	for len(segments) < 3 {
		segments = append(segments, "0")
	}
	version := strings.Join(segments, ".")
	if pre, ok := group(2); ok {
		n, _ := group(3)
		label := map[string]string{"a": "alpha", "b": "beta", "rc": "rc"}[pre]
		version += "-" + label + "." + n
	}
	post, hasPost := group(4)
	if hasPost {
		version += "+post" + post
	}
	if dev, ok := group(5); ok {
		if hasPost {
			version += "dev" + dev
		} else {
			version += "+dev" + dev
		}
	}
	return version
}

// sdkVersion is the version of the pulumi distribution in the virtual environment of the
// Python host's interpreter (what importlib.metadata.version("pulumi") answers there).
func sdkVersion(python string) (string, bool) {
	venv := filepath.Dir(filepath.Dir(python))
	found, err := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", "pulumi-*.dist-info"))
	if err != nil {
		return "", false
	}
	var version string
	for _, dir := range found {
		if !sdkInfoDir.MatchString(filepath.Base(dir)) {
			continue
		}
		if version != "" {
			return "", false // more than one: the Python host knows which one it imports
		}
		v, ok := metadataVersion(filepath.Join(dir, "METADATA"))
		if !ok {
			return "", false
		}
		version = v
	}
	return version, version != ""
}

func metadataVersion(path string) (string, bool) {
	file, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" {
			break // the headers end here
		}
		if value, ok := strings.CutPrefix(line, "Version:"); ok {
			return strings.TrimSpace(value), true
		}
	}
	return "", false
}
