// Package connector is dsrhost's Heap connector as a library: the
// dsrhost-plugin-heap binary serves it through sdk.Serve, and tests call it
// in-process.
//
// Heap deletes users by identity through its public User Deletion API
// (https://developers.heap.io/reference/user-deletion) and finishes later,
// so the connector is a Whole-Record Deletion API integration that cannot
// extract data first: Delete submits the subject and answers a Pending
// handle (Heap's deletion_request_id), and PollDelete reports "pending" until
// Heap answers "complete". Whether the integration is marked complete at
// submission or only when Heap finishes is the integration's
// deletion_behavior, decided by the daemon from the Pending answer.
//
// Heap's access tokens live five minutes: the connector caches one and
// fetches another when it expires or when Heap refuses it.
package connector
