package postgres

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var embeddedMigrations embed.FS

// Migrations returns the PostgreSQL schema's goose migrations (goose.DialectPostgres), the files
// at its root.
func Migrations() fs.FS {
	sub, err := fs.Sub(embeddedMigrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sub
}
