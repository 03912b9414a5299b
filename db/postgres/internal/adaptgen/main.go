// Command adaptgen writes db/postgres/queries.gen.go: the type postgres.Queries, which implements
// sqlcdb.Querier (the interface sqlc generates for the SQLite query set, queries/*.sql) by running
// the PostgreSQL query set (queries/postgres, generated into package pgdb). It writes
// db/postgres/testqueries.gen.go the same way for the queries only tests use: the type
// postgres.TestQueries implements sqlctest.Querier (queries/testing) by running pgtest
// (queries/postgres/testing).
//
// sqlc generates each pair of packages from two query sets kept alike by hand: the same query names,
// kinds, parameters and result columns, over schemas with the same columns in the same order. So
// every parameter and result struct of one package has a twin of the same name in the other with
// the same fields, and each method converts between them by Go struct conversion (slices element by
// element, other types unchanged). adaptgen reads both packages by reflection and refuses, naming
// the method and the field, anything that does not convert that way: a query missing from one set,
// a parameter in another order, a column of another type. The generated file compiling is the proof
// that the two sets agree in shape.
//
// Run it with go generate ./db/postgres (after sqlc generate).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/format"
	"os"
	"reflect"
	"strings"

	"github.com/callstore/callstore/db/postgres/pgdb"
	"github.com/callstore/callstore/db/postgres/pgtest"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
)

func main() {
	out := flag.String("o", "queries.gen.go", "the file to write the adapter of the production query set to")
	testOut := flag.String("test-o", "testqueries.gen.go", "the file to write the adapter of the queries only tests use to")
	flag.Parse()
	files := []struct {
		set  querySet
		name string
		src  []byte
	}{{set: production, name: *out}, {set: testOnly, name: *testOut}}
	// Both adapters are generated before either is written: a drift in one leaves both files as
	// they were.
	for i := range files {
		src, err := generate(files[i].set)
		if err != nil {
			fmt.Fprintf(os.Stderr, "adaptgen: %s: %v\n", files[i].name, err)
			os.Exit(1)
		}
		files[i].src = src
	}
	for _, f := range files {
		if err := os.WriteFile(f.name, f.src, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "adaptgen:", err)
			os.Exit(1)
		}
	}
}

// querySet is one pair of generated packages: SQLite's (whose Querier the adapter implements) and
// PostgreSQL's (which the adapter runs), and the names the adapter is written with.
type querySet struct {
	sqliteIface, pgIface, pgImpl reflect.Type
	sqlitePkg, pgPkg             string // import paths
	sqliteName, pgName           string // package names
	sqliteQueries, pgQueries     string // the query files, for messages
	typeName, ctor, doc, ctorDoc string // the adapter type, its constructor and their comments
	convertAll                   string // the name of the file's slice helper (each file has its own)
}

