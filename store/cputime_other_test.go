//go:build !unix

package store_test

import (
	"testing"
	"time"
)

// processCPU is not measured here: BenchmarkBulkDelete500SecureDelete reports 0 CPU time.
func processCPU(*testing.B) time.Duration { return 0 }
