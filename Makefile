# The project's commands. The two a newcomer needs: `make demo` and `make test`.
# Each installs what is missing (Debian packages, the testbed's Go build) on first use.

MVN ?= mvn -B -ntp

.PHONY: demo test build crds bench clean

## demo: a control plane, a registry and the operator; publish a new base and watch workloads move
demo: build
	./testbed/demo

## test: the whole suite, unit and integration, against a real registry and API server
## (the first run builds the testbed's kube-apiserver from Go modules, ~6-8 min, with progress)
test:
	./testbed/controlplane build >/dev/null
	$(MVN) verify

## build: operator/target/slimimage.jar
build:
	$(MVN) -DskipTests package

## crds: regenerate crds/ from the Java API classes
crds:
	$(MVN) -DskipTests -pl operator package -Dslimimage.crds.update=true

## bench: rebase vs. rebuild of a 200 MB app on a 100 MB base
bench: build
	./bench/run

clean:
	$(MVN) clean
