// Package rules holds every decision and rendering step of the product as pure
// functions: no I/O, no clocks, no clients. The reconciler gathers the facts
// (calls, customers, conversations) and asks rules what to do, so that each
// rule of docs/rules.md can be read in one place and tested with a table.
//
// Types here are deliberately small views of the API objects rather than the
// client types themselves, so that the rules do not change when a client's
// wire format does, and so that fuzz and table tests can build inputs cheaply.
package rules
