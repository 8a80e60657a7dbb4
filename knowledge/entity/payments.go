package entity

import _ "embed" // the tables

// paymentsTable lists the payment methods and their categories. Its format is
// described in its first lines.
//
//go:embed payments.txt
var paymentsTable string
