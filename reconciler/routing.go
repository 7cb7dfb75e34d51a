package reconciler

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/clients/aircall"
	"github.com/aircall-helpscout/aircall-helpscout/rules"
)

// Routing maps Aircall lines to instances. Config validation already refuses
// the same ID or the same phone number in two instances; what only the API can
// reveal is an ID in one instance whose phone number is listed by another.
// Such a line is logged for neither instance until the config is fixed.
type Routing struct {
	byID     map[int64]string // number ID → instance
	byE164   map[string]string
	all      string             // instance with "*", if any
	Overlaps map[int64][]string // number ID → instances that both claim it
	Unknown  []string           // configured entries that match no Aircall number
	// regions is the country of each instance's first line Aircall lists,
	// for reading national phone formats in the customers mirror.
	regions map[string]string
}

// Region is the country of the instance's first Aircall line ("" unknown).
func (rt Routing) Region(instance string) string { return rt.regions[instance] }

// Route resolves the instances' numbers against Aircall's list of numbers.
// numbers may be nil (the list could not be read): then only IDs and the
// digits carried by each call are used, and no overlap can be detected.
func Route(instances []Instance, numbers []aircall.Number) Routing {
	rt := Routing{byID: map[int64]string{}, byE164: map[string]string{}, Overlaps: map[int64][]string{}}
	claims := map[int64]map[string]bool{}
	claim := func(id int64, inst string) {
		if claims[id] == nil {
			claims[id] = map[string]bool{}
		}
		claims[id][inst] = true
	}
	e164Line := map[string]int64{}
	known := map[int64]bool{}
	for _, n := range numbers {
		known[n.ID] = true
		if e, ok := rules.NormalizePhone(n.Digits, n.Country); ok {
			e164Line[e] = n.ID
		}
	}
	for _, inst := range instances {
		if inst.AllNumbers {
			rt.all = inst.Name
			continue
		}
		for _, id := range inst.NumberIDs {
			rt.byID[id] = inst.Name
			claim(id, inst.Name)
			if numbers != nil && !known[id] {
				rt.Unknown = append(rt.Unknown, fmt.Sprintf("%s: number ID %d", inst.Name, id))
			}
		}
		for _, e := range inst.NumberE164s {
			rt.byE164[e] = inst.Name
			if id, ok := e164Line[e]; ok {
				claim(id, inst.Name)
			} else if numbers != nil {
				rt.Unknown = append(rt.Unknown, fmt.Sprintf("%s: number %s", inst.Name, e))
			}
		}
	}
	for id, set := range claims {
		if len(set) > 1 {
			names := make([]string, 0, len(set))
			for n := range set {
				names = append(names, n)
			}
			sort.Strings(names)
			rt.Overlaps[id] = names
		}
	}
	sort.Strings(rt.Unknown)
	rt.learnRegions(numbers)
	return rt
}

// learnRegions notes each instance's region: the country of its first line
// that routes to it alone.
func (rt *Routing) learnRegions(numbers []aircall.Number) {
	rt.regions = map[string]string{}
	for _, n := range numbers {
		if name, overlap := rt.InstanceFor(&n); !overlap && name != "" && rt.regions[name] == "" && n.Country != "" {
			rt.regions[name] = strings.ToUpper(n.Country)
		}
	}
}

// InstanceFor returns the instance that logs activity on line, "" when none
// does, and overlap=true when several instances claim it.
func (rt Routing) InstanceFor(line *aircall.Number) (name string, overlap bool) {
	if line == nil {
		return "", false
	}
	if _, bad := rt.Overlaps[line.ID]; bad {
		return "", true
	}
	if n, ok := rt.byID[line.ID]; ok {
		return n, false
	}
	if e, ok := rules.NormalizePhone(line.Digits, line.Country); ok {
		if n, ok := rt.byE164[e]; ok {
			return n, false
		}
	}
	return rt.all, false
}

// OverlapProblems describes the overlaps for check, status and logs.
func (rt Routing) OverlapProblems() []string {
	var out []string
	for id, names := range rt.Overlaps {
		out = append(out, fmt.Sprintf("Aircall number %d is claimed by instances %s (by ID in one, by phone number in another): its calls and messages are logged for neither until the configuration is fixed", id, strings.Join(names, " and ")))
	}
	sort.Strings(out)
	return out
}

// routing reads Aircall's numbers and routes. A failure to list numbers is
// not fatal: calls carry their line, so IDs and digits still route.
func (r *Reconciler) routing(ctx context.Context) (Routing, error) {
	nums, err := r.live.ac.ListNumbers(ctx)
	if err != nil {
		return Route(r.instances, nil), fmt.Errorf("list Aircall numbers: %w", err)
	}
	rt := Route(r.instances, nums)
	r.mu.Lock()
	r.lastRouting = &rt
	r.mu.Unlock()
	return rt, nil
}

// Routing is the routing of the last pass that could read Aircall's
// numbers, with the overlaps only that list reveals; before such a pass,
// the routing of the configured IDs and phone numbers alone. It makes no
// request.
func (r *Reconciler) Routing() Routing {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastRouting != nil {
		return *r.lastRouting
	}
	return Route(r.instances, nil)
}
