package bench

import "testing"

func benchThroughput(b *testing.B, w *world) []Row { return nil }
func benchScale(b *testing.B, w *world) []Row      { return nil }
func benchIdle(b *testing.B, w *world) []Row       { return nil }
