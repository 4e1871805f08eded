// Package report computes the yearly request metrics a business that
// handles the personal information of 10,000,000 or more consumers must
// publish (California CCPA regulations, 11 CCR §7102(a)(1)): for each kind
// of request, how many it received, complied with in whole or in part,
// and denied, and the median number of days within which it
// substantively responded.
//
// dsrhost's request types map to the regulation's kinds: access is a
// request to know, deletion a request to delete, do_not_sell a request to
// opt-out of sale/sharing, right_to_edit a request to correct; do_not_mail
// has no §7102 kind and is reported beside them.
//
// Over a range [from, to), a row counts the requests of its type created
// (received) in the range, whenever they closed:
//
//   - complied in whole: closed completed, every selected integration
//     Complete with its work done and every manual task marked done;
//   - complied in part: closed completed, but an integration ended
//     skipped, "Stopped processing" or "Data found, not deleted", or a
//     manual task was left undone (store.ComplianceOf);
//   - denied: rejected in Review;
//   - open: not closed yet, so received = whole + part + denied + open.
//
// Days to respond are calendar days in UTC from the day a request was
// created to the day it closed (created and closed the same day: 0), for
// every closed request (complied or denied); the median of an even count
// is the mean of the middle two. The mean is given too, since §7102
// allows either.
package report
