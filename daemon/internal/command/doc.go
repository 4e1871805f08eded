// Package command holds the dsrhost command line: one file per command, each
// a github.com/hashicorp/cli Command with its own flags and help. Exit codes
// are for scripts: 0 success, 1 an error the user can fix (bad input, a
// refused call), 2 a usage mistake.
package command
