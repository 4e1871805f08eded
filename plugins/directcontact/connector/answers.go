package connector

// DeletionAnswer is one of the three answers a processor may give to a
// deletion request. The daemon's answer page offers them, and each leads to
// its own final state; their texts are the product documents' own words, so
// they are kept here, in one place, next to the email that quotes them.
type DeletionAnswer string

// The deletion answers, as stored by the daemon.
const (
	// DeletionDone: the processor deleted the data.
	DeletionDone DeletionAnswer = "deleted"
	// DeletionNothingToDelete: the processor holds no data about the subject.
	DeletionNothingToDelete DeletionAnswer = "nothing_to_delete"
	// DeletionNotDeleted: the processor found data but could not delete it.
	DeletionNotDeleted DeletionAnswer = "not_deleted"
)

// DeletionAnswers lists the answers in the order the answer page offers them.
func DeletionAnswers() []DeletionAnswer {
	return []DeletionAnswer{DeletionDone, DeletionNothingToDelete, DeletionNotDeleted}
}

// Text is the sentence the processor picks, word for word as in the product
// documents.
func (a DeletionAnswer) Text() string {
	switch a {
	case DeletionDone:
		return "Yes, we have deleted any applicable data belonging to the data subject."
	case DeletionNothingToDelete:
		return "No, we do not hold personal data about the data subject."
	case DeletionNotDeleted:
		return "No, we could not delete data for the data subject."
	}
	return ""
}

// Label is the detail label of the Complete state the answer leads to in
// Pending Delete.
func (a DeletionAnswer) Label() string {
	switch a {
	case DeletionDone:
		return "Deletion done"
	case DeletionNothingToDelete:
		return "Nothing to delete"
	case DeletionNotDeleted:
		return "Data found, not deleted"
	}
	return ""
}

// Valid reports whether a is one of the three answers, for the daemon to check
// what a submitted form claims.
func (a DeletionAnswer) Valid() bool { return a.Text() != "" }

// AccessAnswer is one of the two answers a processor may give to an access
// request: upload files with the subject's data, or say there is none.
type AccessAnswer string

// The access answers, as stored by the daemon.
const (
	// AccessFilesUploaded: the processor uploads the subject's data
	// ("Complete # of files uploaded").
	AccessFilesUploaded AccessAnswer = "files_uploaded"
	// AccessNoData: the processor holds no data ("Complete No files uploaded").
	AccessNoData AccessAnswer = "no_data"
)

// AccessAnswers lists the answers in the order the answer page offers them.
func AccessAnswers() []AccessAnswer {
	return []AccessAnswer{AccessFilesUploaded, AccessNoData}
}

// Text is the sentence the processor picks.
func (a AccessAnswer) Text() string {
	switch a {
	case AccessFilesUploaded:
		return "Yes, we hold personal data about the data subject and have uploaded it."
	case AccessNoData:
		return "No, we do not hold personal data about the data subject."
	}
	return ""
}

// Valid reports whether a is one of the two answers.
func (a AccessAnswer) Valid() bool { return a.Text() != "" }
