package connector_test

import (
	"fmt"

	"github.com/dsrhost/dsrhost/plugins/directcontact/connector"
)

// The daemon's answer page offers these sentences, word for word as in the
// product documents, and shows each answer's final state.
func ExampleDeletionAnswers() {
	for _, a := range connector.DeletionAnswers() {
		fmt.Printf("%s -> Complete %s\n", a.Text(), a.Label())
	}
	fmt.Println(connector.DeletionAnswer("maybe").Valid())
	// Output:
	// Yes, we have deleted any applicable data belonging to the data subject. -> Complete Deletion done
	// No, we do not hold personal data about the data subject. -> Complete Nothing to delete
	// No, we could not delete data for the data subject. -> Complete Data found, not deleted
	// false
}

func ExampleAccessAnswers() {
	for _, a := range connector.AccessAnswers() {
		fmt.Printf("%s: %s\n", a, a.Text())
	}
	// Output:
	// files_uploaded: Yes, we hold personal data about the data subject and have uploaded it.
	// no_data: No, we do not hold personal data about the data subject.
}
