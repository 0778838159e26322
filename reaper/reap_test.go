package main

import (
	"errors"
	"testing"
	"time"
)

// fakeEngine stands in for the Docker engine: a swarm agent that removes a service's task containers on
// its own, refusing concurrent removals (409) for a while, and containers appearing late.
type fakeEngine struct {
	services   []string
	containers [][]string // what each successive listing finds
	conflicts  int        // how many listings fail with a 409 first
	listings   int
}

func (f *fakeEngine) removeLabelledServices(string) ([]string, error) {
	removed := f.services
	f.services = nil
	return removed, nil
}

func (f *fakeEngine) removeLabelled(string, string) ([]string, error) {
	f.listings++
	if f.conflicts > 0 {
		f.conflicts--
		return nil, errors.New("DELETE /containers/x: 409 Conflict: removal of container x is already in progress")
	}
	if len(f.containers) == 0 {
		return nil, nil
	}
	found := f.containers[0]
	f.containers = f.containers[1:]
	return found, nil
}

func TestReapRetriesTaskContainersAfterRemovingServicesUntilNoneIsLeft(t *testing.T) {
	f := &fakeEngine{services: []string{"job"}, containers: [][]string{{"job.1"}, {"job.2"}}, conflicts: 2}
	r := reap(f, "run", "reaper", 5*time.Second, time.Millisecond)
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	if len(r.services) != 1 || len(r.containers) != 2 {
		t.Fatalf("removed services %v containers %v; want 1 service and job.1, job.2", r.services, r.containers)
	}
	if f.listings != 5 {
		t.Fatalf("listed %d times; want 2 conflicts + 2 with containers + 1 empty", f.listings)
	}
}

func TestReapWithoutServicesListsContainersOnce(t *testing.T) {
	f := &fakeEngine{containers: [][]string{{"api"}, {"late"}}}
	r := reap(f, "run", "reaper", 5*time.Second, time.Millisecond)
	if r.err != nil || len(r.containers) != 1 || f.listings != 1 {
		t.Fatalf("got %+v after %d listings; want api removed in one listing", r, f.listings)
	}
}

func TestReapGivesUpAfterSettleWithTheLastError(t *testing.T) {
	f := &fakeEngine{services: []string{"job"}, conflicts: 1 << 30}
	start := time.Now()
	r := reap(f, "run", "reaper", 50*time.Millisecond, time.Millisecond)
	if r.err == nil {
		t.Fatal("want the conflict reported")
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("waited %v; want about the 50 ms settle", waited)
	}
}
