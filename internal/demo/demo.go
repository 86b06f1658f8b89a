// Package demo writes a small connected demo set into an empty workspace
// through the importer, so that a first `make run` has something to
// explore: 50 companies, 200 contacts at them, 80 deals across the sales
// pipeline, 20 tickets, and a timeline of notes, calls and meetings. The
// set is the same on every run (a fixed seed).
package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/acme/crm/ent/importjob"
	"github.com/acme/crm/internal/audit"
	"github.com/acme/crm/internal/db"
	"github.com/acme/crm/internal/importer"
	"github.com/acme/crm/internal/meta"
)

// Load writes the demo set into workspace ws when it holds no record and
// has never imported anything, and reports whether it did.
func Load(ctx context.Context, d *db.DB, e *importer.Engine, ws int) (bool, error) {
	// The server loads it on its own: its import is audited as the
	// server's.
	ctx = audit.WithActor(ctx, audit.Server)
	var any int
	err := db.Build(d.Dialect, "SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE workspace_id = ").Arg(ws).
		T(" UNION ALL SELECT 1 FROM import_jobs WHERE workspace_id = ").Arg(ws).T(") x").Row(ctx, d.Client, &any)
	if err != nil || any > 0 {
		return false, err
	}
	m, err := meta.NewCache(d).Get(ctx, ws)
	if err != nil {
		return false, err
	}
	in := importer.Input{Name: "Demo data"}
	for _, f := range files(time.Now().UTC()) {
		in.Files = append(in.Files, importer.FileInput{Upload: importer.Upload{Name: f.name, Body: bytes.NewReader(f.csv)}})
	}
	job, err := e.Start(ctx, m, in)
	if err != nil {
		return false, err
	}
	if err := e.Run(ctx, ws, job.ID, nil); err != nil {
		return false, err
	}
	if job, err = e.Get(ctx, m, job.ID); err != nil {
		return false, err
	}
	if job.State != importjob.StateDONE || job.Failed > 0 {
		return false, fmt.Errorf("demo data: import %s with %d rows failed: %s", job.State, job.Failed, job.Message)
	}
	return true, nil
}

type file struct {
	name string
	csv  []byte
}

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Guido", "Radia", "Edsger", "Hedy", "Tim", "Sophie", "Donald", "Karen", "John", "Leslie", "Anita"}
	lastNames  = []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Rossum", "Perlman", "Dijkstra", "Lamarr", "Berners-Lee", "Wilson", "Knuth", "Jones", "McCarthy", "Lamport", "Borg"}
	words      = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Wonka", "Aperture", "Cyberdyne", "Soylent", "Tyrell", "Pied", "Piper"}
	industries = []string{"COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "ARCHITECTURE_PLANNING", "EDUCATION_MANAGEMENT"}
	cities     = [][2]string{{"Amsterdam", "Netherlands"}, {"Berlin", "Germany"}, {"Bergen", "Norway"}, {"Lisbon", "Portugal"}, {"Dublin", "Ireland"}}
	titles     = []string{"CEO", "CTO", "Head of Sales", "Engineer", "Analyst", "Buyer", "Office Manager"}
	stages     = []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"}
	dealStages = []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"}
)

// files are the demo set's CSV files, dated around now.
func files(now time.Time) []file {
	r := rand.New(rand.NewPCG(2026, 12))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	day := func(back int) time.Time { return now.AddDate(0, 0, -r.IntN(back)).Truncate(time.Hour) }

	companies := [][]string{{"Company name", "Company Domain Name", "Industry", "City", "Country/Region", "Number of Employees", "Annual Revenue"}}
	domains := make([]string, 50)
	for i := range domains {
		name := fmt.Sprintf("%s %s", words[i%len(words)], words[(i/len(words)+i+3)%len(words)])
		domains[i] = strings.ToLower(strings.ReplaceAll(name, " ", "")) + fmt.Sprint(i) + ".example"
		city := cities[r.IntN(len(cities))]
		companies = append(companies, []string{name, domains[i], pick(industries), city[0], city[1], fmt.Sprint(10 + r.IntN(5000)), fmt.Sprint((1 + r.IntN(900)) * 100000)})
	}
	contacts := [][]string{{"First Name", "Last Name", "Email", "Job Title", "Lifecycle Stage", "Company Domain Name"}}
	emails := make([]string, 200)
	for i := range emails {
		first, last := pick(firstNames), pick(lastNames)
		domain := domains[i%len(domains)]
		emails[i] = strings.ToLower(fmt.Sprintf("%s.%s.%d@%s", first, strings.ReplaceAll(last, "-", ""), i, domain))
		contacts = append(contacts, []string{first, last, emails[i], pick(titles), pick(stages), domain})
	}
	deals := [][]string{{"Deal Name", "Amount", "Close Date", "Pipeline", "Deal Stage", "Company Domain Name", "Contact Email"}}
	for i := range 80 {
		c := r.IntN(len(emails))
		deals = append(deals, []string{fmt.Sprintf("%s renewal %d", words[i%len(words)], i), fmt.Sprintf("%d.00", (5+r.IntN(200))*500),
			now.AddDate(0, 0, r.IntN(120)-30).Format("2006-01-02"), "default", dealStages[i%len(dealStages)], domains[c%len(domains)], emails[c]})
	}
	tickets := [][]string{{"subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "Company Domain Name"}}
	for i := range 20 {
		tickets = append(tickets, []string{fmt.Sprintf("Cannot log in (#%d)", i+1), "The customer reports a problem.", "0", fmt.Sprint(1 + i%4),
			[]string{"LOW", "MEDIUM", "HIGH", "URGENT"}[i%4], domains[r.IntN(len(domains))]})
	}
	notes := [][]string{{"hs_timestamp", "hs_note_body", "Contact Email"}}
	for i := range 150 {
		notes = append(notes, []string{day(180).Format(time.RFC3339), fmt.Sprintf("Talked about the roadmap (%d).", i), emails[r.IntN(len(emails))]})
	}
	calls := [][]string{{"hs_timestamp", "hs_call_title", "hs_call_body", "hs_call_duration", "Contact Email"}}
	for i := range 60 {
		calls = append(calls, []string{day(120).Format(time.RFC3339), fmt.Sprintf("Follow-up call %d", i), "Left a voicemail.", fmt.Sprint(60000 * (1 + r.IntN(30))), emails[r.IntN(len(emails))]})
	}
	meetings := [][]string{{"hs_timestamp", "hs_meeting_title", "hs_meeting_body", "Contact Email"}}
	for i := range 30 {
		meetings = append(meetings, []string{day(90).Format(time.RFC3339), fmt.Sprintf("Demo %d", i), "Product demo.", emails[r.IntN(len(emails))]})
	}
	out := []file{}
	for _, f := range []struct {
		name string
		rows [][]string
	}{{"companies.csv", companies}, {"contacts.csv", contacts}, {"deals.csv", deals}, {"tickets.csv", tickets},
		{"notes.csv", notes}, {"calls.csv", calls}, {"meetings.csv", meetings}} {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.WriteAll(f.rows) // a bytes.Buffer takes every write
		out = append(out, file{name: f.name, csv: b.Bytes()})
	}
	return out
}
