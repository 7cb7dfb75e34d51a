package main

// The line time zones (Europe/Madrid, America/Chicago, ...) render call
// times in Help Scout. The container image has no zoneinfo files, so the
// binary carries its own copy of the time zone database.
import _ "time/tzdata"
