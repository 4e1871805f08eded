package connector

import (
	"testing"

	"github.com/dsrhost/dsrhost/plugins/sql/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
