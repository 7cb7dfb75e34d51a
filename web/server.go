package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// Paths of the optional handlers.
const (
	StatusPath  = "/status"
	SidebarPath = "/helpscout/sidebar"
)

// Connection bounds. A sender gets ReadHeaderTimeout for its headers and
// ReadTimeout for the whole request: Aircall gives up on a delivery after
// 5 s, so nothing legitimate needs more, and a slow or stalled sender
// neither holds a connection nor delays a shutdown (docker stop allows
// 10 s) for longer than that.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 5 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
)

// Options configure the HTTP surface. Store, Health and Metrics are
// required; the rest is optional.
type Options struct {
	Store        *store.Store // where deliveries are stored
	WebhookToken string       // AIRCALL_WEBHOOK_TOKEN; empty refuses every delivery
	Log          *slog.Logger
	Health       *Health
	Metrics      *Metrics

	// Status serves the status pages under /status (it does its own
	// authentication). nil (STATUS_PASSWORD unset): /status answers 404.
	Status http.Handler
	// Sidebar serves GET /helpscout/sidebar (it checks Help Scout's
	// signature itself). nil (HELPSCOUT_SIDEBAR_SECRET unset): 404.
	Sidebar http.Handler

	// Cards takes call.created deliveries for insight cards; nil (no
	// instance has INSIGHT_CARDS on): they are acknowledged and ignored.
	Cards CardQueue

	// Timeouts; zero means the Default* value (tests shorten them).
	BodyTimeout       time.Duration
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
}

// NewHandler returns the routes of `serve`: POST /webhooks/aircall,
// GET /healthz, GET /metrics, and /status and /helpscout/sidebar when
// their handlers are given.
func NewHandler(o Options) (http.Handler, error) {
	if o.Store == nil || o.Health == nil || o.Metrics == nil {
		return nil, errors.New("web: Options need Store, Health and Metrics")
	}
	mux := http.NewServeMux()
	// Every method reaches the receiver, so that a GET is answered 405 and
	// counted like any other refused request.
	mux.Handle(WebhookPath, NewReceiver(o.Store, o.WebhookToken, o.Log,
		WithDeliveryHook(o.Metrics.ObserveDelivery), WithBodyTimeout(o.BodyTimeout), WithCards(o.Cards)))
	mux.Handle("GET /healthz", o.Health)
	mux.Handle("GET /metrics", o.Metrics.Handler())
	if o.Status != nil {
		mux.Handle(StatusPath, o.Status)
		mux.Handle(StatusPath+"/", o.Status)
	}
	if o.Sidebar != nil {
		mux.Handle("GET "+SidebarPath, o.Sidebar)
	}
	return mux, nil
}

// Server is the HTTP server of `serve`.
type Server struct {
	srv *http.Server
}

// NewServer builds the server with NewHandler's routes and bounded
// connection times.
func NewServer(o Options) (*Server, error) {
	h, err := NewHandler(o)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: orDefault(o.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       orDefault(o.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	if o.Log != nil {
		srv.ErrorLog = slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn)
	}
	return &Server{srv: srv}, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Serve accepts connections on ln until Shutdown; it returns nil after a
// shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting, lets requests in flight finish until ctx ends,
// then closes whatever connections remain. Requests cannot outlast the
// read timeouts, so with a ctx longer than them nothing is cut.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	return err
}
