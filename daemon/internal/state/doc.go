// Package state is dsrhost's model of a privacy request's progress, with no
// storage and no I/O: the stages a request goes through, the two workflow
// states of Process, and the status and detail of every integration in each
// workflow state.
//
// An integration's label ("Complete 3 records found", "Processing Due in 5
// days", "Not Started Will process in a workflow") is derived here and only
// here from its status and detail, so every surface (admin API, CLI,
// history) shows the words of the product documents' tables exactly. [Table]
// lists those tables, including which integration types each state is valid
// for.
package state
