// Package connector is the Direct Contact connector: for systems without a
// workable API, it emails a processor (an internal team or an external
// vendor) what a privacy request asks of them, and reminds them before the
// due date.
//
// The processor answers through the response link in the email, which the
// daemon serves and signs; the connector never sees the answer. So Access and
// Delete send the email and answer [sdk.Pending], and every poll answers
// Pending again, sending a reminder when one falls due. Whether a request
// blocks or skips once the due date passes (on_no_response) is the daemon's
// decision; the connector only validates and describes the setting.
//
// The package also exports the processor's possible answers ([DeletionAnswers],
// [AccessAnswers]) with the exact texts of the product documents, for the
// daemon's answer page and for the state each answer leads to.
//
// The email necessarily carries the subject's identifiers, since the processor
// must find the subject in their systems; it carries nothing else about the
// request. Neither the identifiers nor the link (a bearer credential) are ever
// logged or put in an error message.
package connector
