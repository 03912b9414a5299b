package postgres

//go:generate go run ./internal/adaptgen
