// Command reaper removes one hopscope run's containers once that run can no longer do it itself, the way
// Testcontainers' Ryuk does: hopscope holds a TCP connection to it for the whole run; when the last
// connection drops (hopscope exited, crashed or was killed with -9) and none comes back within the grace
// period, it removes every container labelled with the run's id, then exits (its own container is
// auto-removed by the engine). If hopscope never connects, it reaps after the connect timeout all the same.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

// taskSettle bounds how long the reaper keeps removing a removed swarm service's task containers.
const taskSettle = 30 * time.Second

func main() {
	run := flag.String("run", "", "the run id: containers labelled dev.hopscope.run=ID are removed")
	listen := flag.String("listen", "127.0.0.1:0", "where hopscope connects (host network)")
	engine := flag.String("engine", "unix:///var/run/docker.sock", "the Docker engine: unix:///path or tcp://host:port")
	grace := flag.Duration("grace", time.Second, "how long to wait for a reconnection after the last connection drops")
	connectTimeout := flag.Duration("connect-timeout", 60*time.Second, "reap anyway if nobody connects within this")
	flag.Parse()
	log.SetFlags(0)
	if *run == "" {
		log.Fatal("reaper: -run is required")
	}
	client, err := newEngineClient(*engine)
	if err != nil {
		log.Fatalf("reaper: %v", err)
	}
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("reaper: %v", err)
	}
	// hopscope reads this line from the container's log to learn the port.
	fmt.Printf("reaper listening on %s for run %s\n", listener.Addr(), *run)

	w := newWatch(*grace, *connectTimeout)
	go w.accept(listener)
	reason := w.wait()
	filter := "dev.hopscope.run=" + *run
	// Services first (a fleet's swarm job): removing only their containers would leave the job behind.
	result := reap(client, filter, "dev.hopscope.role=reaper", taskSettle, 250*time.Millisecond)
	for _, name := range result.services {
		fmt.Printf("reaper: removed service %s\n", name)
	}
	for _, name := range result.containers {
		fmt.Printf("reaper: removed %s\n", name)
	}
	if result.err != nil {
		fmt.Fprintf(os.Stderr, "reaper: %s; removing %s failed: %v\n", reason, filter, result.err)
		os.Exit(1)
	}
	fmt.Printf("reaper: %s; removed %d container(s) labelled %s\n", reason, len(result.containers), filter)
}
