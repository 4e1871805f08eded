package auth

import (
	"fmt"

	"github.com/dsrhost/dsrhost/config"
)

// Role is what a token may do. Roles are ordered: each allows everything the
// ones before it do.
type Role int

// The roles of admin_token blocks. The zero Role allows nothing.
const (
	// Viewer reads requests, history, results and the data inventory.
	Viewer Role = iota + 1
	// Operator also creates requests and acts on them and on integrations.
	Operator
	// Admin also reloads the configuration.
	Admin
)

// ParseRole reads a role as the configuration writes it.
func ParseRole(r config.Role) (Role, error) {
	switch r {
	case config.RoleViewer:
		return Viewer, nil
	case config.RoleOperator:
		return Operator, nil
	case config.RoleAdmin:
		return Admin, nil
	}
	return 0, fmt.Errorf("unknown role %q: want viewer, operator or admin", string(r))
}

// String returns the role as the configuration writes it.
func (r Role) String() string {
	switch r {
	case Viewer:
		return string(config.RoleViewer)
	case Operator:
		return string(config.RoleOperator)
	case Admin:
		return string(config.RoleAdmin)
	}
	return "none"
}

// Allows reports whether a token of role r may make a call that needs role
// need.
func (r Role) Allows(need Role) bool {
	return need >= Viewer && need <= Admin && r >= need && r <= Admin
}
