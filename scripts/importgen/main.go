// Command importgen writes an invented desk history for `kindred import`
// to measure itself on: JSON Lines or CSV with the import's columns, about
// 20 messages a conversation, customers who come back, bodies in English
// and (about one conversation in six) Kiswahili, the same for the same
// seed.
//
//	go run ./scripts/importgen -n 1000000 > /tmp/history.jsonl
//	go run ./scripts/importgen -n 1000000 -format csv > /tmp/history.csv
//	go run ./scripts/importgen -n 1000000 -format zendesk > /tmp/tickets.json
//
// -agents and -from/-to shape a bigger desk: many agents, found on the desk
// by their emails, and the history spread over the days given
// (scripts/dash10m.sh builds its 10-million-message database so).
//
// The zendesk format is one Tickets API page with every ticket and its
// comments, and the users side-loaded after them.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

var (
	firstNames = []string{"Amina", "Joseph", "Wanjiru", "Grace", "Peter", "Fatuma", "John", "Akinyi", "Mary", "Kamau",
		"Halima", "David", "Njeri", "Samuel", "Zawadi", "Otieno", "Esther", "Baraka", "Mercy", "Juma"}
	lastNames = []string{"Otieno", "Wanjiru", "Mwangi", "Kariuki", "Odhiambo", "Njoroge", "Kiprotich", "Wafula",
		"Mutua", "Achieng", "Hassan", "Mohamed", "Chebet", "Kilonzo", "Omondi"}
	agents   = []string{"Amina Njeri", "Brian Ochieng", "Cynthia Mutua", "Daniel Kiprop", "Eunice Wairimu", "Faith Akinyi"}
	channels = []string{"sms", "sms", "sms", "email", "email", "chat", "whatsapp", "phone", "desk"}
	statuses = []string{"resolved", "resolved", "resolved", "resolved", "waiting_on_customer", "waiting_on_us", "open"}

	asksEN = []string{
		"My replacement card has still not come. I applied three weeks ago.",
		"I lost my card and I need a new one. I cannot collect my payment without it.",
		"My pension has not arrived this month and I need it for my medicine.",
		"Why was my payment smaller this month?",
		"I have moved house. Please update my address.",
		"I was charged twice for the same service. I want my money back.",
		"I cannot understand the online form. It keeps giving an error.",
		"I don't have a computer. How can I apply?",
		"When will I get the refund you promised last month?",
		"The card you sent has my name spelt wrong. What do I do?",
	}
	worriesEN = []string{
		"I am 82 years old and I cannot keep coming to the office.",
		"My husband passed away last month and I am alone now.",
		"I have no money left for food this week.",
		"I use a wheelchair and the office stairs are very hard for me.",
		"I am so worried, I have been waiting for weeks and nobody answers.",
		"This is the third time I am asking and I am very upset.",
		"Thank you, that helps a lot.",
		"Okay, I will wait for your call.",
	}
	againEN = []string{"It is still not here. Where is it?", "Nobody has called me. Please tell me what is happening.",
		"The money is still not in my account.", "I tried again and it still does not work.", "Has it been changed?",
		"Thank you so much for your help.", "Okay. Please let me know when it is ready."}
	warmEN = []string{
		"{name}, I'm so sorry your card has not arrived, and that you have been left waiting. I have reprinted it today myself and posted it; it will reach you by {date}. I'll call you on {day} to check it came.",
		"Thank you for telling us, {name}. I'm sorry about the mistake. I have corrected it and ordered a new one today. It will be ready at the desk by {date}, and I'll send you an SMS the moment it is there.",
		"{name}, I hear how stressful this has been, and I'm sorry. I have sent your case to the payments team as urgent today and I will follow it myself. You will have the money by {date}, and I'll call you on {day}.",
		"{name}, I'm sorry the form has been so difficult. You don't need to use it: I can fill it in with you over the phone. I'll call you on {day} morning, and your application will be in by {date}.",
		"Thank you, {name}. I have updated your details today, and I'll send you a letter by {date} so you can see it works. If anything is wrong, just reply here and I'll fix it.",
	}
	plainEN = []string{
		"Thank you for your message. We have received your request and it is being looked into. We will update you soon.",
		"Your request has been noted. The relevant department will contact you in due course.",
		"We have forwarded your matter to the team concerned. Please allow some time for processing.",
	}
	coldEN = []string{
		"Your request is being processed. Please wait.",
		"As I already said, you need to fill the form again.",
		"We can't do anything about that. Check the website.",
		"You must come to the office in person. No exceptions.",
	}
	notesEN = []string{"Called the bank, they will confirm tomorrow.", "Customer is elderly, please call rather than text.",
		"Escalated to the payments team.", "Card reprint ordered, reference in the system."}

	asksSW = []string{
		"Habari, kadi yangu mpya bado haijafika. Niliomba wiki tatu zilizopita.",
		"Pensheni yangu haijaingia mwezi huu na ninaihitaji kwa dawa zangu.",
		"Nimehama nyumba. Tafadhali badilisha anwani yangu.",
		"Nimetozwa mara mbili kwa huduma moja. Nataka pesa zangu zirudishwe.",
		"Siwezi kuelewa fomu ya mtandaoni. Inaendelea kuonyesha kosa.",
		"Sina kompyuta. Nitaombaje?",
	}
	againSW = []string{"Bado haijafika. Iko wapi?", "Hakuna aliyenipigia simu. Tafadhali niambie kinachoendelea.",
		"Pesa bado hazijaingia kwenye akaunti yangu.", "Asante sana kwa msaada wako.", "Sawa, nitasubiri simu yako."}
	warmSW = []string{
		"{name}, samahani sana kwamba kadi yako haijafika na umesubiri muda mrefu. Nimeichapisha upya leo mwenyewe; itakufikia kufikia {date}. Nitakupigia simu {day} kuhakikisha imefika.",
		"Asante kwa kutuambia, {name}. Pole sana kwa usumbufu huu. Nimerekebisha kosa leo na utapata ujumbe kufikia {date}.",
		"{name}, naelewa jinsi hali hii ilivyo ngumu, pole sana. Nimeituma kesi yako kama dharura leo na nitaifuatilia mwenyewe. Utapata pesa kufikia {date}.",
	}
	coldSW = []string{"Ombi lako linashughulikiwa. Subiri.", "Jaza fomu tena.", "Hatuwezi kufanya lolote kuhusu hilo."}
)

