package main

import (
	"slices"
	"strconv"
	"strings"
)

// keyHash is FNV-1a finished with the splitmix64 mixer: FNV alone clusters similar short strings
// (key-1, key-2, node#1, node#2) on the ring, the mixer spreads them. It is written out instead
// of hash/fnv so that hashing a string costs no allocation on the request path.
func keyHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// ring is a consistent-hash ring: each node owns the arcs ending at its virtual points, so adding
// or removing a node moves only about 1/N of the keys.
type ring struct {
	points []uint64 // sorted
	owners []int    // owners[i] is the index in nodes of points[i]
	nodes  []string
}

func newRing(nodes []string, vnodes int) *ring {
	type point struct {
		h    uint64
		node int
	}
	pts := make([]point, 0, len(nodes)*vnodes)
	for n, name := range nodes {
		for v := 0; v < vnodes; v++ {
			pts = append(pts, point{keyHash(name + "#" + strconv.Itoa(v)), n})
		}
	}
	// Ties (vanishingly rare) are broken by node URL so every node builds the same ring.
	slices.SortFunc(pts, func(a, b point) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return strings.Compare(nodes[a.node], nodes[b.node])
	})
	r := &ring{nodes: nodes, points: make([]uint64, len(pts)), owners: make([]int, len(pts))}
	for i, p := range pts {
		r.points[i], r.owners[i] = p.h, p.node
	}
	return r
}

// owner is the node of the first point at or after h, wrapping past the top of the ring.
func (r *ring) owner(h uint64) string {
	i, _ := slices.BinarySearch(r.points, h)
	if i == len(r.points) {
		i = 0
	}
	return r.nodes[r.owners[i]]
}
