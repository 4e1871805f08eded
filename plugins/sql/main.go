// Command dsrhost-plugin-sql is dsrhost's SQL connector: it finds and
// erases a subject's rows in PostgreSQL, MySQL/MariaDB and SQLite databases,
// following the dataset declared in the integration's settings. The daemon
// launches it; run by hand it only explains that.
package main

import (
	"github.com/dsrhost/dsrhost/plugins/sql/connector"
	"github.com/dsrhost/dsrhost/sdk"
)

func main() { sdk.Serve(func() *connector.SQL { return connector.New() }) }
