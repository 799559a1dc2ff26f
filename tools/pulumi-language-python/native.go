package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	service      = "/pulumirpc.LanguageRuntime/"
	executorName = "pulumi-language-python-exec"
	// exitAfterReportedError is the exec script's exit code after the program reported its
	// error through the engine: the engine must not print a second, generic one.
	exitAfterReportedError = 32
)

// errPassOn says the Python host must answer this request: it words every error and does
// everything beyond reading (creating a virtual environment, for one).
var errPassOn = errors.New("answered by the Python host")

// front answers the frequent RPCs and passes the others to the Python host.
type front struct {
	args     arguments
	executor string
	backend  *backend
	environ  []string

	mu            sync.Mutex
	engineAddress string
}

func newFront(args arguments, executor string, backend *backend) *front {
	return &front{
		args:          args,
		executor:      executor,
		backend:       backend,
		environ:       os.Environ(),
		engineAddress: args.engineAddress,
	}
}

func (f *front) engine() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.engineAddress
}

// native is one RPC the front answers: it reads its request from the encoded bytes and
// returns the answer, or errPassOn.
type native func(f *front, ctx context.Context, request []byte) (proto.Message, error)

var natives = map[string]native{
	service + "GetPluginInfo":       (*front).getPluginInfo,
	service + "Handshake":           (*front).handshake,
	service + "Cancel":              (*front).cancel,
	service + "GetRequiredPackages": (*front).getRequiredPackages,
	service + "GetRequiredPlugins":  (*front).getRequiredPlugins,
	service + "Run":                 (*front).run,
	service + "About":               (*front).about,
}

// streaming is one server-streaming RPC the front answers on the stream itself, or returns
// errPassOn having sent nothing.
type streaming func(f *front, stream grpc.ServerStream, request []byte) error

var streamings = map[string]streaming{
	service + "RunPlugin": (*front).runPlugin,
}

// handle serves every RPC: a native one here unless it passes it on, any other by the
// Python host.
func (f *front) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	answer, ok := natives[method]
	streamed, isStreaming := streamings[method]
	if !ok && !isStreaming {
		return f.backend.forward(method, f.engine(), stream, nil)
	}
	var request frame
	if err := stream.RecvMsg(&request); err != nil {
		return err
	}
	if isStreaming {
		err := streamed(f, stream, request.payload)
		if errors.Is(err, errPassOn) {
			return f.backend.forward(method, f.engine(), stream, &request)
		}
		return err
	}
	response, err := answer(f, stream.Context(), request.payload)
	if errors.Is(err, errPassOn) {
		return f.backend.forward(method, f.engine(), stream, &request)
	}
	if err != nil {
		return err
	}
	return send(stream, response)
}

// send encodes message and sends it on the stream: every answer the front writes itself.
func send(stream grpc.ServerStream, message proto.Message) error {
	payload, err := proto.Marshal(message)
	if err != nil {
		return status.Errorf(codes.Internal, "%s: %v", hostName, err)
	}
	return stream.SendMsg(&frame{payload: payload})
}

func decode(request []byte, into proto.Message) error {
	if err := proto.Unmarshal(request, into); err != nil {
		return errPassOn
	}
	return nil
}

