package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// resolvePlugins checks that every integration names a declared plugin or
// a built-in one, adding each built-in plugin used but not declared to
// cfg.Plugins.
func (d *decoder) resolvePlugins(cfg *Config, integrations []*integrationDecl) {
	for _, in := range integrations {
		if in.Plugin == "" {
			continue // missing or invalid: already reported
		}
		if _, ok := cfg.Plugins[in.Plugin]; ok {
			continue
		}
		if slices.Contains(builtinPlugins, in.Plugin) {
			cfg.Plugins[in.Plugin] = &Plugin{
				Name:      in.Plugin,
				Command:   BuiltinPluginCommand(in.Plugin),
				Builtin:   true,
				DeclRange: in.PluginRange,
			}
			continue
		}
		d.errorAt(in.PluginRange, "Reference to undeclared plugin",
			"Integration %q uses plugin %s, which no plugin block declares and which is not built in (%s).",
			in.Name, describe(in.Plugin, in.pluginSecret), quotedList(builtinPlugins))
	}
}

// checkDependencies checks that depends_on names declared integrations
// and that no integrations depend on each other in a cycle. Each cycle is
// reported once, at the depends_on entry of its first declared member.
func (d *decoder) checkDependencies(cfg *Config, integrations []*integrationDecl) {
	g := depGraph{index: map[string]int{}}
	for i, in := range integrations {
		g.index[in.Name] = i
	}
	g.edges = make([][]depEdge, len(integrations))
	for i, in := range integrations {
		for j, name := range in.DependsOn {
			to, ok := g.index[name]
			if !ok {
				detail := "Integration %q depends on %s, which is not a declared integration."
				if _, manual := cfg.Manuals[name]; manual && !in.dependsOnSecret {
					detail = "Integration %q depends on %s, a manual data source; only integrations can be depended on."
				} else if !in.dependsOnSecret {
					detail += didYouMean(name, slices.Sorted(maps.Keys(g.index)))
				}
				d.errorAt(in.dependsOnRanges[j], "Reference to undeclared integration", detail, in.Name, describe(name, in.dependsOnSecret))
				continue
			}
			g.edges[i] = append(g.edges[i], depEdge{to: to, rng: in.dependsOnRanges[j]})
		}
	}
	for _, scc := range g.components() {
		first := slices.Min(scc)
		path, rng := g.cycleFrom(first, scc)
		if len(path) == 1 {
			d.errorAt(rng, "Integration depends on itself",
				"Integration %q lists itself in depends_on.", integrations[first].Name)
			continue
		}
		names := make([]string, 0, len(path)+1)
		for _, i := range path {
			names = append(names, integrations[i].Name)
		}
		names = append(names, integrations[first].Name)
		d.errorAt(rng, "Dependency cycle",
			"These integrations depend on each other in a cycle, so none of them could start: %s. Remove one of the depends_on entries.",
			strings.Join(names, " → "))
	}
}

type depEdge struct {
	to  int
	rng hcl.Range // the depends_on entry
}

// depGraph is the depends_on graph over integrations in declaration order.
type depGraph struct {
	index map[string]int
	edges [][]depEdge
}

// components returns the strongly connected components that hold a cycle
// (more than one node, or one node with an edge to itself), found with
// Tarjan's algorithm.
func (g *depGraph) components() [][]int {
	n := len(g.edges)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var (
		stack  []int
		next   int
		result [][]int
	)
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, e := range g.edges[v] {
			switch {
			case index[e.to] < 0:
				visit(e.to)
				low[v] = min(low[v], low[e.to])
			case onStack[e.to]:
				low[v] = min(low[v], index[e.to])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []int
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			scc = append(scc, w)
			if w == v {
				break
			}
		}
		if len(scc) > 1 || g.hasEdge(v, v) {
			result = append(result, scc)
		}
	}
	for v := range n {
		if index[v] < 0 {
			visit(v)
		}
	}
	slices.SortFunc(result, func(a, b []int) int { return slices.Min(a) - slices.Min(b) })
	return result
}

func (g *depGraph) hasEdge(from, to int) bool {
	return slices.ContainsFunc(g.edges[from], func(e depEdge) bool { return e.to == to })
}

// cycleFrom returns a cycle through start within scc (start first, not
// repeated at the end) and the range of start's depends_on entry that
// begins it, found by breadth-first search.
func (g *depGraph) cycleFrom(start int, scc []int) ([]int, hcl.Range) {
	for _, e := range g.edges[start] {
		if e.to == start {
			return []int{start}, e.rng
		}
	}
	in := map[int]bool{}
	for _, v := range scc {
		in[v] = true
	}
	// prev[v] is the node before v on the shortest path from start.
	prev := map[int]int{}
	first := map[int]hcl.Range{}
	queue := []int{}
	for _, e := range g.edges[start] {
		if in[e.to] {
			if _, seen := prev[e.to]; !seen {
				prev[e.to] = start
				first[e.to] = e.rng
				queue = append(queue, e.to)
			}
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range g.edges[v] {
			if e.to == start {
				var path []int
				for w := v; w != start; w = prev[w] {
					path = append(path, w)
				}
				path = append(path, start)
				slices.Reverse(path)
				return path, first[path[1]]
			}
			if _, seen := prev[e.to]; !seen && in[e.to] {
				prev[e.to] = v
				queue = append(queue, e.to)
			}
		}
	}
	return []int{start}, hcl.Range{} // unreachable for a real component
}

// checkManualNames refuses a manual data source named like an integration:
// both are data sources, listed and addressed by name.
func (d *decoder) checkManualNames(cfg *Config, manuals []*Manual) {
	for _, m := range manuals {
		if in, ok := cfg.Integrations[m.Name]; ok {
			d.errorAt(m.DeclRange, "Duplicate data source name",
				"Integration %q was already declared at %s; manual data sources and integrations share one namespace.", m.Name, position(in.DeclRange))
		}
	}
}
