//go:build tools

// Package engine only records the commands built from this module.
package engine

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
