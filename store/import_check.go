package store

// CheckImportLine checks and normalizes the call of l as Import does with every line it reads,
// and records the outcome in l: a call the store refuses gets its reason in l.Err, which Import
// then reports for the line. Import does not check a checked line again.
//
// Import checks the lines of the next batch while the current one is written, but it collects a
// whole batch before the writer may start on it. A caller that makes its lines in batches of a
// transaction each, such as the seed, has its writer wait for every batch's checks; checking each
// batch with CheckImportLine where it is made, on the producer's own goroutine, takes that work
// off the writer's path. A checked line must not be changed before Import writes it.
func CheckImportLine(l *ImportLine) {
	if l.Err == nil && !l.checked {
		l.Err = l.Call.normalize()
		l.checked = true
	}
}
