// Package archive writes a request's access results as one zip: the
// operator's export (ExportResults) and the subject's own download from the
// privacy center share it, so both hold the same files.
package archive