func main() {
	n := flag.Int("n", 1_000_000, "messages to write")
	format := flag.String("format", "jsonl", "jsonl, csv or zendesk")
	per := flag.Int("per", 20, "messages a conversation, on average")
	seed := flag.Uint64("seed", 1, "the same seed writes the same history")
	nAgents := flag.Int("agents", 0, "invent this many agents, written by email (agent1@desk.example …) so that the import finds them on the desk; 0: the six named agents, by name")
	from := flag.String("from", "2024-01-01", "the first conversation's day (YYYY-MM-DD)")
	until := flag.String("to", "", "spread the conversations evenly from -from to this day (YYYY-MM-DD); default: one every 7 minutes")
	flag.Parse()
	if *format != "jsonl" && *format != "csv" && *format != "zendesk" {
		fmt.Fprintln(os.Stderr, "importgen: -format must be jsonl, csv or zendesk")
		os.Exit(2)
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	w := newWriter(*format, out)
	r := rand.New(rand.NewPCG(*seed, 2))
	start, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		fmt.Fprintln(os.Stderr, "importgen: -from:", err)
		os.Exit(2)
	}
	start = start.Add(8 * time.Hour)
	step := 7 * time.Minute
	if *until != "" {
		end, err := time.Parse(time.DateOnly, *until)
		if err != nil || !end.After(start) {
			fmt.Fprintln(os.Stderr, "importgen: -to must be a day after -from")
			os.Exit(2)
		}
		step = end.Sub(start) / time.Duration(max(1, *n / *per))
	}
	if *nAgents > 0 {
		agents = make([]string, *nAgents)
		for i := range agents {
			agents[i] = fmt.Sprintf("agent%d@desk.example", i+1)
		}
	}
	written := 0
	for conv := 1; written < *n; conv++ {
		cust := 1 + r.IntN(max(1, *n / *per / 2)) // people come back: about two conversations each
		sw := cust%6 == 0
		name := firstNames[cust%len(firstNames)] + " " + lastNames[(cust/len(firstNames))%len(lastNames)]
		phone := fmt.Sprintf("+2547%d%07d", r.IntN(3), cust%10_000_000)
		email := ""
		if cust%3 == 0 {
			email = fmt.Sprintf("%s.%d@example.org", strings.ToLower(strings.ReplaceAll(name, " ", ".")), cust)
		}
		at := start.Add(time.Duration(conv) * step)
		channel := channels[r.IntN(len(channels))]
		status := statuses[r.IntN(len(statuses))]
		agent := agents[r.IntN(len(agents))]
		count := *per/2 + r.IntN(*per+1)
		for i := 0; i < count && written < *n; i++ {
			rec := record{CustomerID: "c" + strconv.Itoa(cust), CustomerName: name, Phone: phone, Email: email,
				ConversationID: "t" + strconv.Itoa(conv), Channel: channel, Status: status,
				MessageID: fmt.Sprintf("m%d-%d", conv, i), CreatedAt: at.Format(time.RFC3339)}
			switch {
			case i%2 == 0:
				rec.Direction = "in"
				rec.Body = customerText(r, sw, i == 0)
			case r.IntN(12) == 0:
				rec.Direction, rec.Author, rec.Body = "note", agent, notesEN[r.IntN(len(notesEN))]
			default:
				rec.Direction, rec.Author = "out", agent
				rec.Body = replyText(r, sw, firstNames[cust%len(firstNames)], at)
			}
			if i == 0 {
				rec.Subject = "Help with my " + []string{"card", "pension", "address", "refund", "application"}[r.IntN(5)]
			}
			w.write(rec)
			written++
			at = at.Add(time.Duration(5+r.IntN(240)) * time.Minute)
		}
	}
	w.flush()
}

