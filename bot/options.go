package bot

// SetDefault gives an option its default: *v becomes def when it is zero
// (the key was left out of the config) or negative. It is the rule of the
// counts, sizes, durations and limits in the option structs and parameters
// of Concierge's packages, so that a constructor lists its defaults one line
// each; a field whose zero or negative value means something else is
// handled by hand.
func SetDefault[T ~int | ~int64 | ~float64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
