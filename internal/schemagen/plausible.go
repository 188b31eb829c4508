package schemagen

import (
	"fmt"
	"strings"
	"unicode"
)

// Words splits a property or function name into lower-case words:
// "get_weather", "getWeather" and "Get-Weather" all give [get weather].
func Words(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0 &&
			(unicode.IsLower(cur[len(cur)-1]) || (i+1 < len(runes) && unicode.IsLower(runes[i+1]))):
			flush() // camelCase, or the end of an acronym: "HTTPServer" gives http server
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// person is a sample person; samples cycle through them by variant.
type person struct{ first, last, city, country, street, postcode, phone string }

var people = []person{
	{"Alice", "Martin", "Paris", "France", "12 Rue de Rivoli", "75001", "+33 1 23 45 67 89"},
	{"Bob", "Smith", "London", "United Kingdom", "221B Baker Street", "NW1 6XE", "+44 20 7946 0958"},
	{"Carol", "Tanaka", "Tokyo", "Japan", "1-1 Marunouchi", "100-0005", "+81 3 1234 5678"},
}

func (p person) fullName() string { return p.first + " " + p.last }

func (p person) email() string {
	return strings.ToLower(p.first + "." + p.last + "@example.com")
}

// stringSamples are sample strings by the word of a property name they
// answer, each a list that variants cycle through. Words are tried from
// the last of the name ("home_city" is a city).
var stringSamples = map[string][]string{
	"title":        {"Quarterly report", "Team meeting notes", "Release plan"},
	"subject":      {"Meeting tomorrow", "Your order has shipped", "Welcome aboard"},
	"description":  {"A short description of the item.", "A second, longer description.", "A third description."},
	"summary":      {"A brief summary of the main points.", "Another short summary.", "A third summary."},
	"message":      {"Hello! This is a sample message.", "Thanks for getting in touch.", "See you soon."},
	"text":         {"The quick brown fox jumps over the lazy dog.", "Hello, world.", "Lorem ipsum dolor sit amet."},
	"content":      {"Hello! This is some sample content.", "More sample content.", "Even more content."},
	"body":         {"Hello! This is the body of the message.", "A second body.", "A third body."},
	"comment":      {"Looks good to me.", "Nice work!", "Could you clarify this?"},
	"note":         {"Remember to follow up.", "Call back on Monday.", "Bring the documents."},
	"notes":        {"Remember to follow up.", "Call back on Monday.", "Bring the documents."},
	"reason":       {"Requested by the customer.", "Out of stock.", "Duplicate entry."},
	"answer":       {"42", "Yes", "Paris"},
	"question":     {"What is the capital of France?", "How far is the Moon?", "Who wrote Hamlet?"},
	"query":        {"weather in Paris", "best coffee in London", "flights to Tokyo"},
	"q":            {"weather in Paris", "best coffee in London", "flights to Tokyo"},
	"search":       {"weather in Paris", "best coffee in London", "flights to Tokyo"},
	"keyword":      {"weather", "coffee", "travel"},
	"bio":          {"Software engineer from Paris.", "Designer based in London.", "Researcher in Tokyo."},
	"company":      {"Acme Corp", "Globex Ltd", "Initech"},
	"organization": {"Acme Corp", "Globex Ltd", "Initech"},
	"employer":     {"Acme Corp", "Globex Ltd", "Initech"},
	"job":          {"Software engineer", "Product designer", "Data analyst"},
	"role":         {"admin", "editor", "viewer"},
	"occupation":   {"Software engineer", "Product designer", "Data analyst"},
	"product":      {"Coffee mug", "Desk lamp", "Notebook"},
	"item":         {"Coffee mug", "Desk lamp", "Notebook"},
	"color":        {"blue", "green", "red"},
	"colour":       {"blue", "green", "red"},
	"currency":     {"EUR", "USD", "JPY"},
	"language":     {"en", "fr", "ja"},
	"lang":         {"en", "fr", "ja"},
	"locale":       {"en-US", "fr-FR", "ja-JP"},
	"status":       {"active", "pending", "closed"},
	"state":        {"active", "pending", "closed"},
	"type":         {"standard", "premium", "basic"},
	"kind":         {"standard", "premium", "basic"},
	"category":     {"books", "electronics", "kitchen"},
	"tag":          {"news", "sports", "travel"},
	"tags":         {"news", "sports", "travel"},
	"unit":         {"celsius", "fahrenheit", "kelvin"},
	"condition":    {"sunny", "cloudy", "rainy"},
	"weather":      {"sunny", "cloudy", "rainy"},
	"forecast":     {"Sunny with a light breeze.", "Cloudy, rain later.", "Clear skies."},
	"timezone":     {"Europe/Paris", "Europe/London", "Asia/Tokyo"},
	"sku":          {"SKU-1001", "SKU-1002", "SKU-1003"},
	"version":      {"1.0.0", "1.1.0", "2.0.0"},
	"domain":       {"example.com", "example.org", "example.net"},
	"host":         {"example.com", "example.org", "example.net"},
	"hostname":     {"example.com", "example.org", "example.net"},
	"path":         {"/home/alice/report.txt", "/tmp/data.csv", "/var/log/app.log"},
	"file":         {"report.txt", "data.csv", "app.log"},
	"filename":     {"report.txt", "data.csv", "app.log"},
	"password":     {"correct-horse-battery-staple", "hunter2-but-longer", "s3cret-passphrase"},
	"token":        {"tok_4f9a2c", "tok_81b3d0", "tok_c07e55"},
	"code":         {"ABC123", "XYZ789", "LMN456"},
	"isbn":         {"978-0-306-40615-7", "978-1-4028-9462-6", "978-0-19-852663-6"},
}

// personFields are property-name words answered from a sample person.
var personFields = map[string]func(p person) string{
	"name":        person.fullName,
	"fullname":    person.fullName,
	"author":      person.fullName,
	"customer":    person.fullName,
	"owner":       person.fullName,
	"person":      person.fullName,
	"people":      person.fullName,
	"traveller":   person.fullName,
	"traveler":    person.fullName,
	"guest":       person.fullName,
	"member":      person.fullName,
	"participant": person.fullName,
	"attendee":    person.fullName,
	"passenger":   person.fullName,
	"friend":      person.fullName,
	"contact":     person.fullName,
	"student":     person.fullName,
	"employee":    person.fullName,
	"first":       func(p person) string { return p.first },
	"firstname":   func(p person) string { return p.first },
	"given":       func(p person) string { return p.first },
	"last":        func(p person) string { return p.last },
	"lastname":    func(p person) string { return p.last },
	"surname":     func(p person) string { return p.last },
	"family":      func(p person) string { return p.last },
	"username":    func(p person) string { return strings.ToLower(p.first) },
	"login":       func(p person) string { return strings.ToLower(p.first) },
	"handle":      func(p person) string { return "@" + strings.ToLower(p.first) },
	"email":       person.email,
	"mail":        person.email,
	"city":        func(p person) string { return p.city },
	"town":        func(p person) string { return p.city },
	"location":    func(p person) string { return p.city + ", " + p.country },
	"place":       func(p person) string { return p.city },
	"destination": func(p person) string { return p.city },
	"origin":      func(p person) string { return p.city },
	"country":     func(p person) string { return p.country },
	"address":     func(p person) string { return p.street + ", " + p.postcode + " " + p.city },
	"street":      func(p person) string { return p.street },
	"zip":         func(p person) string { return p.postcode },
	"postcode":    func(p person) string { return p.postcode },
	"postal":      func(p person) string { return p.postcode },
	"phone":       func(p person) string { return p.phone },
	"telephone":   func(p person) string { return p.phone },
	"mobile":      func(p person) string { return p.phone },
	"url":         func(p person) string { return "https://example.com/" + strings.ToLower(p.first) },
	"website":     func(p person) string { return "https://" + strings.ToLower(p.last) + ".example.com" },
	"homepage":    func(p person) string { return "https://" + strings.ToLower(p.last) + ".example.com" },
	"link":        func(p person) string { return "https://example.com/" + strings.ToLower(p.first) },
}

// plausibleString is a sample string for a property called name: from
// its words, last first ("company_name" is a company, "city_name" a
// city), an id for names ending in id, else "sample" and the name.
func plausibleString(name string, variant int) string {
	words := Words(name)
	p := people[variant%len(people)]
	joined := strings.Join(words, "")
	if f, ok := personFields[joined]; ok {
		return f(p)
	}
	for _, w := range words { // "email_address" is an email, not an address
		if w == "email" || w == "mail" || w == "phone" {
			return personFields[w](p)
		}
	}
	for i := len(words) - 1; i >= 0; i-- {
		w := words[i]
		if w == "name" && i > 0 { // a name of something: "company_name", "city_name"
			continue
		}
		if _, known := personFields[w]; !known && stringSamples[w] == nil && len(w) > 3 && strings.HasSuffix(w, "s") {
			w = w[:len(w)-1] // "travellers" are travellers
		}
		if w == "id" || w == "uuid" || w == "identifier" || w == "key" {
			prefix := "id"
			if i > 0 {
				prefix = words[i-1]
			}
			return fmt.Sprintf("%s_%03d", prefix, 101+variant)
		}
		if f, ok := personFields[w]; ok {
			return f(p)
		}
		if list, ok := stringSamples[w]; ok {
			return list[variant%len(list)]
		}
	}
	if len(words) > 0 && words[len(words)-1] == "name" { // "product_name": a name, not a product
		return personFields["name"](p)
	}
	if len(words) == 0 {
		if variant > 0 {
			return fmt.Sprintf("example %d", variant+1)
		}
		return "example"
	}
	s := "sample " + strings.Join(words, " ")
	if variant > 0 {
		s += fmt.Sprintf(" %d", variant+1)
	}
	return s
}

// formats are sample values for the string formats, by property name and
// variant.
var formats = map[string]func(name string, variant int) string{
	"date-time": func(_ string, v int) string { return fmt.Sprintf("2024-05-%02dT14:30:00Z", 17+v%10) },
	"date":      func(_ string, v int) string { return fmt.Sprintf("2024-05-%02d", 17+v%10) },
	"time":      func(_ string, v int) string { return fmt.Sprintf("%02d:30:00Z", 14+v%8) },
	"duration":  func(_ string, v int) string { return fmt.Sprintf("PT%dH", 1+v) },
	"email":     func(_ string, v int) string { return people[v%len(people)].email() },
	"idn-email": func(_ string, v int) string { return people[v%len(people)].email() },
	"hostname":  func(n string, v int) string { return stringSamples["host"][v%3] },
	"ipv4":      func(_ string, v int) string { return fmt.Sprintf("192.0.2.%d", 10+v) },
	"ipv6":      func(_ string, v int) string { return fmt.Sprintf("2001:db8::%x", 10+v) },
	"uri":       func(n string, v int) string { return personFields["url"](people[v%len(people)]) },
	"url":       func(n string, v int) string { return personFields["url"](people[v%len(people)]) },
	"uuid":      func(_ string, v int) string { return fmt.Sprintf("3f2b8c1e-9d4a-4c7b-8e21-%012x", 0x5a17c0de+v) },
}

// integerSamples are sample integers by the word of a property name.
var integerSamples = map[string]int64{
	"age": 34, "year": 2024, "month": 5, "day": 17, "hour": 14, "minute": 30, "minutes": 30, "second": 15, "seconds": 60,
	"count": 3, "quantity": 2, "qty": 2, "number": 3, "num": 3, "total": 42, "amount": 25, "price": 20, "cost": 20,
	"rating": 4, "score": 87, "stars": 4, "percent": 42, "percentage": 42, "id": 101, "page": 1, "limit": 10, "size": 10,
	"max": 10, "min": 1, "duration": 60, "days": 7, "weeks": 2, "temperature": 21, "temp": 21, "population": 2102650,
	"rank": 1, "index": 0, "width": 640, "height": 480, "length": 12, "weight": 70, "version": 2, "priority": 2,
	"level": 3, "retries": 3, "timeout": 30, "port": 8080, "floor": 3, "people": 4, "guests": 2, "nights": 3,
}

// numberSamples are sample numbers by the word of a property name.
var numberSamples = map[string]float64{
	"price": 19.99, "cost": 19.99, "amount": 25.5, "total": 42.5, "temperature": 21.5, "temp": 21.5,
	"lat": 48.8566, "latitude": 48.8566, "lon": 2.3522, "lng": 2.3522, "longitude": 2.3522,
	"rating": 4.5, "score": 87.5, "percent": 42.5, "percentage": 42.5, "weight": 70.5, "height": 1.75,
	"distance": 12.5, "ratio": 0.75, "probability": 0.85, "confidence": 0.92, "rate": 0.05, "speed": 13.4,
	"humidity": 65, "balance": 1250.75, "salary": 52000, "discount": 0.1, "tax": 0.2,
}

// plausibleInteger is a sample integer for a property called name (7
// when its name says nothing), larger by variant.
func plausibleInteger(name string, variant int) int64 {
	words := Words(name)
	for i := len(words) - 1; i >= 0; i-- {
		if v, ok := integerSamples[words[i]]; ok {
			return v + int64(variant)
		}
	}
	return 7 + int64(variant)
}

// plausibleNumber is a sample number for a property called name (3.5 when
// its name says nothing), larger by variant.
func plausibleNumber(name string, variant int) float64 {
	words := Words(name)
	for i := len(words) - 1; i >= 0; i-- {
		if v, ok := numberSamples[words[i]]; ok {
			return v + float64(variant)
		}
		if v, ok := integerSamples[words[i]]; ok {
			return float64(v + int64(variant))
		}
	}
	return 3.5 + float64(variant)
}

// booleanValue is false for names that say something is gone or off
// ("deleted", "is_disabled"), else true.
func booleanValue(name string) bool {
	for _, w := range Words(name) {
		switch w {
		case "deleted", "disabled", "archived", "blocked", "banned", "hidden", "private", "expired", "failed", "error":
			return false
		}
	}
	return true
}
