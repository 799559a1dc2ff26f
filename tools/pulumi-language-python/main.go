// Command pulumi-language-python is the Python language host of this offline build, as the
// engine starts it: `pulumi-language-python [FLAGS] ENGINE_ADDRESS`.
//
// The engine starts a language host twice for every `pulumi preview` or `up` of a Python
// program, and a host written in Python spends about 0.3 s of CPU importing gRPC before it
// can answer. This binary answers the RPCs of those commands itself (GetPluginInfo,
// Handshake, Cancel, GetRequiredPackages, GetRequiredPlugins and Run) as
// tools/language_host does, and hands every other RPC, and every request whose answer is an
// error or needs more than reading, to that Python host, which it starts on first need. The
// Python host stays the reference: it words every error and serves everything else, and the
// tests of tests/language_host/test_host.py hold both to the same answers.
//
// Beside the binary, pulumi-language-python.json (written by tools/pulumi-cli/provide.sh)
// names the Python interpreter and the tools directory of the Python host.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
)

const (
	hostName          = "pulumi-language-python"
	parentPoll        = time.Second
	engineCheckPeriod = 60 * time.Second
	maxMessageBytes   = 400 * 1024 * 1024 // the engine's own limit for plugin messages
)

// config is pulumi-language-python.json: where the Python host lives.
type config struct {
	// Python is the interpreter that runs the Python host (the venv's bin/python).
	Python string `json:"python"`
	// Tools is the directory holding the language_host package.
	Tools string `json:"tools"`
}

// arguments is the parsed command line, as the Python host parses it.
type arguments struct {
	engineAddress string
	tracing       string
	useExecutor   string
	verbose       int
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(argv []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot find its own path: %v\n", hostName, err)
		return 1
	}
	cfg, err := readConfig(self + ".json")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v; run `make setup` in the pulumi-hbr-clients checkout\n", hostName, err)
		return 1
	}
	backend := &backend{cfg: cfg, self: self, argv: argv}
	args, err := parseArguments(argv)
	if err != nil {
		// The Python host words every usage error: let it answer this command line.
		return backend.execInstead()
	}
	backend.addressGiven = args.engineAddress != ""
	executor := findExecutor(self, args.useExecutor)
	if executor == "" {
		return backend.execInstead()
	}
	front := newFront(args, executor, backend)
	return serve(front, args.engineAddress)
}

func readConfig(path string) (config, error) {
	var cfg config
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.Python == "" || cfg.Tools == "" {
		return cfg, fmt.Errorf("%s names no python or no tools directory", path)
	}
	return cfg, nil
}

// parseArguments reads the flags the Python host reads (tools/language_host/cli.py), with
// Go's flag package, whose syntax that parser follows.
func parseArguments(argv []string) (arguments, error) {
	var args arguments
	flags := flag.NewFlagSet(hostName, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.StringVar(&args.tracing, "tracing", "", "")
	flags.StringVar(&args.useExecutor, "use-executor", "", "")
	flags.IntVar(&args.verbose, "v", 0, "")
	for _, name := range []string{
		"virtualenv", "root", "typechecker", "toolchain",
		"log_dir", "vmodule", "stderrthreshold", "log_backtrace_at",
	} {
		flags.String(name, "", "")
	}
	for _, name := range []string{"logtostderr", "alsologtostderr", "logflow"} {
		flags.Bool(name, false, "")
	}
	if err := flags.Parse(argv); err != nil {
		return args, err
	}
	if rest := flags.Args(); len(rest) > 0 {
		args.engineAddress = rest[0]
	}
	return args, nil
}

// findExecutor is the exec script: the one given, else beside the host as invoked or as
// resolved, else on PATH (find_executor in cli.py).
func findExecutor(self, given string) string {
	if given != "" {
		return given
	}
	dirs := []string{filepath.Dir(self)}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		dirs = append(dirs, filepath.Dir(resolved))
	}
	for _, dir := range dirs {
		candidate := filepath.Join(dir, executorName)
		if regularFile(candidate) {
			return candidate
		}
	}
	return lookPath(executorName, os.Getenv("PATH"))
}

// serve answers the engine until a signal, the parent's exit or the engine's silence stops it.
func serve(front *front, engineAddress string) int {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot listen: %v\n", hostName, err)
		return 1
	}
	server := grpc.NewServer(
		grpc.UnknownServiceHandler(front.handle),
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessageBytes),
		grpc.MaxSendMsgSize(maxMessageBytes),
	)
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM) // before the port: it may come at once
	go func() { <-signals; halt() }()
	go watch(halt, engineAddress, os.Getppid())

	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	select {
	case <-stop:
	case err := <-served:
		if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			fmt.Fprintf(os.Stderr, "%s: %v\n", hostName, err)
		}
	}
	server.Stop()
	front.backend.stop()
	return 0
}

// watch calls halt when the parent process exits or the engine stops answering its health
// check (the official host's behaviour, as the Python host's _watch).
func watch(halt func(), engineAddress string, parent int) {
	waited := time.Duration(0)
	for {
		time.Sleep(parentPoll)
		if os.Getppid() != parent {
			halt()
			return
		}
		waited += parentPoll
		if engineAddress != "" && waited >= engineCheckPeriod {
			waited = 0
			if !engineAlive(engineAddress) {
				halt()
				return
			}
		}
	}
}
