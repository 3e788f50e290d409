// Command kube-testbed is one multi-call binary holding etcd, kube-apiserver and kube-controller-manager for tests.
package main

import (
	"fmt"
	"os"

	// One binary instead of three: the link step dominates a cold build on two cores,
	// and the components share almost all of their code.
	_ "time/tzdata"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	_ "k8s.io/component-base/metrics/prometheus/workqueue"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

const usage = `usage:
  kube-testbed certs DIR                      write CA, serving cert and service-account keys into DIR
  kube-testbed etcd DIR CLIENT_PORT PEER_PORT run an embedded etcd with its data in DIR/etcd
  kube-testbed kube-apiserver FLAGS...        run kube-apiserver
  kube-testbed kube-controller-manager FLAGS... run kube-controller-manager
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	sub := os.Args[1]
	// cobra reads os.Args[1:]; drop our own subcommand word so the component sees only its flags.
	os.Args = append([]string{os.Args[0] + " " + sub}, os.Args[2:]...)
	switch sub {
	case "certs":
		exitOn(writeCerts(os.Args[1:]))
	case "etcd":
		exitOn(runEtcd(os.Args[1:]))
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-testbed:", err)
		os.Exit(1)
	}
}
