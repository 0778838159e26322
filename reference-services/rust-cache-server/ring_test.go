package main

import (
	"strconv"
	"testing"
)

func TestRingSpreadsAndMovesFewKeys(t *testing.T) {
	nodes := []string{"http://127.0.0.1:8081", "http://127.0.0.1:8082", "http://127.0.0.1:8083"}
	r3 := newRing(nodes, 128)
	r4 := newRing(append(append([]string{}, nodes...), "http://127.0.0.1:8084"), 128)
	count := map[string]int{}
	moved := 0
	const n = 30000
	for i := range n {
		h := keyHash("key-" + strconv.Itoa(i))
		o3, o4 := r3.owner(h), r4.owner(h)
		count[o3]++
		if o3 != o4 {
			moved++
			if o4 != "http://127.0.0.1:8084" {
				t.Fatalf("key-%d moved between old nodes %s -> %s", i, o3, o4)
			}
		}
	}
	for node, c := range count {
		if c < n/5 || c > n/2 {
			t.Fatalf("%s owns %d of %d keys", node, c, n)
		}
	}
	if moved < n/8 || moved > n*3/8 {
		t.Fatalf("adding a fourth node moved %d of %d keys", moved, n)
	}
	// Every node must build the same ring whatever the order of --peers.
	rev := newRing([]string{nodes[2], nodes[0], nodes[1]}, 128)
	for i := range 1000 {
		h := keyHash(strconv.Itoa(i))
		if rev.owner(h) != r3.owner(h) {
			t.Fatal("ring depends on the order of --peers")
		}
	}
}
