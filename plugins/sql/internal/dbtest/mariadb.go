package dbtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	_ "github.com/go-sql-driver/mysql" // the "mysql" driver
)

var (
	myOnce sync.Once
	mySrv  *Server
	myErr  error
)

// adminPassword is the password of the test servers' admin account,
// reachable only on loopback for the life of a test run.
const adminPassword = "dbtest-admin"

// MariaDB returns the package's MariaDB server, starting it on first use.
func MariaDB(t testing.TB) *Server {
	t.Helper()
	server, err1 := exec.LookPath("mariadbd")
	install, err2 := exec.LookPath("mariadb-install-db")
	if err1 != nil || err2 != nil {
		missing(t, "MariaDB", "apt-get install -y mariadb-server")
	}
	return shared(t, &myOnce, &mySrv, &myErr, func() (*Server, error) { return bootMariaDB(server, install) })
}

func bootMariaDB(server, install string) (*Server, error) {
	dir, err := os.MkdirTemp("", "dsrhost-maria-")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	userArgs := []string{}
	if os.Geteuid() == 0 {
		userArgs = []string{"--user=root"}
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}, userArgs...)
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "mysql.sock")
	s := &Server{Driver: "mysql", Port: port, dir: dir, crash: syscall.SIGKILL}
	s.start = func() (*exec.Cmd, error) {
		log, err := logFile(dir, "mariadb.log")
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(server, append([]string{"--no-defaults", "--datadir=" + data, "--port=" + portString(port),
			"--bind-address=127.0.0.1", "--socket=" + sock, "--pid-file=" + filepath.Join(dir, "mariadb.pid"),
			"--skip-name-resolve", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=16M",
			"--innodb-flush-log-at-trx-commit=2", "--skip-log-bin", "--log-error=" + filepath.Join(dir, "mariadb.err")}, userArgs...)...)
		cmd.Stdout, cmd.Stderr = log, log
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return cmd, cmd.Start()
	}
	root := fmt.Sprintf("root@unix(%s)/", sock)
	s.ready = func() error { return ping("mysql", root) }
	s.admin = func(db string) string {
		return fmt.Sprintf("admin:%s@tcp(127.0.0.1:%d)/%s", adminPassword, port, db)
	}
	if err := s.run(); err != nil {
		return nil, err
	}
	// An admin reachable over TCP: root authenticates by socket only.
	if err := execAll("mysql", root,
		"CREATE USER IF NOT EXISTS 'admin'@'127.0.0.1' IDENTIFIED BY '"+adminPassword+"'",
		"GRANT ALL ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION"); err != nil {
		return nil, err
	}
	return s, nil
}