var (
	production = querySet{
		sqliteIface: reflect.TypeFor[sqlcdb.Querier](),
		pgIface:     reflect.TypeFor[pgdb.Querier](),
		pgImpl:      reflect.TypeFor[*pgdb.Queries](),
		sqlitePkg:   reflect.TypeFor[sqlcdb.Queries]().PkgPath(),
		pgPkg:       reflect.TypeFor[pgdb.Queries]().PkgPath(),
		sqliteName:  "sqlcdb", pgName: "pgdb",
		sqliteQueries: "queries/*.sql", pgQueries: "queries/postgres",
		typeName: "Queries", ctor: "NewQueries", convertAll: "convertAll",
		doc:     "Queries runs the PostgreSQL query set behind the SQLite set's interface.",
		ctorDoc: "NewQueries returns the PostgreSQL queries run on db: a pool, a connection or a transaction.",
	}
	testOnly = querySet{
		sqliteIface: reflect.TypeFor[sqlctest.Querier](),
		pgIface:     reflect.TypeFor[pgtest.Querier](),
		pgImpl:      reflect.TypeFor[*pgtest.Queries](),
		sqlitePkg:   reflect.TypeFor[sqlctest.Queries]().PkgPath(),
		pgPkg:       reflect.TypeFor[pgtest.Queries]().PkgPath(),
		sqliteName:  "sqlctest", pgName: "pgtest",
		sqliteQueries: "queries/testing", pgQueries: "queries/postgres/testing",
		typeName: "TestQueries", ctor: "NewTestQueries", convertAll: "convertAllTest",
		doc: "TestQueries runs the PostgreSQL set of the queries only tests use behind the SQLite set's\n" +
			"// interface (sqlctest.Querier), so that a test reads and writes rows around the store's rules\n" +
			"// the same way on both engines (db/dbtest.TestQueries).",
		ctorDoc: "NewTestQueries returns the PostgreSQL test queries run on db: a pool, a connection or a\n// transaction.",
	}

	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// generator accumulates the methods' source; usesConvertAll says whether the slice helper is needed.
type generator struct {
	set            querySet
	methods        bytes.Buffer
	usesConvertAll bool
}

func generate(set querySet) ([]byte, error) {
	// A query of the PostgreSQL set that the SQLite set lacks would never run: refuse it too.
	for i := range set.pgIface.NumMethod() {
		name := set.pgIface.Method(i).Name
		if _, ok := set.sqliteIface.MethodByName(name); !ok {
			return nil, fmt.Errorf("method %s: %s has the query but %s.Querier does not (%s has a query %s lacks)",
				name, set.pgName, set.sqliteName, set.pgQueries, set.sqliteQueries)
		}
	}
	g := generator{set: set}
	for i := range set.sqliteIface.NumMethod() { // sorted by name: the output is deterministic
		m := set.sqliteIface.Method(i)
		pm, ok := set.pgImpl.MethodByName(m.Name)
		if !ok {
			return nil, fmt.Errorf("method %s: %s.Querier has it but %s.Queries does not (%s lacks the query)",
				m.Name, set.sqliteName, set.pgName, set.pgQueries)
		}
		if err := g.method(m.Name, m.Type, pm.Type); err != nil {
			return nil, fmt.Errorf("method %s: %w", m.Name, err)
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by adaptgen. DO NOT EDIT.

package postgres

import (
	"context"

	%[1]q
	%[2]q
)

// %[5]s
type %[3]s struct{ q *%[7]s.Queries }

// %[6]s
func %[4]s(db %[7]s.DBTX) *%[3]s { return &%[3]s{q: %[7]s.New(db)} }

var _ %[8]s.Querier = (*%[3]s)(nil)
`, set.pgPkg, set.sqlitePkg, set.typeName, set.ctor, set.doc, set.ctorDoc, set.pgName, set.sqliteName)
	b.Write(g.methods.Bytes())
	if g.usesConvertAll {
		fmt.Fprintf(&b, `
// %[1]s converts a slice element by element; nil stays nil.
func %[1]s[From, To any](in []From, conv func(From) To) []To {
	if in == nil {
		return nil
	}
	out := make([]To, len(in))
	for i, v := range in {
		out[i] = conv(v)
	}
	return out
}
`, g.set.convertAll)
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated source: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

// method writes the adapter of one method. st is the SQLite package's method type (sqlcdb or
// sqlctest, no receiver), pt the PostgreSQL package's (pgdb or pgtest, receiver first).
func (g *generator) method(name string, st, pt reflect.Type) error {
	if pt.NumIn()-1 != st.NumIn() {
		return fmt.Errorf("%s takes %d parameters, %s %d", g.set.sqliteName, st.NumIn(), g.set.pgName, pt.NumIn()-1)
	}
	if st.NumOut() != pt.NumOut() {
		return fmt.Errorf("%s returns %d results, %s %d", g.set.sqliteName, st.NumOut(), g.set.pgName, pt.NumOut())
	}
	if st.NumIn() < 1 || st.In(0) != contextType || pt.In(1) != contextType {
		return fmt.Errorf("the first parameter is not a context.Context")
	}
	if st.IsVariadic() || pt.IsVariadic() {
		return fmt.Errorf("variadic methods are not supported")
	}

	var params, args []string
	params = append(params, "ctx context.Context")
	args = append(args, "ctx")
	for i := 1; i < st.NumIn(); i++ {
		s, p := st.In(i), pt.In(i+1)
		arg := "arg"
		if st.NumIn() > 2 {
			arg = fmt.Sprintf("arg%d", i)
		}
		stype, err := g.qualified(s)
		if err != nil {
			return fmt.Errorf("parameter %d: %w", i, err)
		}
		conv, err := g.convert(s, p, arg)
		if err != nil {
			return fmt.Errorf("parameter %d: %w", i, err)
		}
		params = append(params, arg+" "+stype)
		args = append(args, conv)
	}

	switch st.NumOut() {
	case 1:
		if st.Out(0) != errorType || pt.Out(0) != errorType {
			return fmt.Errorf("the only result is not an error")
		}
		fmt.Fprintf(&g.methods, "\nfunc (q *%s) %s(%s) error {\n\treturn q.q.%s(%s)\n}\n",
			g.set.typeName, name, strings.Join(params, ", "), name, strings.Join(args, ", "))
	case 2:
		if st.Out(1) != errorType || pt.Out(1) != errorType {
			return fmt.Errorf("the second result is not an error")
		}
		rtype, err := g.qualified(st.Out(0))
		if err != nil {
			return fmt.Errorf("result: %w", err)
		}
		conv, err := g.convert(pt.Out(0), st.Out(0), "r")
		if err != nil {
			return fmt.Errorf("result: %w", err)
		}
		call := fmt.Sprintf("q.q.%s(%s)", name, strings.Join(args, ", "))
		if conv == "r" {
			fmt.Fprintf(&g.methods, "\nfunc (q *%s) %s(%s) (%s, error) {\n\treturn %s\n}\n",
				g.set.typeName, name, strings.Join(params, ", "), rtype, call)
		} else {
			fmt.Fprintf(&g.methods, "\nfunc (q *%s) %s(%s) (%s, error) {\n\tr, err := %s\n\treturn %s, err\n}\n",
				g.set.typeName, name, strings.Join(params, ", "), rtype, call, conv)
		}
	default:
		return fmt.Errorf("%d results are not supported", st.NumOut())
	}
	return nil
}

// convert returns the expression that converts expr of type from into type to: expr itself when the
// types are identical (the unnamed types sqlc uses: string, int64, *string, []string, ...), a struct
// conversion between a SQLite and a PostgreSQL struct of the same name (sqlcdb and pgdb, or
// sqlctest and pgtest), a conversion element by element
// between slices. Anything else is an error naming the mismatch.
func (g *generator) convert(from, to reflect.Type, expr string) (string, error) {
	if from == to {
		return expr, nil
	}
	switch {
	case from.Kind() == reflect.Struct && to.Kind() == reflect.Struct:
		if !g.isGenerated(from) || !g.isGenerated(to) || from.Name() != to.Name() {
			return "", fmt.Errorf("%s and %s are not twin generated structs", g.describe(from), g.describe(to))
		}
		if d := g.structDiff(from, to); d != "" {
			return "", fmt.Errorf("%s and %s differ: %s", g.describe(from), g.describe(to), d)
		}
		if !from.ConvertibleTo(to) {
			return "", fmt.Errorf("%s does not convert to %s", g.describe(from), g.describe(to))
		}
		tname, err := g.qualified(to)
		if err != nil {
			return "", err
		}
		return tname + "(" + expr + ")", nil
	case from.Kind() == reflect.Slice && to.Kind() == reflect.Slice && from.Name() == "" && to.Name() == "":
		elem, err := g.convert(from.Elem(), to.Elem(), "v")
		if err != nil {
			return "", fmt.Errorf("slice element: %w", err)
		}
		fname, err := g.qualified(from.Elem())
		if err != nil {
			return "", err
		}
		tname, err := g.qualified(to.Elem())
		if err != nil {
			return "", err
		}
		g.usesConvertAll = true
		return fmt.Sprintf("%s(%s, func(v %s) %s { return %s })", g.set.convertAll, expr, fname, tname, elem), nil
	default:
		return "", fmt.Errorf("type %s and type %s differ", g.describe(from), g.describe(to))
	}
}

// structDiff names the first field where two structs differ in name or type, or returns "".
func (g *generator) structDiff(a, b reflect.Type) string {
	for i := range max(a.NumField(), b.NumField()) {
		switch {
		case i >= a.NumField():
			f := b.Field(i)
			return fmt.Sprintf("field %s %s (number %d) is only in %s", f.Name, g.describe(f.Type), i+1, g.describe(b))
		case i >= b.NumField():
			f := a.Field(i)
			return fmt.Sprintf("field %s %s (number %d) is only in %s", f.Name, g.describe(f.Type), i+1, g.describe(a))
		}
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name {
			return fmt.Sprintf("field number %d is %s in %s but %s in %s (a parameter or column in another order, or renamed)",
				i+1, fa.Name, g.describe(a), fb.Name, g.describe(b))
		}
		if fa.Type != fb.Type {
			return fmt.Sprintf("field %s is %s in %s but %s in %s", fa.Name, g.describe(fa.Type), g.describe(a), g.describe(fb.Type), g.describe(b))
		}
	}
	return ""
}

func (g *generator) isGenerated(t reflect.Type) bool {
	return t.PkgPath() == g.set.sqlitePkg || t.PkgPath() == g.set.pgPkg
}

// qualified spells t in the generated file.
func (g *generator) qualified(t reflect.Type) (string, error) {
	switch {
	case t == contextType:
		return "context.Context", nil
	case t.PkgPath() == g.set.sqlitePkg && t.Name() != "":
		return g.set.sqliteName + "." + t.Name(), nil
	case t.PkgPath() == g.set.pgPkg && t.Name() != "":
		return g.set.pgName + "." + t.Name(), nil
	case t.Name() != "" && t.PkgPath() == "":
		return t.Name(), nil // predeclared: string, int64, bool, ...
	case t.Name() != "":
		return "", fmt.Errorf("type %s of package %s is not supported", t.Name(), t.PkgPath())
	}
	switch t.Kind() {
	case reflect.Slice:
		e, err := g.qualified(t.Elem())
		return "[]" + e, err
	case reflect.Pointer:
		e, err := g.qualified(t.Elem())
		return "*" + e, err
	}
	return "", fmt.Errorf("type %s is not supported", t)
}

// describe spells t for an error message.
func (g *generator) describe(t reflect.Type) string {
	if s, err := g.qualified(t); err == nil {
		return s
	}
	return t.String()
}
