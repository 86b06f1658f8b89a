package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Data sizes and the shape of the measured read.
const (
	numCompanies       = 10_000
	numContacts        = 100_000 // contact i belongs to company i % numCompanies
	numDeals           = 50_000  // deal j belongs to contact (j % dealContacts) * 8
	dealContacts       = 12_500
	companiesPage      = 20
	contactsPage       = 10
	dealsPage          = 5
	levels             = 3
	warmupRequests     = 50
	maxRatioP50        = 2.0
	maxStmtsPerRequest = levels
)

// concurrencies are the numbers of clients measured, in order.
var concurrencies = []int{1, 8}

type config struct {
	databaseURL string
	duration    time.Duration // measured per server per concurrency
	cpuProfile  string
	memProfile  string
	reads       bool // measure the nested read
	plans       bool // measure the API with read plans beside the API without
	writes      bool // measure the updates with history
	search      bool // measure filters and sorts over a million contacts
	lists       bool // measure the updates with dynamic lists
	timeline    bool // measure record timelines over a million activities
	export      bool // measure a CSV export of the search data set
	imports     bool // measure crm import of a CSV file of contacts
	// subscriptions: measure events to many graphql-ws subscribers
	subscriptions bool
	// subscribers, subscriptionRate (updates a second) and
	// subscriptionDuration size the subscriptions part.
	subscribers, subscriptionRate int
	subscriptionDuration          time.Duration
	// importRows is the size of the imported file.
	importRows int
	// searchContacts is the size of the search data set.
	searchContacts int
	// timelineContacts and timelineActivities are the size of the
	// timeline data set.
	timelineContacts, timelineActivities int
}

func loadConfig() (config, error) {
	c := config{
		duration:             5 * time.Second,
		cpuProfile:           os.Getenv("BENCH_CPUPROFILE"),
		memProfile:           os.Getenv("BENCH_MEMPROFILE"),
		reads:                true,
		writes:               true,
		search:               true,
		lists:                true,
		timeline:             true,
		export:               true,
		imports:              true,
		subscriptions:        true,
		subscribers:          defaultSubscribers,
		subscriptionRate:     defaultSubscriptionRate,
		subscriptionDuration: defaultSubscriptionSeconds * time.Second,
		importRows:           defaultImportRows,
		plans:                os.Getenv("BENCH_PLANS") != "off",
		searchContacts:       defaultSearchContacts,
		timelineContacts:     defaultTimelineContacts,
		timelineActivities:   defaultTimelineActivities,
	}
	switch only := os.Getenv("BENCH_ONLY"); only {
	case "":
	case "reads", "writes", "search", "lists", "timeline", "export", "import", "subscriptions":
		c.reads, c.writes, c.search, c.lists = only == "reads", only == "writes", only == "search", only == "lists"
		c.timeline, c.export, c.imports = only == "timeline", only == "export", only == "import"
		c.subscriptions = only == "subscriptions"
	default:
		return c, fmt.Errorf("BENCH_ONLY must be reads, writes, search, lists, timeline, export, import or subscriptions, got %q", only)
	}
	if s := os.Getenv("BENCH_SEARCH_CONTACTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < searchPage*searchDeepPage {
			return c, fmt.Errorf("BENCH_SEARCH_CONTACTS must be a number of contacts, at least %d (page %d), got %q",
				searchPage*searchDeepPage, searchDeepPage, s)
		}
		c.searchContacts = n
	}
	for _, n := range []struct {
		env   string
		least int
		dst   *int
	}{{"BENCH_TIMELINE_CONTACTS", timelineIndexPage + 1, &c.timelineContacts}, {"BENCH_TIMELINE_ACTIVITIES", 1, &c.timelineActivities},
		{"BENCH_IMPORT_ROWS", 1, &c.importRows}, {"BENCH_SUBSCRIBERS", 1, &c.subscribers}, {"BENCH_SUBSCRIPTION_RATE", 1, &c.subscriptionRate}} {
		if s := os.Getenv(n.env); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < n.least {
				return c, fmt.Errorf("%s must be a number, at least %d, got %q", n.env, n.least, s)
			}
			*n.dst = v
		}
	}
	c.databaseURL = os.Getenv("BENCH_DATABASE_URL")
	if c.databaseURL == "" {
		c.databaseURL = os.Getenv("TEST_DATABASE_URL")
	}
	if c.databaseURL == "" {
		return c, errors.New("the benchmark needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL, e.g.\n" +
			"  TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' make bench")
	}
	for _, d := range []struct {
		env string
		dst *time.Duration
	}{{"BENCH_SECONDS", &c.duration}, {"BENCH_SUBSCRIPTION_SECONDS", &c.subscriptionDuration}} {
		if s := os.Getenv(d.env); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f <= 0 {
				return c, fmt.Errorf("%s must be a positive number of seconds, got %q", d.env, s)
			}
			*d.dst = time.Duration(f * float64(time.Second))
		}
	}
	return c, nil
}
