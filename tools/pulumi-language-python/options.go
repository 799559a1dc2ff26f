package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// lockFiles select a toolchain this build does not run (the Python host says so).
var lockFiles = []string{"uv.lock", "poetry.lock"}

// pythonOptions is a project's runtime options (PythonOptions in options.py), for the pip
// toolchain only: anything else is the Python host's to answer.
type pythonOptions struct {
	root       string
	programDir string
	virtualenv string
}

func optionsFrom(info *pulumirpc.ProgramInfo) (pythonOptions, error) {
	root, err := absolute(info.GetRootDirectory(), ".")
	if err != nil {
		return pythonOptions{}, err
	}
	programDir, err := absolute(info.GetProgramDirectory(), root)
	if err != nil {
		return pythonOptions{}, err
	}
	fields := info.GetOptions().GetFields()
	virtualenv, err := stringOption(fields, "virtualenv")
	if err != nil {
		return pythonOptions{}, err
	}
	toolchain, err := stringOption(fields, "toolchain")
	if err != nil {
		return pythonOptions{}, err
	}
	_, hasToolchain := fields["toolchain"]
	if (hasToolchain && toolchain != "pip") || (!hasToolchain && hasLockFile(programDir)) {
		return pythonOptions{}, errPassOn
	}
	return pythonOptions{root: root, programDir: programDir, virtualenv: virtualenv}, nil
}

func absolute(path, fallback string) (string, error) {
	if path == "" {
		path = fallback
	}
	if filepath.IsAbs(path) {
		return path, nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return filepath.Join(cwd, path), nil
}

func stringOption(fields map[string]*structpb.Value, name string) (string, error) {
	value, ok := fields[name]
	if !ok {
		return "", nil
	}
	text, isString := value.GetKind().(*structpb.Value_StringValue)
	if !isString {
		return "", errPassOn
	}
	return text.StringValue, nil
}

func hasLockFile(programDir string) bool {
	for dir := programDir; ; dir = filepath.Dir(dir) {
		for _, lock := range lockFiles {
			if regularFile(filepath.Join(dir, lock)) {
				return true
			}
		}
		if parent := filepath.Dir(dir); parent == dir {
			return false
		}
	}
}

// virtualenvPath is the named virtual environment's directory, or "".
func (o pythonOptions) virtualenvPath() string {
	if o.virtualenv == "" {
		return ""
	}
	if filepath.IsAbs(o.virtualenv) {
		return o.virtualenv
	}
	return filepath.Join(o.root, o.virtualenv)
}

// virtualenvReady says whether the named virtual environment has its bin/python.
func (o pythonOptions) virtualenvReady() bool {
	path := o.virtualenvPath()
	if path == "" {
		return true
	}
	return regularFile(filepath.Join(path, "bin", "python"))
}

// interpreter is the virtual environment's python, else PULUMI_PYTHON_CMD, else python3
// or python on PATH.
func (o pythonOptions) interpreter(environ []string) (string, error) {
	if path := o.virtualenvPath(); path != "" {
		return filepath.Join(path, "bin", "python"), nil
	}
	candidates := []string{"python3", "python"}
	if configured := getEnv(environ, "PULUMI_PYTHON_CMD"); configured != "" {
		candidates = []string{configured}
	}
	for _, candidate := range candidates {
		if found := lookPath(candidate, getEnv(environ, "PATH")); found != "" {
			return found, nil
		}
	}
	return "", errors.New("no interpreter")
}

// environment is environ, activated when a virtual environment is named (ActivateVirtualEnv).
func (o pythonOptions) environment(environ []string) []string {
	path := o.virtualenvPath()
	if path == "" {
		return append([]string{}, environ...)
	}
	bin := filepath.Join(path, "bin")
	result := make([]string, 0, len(environ)+2)
	hasPath := false
	for _, entry := range environ {
		key, value, _ := strings.Cut(entry, "=")
		switch strings.ToUpper(key) {
		case "PATH":
			hasPath = true
			result = append(result, key+"="+bin+string(os.PathListSeparator)+value)
		case "PYTHONHOME", "VIRTUAL_ENV":
		default:
			result = append(result, entry)
		}
	}
	if !hasPath {
		result = append(result, "PATH="+bin)
	}
	return append(result, "VIRTUAL_ENV="+path)
}

func getEnv(environ []string, key string) string {
	value := ""
	for _, entry := range environ {
		if k, v, ok := strings.Cut(entry, "="); ok && k == key {
			value = v
		}
	}
	return value
}

func setEnv(environ []string, key, value string) []string {
	result := make([]string, 0, len(environ)+1)
	for _, entry := range environ {
		if k, _, _ := strings.Cut(entry, "="); k != key {
			result = append(result, entry)
		}
	}
	return append(result, key+"="+value)
}

// lookPath finds an executable as shutil.which(name, path=path) does.
func lookPath(name, path string) string {
	if strings.ContainsRune(name, os.PathSeparator) {
		if executable(name) {
			return name
		}
		return ""
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		candidate := filepath.Join(dir, name)
		if executable(candidate) {
			return candidate
		}
	}
	return ""
}

// regularFile says whether path is a regular file (links followed).
func regularFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

func executable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}
