package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// engineClient speaks the few Docker Engine API calls the reaper needs, over the standard library only.
type engineClient struct {
	http *http.Client
	base string
}

func newEngineClient(address string) (*engineClient, error) {
	switch {
	case strings.HasPrefix(address, "unix://"):
		path := strings.TrimPrefix(address, "unix://")
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		}
		return &engineClient{http: &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 30 * time.Second}, base: "http://engine"}, nil
	case strings.HasPrefix(address, "tcp://"):
		return &engineClient{http: &http.Client{Timeout: 30 * time.Second}, base: "http://" + strings.TrimPrefix(address, "tcp://")}, nil
	default:
		return nil, fmt.Errorf("unsupported engine address %q: want unix:///path or tcp://host:port", address)
	}
}

type containerSummary struct {
	ID     string            `json:"Id"`
	Names  []string          `json:"Names"`
	Labels map[string]string `json:"Labels"`
	State  string            `json:"State"`
}

// removeLabelled force-removes every container carrying label (key=value), except those carrying skip.
func (c *engineClient) removeLabelled(label, skip string) ([]string, error) {
	filters, _ := json.Marshal(map[string][]string{"label": {label}})
	resp, err := c.http.Get(c.base + "/containers/json?all=1&filters=" + url.QueryEscape(string(filters)))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("listing containers: %s: %s", resp.Status, body)
	}
	var containers []containerSummary
	if err := json.NewDecoder(resp.Body).Decode(&containers); err != nil {
		return nil, err
	}
	skipKey, skipValue, _ := strings.Cut(skip, "=")
	var removed []string
	var firstErr error
	for _, ctr := range containers {
		if ctr.Labels[skipKey] == skipValue {
			continue
		}
		if ctr.State == "paused" {
			// The engine refuses to kill a frozen container (a pause fault was on when hopscope died).
			_ = c.call(http.MethodPost, "/containers/"+ctr.ID+"/unpause")
		}
		if err := c.call(http.MethodDelete, "/containers/"+ctr.ID+"?force=1&v=1"); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		name := ctr.ID
		if len(ctr.Names) > 0 {
			name = strings.TrimPrefix(ctr.Names[0], "/")
		}
		removed = append(removed, name)
	}
	return removed, firstErr
}

type serviceSummary struct {
	ID   string `json:"ID"`
	Spec struct {
		Name string `json:"Name"`
	} `json:"Spec"`
}

// removeLabelledServices removes every swarm service carrying label; an engine that manages no swarm has none.
func (c *engineClient) removeLabelledServices(label string) ([]string, error) {
	filters, _ := json.Marshal(map[string][]string{"label": {label}})
	resp, err := c.http.Get(c.base + "/services?filters=" + url.QueryEscape(string(filters)))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("listing services: %s: %s", resp.Status, body)
	}
	var services []serviceSummary
	if err := json.NewDecoder(resp.Body).Decode(&services); err != nil {
		return nil, err
	}
	var removed []string
	var firstErr error
	for _, svc := range services {
		if err := c.call(http.MethodDelete, "/services/"+svc.ID); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		removed = append(removed, svc.Spec.Name)
	}
	return removed, firstErr
}

func (c *engineClient) call(method, path string) error {
	req, err := http.NewRequest(method, c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// 404: already gone, which is what we wanted.
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, body)
	}
	return nil
}
