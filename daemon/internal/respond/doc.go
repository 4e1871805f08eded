// Package respond is the daemon's side of Direct Contact: where a processor,
// emailed by the directcontact connector, answers a privacy request through
// the link in that email, `{server.public_url}/respond/{token}`.
//
// A [Responder] checks the link's token (package linktoken: signed, bound to
// one wait, expiring, single use), shows the processor only what they need
// (the subject's identifiers, the request type, the due date and the
// answers they may give) and hands their answer, with any uploaded files, to
// the workflow engine, which completes the integration ("Complete Deletion
// done", "Complete 2 of files uploaded") and stores the files encrypted as
// the integration's results.
//
// It is served two ways, over one core:
//   - [Responder.Service], the admin API's DirectContactService (GetTask,
//     SubmitResponse, and SubmitResponseStream for files of any allowed
//     size) for tooling, and
//   - [Responder.PageHandler], a small server-rendered HTML page for
//     people, which works without JavaScript.
//
// Neither takes a bearer token: the link token is the credential, and it is
// never logged. A refused link (forged, expired, used, or no longer needed)
// is explained in plain words.
//
// Uploaded files are never held whole: the page and SubmitResponseStream
// seal each file in chunks into Redis as it arrives (store.Upload), and
// the answer's commit makes them the integration's results; a refused or
// broken upload is removed, and the link still works.
package respond
