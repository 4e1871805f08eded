package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the kernel's USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat; it is 100 on every Linux architecture Go supports.
const clockTick = 100

// RSS returns a process's resident set size in bytes, from VmRSS in
// /proc/<pid>/status.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status of process %d: %w", pid, err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("process %d: unexpected VmRSS line %q", pid, line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("process %d: VmRSS: %w", pid, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("process %d: no VmRSS in its status", pid)
}

// CPUTime returns the CPU time a process has used, user and system, from
// utime and stime in /proc/<pid>/stat.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat of process %d: %w", pid, err)
	}
	// The command name, in parentheses, may hold spaces: fields are
	// counted after its closing parenthesis. utime and stime are fields 14
	// and 15 of the whole line, so 12 and 13 after the name.
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0, fmt.Errorf("process %d: malformed stat", pid)
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("process %d: stat has %d fields after the name", pid, len(f))
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("process %d: stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTick, nil
}

// Children lists the processes whose parent is pid, from /proc.
func Children(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue // exited meanwhile
		}
		s := string(b)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		// After the name: state, then ppid.
		if f := strings.Fields(s[end+1:]); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out, nil
}

// TreeCPUTime is the CPU time used by pid and its live children.
func TreeCPUTime(pid int) (time.Duration, error) {
	total, err := CPUTime(pid)
	if err != nil {
		return 0, err
	}
	kids, err := Children(pid)
	if err != nil {
		return 0, err
	}
	for _, k := range kids {
		if t, err := CPUTime(k); err == nil {
			total += t
		}
	}
	return total, nil
}

// TreeCPUByName is TreeCPUTime split by process: the CPU time of pid under
// "self" and of each live child under its command name (from
// /proc/<pid>/comm), summed over children of the same name.
func TreeCPUByName(pid int) (map[string]time.Duration, error) {
	self, err := CPUTime(pid)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{"self": self}
	kids, err := Children(pid)
	if err != nil {
		return nil, err
	}
	for _, k := range kids {
		t, err := CPUTime(k)
		if err != nil {
			continue // exited meanwhile
		}
		name, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", k))
		if err != nil {
			continue
		}
		out[strings.TrimSpace(string(name))] += t
	}
	return out, nil
}
