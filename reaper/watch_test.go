package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func waitAsync(w *watch) <-chan string {
	done := make(chan string, 1)
	go func() { done <- w.wait() }()
	return done
}

func TestReapsWhenTheLastConnectionDropsAndStaysDropped(t *testing.T) {
	l := listen(t)
	w := newWatch(100*time.Millisecond, 10*time.Second)
	go w.accept(l)
	done := waitAsync(w)
	a, _ := net.Dial("tcp", l.Addr().String())
	b, _ := net.Dial("tcp", l.Addr().String())
	_ = a.Close()
	select {
	case reason := <-done:
		t.Fatalf("reaped with a connection still open: %s", reason)
	case <-time.After(300 * time.Millisecond):
	}
	dropped := time.Now()
	_ = b.Close()
	select {
	case reason := <-done:
		if !strings.Contains(reason, "dropped") {
			t.Fatalf("reason %q", reason)
		}
		if waited := time.Since(dropped); waited < 100*time.Millisecond || waited > 2*time.Second {
			t.Fatalf("reaped %v after the drop, want about the 100ms grace", waited)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("not reaped after the last connection dropped")
	}
}

func TestAReconnectionWithinTheGraceCancelsTheReaping(t *testing.T) {
	l := listen(t)
	w := newWatch(300*time.Millisecond, 10*time.Second)
	go w.accept(l)
	done := waitAsync(w)
	a, _ := net.Dial("tcp", l.Addr().String())
	_ = a.Close()
	time.Sleep(50 * time.Millisecond)
	b, _ := net.Dial("tcp", l.Addr().String())
	defer b.Close()
	select {
	case reason := <-done:
		t.Fatalf("reaped despite the reconnection: %s", reason)
	case <-time.After(600 * time.Millisecond):
	}
}

func TestReapsWhenNobodyConnects(t *testing.T) {
	l := listen(t)
	w := newWatch(time.Second, 100*time.Millisecond)
	go w.accept(l)
	select {
	case reason := <-waitAsync(w):
		if !strings.Contains(reason, "nobody connected") {
			t.Fatalf("reason %q", reason)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("not reaped although nobody connected")
	}
}
