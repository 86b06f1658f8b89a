package indexes

// BuildConcurrently makes Sync build and drop every index CONCURRENTLY,
// however small the table, until the returned func restores the rule.
func BuildConcurrently() (restore func()) {
	old := smallTable
	smallTable = 0
	return func() { smallTable = old }
}
