package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// bootstrap runs the Python host from its tools directory, with the front's own path as the
// host's executable (the exec script is looked up beside it): python -I -c bootstrap TOOLS
// SELF ARGS...
const bootstrap = "import sys; sys.path.insert(0, sys.argv[1]); " +
	"from language_host.__main__ import run; sys.exit(run(sys.argv[3:], executable=sys.argv[2]))"

// frame is one gRPC message, passed on as its encoded bytes.
type frame struct{ payload []byte }

// rawCodec leaves messages encoded, so that any RPC can be passed on unread.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*frame)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return f.payload, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	f.payload = append(f.payload[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// backend is the Python host, started on first need and stopped with the front.
type backend struct {
	cfg  config
	self string
	argv []string
	// addressGiven says argv names the engine; else the handshake's address is appended.
	addressGiven bool

	mu      sync.Mutex
	process *exec.Cmd
	conn    *grpc.ClientConn
	err     error
}

func (b *backend) command(argv []string) []string {
	return append([]string{b.cfg.Python, "-I", "-c", bootstrap, b.cfg.Tools, b.self}, argv...)
}

// execInstead replaces this process with the Python host, for a command line only it words.
func (b *backend) execInstead() int {
	argv := b.command(b.argv)
	err := syscall.Exec(argv[0], argv, os.Environ())
	fmt.Fprintf(os.Stderr, "%s: cannot run the Python host %s: %v\n", hostName, argv[0], err)
	return 1
}

// connection starts the Python host once, with the engine address the front knows by then.
func (b *backend) connection(engineAddress string) (*grpc.ClientConn, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil || b.err != nil {
		return b.conn, b.err
	}
	b.conn, b.err = b.start(engineAddress)
	return b.conn, b.err
}

func (b *backend) start(engineAddress string) (*grpc.ClientConn, error) {
	argv := b.argv
	if !b.addressGiven && engineAddress != "" {
		argv = append(append([]string{}, argv...), engineAddress)
	}
	command := b.command(argv)
	process := exec.Command(command[0], command[1:]...)
	process.Stdin = os.Stdin
	process.Stderr = os.Stderr
	stdout, err := process.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := process.Start(); err != nil {
		return nil, fmt.Errorf("starting the Python host %s: %w", command[0], err)
	}
	b.process = process
	reader := bufio.NewReader(stdout)
	line, err := reader.ReadString('\n')
	port, convErr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || convErr != nil {
		return nil, fmt.Errorf("the Python host printed %q instead of its port", line)
	}
	go func() { _, _ = io.Copy(os.Stdout, reader) }()
	return grpc.NewClient(
		fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxMessageBytes),
			grpc.MaxCallSendMsgSize(maxMessageBytes),
		),
	)
}

func (b *backend) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		_ = b.conn.Close()
	}
	if b.process != nil && b.process.Process != nil {
		_ = b.process.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = b.process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = b.process.Process.Kill()
		}
	}
}

// forward passes the RPC on the server stream to the Python host, the request's first
// message already read when first is not nil, and its answers back.
func (b *backend) forward(method, engineAddress string, stream grpc.ServerStream, first *frame) error {
	conn, err := b.connection(engineAddress)
	if err != nil {
		return status.Errorf(codes.Unavailable, "%s: %v", hostName, err)
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md.Copy())
	}
	client, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true},
		method, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	sent := make(chan error, 1)
	go func() { sent <- pumpRequests(stream, client, first) }()
	for {
		var answer frame
		if err := client.RecvMsg(&answer); err != nil {
			if errors.Is(err, io.EOF) {
				return <-sent
			}
			return err
		}
		if err := stream.SendMsg(&answer); err != nil {
			return err
		}
	}
}

func pumpRequests(stream grpc.ServerStream, client grpc.ClientStream, first *frame) error {
	if first != nil {
		if err := client.SendMsg(first); err != nil {
			return nil // the answer's stream reports why
		}
	}
	for {
		var request frame
		if err := stream.RecvMsg(&request); err != nil {
			_ = client.CloseSend()
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := client.SendMsg(&request); err != nil {
			return nil
		}
	}
}

// engineAlive asks the engine's health service; an engine without one counts as alive.
func engineAlive(address string) bool {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err == nil || status.Code(err) == codes.Unimplemented
}
