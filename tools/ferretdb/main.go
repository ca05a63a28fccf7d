// Command ferretdb runs FerretDB 1.x with its PostgreSQL handler through its embeddable
// package. The upstream command panics at start when built with `go install` because it
// needs a generated version file; the embeddable package does not.
//
// PostgreSQL itself (a cluster of the project's own under .data/, its durability and
// size settings) is set up and started by scripts/services.sh; this program only speaks
// the MongoDB wire protocol in front of it. The SQLite handler is not offered: it takes
// one writer at a time and was measured 2.7x slower end to end (docs/decisions.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	// For example postgres://postgres@/ferretdb?host=/path/to/socket-dir&port=28017: the
	// unix socket in the cluster's own directory, which only its owner (and root) can reach.
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string (pgx format)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		fail("bad -listen %q: %v", *listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fail("-listen must be a loopback address, got %q", host)
	}
	if *pgURL == "" {
		fail("-postgresql-url is required")
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level %q: %v", *logLevel, err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		fail("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// The URL holds no secret (the socket is protected by its directory's permissions).
	fmt.Fprintf(os.Stderr, "ferretdb: listening on %s, PostgreSQL at %s\n", *listen, *pgURL)
	if err := f.Run(ctx); err != nil {
		fail("ferretdb stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
