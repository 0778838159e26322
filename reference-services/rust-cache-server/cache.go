package main

import (
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// entryOverhead approximates what an entry costs beyond its key and value bytes: the entry struct,
// its map slot and the two header slices. Counting it keeps a budget honest for tiny values.
const entryOverhead = 128

// entry is immutable once stored, except for its list links which only the shard touches under
// its lock, so a hit can write val after the lock is released.
type entry struct {
	key     string
	val     []byte
	ctype   []string // header values built at PUT, so a hit assigns them without allocating
	clen    []string
	expires int64 // unix ns; 0 never expires
	size    int64
	prev    *entry
	next    *entry
}

func newEntry(key string, val []byte, contentType string, ttl time.Duration, now time.Time) *entry {
	if cap(val)-len(val) > len(val)/8+64 {
		// A body read without Content-Length grew by doubling; the spare capacity would be held
		// for the entry's life without being counted against the budget.
		val = slices.Clone(val)
	}
	e := &entry{
		key:   key,
		val:   val,
		ctype: []string{contentType},
		clen:  []string{strconv.Itoa(len(val))},
		size:  int64(len(key)+len(val)) + entryOverhead,
	}
	if ttl > 0 {
		e.expires = now.Add(ttl).UnixNano()
	}
	return e
}

// lruCache is a sharded LRU: a key's hash picks one shard, each shard is a strict LRU with an
// equal part of the byte budget and its own mutex, so concurrent requests rarely share a lock.
// Eviction is therefore LRU per shard, an approximation of a global LRU.
type lruCache struct {
	shards    []shard
	mask      uint64
	evictions atomic.Uint64
	expired   atomic.Uint64
}

type shard struct {
	mu     sync.Mutex
	items  map[string]*entry
	root   entry // sentinel of a circular list: root.next is the most recently used
	bytes  int64
	budget int64
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

// newLRU picks the most shards (up to 64) that still leave each shard room for four of the
// largest values, so sharding never makes a legal value unstorable.
func newLRU(budget, maxValue int64) *lruCache {
	n := int64(64)
	for n > 1 && budget/n < 4*(maxValue+entryOverhead+256) {
		n /= 2
	}
	c := &lruCache{shards: make([]shard, n), mask: uint64(n - 1)}
	for i := range c.shards {
		s := &c.shards[i]
		s.items = make(map[string]*entry)
		s.root.next, s.root.prev = &s.root, &s.root
		s.budget = budget / n
	}
	return c
}

func (c *lruCache) shard(h uint64) *shard { return &c.shards[h&c.mask] }

func (s *shard) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (s *shard) pushFront(e *entry) {
	e.prev, e.next = &s.root, s.root.next
	s.root.next.prev = e
	s.root.next = e
}

func (s *shard) remove(e *entry) {
	s.unlink(e)
	delete(s.items, e.key)
	s.bytes -= e.size
}

// get returns the live entry for key and marks it most recently used. An expired entry is
// removed on the way, so expiry costs nothing until the key is read or evicted.
func (c *lruCache) get(key string, h uint64, now int64) *entry {
	s := c.shard(h)
	s.mu.Lock()
	e := s.items[key]
	if e == nil {
		s.mu.Unlock()
		return nil
	}
	if e.expires != 0 && now >= e.expires {
		s.remove(e)
		s.mu.Unlock()
		c.expired.Add(1)
		return nil
	}
	if s.root.next != e {
		s.unlink(e)
		s.pushFront(e)
	}
	s.mu.Unlock()
	return e
}

// set stores e, evicting least recently used entries of its shard until the shard fits its budget.
// onlyIfAbsent keeps a value written by PUT from being overwritten by an older origin fill that
// was in flight meanwhile. It reports false when e alone exceeds the shard's budget.
func (c *lruCache) set(h uint64, e *entry, onlyIfAbsent bool) bool {
	s := c.shard(h)
	if e.size > s.budget {
		return false
	}
	var evicted uint64
	s.mu.Lock()
	if old := s.items[e.key]; old != nil {
		if onlyIfAbsent {
			s.mu.Unlock()
			return true
		}
		s.remove(old)
	}
	s.items[e.key] = e
	s.pushFront(e)
	s.bytes += e.size
	for s.bytes > s.budget {
		s.remove(s.root.prev)
		evicted++
	}
	s.mu.Unlock()
	if evicted > 0 {
		c.evictions.Add(evicted)
	}
	return true
}

func (c *lruCache) del(key string, h uint64) bool {
	s := c.shard(h)
	s.mu.Lock()
	e := s.items[key]
	if e != nil {
		s.remove(e)
	}
	s.mu.Unlock()
	return e != nil
}

// stats counts entries and bytes, expired ones included until they are read or evicted.
func (c *lruCache) stats() (entries int, bytes int64) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		entries += len(s.items)
		bytes += s.bytes
		s.mu.Unlock()
	}
	return entries, bytes
}

func (c *lruCache) budget() int64 {
	return c.shards[0].budget * int64(len(c.shards))
}
