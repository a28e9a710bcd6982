//go:build tools

// Package tools pins the OpenTofu command so that `go mod tidy` keeps it.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
