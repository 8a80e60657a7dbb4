package entity

import _ "embed" // the tables

// placesTable lists the places: countries and territories, the regions shops use,
// Chinese provinces and cities, US states and the world cities customers name
// most. Its format is described in its first lines.
//
//go:embed places.txt
var placesTable string
