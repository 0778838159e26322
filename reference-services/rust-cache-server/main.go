// rust-cache-server: the cache tier of hopscope's reference services, written in Go despite its
// name (see README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", serviceName, err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.bind, strconv.Itoa(cfg.port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", serviceName, err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, ln, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", serviceName, err)
		os.Exit(1)
	}
}

// protocols is HTTP/1.1, plus h2c with prior knowledge when asked: net/http (Go 1.24+) tells the
// two apart by the connection preface, so HTTP/1.1 clients are served exactly as without it.
func protocols(h2c bool) *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(h2c)
	return p
}

// run serves on ln until ctx ends, then stops accepting, drains in-flight requests for at most
// --shutdown-timeout-ms and returns nil: a drained shutdown is a clean exit.
func run(ctx context.Context, cfg *config, ln net.Listener, stdout io.Writer) error {
	a := newApp(cfg)
	srv := &http.Server{
		Handler:           a,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(os.Stderr, serviceName+": ", 0),
		Protocols:         protocols(cfg.h2c),
	}
	a.start()
	fmt.Fprintf(stdout, "%s listening on %s\n", serviceName, ln.Addr())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		a.stop(context.Background())
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: drain incomplete after %s, closing remaining connections\n", serviceName, cfg.shutdownTimeout)
		srv.Close()
	}
	a.stop(sctx)
	return nil
}
