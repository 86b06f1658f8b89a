package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/acme/crm/internal/meta"
)

// The search data set: contacts with ten properties in realistic
// distributions, each at one of the companies, whose sizes are skewed.
// Everything is drawn from a fixed seed, so that runs read the same rows.
var (
	firstNameList = strings.Fields(`James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William
		Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty
		Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth
		Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon
		Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda
		Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine
		Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler
		Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter
		Lauren Kyle Christina Ethan Joan Walter Evelyn Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger
		Hannah Terry Jacqueline Gerald Martha Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence
		Frances Dylan Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace
		Logan Denise Albert Amber Willie Doris Alan Marilyn Juan Danielle Wayne Beverly Elijah Isabella Randy Theresa
		Roy Diana Vincent Natalie Ralph Brittany Eugene Charlotte Russell Marie Bobby Kayla Mason Alexis Philip Lori`)
	lastNameList = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
		Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez
		Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson
		Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards
		Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed
		Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes
		Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan
		Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander
		Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
		Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells
		Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva
		Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox
		Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant
		Dunn Kowalski Nowak Wisniewski Lewandowski Kaminski Zielinski Szymanski Wozniak Dabrowski Kozlowski`)
	jobTitles = []string{"Software Engineer", "Account Executive", "Marketing Manager", "Sales Manager", "CEO", "CTO",
		"Product Manager", "Office Manager", "Consultant", "Director of Operations", "VP Sales", "Designer",
		"Data Analyst", "HR Manager", "Customer Success Manager", "Founder", "Accountant", "Project Manager",
		"Recruiter", "Engineering Manager"}
	cities = []string{"New York", "London", "Berlin", "Paris", "Amsterdam", "San Francisco", "Chicago", "Toronto",
		"Madrid", "Warsaw", "Sydney", "Austin", "Boston", "Dublin", "Stockholm", "Seattle", "Munich", "Lisbon"}
	countries = []string{"United States", "United Kingdom", "Germany", "France", "Netherlands", "Canada", "Spain",
		"Poland", "Australia", "Ireland", "Sweden", "Portugal"}
	mailDomains = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me"}
	nameWords   = strings.Fields(`Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay
		Pied Piper Aperture Massive Dynamic Gringotts Oscorp Nakatomi Monarch Atlas Summit Apex Vertex Nimbus Quantum
		Blue Red Green North South Pacific Atlantic Silver Golden Iron Bright Swift Prime Core`)
	companySuffixes = []string{"Inc", "LLC", "Ltd", "GmbH", "Group", "Labs", "Systems", "Partners", "Holdings", "Co"}
)

// lifecycle stages of contacts, weighted as a marketing-led funnel.
var lifecycleStages = []struct {
	value  string
	weight float64
}{
	{"subscriber", 30}, {"lead", 35}, {"marketingqualifiedlead", 12}, {"salesqualifiedlead", 8},
	{"opportunity", 6}, {"customer", 7}, {"evangelist", 1}, {"other", 1},
}

// searchSet is what the search data set holds: its size, object types, the
// ids the load gave, and the values the cases ask for.
type searchSet struct {
	workspaceID         int
	contacts, companies *meta.ObjectType
	numContacts         int
	numCompanies        int
	contactToCompany    int // association type ids
	companyToContact    int
	firstCompany        int // record ids: companies, then contacts
	firstContact        int
	industries          []string // the industry options, most common first
}

func newSearchSet(m *meta.Model, numContacts int) (*searchSet, error) {
	s := &searchSet{workspaceID: m.WorkspaceID, numContacts: numContacts, numCompanies: max(1, numContacts/20)}
	var ok bool
	if s.contacts, ok = m.ObjectType("contacts"); !ok {
		return nil, fmt.Errorf("the catalog has no contacts")
	}
	if s.companies, ok = m.ObjectType("companies"); !ok {
		return nil, fmt.Errorf("the catalog has no companies")
	}
	for _, p := range []struct {
		from, to *meta.ObjectType
		dst      *int
	}{{s.contacts, s.companies, &s.contactToCompany}, {s.companies, s.contacts, &s.companyToContact}} {
		at, ok := m.AssociationType(p.from, p.to, "")
		if !ok {
			return nil, fmt.Errorf("no default association type from %s to %s", p.from.Name, p.to.Name)
		}
		*p.dst = at.ID
	}
	industry, ok := s.companies.Property("industry")
	if !ok || len(industry.Options) == 0 {
		return nil, fmt.Errorf("companies have no industry options")
	}
	for _, o := range industry.Options {
		s.industries = append(s.industries, o.Value)
	}
	return s, nil
}

// partialOn reads the object type an index is partial on.
var partialOn = regexp.MustCompile(`object_type_id = (\d+)`)

// otherObjectType reports whether an index is partial on an object type
// other than contacts and companies.
func (s *searchSet) otherObjectType(indexDef string) bool {
	m := partialOn.FindStringSubmatch(indexDef)
	return m != nil && m[1] != strconv.Itoa(s.contacts.ID) && m[1] != strconv.Itoa(s.companies.ID)
}

// searchEpoch is when the first contact was created; contact i was
// created i * contactEvery later, so that creation order is id order.
var searchEpoch = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)

const contactEvery = 90 * time.Second

// searchContact is one contact's values; absent ones are left out.
type searchContact struct {
	Email          string          `json:"email"`
	Firstname      string          `json:"firstname"`
	Lastname       string          `json:"lastname"`
	Phone          string          `json:"phone,omitempty"`
	Jobtitle       string          `json:"jobtitle,omitempty"`
	City           string          `json:"city,omitempty"`
	Country        string          `json:"country,omitempty"`
	Lifecyclestage string          `json:"lifecyclestage"`
	Annualrevenue  json.RawMessage `json:"annualrevenue,omitempty"`
	LastContacted  string          `json:"last_contacted,omitempty"`
}

type searchCompany struct {
	Name          string          `json:"name"`
	Domain        string          `json:"domain"`
	Industry      string          `json:"industry"`
	Annualrevenue json.RawMessage `json:"annualrevenue,omitempty"`
	City          string          `json:"city,omitempty"`
	Country       string          `json:"country,omitempty"`
}

// drawer draws the data set's values from one seeded source.
type drawer struct {
	r         *rand.Rand
	first     *rand.Zipf
	last      *rand.Zipf
	industry  *rand.Zipf
	company   *rand.Zipf
	stageSums []float64
}

func newDrawer(s *searchSet) *drawer {
	r := rand.New(rand.NewPCG(2024, 13))
	d := &drawer{r: r,
		first:    rand.NewZipf(r, 1.1, 8, uint64(len(firstNameList)-1)),
		last:     rand.NewZipf(r, 1.05, 10, uint64(len(lastNameList)-1)),
		industry: rand.NewZipf(r, 1.2, 5, uint64(len(s.industries)-1)),
		company:  rand.NewZipf(r, 1.01, 50, uint64(s.numCompanies-1)),
	}
	sum := 0.0
	for _, st := range lifecycleStages {
		sum += st.weight
		d.stageSums = append(d.stageSums, sum)
	}
	return d
}

func (d *drawer) pick(list []string) string { return list[d.r.IntN(len(list))] }

func (d *drawer) chance(p float64) bool { return d.r.Float64() < p }

// revenue is log-normal: a median near 60,000 and a long tail.
func (d *drawer) revenue() json.RawMessage {
	v := math.Round(math.Exp(11 + 1.6*d.r.NormFloat64()))
	return json.RawMessage(fmt.Sprintf("%.0f", v))
}

func (d *drawer) stage() string {
	x := d.r.Float64() * d.stageSums[len(d.stageSums)-1]
	for i, s := range d.stageSums {
		if x < s {
			return lifecycleStages[i].value
		}
	}
	return lifecycleStages[len(lifecycleStages)-1].value
}

func (d *drawer) contact(i int) searchContact {
	first := firstNameList[d.first.Uint64()]
	last := lastNameList[d.last.Uint64()]
	c := searchContact{
		Email:          fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(first), strings.ToLower(last), i, d.pick(mailDomains)),
		Firstname:      first,
		Lastname:       last,
		Lifecyclestage: d.stage(),
	}
	if d.chance(0.7) {
		c.Phone = fmt.Sprintf("+1 %03d %03d %04d", 200+d.r.IntN(800), d.r.IntN(1000), d.r.IntN(10000))
	}
	if d.chance(0.8) {
		c.Jobtitle = d.pick(jobTitles)
	}
	if d.chance(0.9) {
		c.City, c.Country = d.pick(cities), d.pick(countries)
	}
	if d.chance(0.6) {
		c.Annualrevenue = d.revenue()
	}
	if d.chance(0.5) {
		// Recent contact more likely: the square of a uniform leans to 0.
		days := int(math.Pow(d.r.Float64(), 2) * 3 * 365)
		c.LastContacted = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days).Format(time.DateOnly)
	}
	return c
}

func (d *drawer) companyValues(s *searchSet, i int) searchCompany {
	c := searchCompany{
		Name:     fmt.Sprintf("%s %s %s", d.pick(nameWords), d.pick(nameWords), d.pick(companySuffixes)),
		Domain:   fmt.Sprintf("company%06d.example.com", i),
		Industry: s.industries[d.industry.Uint64()],
	}
	if d.chance(0.8) {
		c.Annualrevenue = d.revenue()
	}
	if d.chance(0.9) {
		c.City, c.Country = d.pick(cities), d.pick(countries)
	}
	return c
}

// loadSearch writes the companies, the contacts and both directions of
// their associations with COPY in one transaction, with the indexes and
// foreign keys of the two tables rebuilt after it, as the nested read's
// load does.
func loadSearch(ctx context.Context, sqlDB *sql.DB, s *searchSet, out io.Writer) error {
	start := time.Now()
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM records").Scan(&s.firstCompany); err != nil {
		return fmt.Errorf("read records ids: %w", err)
	}
	s.firstContact = s.firstCompany + s.numCompanies
	// The indexes of the other object types stay: none of the rows is
	// theirs, and building each again would read the whole table.
	checks, err := deferChecks(ctx, tx, s.otherObjectType, "records", "associations")
	if err != nil {
		return err
	}
	d := newDrawer(s)
	companyOf := make([]int, s.numContacts)
	nRecords, err := copyRows(ctx, tx, "records", recordColumns,
		func(emit func(...any) error) error {
			record := recordEmitter(emit, s.workspaceID, s.companies, s.contacts)
			for i := 0; i < s.numCompanies; i++ {
				at := searchEpoch.Add(-time.Duration(s.numCompanies-i) * time.Minute)
				if err := record(s.firstCompany+i, s.companies.ID, d.companyValues(s, i), at); err != nil {
					return err
				}
			}
			for i := 0; i < s.numContacts; i++ {
				companyOf[i] = int(d.company.Uint64())
				if err := record(s.firstContact+i, s.contacts.ID, d.contact(i), searchEpoch.Add(time.Duration(i)*contactEvery)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	nAssoc, err := copyRows(ctx, tx, "associations", associationColumns,
		func(emit func(...any) error) error {
			for i, c := range companyOf {
				contact, company := s.firstContact+i, s.firstCompany+c
				at := searchEpoch.Add(time.Duration(i) * contactEvery)
				if err := emitPair(emit, s.workspaceID, contact, company, s.contactToCompany, s.companyToContact, s.contacts.ID, s.companies.ID, at); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	copied := time.Since(start)
	if err := checks.finish(ctx, sqlDB, tx, s.firstContact+s.numContacts-1); err != nil {
		return err
	}
	loaded := time.Since(start)
	fmt.Fprintf(out, "search data: loaded %d records (%d companies, %d contacts) and %d association rows in %.1fs, %.0f rows/s (COPY %.1fs; %d indexes and foreign keys rebuilt %.1fs)\n",
		nRecords, s.numCompanies, s.numContacts, nAssoc, loaded.Seconds(), float64(nRecords+nAssoc)/loaded.Seconds(),
		copied.Seconds(), checks.rebuilt(), (loaded - copied).Seconds())
	return nil
}
