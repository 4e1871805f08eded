// Command echoplugin is a bare go-plugin gRPC plugin whose one call returns
// its argument: the anchor dsrhost's connector calls are measured against
// in `make bench`.
package main

import "github.com/dsrhost/dsrhost/daemon/bench/internal/echoplugin/echo"

func main() { echo.Serve() }
