package main

import (
	"io"
	"net"
	"sync"
	"time"
)

// watch counts hopscope's connections and decides when the run is over.
type watch struct {
	mu        sync.Mutex
	open      int
	connected bool
	changed   chan struct{}
	grace     time.Duration
	timeout   time.Duration
}

func newWatch(grace, timeout time.Duration) *watch {
	return &watch{changed: make(chan struct{}, 1), grace: grace, timeout: timeout}
}

func (w *watch) notify() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *watch) accept(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		w.mu.Lock()
		w.open++
		w.connected = true
		w.mu.Unlock()
		w.notify()
		go func() {
			// hopscope sends nothing; a read returns only when the connection drops.
			_, _ = io.Copy(io.Discard, conn)
			_ = conn.Close()
			w.mu.Lock()
			w.open--
			w.mu.Unlock()
			w.notify()
		}()
	}
}

// wait returns, with the reason, once nobody connected within the timeout, or the last connection has been
// gone for the grace period.
func (w *watch) wait() string {
	deadline := time.NewTimer(w.timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		open, connected := w.open, w.connected
		w.mu.Unlock()
		switch {
		case !connected:
			select {
			case <-w.changed:
			case <-deadline.C:
				return "nobody connected within " + w.timeout.String()
			}
		case open > 0:
			<-w.changed
		default:
			select {
			case <-w.changed:
			case <-time.After(w.grace):
				return "hopscope's connection dropped"
			}
		}
	}
}
