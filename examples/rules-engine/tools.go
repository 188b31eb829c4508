package main

import (
	"fmt"
	"math"

	"github.com/oaicompat/oaicompat"
)

// The engine's tools and replies, declared as Go types: their JSON Schemas
// (strict mode) come from the json and jsonschema tags, and the same types
// decode the calls and results on either side of the wire.

// ConvertUnits are the arguments of the convert_units tool.
type ConvertUnits struct {
	Value float64 `json:"value" jsonschema:"description=The quantity to convert"`
	From  string  `json:"from" jsonschema:"enum=m,enum=km,enum=mi,enum=ft,enum=kg,enum=lb,description=Unit of value"`
	To    string  `json:"to" jsonschema:"enum=m,enum=km,enum=mi,enum=ft,enum=kg,enum=lb,description=Unit to convert to"`
}

// OrderStatus are the arguments of the order_status tool.
type OrderStatus struct {
	OrderID string `json:"order_id" jsonschema:"pattern=^[A-Z]{2}-[0-9]{4}$,description=Order number such as AB-1234"`
}

// Conversion is the result of convert_units.
type Conversion struct {
	Value  float64 `json:"value"`
	From   string  `json:"from"`
	Result float64 `json:"result"`
	To     string  `json:"to"`
}

// Order is the result of order_status.
type Order struct {
	OrderID string  `json:"order_id"`
	Status  string  `json:"status" jsonschema:"enum=processing,enum=shipped,enum=delivered,enum=unknown"`
	ETA     *string `json:"eta" jsonschema:"description=Expected delivery date (YYYY-MM-DD), null once delivered or when unknown"`
}

// Answer is the engine's structured reply (response_format "answer").
type Answer struct {
	Summary     string       `json:"summary"`
	Conversions []Conversion `json:"conversions"`
	Orders      []Order      `json:"orders"`
}

// Tool names.
const (
	convertTool = "convert_units"
	orderTool   = "order_status"
)

// Tools are the tools a client offers to let the engine call them.
var Tools = []oaicompat.Tool{
	oaicompat.FunctionTool[ConvertUnits](convertTool, "Converts a length or a mass between units."),
	oaicompat.FunctionTool[OrderStatus](orderTool, "Looks up the status of an order."),
}

// AnswerFormat is the response_format that asks for an Answer.
var AnswerFormat = oaicompat.ResponseFormatFor[Answer]("answer")

// units maps a unit to its dimension and its size in the base unit.
var units = map[string]struct {
	dim  string
	base float64
}{
	"m": {"length", 1}, "km": {"length", 1000}, "mi": {"length", 1609.344}, "ft": {"length", 0.3048},
	"kg": {"mass", 1}, "lb": {"mass", 0.45359237},
}

// Convert runs convert_units.
func Convert(a ConvertUnits) (Conversion, error) {
	from, to := units[a.From], units[a.To]
	if from.dim == "" || to.dim == "" || from.dim != to.dim {
		return Conversion{}, fmt.Errorf("cannot convert %s to %s", a.From, a.To)
	}
	r := a.Value * from.base / to.base
	return Conversion{Value: a.Value, From: a.From, Result: math.Round(r*1e4) / 1e4, To: a.To}, nil
}

// orders is the engine's order book.
var orders = map[string]Order{
	"AB-1234": {OrderID: "AB-1234", Status: "shipped", ETA: ptr("2025-03-14")},
	"CD-5678": {OrderID: "CD-5678", Status: "processing", ETA: ptr("2025-03-20")},
	"EF-9012": {OrderID: "EF-9012", Status: "delivered"},
}

// LookupOrder runs order_status.
func LookupOrder(a OrderStatus) Order {
	if o, ok := orders[a.OrderID]; ok {
		return o
	}
	return Order{OrderID: a.OrderID, Status: "unknown"}
}

func ptr[T any](v T) *T { return &v }
