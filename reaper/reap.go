package main

import (
	"fmt"
	"time"
)

// labelledEngine is what reap needs of the engine: removal by label, of swarm services and of containers.
type labelledEngine interface {
	removeLabelledServices(label string) ([]string, error)
	removeLabelled(label, skip string) ([]string, error)
}

// reapResult is what one reap removed, and the last error if something labelled could not be removed.
type reapResult struct {
	services   []string
	containers []string
	err        error
}

// reap removes the run's swarm services, then its containers. A removed service's task containers are
// being stopped and removed by the swarm agent at the same moment, so a force-remove can meet a 409
// ("removal already in progress") or a container the agent has not finished yet: once services were
// removed, containers are listed and removed again until a listing comes back empty, up to settle.
func reap(engine labelledEngine, filter, skip string, settle, poll time.Duration) reapResult {
	var result reapResult
	services, err := engine.removeLabelledServices(filter)
	result.services = services
	if err != nil {
		result.err = fmt.Errorf("removing services: %w", err)
	}
	deadline := time.Now().Add(settle)
	for {
		removed, err := engine.removeLabelled(filter, skip)
		result.containers = append(result.containers, removed...)
		done := err == nil && (len(services) == 0 || len(removed) == 0)
		if done || time.Now().After(deadline) {
			if err != nil {
				result.err = err
			}
			return result
		}
		time.Sleep(poll)
	}
}
