package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// pluginChunk is the most a single RunPluginResponse carries of the plugin's output.
const pluginChunk = 32 * 1024

// runPlugin runs a Python plugin or policy pack that has a __main__.py, as the Python host's
// RunPlugin does: `python -u <plugin dir> ARGS` in the plugin's virtualenv (default venv),
// its stdout and stderr streamed as they are written, a non-zero exit code sent last, the
// process killed when the engine ends the call. A plugin run as a package
// (pulumi.run.plugin), a missing virtual environment and a plugin that cannot start are the
// Python host's to answer: nothing has been sent when this returns errPassOn.
func (f *front) runPlugin(stream grpc.ServerStream, request []byte) error {
	var req pulumirpc.RunPluginRequest
	if err := decode(request, &req); err != nil {
		return err
	}
	if req.GetInfo() == nil {
		return errPassOn
	}
	options, err := optionsFrom(req.GetInfo())
	if err != nil {
		return errPassOn
	}
	if options.virtualenv == "" {
		options.virtualenv = "venv" // plugins never run on the ambient interpreter
	}
	if !options.virtualenvReady() || !regularFile(filepath.Join(options.root, "__main__.py")) {
		return errPassOn
	}
	python, err := options.interpreter(f.environ)
	if err != nil {
		return errPassOn
	}
	entry := req.GetInfo().GetProgramDirectory()
	if entry == "" {
		entry = options.root
	}
	argv := append([]string{python, "-u", entry}, req.GetArgs()...)
	env := options.environment(f.environ)
	for _, variable := range req.GetEnv() {
		key, value, _ := strings.Cut(variable, "=")
		env = setEnv(env, key, value)
	}
	plugin := exec.Command(argv[0], argv[1:]...)
	plugin.Env = env
	plugin.Dir = req.GetPwd()
	stdout, err := plugin.StdoutPipe()
	if err != nil {
		return errPassOn
	}
	stderr, err := plugin.StderrPipe()
	if err != nil {
		return errPassOn
	}
	if err := plugin.Start(); err != nil {
		return errPassOn
	}
	if f.args.verbose >= 5 {
		fmt.Fprintf(os.Stderr, "%s: launching plugin: %s\n", hostName, strings.Join(argv, " "))
	}
	return streamPlugin(stream, plugin, stdout, stderr)
}

// streamPlugin sends what the started plugin writes until both its streams close, then its
// exit code when it is not 0 (-1 when a signal ended it); the engine ending the call kills it.
func streamPlugin(stream grpc.ServerStream, plugin *exec.Cmd, stdout, stderr io.Reader) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-stream.Context().Done():
			_ = plugin.Process.Kill()
		case <-done:
		}
	}()
	responses := make(chan *pulumirpc.RunPluginResponse)
	var pumps sync.WaitGroup
	pumps.Add(2)
	go pump(stdout, responses, &pumps, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, responses, &pumps, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	go func() {
		pumps.Wait()
		close(responses)
	}()
	var sendErr error
	for response := range responses {
		if sendErr == nil {
			if sendErr = send(stream, response); sendErr != nil {
				_ = plugin.Process.Kill() // the engine is gone: so is the plugin
			}
		}
	}
	waitErr := plugin.Wait()
	if sendErr != nil {
		return sendErr
	}
	var exit *exec.ExitError
	if !errors.As(waitErr, &exit) {
		return nil
	}
	code := int32(exit.ExitCode()) // -1 when a signal ended it, as the Python host reports it
	return send(stream, &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

// pump reads from pipe until it closes, each read sent on as one response.
func pump(
	pipe io.Reader, out chan<- *pulumirpc.RunPluginResponse, pumps *sync.WaitGroup,
	wrap func([]byte) *pulumirpc.RunPluginResponse,
) {
	defer pumps.Done()
	buffer := make([]byte, pluginChunk)
	for {
		n, err := pipe.Read(buffer)
		if n > 0 {
			out <- wrap(append([]byte(nil), buffer[:n]...))
		}
		if err != nil {
			return
		}
	}
}
