package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

var (
	pgOnce sync.Once
	pgSrv  *Server
	pgErr  error
)

// pgBin finds the PostgreSQL server binaries of the Debian package.
func pgBin() string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(matches) == 0 {
		if p, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p)
		}
		return ""
	}
	return filepath.Dir(matches[len(matches)-1])
}

// Postgres returns the package's PostgreSQL server, starting it on first use.
func Postgres(t testing.TB) *Server {
	t.Helper()
	bin := pgBin()
	if bin == "" {
		missing(t, "PostgreSQL", "apt-get install -y postgresql")
	}
	return shared(t, &pgOnce, &pgSrv, &pgErr, func() (*Server, error) { return bootPostgres(bin) })
}

// runAs is the credential PostgreSQL runs under: itself unless root.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("running as root and no postgres or nobody user to run PostgreSQL as")
}

func bootPostgres(bin string) (*Server, error) {
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dsrhost-pg-")
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	as := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		cmd.Dir = dir
		return cmd
	}
	data := filepath.Join(dir, "data")
	out, err := as(exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Driver: "postgres", Port: port, dir: dir, crash: syscall.SIGQUIT}
	s.start = func() (*exec.Cmd, error) {
		log, err := logFile(dir, "postgres.log")
		if err != nil {
			return nil, err
		}
		cmd := as(exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", portString(port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", // a crash of the process loses nothing; of the machine, the test
			"-c", "max_connections=50", "-c", "shared_buffers=16MB"))
		cmd.Stdout, cmd.Stderr = log, log
		return cmd, cmd.Start()
	}
	s.admin = func(db string) string {
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, db)
	}
	s.ready = func() error { return ping("pgx", s.admin("postgres")) }
	if err := s.run(); err != nil {
		return nil, err
	}
	return s, nil
}

func ping(driver, dsn string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}
