package main

// Blank imports pin the design card's dependencies in go.mod until the
// packages that use them land. Remove an entry once a real import exists.
import (
	_ "github.com/matryer/is"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/robfig/cron/v3"
	_ "github.com/sethvargo/go-envconfig"
	_ "golang.org/x/oauth2/clientcredentials"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
