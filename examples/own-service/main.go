// Command orders is a small Go service of the kind a team brings to hopscope: net/http and expvar from the
// standard library, nothing hopscope-specific. `import _ "expvar"` publishes runtime.MemStats at
// /debug/vars, which is all hopscope needs to put every GC pause on its timeline.
package main

import (
	_ "expvar"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9090", "address to listen on")
	garbageKB := flag.Int("garbage-kb", 64, "KB of short-lived garbage per order request (drives the GC)")
	flag.Parse()

	// expvar registered /debug/vars on the default mux; the service's own routes join it there.
	mux := http.DefaultServeMux
	mux.Handle("/", newHandler(*garbageKB))
	server := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		_ = server.Close()
	}()
	log.Printf("orders listening on %s", *listen)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
