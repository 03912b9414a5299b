//go:build unix

package db

import (
	"io/fs"
	"os"
	"syscall"
)

// sameOwner gives the file path the owner and group of fi's file, when they differ (only root may
// give a file away: a non-root caller restoring its own file has nothing to change).
func sameOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	cur, err := os.Stat(path)
	if err != nil {
		return err
	}
	if c, ok := cur.Sys().(*syscall.Stat_t); ok && c.Uid == st.Uid && c.Gid == st.Gid {
		return nil
	}
	return os.Chown(path, int(st.Uid), int(st.Gid))
}
