// Package selfcontained holds no code, only a test over the whole repository:
// nothing in it may point at files outside it (the product specification and
// API notes the project started from are not shipped with the code). A
// comment states its rule and reason itself or points into docs/, so that a
// maintainer holding only this repository can follow every reference.
package selfcontained
