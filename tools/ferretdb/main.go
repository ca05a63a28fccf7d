// Command ferretdb runs FerretDB 1.x (SQLite handler) through its embeddable
// package. The upstream command panics at start when built with `go install`
// because it needs a generated version file; the embeddable package does not.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	dataDir := flag.String("data", "data/ferretdb", "directory for the SQLite databases")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// SQLite's own advice for WAL mode: NORMAL syncs at checkpoints, not at every commit. A
	// process crash loses nothing; a power cut may lose the last commits, much as MongoDB's
	// default write concern (journal flushed every 100 ms) may. FULL syncs every commit.
	syncMode := flag.String("sync", "normal", "SQLite synchronous mode: normal or full")
	// _txlock=immediate: a write transaction takes SQLite's write lock when it begins and
	// waits for it in the busy handler. Deferred ones that read first could fail at once
	// with "database is locked" when another writer got in between (seen as 503s under load).
	flag.Parse()

	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		fail("bad -listen %q: %v", *listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fail("-listen must be a loopback address, got %q", host)
	}

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("bad -data %q: %v", *dataDir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail("cannot create %s: %v", dir, err)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level %q: %v", *logLevel, err)
	}
	if *syncMode != "normal" && *syncMode != "full" {
		fail("bad -sync %q: normal or full", *syncMode)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/?_txlock=immediate&_pragma=synchronous(" + *syncMode + ")",
	})
	if err != nil {
		fail("cannot start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	fmt.Fprintf(os.Stderr, "ferretdb: listening on %s, data in %s\n", *listen, dir)
	if err := f.Run(ctx); err != nil {
		fail("ferretdb stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
