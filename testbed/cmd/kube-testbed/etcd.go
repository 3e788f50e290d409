// Runs a single-member etcd in this process for the test API server.
package main

import (
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func runEtcd(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("etcd wants DIR CLIENT_PORT PEER_PORT, got %q", args)
	}
	client, err := url.Parse("http://127.0.0.1:" + args[1])
	if err != nil {
		return err
	}
	peer, err := url.Parse("http://127.0.0.1:" + args[2])
	if err != nil {
		return err
	}
	cfg := embed.NewConfig()
	cfg.Name = "testbed"
	cfg.Dir = filepath.Join(args[0], "etcd")
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "warn"
	// NewConfig leaves this at zero (only etcd's own flag parsing sets it), which would log
	// every request as slow.
	cfg.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration
	// Test data is disposable: skipping fsync makes writes much faster on shared disks.
	cfg.UnsafeNoFsync = true

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
		fmt.Fprintln(os.Stderr, "etcd ready on", client)
	case <-time.After(60 * time.Second):
		return fmt.Errorf("etcd not ready after 60s")
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case s := <-stop:
		fmt.Fprintln(os.Stderr, "etcd stopping on", s)
		return nil
	case err := <-e.Err():
		return err
	}
}
