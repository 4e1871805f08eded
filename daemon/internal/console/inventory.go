package console

import (
	"net/http"

	"github.com/dsrhost/dsrhost/daemon/internal/api"
)

// inventoryView is the data inventory page, with the outcome of a test
// when one was just run.
type inventoryView struct {
	Integrations []api.IntegrationInfo
	Tested       string
	Result       *api.TestResult
}

func (c *Console) inventoryPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.showInventory(w, r, s, "", nil)
}

func (c *Console) showInventory(w http.ResponseWriter, r *http.Request, s *session, tested string, res *api.TestResult) {
	if c.inventory == nil {
		c.message(w, r, s, http.StatusServiceUnavailable, "Unavailable", "This daemon has no data inventory to show.")
		return
	}
	list, err := c.inventory.Integrations(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, http.StatusOK, "inventory", view{Title: "Data inventory", Data: inventoryView{Integrations: list, Tested: tested, Result: res}})
}

// testIntegration runs the integration's Configure again, as the API's
// TestIntegration does, and shows the inventory with the outcome.
func (c *Console) testIntegration(w http.ResponseWriter, r *http.Request, s *session) {
	if c.inventory == nil {
		c.message(w, r, s, http.StatusServiceUnavailable, "Unavailable", "This daemon has no data inventory to test.")
		return
	}
	name := r.PathValue("name")
	res, err := c.inventory.Test(r.Context(), name)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.showInventory(w, r, s, name, res)
}