func customerText(r *rand.Rand, sw, first bool) string {
	if sw {
		if first {
			return asksSW[r.IntN(len(asksSW))]
		}
		return againSW[r.IntN(len(againSW))]
	}
	if first {
		s := asksEN[r.IntN(len(asksEN))]
		if r.IntN(3) == 0 {
			s += " " + worriesEN[r.IntN(len(worriesEN))]
		}
		return s
	}
	return againEN[r.IntN(len(againEN))]
}

func replyText(r *rand.Rand, sw bool, name string, at time.Time) string {
	var s string
	switch k := r.IntN(10); {
	case sw && k < 6:
		s = warmSW[r.IntN(len(warmSW))]
	case sw:
		s = coldSW[r.IntN(len(coldSW))]
	case k < 5:
		s = warmEN[r.IntN(len(warmEN))]
	case k < 8:
		s = plainEN[r.IntN(len(plainEN))]
	default:
		s = coldEN[r.IntN(len(coldEN))]
	}
	by := at.AddDate(0, 0, 3+r.IntN(5))
	return strings.NewReplacer("{name}", name, "{date}", by.Format("Monday 2 January"),
		"{day}", by.AddDate(0, 0, -1).Weekday().String()).Replace(s)
}

// record is one message, with the import's columns.
type record struct {
	CustomerID     string `json:"customer_id"`
	CustomerName   string `json:"customer_name"`
	Phone          string `json:"phone"`
	Email          string `json:"email,omitempty"`
	ConversationID string `json:"conversation_id"`
	Channel        string `json:"channel"`
	Direction      string `json:"direction"`
	Author         string `json:"author,omitempty"`
	Body           string `json:"body"`
	CreatedAt      string `json:"created_at"`
	MessageID      string `json:"message_id"`
	Subject        string `json:"subject,omitempty"`
	Status         string `json:"status"`
}

