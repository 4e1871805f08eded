package agent

import (
	"bytes"
	"slices"
	"sort"

	"github.com/dsrhost/dsrhost/config"
	"github.com/dsrhost/dsrhost/daemon/internal/inventory"
)

// diffIntegrations names the integrations a reload added, removed or
// changed (any attribute, the decoded settings or the plugin behind it).
func diffIntegrations(old, cur *config.Config, oldInv, curInv *inventory.Inventory) *ReloadResult {
	res := &ReloadResult{}
	for name, in := range cur.Integrations {
		prev, ok := old.Integrations[name]
		switch {
		case !ok:
			res.Added = append(res.Added, name)
		case !sameIntegration(old, prev, cur, in) || !sameSettings(oldInv, curInv, name):
			res.Changed = append(res.Changed, name)
		}
	}
	for name := range old.Integrations {
		if _, ok := cur.Integrations[name]; !ok {
			res.Removed = append(res.Removed, name)
		}
	}
	sort.Strings(res.Added)
	sort.Strings(res.Removed)
	sort.Strings(res.Changed)
	return res
}

func sameIntegration(oc *config.Config, a *config.Integration, cc *config.Config, b *config.Integration) bool {
	if a.Plugin != b.Plugin || a.Category != b.Category || a.RetryInterval.Duration != b.RetryInterval.Duration ||
		a.MaxAttempts != b.MaxAttempts || a.PollInterval.Duration != b.PollInterval.Duration ||
		a.MaxWait.Duration != b.MaxWait.Duration || a.DeletionBehavior != b.DeletionBehavior ||
		!slices.Equal(a.DependsOn, b.DependsOn) {
		return false
	}
	pa, pb := oc.Plugins[a.Plugin], cc.Plugins[b.Plugin]
	if pa == nil || pb == nil || pa.Command != pb.Command || pa.SHA256 != pb.SHA256 || !slices.Equal(pa.Args, pb.Args) {
		return false
	}
	return true
}

// sameSettings compares the settings the connectors were configured with;
// an integration that failed to configure in either has no settings.
func sameSettings(a, b *inventory.Inventory, name string) bool {
	ia, oka := a.Integrations[name]
	ib, okb := b.Integrations[name]
	if !oka || !okb {
		return oka == okb
	}
	return bytes.Equal(ia.Settings, ib.Settings)
}
