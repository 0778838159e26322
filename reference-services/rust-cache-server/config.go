package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

const (
	serviceName = "rust-cache-server"
	version     = "0.1.0"
	envPrefix   = "RCS_"
)

type config struct {
	bind              string
	port              int
	hopName           string
	self              string
	peers             []string
	vnodes            int
	origin            string
	originTimeout     time.Duration
	forwardTimeout    time.Duration
	memoryMB          int
	maxValueBytes     int
	defaultTTL        time.Duration
	nearCacheMB       int
	nearTTL           time.Duration
	invalidationQueue int
	ballastMB         int
	garbageKB         int
	gcRingSize        int
	gcSample          time.Duration
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	h2c               bool
}

// envName maps a flag to its environment variable: --origin-timeout-ms -> RCS_ORIGIN_TIMEOUT_MS.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads flags, then fills every flag not given on the command line from its RCS_
// variable, so a flag always wins over the environment and the environment over the default.
func parseConfig(args []string, getenv func(string) string, usageOut io.Writer) (*config, error) {
	fs := flag.NewFlagSet(serviceName, flag.ContinueOnError)
	fs.SetOutput(usageOut)
	var (
		peers                                             string
		originMs, forwardMs, ttlMs, nearTTLMs, gcSampleMs int
		readHeaderMs, readMs, writeMs, idleMs, shutdownMs int
		c                                                 config
	)
	fs.StringVar(&c.bind, "bind", "127.0.0.1", "address to listen on")
	fs.IntVar(&c.port, "port", 8081, "port to listen on (0 picks a free one)")
	fs.StringVar(&c.hopName, "hop-name", serviceName, "name of this hop's own Server-Timing entry")
	fs.StringVar(&c.self, "self", "", "this node's base URL as it appears in --peers (default http://BIND:PORT)")
	fs.StringVar(&peers, "peers", "", "comma-separated base URLs of every cluster node, self included (empty: single node)")
	fs.IntVar(&c.vnodes, "vnodes", 128, "virtual nodes per peer on the hash ring")
	fs.StringVar(&c.origin, "origin", "", "read-through origin URL prefix; a miss GETs PREFIX+escaped key (empty: none)")
	fs.IntVar(&originMs, "origin-timeout-ms", 1000, "origin request timeout")
	fs.IntVar(&forwardMs, "forward-timeout-ms", 2000, "timeout of a request forwarded to the owner node or of an invalidation batch")
	fs.IntVar(&c.memoryMB, "memory-mb", 64, "cache memory budget: key + value bytes + a fixed per-entry overhead")
	fs.IntVar(&c.maxValueBytes, "max-value-bytes", 1<<20, "largest value accepted by PUT")
	fs.IntVar(&ttlMs, "default-ttl-ms", 60000, "TTL of entries stored without ttl_ms / X-TTL-Ms and of origin fills (0: no expiry)")
	fs.IntVar(&c.nearCacheMB, "near-cache-mb", 8, "budget of the near cache of keys owned by other nodes")
	fs.IntVar(&nearTTLMs, "near-ttl-ms", 1000, "TTL of near-cache entries, the staleness bound when an invalidation is lost")
	fs.IntVar(&c.invalidationQueue, "invalidation-queue", 10000, "pending invalidations per peer before new keys are dropped")
	fs.IntVar(&c.ballastMB, "ballast-mb", 0, "live pointer-rich heap ballast in MiB")
	fs.IntVar(&c.garbageKB, "garbage-kb-per-request", 0, "short-lived pointer-rich garbage allocated per request, in KiB")
	fs.IntVar(&c.gcRingSize, "gc-ring-size", 100000, "GC pauses kept for /debug/gc")
	fs.IntVar(&gcSampleMs, "gc-sample-ms", 1, "how often the GC sampler checks the GC cycle count")
	fs.IntVar(&readHeaderMs, "read-header-timeout-ms", 5000, "time allowed to read a request head")
	fs.IntVar(&readMs, "read-timeout-ms", 10000, "time allowed to read a whole request")
	fs.IntVar(&writeMs, "write-timeout-ms", 30000, "time allowed from the end of the head to the end of the response")
	fs.IntVar(&idleMs, "idle-timeout-ms", 60000, "keep-alive idle time before a connection is closed")
	fs.IntVar(&shutdownMs, "shutdown-timeout-ms", 5000, "time allowed to drain in-flight requests on SIGTERM/SIGINT")
	fs.BoolVar(&c.h2c, "h2c", false, "also serve HTTP/2 without TLS to clients that start with its preface (prior knowledge)")

	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}

	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	c.originTimeout, c.forwardTimeout, c.defaultTTL, c.nearTTL = ms(originMs), ms(forwardMs), ms(ttlMs), ms(nearTTLMs)
	c.gcSample = ms(gcSampleMs)
	c.readHeaderTimeout, c.readTimeout, c.writeTimeout = ms(readHeaderMs), ms(readMs), ms(writeMs)
	c.idleTimeout, c.shutdownTimeout = ms(idleMs), ms(shutdownMs)

	if err := c.check(peers); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *config) check(peers string) error {
	positive := []struct {
		name string
		v    int
	}{
		{"vnodes", c.vnodes}, {"memory-mb", c.memoryMB}, {"max-value-bytes", c.maxValueBytes},
		{"near-cache-mb", c.nearCacheMB}, {"invalidation-queue", c.invalidationQueue},
		{"gc-ring-size", c.gcRingSize},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return fmt.Errorf("--%s must be positive", p.name)
		}
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"origin-timeout-ms", c.originTimeout}, {"forward-timeout-ms", c.forwardTimeout},
		{"gc-sample-ms", c.gcSample}, {"read-header-timeout-ms", c.readHeaderTimeout},
		{"read-timeout-ms", c.readTimeout}, {"write-timeout-ms", c.writeTimeout},
		{"idle-timeout-ms", c.idleTimeout}, {"shutdown-timeout-ms", c.shutdownTimeout},
		{"near-ttl-ms", c.nearTTL},
	}
	for _, d := range durations {
		if d.d <= 0 {
			return fmt.Errorf("--%s must be positive", d.name)
		}
	}
	if c.port < 0 || c.port > 65535 {
		return errors.New("--port must be 0 to 65535")
	}
	if c.defaultTTL < 0 {
		return errors.New("--default-ttl-ms must not be negative")
	}
	if c.maxValueBytes > c.memoryMB<<20 {
		return errors.New("--max-value-bytes must not exceed --memory-mb")
	}
	if err := checkPressure(c.ballastMB, c.garbageKB); err != nil {
		return fmt.Errorf("--ballast-mb/--garbage-kb-per-request: %s", err.message)
	}
	if !isToken(c.hopName) {
		return errors.New("--hop-name must be an HTTP token (letters, digits, !#$%&'*+-.^_`|~)")
	}
	if c.origin != "" {
		if _, err := baseURL(c.origin, true); err != nil {
			return fmt.Errorf("--origin: %v", err)
		}
	}
	if c.self == "" {
		c.self = fmt.Sprintf("http://%s:%d", c.bind, c.port)
	}
	self, err := baseURL(c.self, false)
	if err != nil {
		return fmt.Errorf("--self: %v", err)
	}
	c.self = self
	seen := map[string]bool{}
	for _, p := range strings.Split(peers, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		u, err := baseURL(p, false)
		if err != nil {
			return fmt.Errorf("--peers: %v", err)
		}
		if !seen[u] {
			seen[u] = true
			c.peers = append(c.peers, u)
		}
	}
	if len(c.peers) > 0 && !seen[c.self] {
		return fmt.Errorf("--self %s is not one of --peers", c.self)
	}
	return nil
}

// baseURL checks an http(s) URL and, for node URLs, drops a trailing slash so that
// "http://h:1/" and "http://h:1" name the same ring member.
func baseURL(raw string, keepPath bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if keepPath {
		return raw, nil
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return "", fmt.Errorf("%q must be scheme://host:port without a path", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
