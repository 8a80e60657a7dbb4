// Package configs holds what Concierge ships besides code: the annotated
// example configuration (concierge.example.yaml) and, in the demo
// sub-package, the embedded demo company.
package configs

import _ "embed"

//go:embed concierge.example.yaml
var example []byte

// Example returns the annotated example configuration file.
func Example() []byte { return example }