type writer struct {
	enc *json.Encoder
	csv *csv.Writer
	zd  *zendeskWriter
}

func newWriter(format string, out *bufio.Writer) *writer {
	if format == "zendesk" {
		out.WriteString("{\"tickets\": [\n")
		return &writer{zd: &zendeskWriter{out: out, users: map[string]map[string]any{}}}
	}
	if format == "csv" {
		w := &writer{csv: csv.NewWriter(out)}
		w.csv.Write([]string{"customer_id", "customer_name", "phone", "email", "conversation_id", "channel", "direction",
			"author", "body", "created_at", "message_id", "subject", "status"})
		return w
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return &writer{enc: enc}
}

func (w *writer) write(r record) {
	if w.zd != nil {
		w.zd.write(r)
		return
	}
	if w.csv != nil {
		w.csv.Write([]string{r.CustomerID, r.CustomerName, r.Phone, r.Email, r.ConversationID, r.Channel, r.Direction,
			r.Author, r.Body, r.CreatedAt, r.MessageID, r.Subject, r.Status})
		return
	}
	w.enc.Encode(r)
}

func (w *writer) flush() {
	if w.zd != nil {
		w.zd.flush()
	}
	if w.csv != nil {
		w.csv.Flush()
	}
}

// zendeskWriter writes records as one Tickets API page: the tickets with
// their comments, then the users.
type zendeskWriter struct {
	out      *bufio.Writer
	ticket   map[string]any
	comments []map[string]any
	tickets  int
	users    map[string]map[string]any
}

func (z *zendeskWriter) write(r record) {
	if z.ticket == nil || z.ticket["id"] != r.ConversationID[1:] {
		z.endTicket()
		z.ticket = map[string]any{"id": r.ConversationID[1:], "requester_id": r.CustomerID[1:], "subject": r.Subject,
			"status":     map[string]string{"resolved": "solved", "waiting_on_customer": "pending", "waiting_on_us": "open", "open": "new"}[r.Status],
			"via":        map[string]string{"channel": map[string]string{"sms": "sms", "email": "email", "chat": "chat", "whatsapp": "whatsapp", "phone": "voice", "desk": "web"}[r.Channel]},
			"created_at": r.CreatedAt, "priority": "normal"}
		z.users[r.CustomerID[1:]] = map[string]any{"id": r.CustomerID[1:], "name": r.CustomerName, "email": r.Email, "phone": r.Phone, "role": "end-user"}
	}
	author := r.CustomerID[1:]
	if r.Direction != "in" {
		author = "9" + strconv.Itoa(slicesIndex(agents, r.Author))
		z.users[author] = map[string]any{"id": author, "name": r.Author, "role": "agent"}
	}
	z.comments = append(z.comments, map[string]any{"id": r.MessageID, "author_id": author, "plain_body": r.Body,
		"public": r.Direction != "note", "created_at": r.CreatedAt})
}

func (z *zendeskWriter) endTicket() {
	if z.ticket == nil {
		return
	}
	z.ticket["comments"] = z.comments
	b, _ := json.Marshal(z.ticket)
	if z.tickets > 0 {
		z.out.WriteString(",\n")
	}
	z.out.Write(b)
	z.tickets++
	z.ticket, z.comments = nil, nil
}

func (z *zendeskWriter) flush() {
	z.endTicket()
	z.out.WriteString("\n], \"users\": [\n")
	i := 0
	for _, u := range z.users {
		b, _ := json.Marshal(u)
		if i > 0 {
			z.out.WriteString(",\n")
		}
		z.out.Write(b)
		i++
	}
	z.out.WriteString("\n], \"next_page\": null}\n")
}

func slicesIndex(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