func (f *front) handshake(_ context.Context, request []byte) (proto.Message, error) {
	var req pulumirpc.LanguageHandshakeRequest
	if err := decode(request, &req); err != nil {
		return nil, err
	}
	if req.EngineAddress != "" {
		f.mu.Lock()
		f.engineAddress = req.EngineAddress
		f.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (f *front) cancel(context.Context, []byte) (proto.Message, error) {
	return &emptypb.Empty{}, nil
}

// getPluginInfo is the version of the Python SDK the host's interpreter has installed.
func (f *front) getPluginInfo(context.Context, []byte) (proto.Message, error) {
	version, ok := sdkVersion(f.backend.cfg.Python)
	if !ok {
		return nil, errPassOn
	}
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (f *front) getRequiredPackages(ctx context.Context, request []byte) (proto.Message, error) {
	required, err := f.requiredPluginsOf(ctx, request, &pulumirpc.GetRequiredPackagesRequest{})
	if err != nil {
		return nil, err
	}
	response := &pulumirpc.GetRequiredPackagesResponse{}
	for _, r := range required {
		response.Packages = append(response.Packages, &pulumirpc.PackageDependency{
			Name:             r.name,
			Version:          r.version,
			Kind:             "resource",
			Server:           r.server,
			Parameterization: r.parameterization,
		})
	}
	return response, nil
}

func (f *front) getRequiredPlugins(ctx context.Context, request []byte) (proto.Message, error) {
	required, err := f.requiredPluginsOf(ctx, request, &pulumirpc.GetRequiredPluginsRequest{})
	if err != nil {
		return nil, err
	}
	response := &pulumirpc.GetRequiredPluginsResponse{}
	for _, r := range required {
		response.Plugins = append(response.Plugins, &pulumirpc.PluginDependency{
			Name: r.name, Version: r.version, Kind: "resource", Server: r.server,
		})
	}
	return response, nil
}

// infoRequest is a request that carries the program's ProgramInfo.
type infoRequest interface {
	proto.Message
	GetInfo() *pulumirpc.ProgramInfo
}

// requiredPluginsOf decodes request into req and lists the plugins its program needs.
func (f *front) requiredPluginsOf(ctx context.Context, request []byte, req infoRequest) ([]requirement, error) {
	if err := decode(request, req); err != nil {
		return nil, err
	}
	return f.requiredPlugins(ctx, req.GetInfo())
}

// project is the program's pip options and interpreter, in a virtual environment that exists
// already; anything else (a missing environment, another toolchain, no interpreter) is the
// Python host's to answer.
func (f *front) project(info *pulumirpc.ProgramInfo) (pythonOptions, string, error) {
	options, err := optionsFrom(info)
	if err != nil || !options.virtualenvReady() {
		return pythonOptions{}, "", errPassOn
	}
	python, err := options.interpreter(f.environ)
	if err != nil {
		return pythonOptions{}, "", errPassOn
	}
	return options, python, nil
}

// requiredPlugins lists the installed packages with the project's interpreter, in a
// virtual environment that exists already (the Python host creates a missing one).
func (f *front) requiredPlugins(ctx context.Context, info *pulumirpc.ProgramInfo) ([]requirement, error) {
	options, python, err := f.project(info)
	if err != nil {
		return nil, err
	}
	installed, err := listInstalled(ctx, python, options.environment(f.environ), options.programDir,
		f.backend.cfg.Tools)
	if err != nil {
		return nil, errPassOn
	}
	return requiredFrom(installed)
}

// about is the project's interpreter and its version, as that interpreter reports them.
func (f *front) about(ctx context.Context, request []byte) (proto.Message, error) {
	var req pulumirpc.AboutRequest
	if err := decode(request, &req); err != nil {
		return nil, err
	}
	if req.GetInfo() == nil {
		return nil, errPassOn
	}
	options, python, err := f.project(req.GetInfo())
	if err != nil {
		return nil, err
	}
	executable, version, err := describeInterpreter(ctx, python, options.environment(f.environ),
		options.programDir, f.backend.cfg.Tools)
	if err != nil {
		return nil, errPassOn
	}
	return &pulumirpc.AboutResponse{Executable: executable, Version: version}, nil
}

// run runs the program through the exec script, its output going straight to the engine.
func (f *front) run(_ context.Context, request []byte) (proto.Message, error) {
	var req pulumirpc.RunRequest
	if err := decode(request, &req); err != nil {
		return nil, err
	}
	options, python, err := f.project(req.GetInfo())
	if err != nil {
		return nil, err
	}
	argv := append([]string{python, "-u", f.executor}, runArguments(&req, f.engine(), f.args.tracing)...)
	env := options.environment(f.environ)
	if len(req.GetConfig()) > 0 {
		config, err := json.Marshal(req.GetConfig()) // keys sorted, as the Python host writes them
		if err != nil {
			return nil, errPassOn
		}
		env = setEnv(env, "PULUMI_CONFIG", string(config))
	}
	secretKeys, err := json.Marshal(append([]string{}, req.GetConfigSecretKeys()...))
	if err != nil {
		return nil, errPassOn
	}
	env = setEnv(env, "PULUMI_CONFIG_SECRET_KEYS", string(secretKeys))
	if f.args.verbose >= 5 {
		fmt.Fprintf(os.Stderr, "%s: launching process: %s\n", hostName, strings.Join(argv, " "))
	}
	program := exec.Command(argv[0], argv[1:]...)
	program.Env = env
	program.Stdin, program.Stdout, program.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = program.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit):
		return runFailure(exit), nil
	default:
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
		}, nil
	}
}

func runFailure(exit *exec.ExitError) *pulumirpc.RunResponse {
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program exited unexpectedly: killed by signal %d", int(ws.Signal())),
		}
	}
	code := exit.ExitCode()
	if code == exitAfterReportedError {
		return &pulumirpc.RunResponse{Bail: true}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}
}

// runArguments are the exec script's arguments, as the official host builds them.
func runArguments(req *pulumirpc.RunRequest, engineAddress, tracing string) []string {
	dryRun := "false"
	if req.GetDryRun() {
		dryRun = "true"
	}
	var args []string
	for _, flag := range []struct{ name, value string }{
		{"monitor", req.GetMonitorAddress()},
		{"engine", engineAddress},
		{"project", req.GetProject()},
		{"root_directory", req.GetInfo().GetRootDirectory()},
		{"stack", req.GetStack()},
		{"pwd", req.GetPwd()},
		{"dry_run", dryRun},
		{"parallel", fmt.Sprint(req.GetParallel())},
		{"tracing", tracing},
		{"organization", req.GetOrganization()},
	} {
		if flag.value != "" {
			args = append(args, "--"+flag.name, flag.value)
		}
	}
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	return append(append(args, entry), req.GetArgs()...)
}
